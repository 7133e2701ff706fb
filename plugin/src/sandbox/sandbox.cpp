#include "sandbox/sandbox.hpp"
#include "util/url.hpp"

#include "runner/execution.hpp"
#include "runner/request.hpp"
#include "sandbox/log.hpp"
#include "sandbox/owner.hpp"
#include "util/json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <dlfcn.h>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace sbx {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

languages::Registry load_registry(const Config &c) {
    try {
        languages::Registry r = c.languages_dir ? languages::Registry::from_directory(*c.languages_dir)
                                                : languages::Registry::builtin();
        for (const auto &[language, image] : c.images)
            r.set_image(language, image);
        return r;
    } catch (const std::invalid_argument &e) {
        throw ApiError(SBX_E_INVALID_CONFIG, e.what());
    }
}

docker::Endpoint endpoint_of(const Config &c) {
    try {
        return c.docker_host ? docker::parse_endpoint(*c.docker_host) : docker::default_endpoint();
    } catch (const std::invalid_argument &e) {
        throw ApiError(SBX_E_INVALID_CONFIG, std::string("docker_host: ") + e.what());
    }
}

std::string random_hex(size_t n) {
    std::random_device rd;
    static const char hex[] = "0123456789abcdef";
    std::string s(n, '0');
    for (char &c : s)
        c = hex[rd() % 16];
    return s;
}

uint64_t ms_between(runner::Clock::time_point a, runner::Clock::time_point b) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
}

} // namespace

std::string default_init_path() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&default_init_path), &info) && info.dli_fname) {
        const std::filesystem::path self = std::filesystem::absolute(info.dli_fname);
        return (self.parent_path() / "sbx" / "sbx-init").string();
    }
    return "sbx-init";
}

Sandbox::Sandbox(Config config, const sbx_host *host)
    : config_(std::move(config)),
      log_(make_logger(host, config_.log_level)),
      registry_(load_registry(config_)),
      engine_(endpoint_of(config_)),
      init_path_(config_.init_path ? *config_.init_path : default_init_path()),
      sandbox_id_(random_hex(16)),
      backend_(engine_, init_path_, log_),
      gate_(config_.max_concurrency) {
    settings_.runtime = config_.runtime;
    settings_.labels = {{"org.sbx.managed", "1"},
                        {"org.sbx.owner", current_owner()},
                        {"org.sbx.sandbox", sandbox_id_}};
    if (::access(init_path_.c_str(), R_OK) != 0)
        log_->warn("sbx-init not found at {}: runs will fail with setup_error", init_path_);
    remove_containers("org.sbx.managed=1", true);
    start_pool();
    sweeper_ = std::thread([this] { sweep_loop(); });
}

Sandbox::~Sandbox() {
    {
        std::lock_guard lock(sweep_mutex_);
        sweep_stop_ = true;
    }
    sweep_wake_.notify_all();
    if (sweeper_.joinable())
        sweeper_.join();
    gate_.drain();
    pool_.reset();
    reaper_.reset();
    remove_containers("org.sbx.sandbox=" + sandbox_id_, false);
}

// Keeps the listed languages warm at the default limits; other limit
// profiles of those languages join the pool when a run first asks for them.
void Sandbox::start_pool() {
    reaper_ = std::make_unique<runner::Reaper>();
    for (const std::string &name : config_.pool_languages) {
        const languages::Language *language = registry_.find(name);
        if (!language)
            throw ApiError(SBX_E_INVALID_CONFIG, "pool.languages: unknown language \"" + name + "\"");
        pooled_.insert(language->name);
    }
    runner::PoolSettings settings;
    settings.size = static_cast<size_t>(config_.pool_size);
    settings.recycle = config_.pool_recycle;
    settings.max_runs = static_cast<size_t>(config_.pool_max_runs);
    settings.setup_timeout = settings_.setup_timeout;
    pool_ = std::make_unique<runner::Pool>(backend_, *reaper_, settings, log_);
    for (const std::string &name : pooled_) {
        const json::value request{{"language", name}, {"code", ""}};
        pool_->keep_warm(runner::box_spec(runner::parse_request(request, registry_, config_), settings_));
    }
}

// A process killed while a container create of its was in flight leaves a
// container that the engine makes after the sweep at start: the sweep runs
// again 2, 6, 14, 30 s later, then every minute, while this sandbox lives.
void Sandbox::sweep_loop() {
    std::unique_lock lock(sweep_mutex_);
    for (std::chrono::seconds wait = 2s;
         !sweep_wake_.wait_for(lock, wait, [this] { return sweep_stop_; });
         wait = std::min<std::chrono::seconds>(wait * 2, 60s)) {
        lock.unlock();
        remove_containers("org.sbx.managed=1", true);
        lock.lock();
    }
}

// Removes our containers: those of a dead owner (left by a process that
// crashed) or all that match the filter.
void Sandbox::remove_containers(const std::string &label_filter, bool only_dead_owners) {
    const std::string filters = R"({"label":[")" + label_filter + R"("]})";
    try {
        const docker::Response list = engine_.checked(
            "GET", "/containers/json?all=1&filters=" + util::url_encode(filters), std::nullopt, 10s);
        const json::value containers = list.json();
        for (const json::value &c : containers.as_array()) {
            const json::object &o = c.as_object();
            const std::string id = json::value_to<std::string>(o.at("Id"));
            const json::object *labels = o.at("Labels").if_object();
            const json::value *owner = labels ? labels->if_contains("org.sbx.owner") : nullptr;
            if (only_dead_owners &&
                !(owner && owner->is_string() && owner_is_dead(owner->get_string())))
                continue;
            log_->info("removing container {} left behind", id.substr(0, 12));
            const docker::Response r =
                engine_.request("DELETE", "/containers/" + id + "?force=1&v=1", std::nullopt, 15s);
            // 409: the engine is removing it already (AutoRemove, once the
            // dead owner's stdin closed); done only when it is gone.
            if (r.status == 409)
                engine_.request("POST", "/containers/" + id + "/wait?condition=removed",
                                std::nullopt, 15s);
        }
    } catch (const std::exception &e) {
        log_->debug("cleanup skipped: {}", e.what());
    }
}

json::value Sandbox::execute(std::string_view request_json, const runner::RunControl &control) {
    return run(runner::parse_request(request_json, registry_, config_), control);
}

json::value Sandbox::execute(const json::value &request, const runner::RunControl &control) {
    return run(runner::parse_request(request, registry_, config_), control);
}

json::value Sandbox::run(const runner::Request &request, const runner::RunControl &control) {
    const auto queued = runner::Clock::now();
    gate_.enter();
    struct Leave {
        Gate &gate;
        ~Leave() { gate.leave(); }
    } leave{gate_};
    if (pooled_.count(request.language->name))
        pool_->keep_warm(runner::box_spec(request, settings_));
    return runner::execute(request, runner::Boxes{backend_, pool_.get(), reaper_.get()}, settings_,
                           *log_, ms_between(queued, runner::Clock::now()), control);
}

json::value Sandbox::health(bool &reachable) {
    json::object engine{{"endpoint", engine_.endpoint().text},
                        {"reachable", false},
                        {"version", nullptr},
                        {"api_version", nullptr},
                        {"error", nullptr}};
    json::array languages;
    reachable = false;
    try {
        const json::value v = engine_.checked("GET", "/version", std::nullopt, 5s).json();
        engine["reachable"] = reachable = true;
        engine["version"] = v.at("Version");
        engine["api_version"] = v.at("ApiVersion");
    } catch (const std::exception &e) {
        engine["error"] = e.what();
    }
    for (const languages::Language &l : registry_.all()) {
        bool present = false;
        if (reachable) {
            try {
                present = engine_.request("GET", "/images/" + l.image + "/json", std::nullopt, 5s)
                              .status == 200;
            } catch (const std::exception &) {
            }
        }
        languages.push_back(json::object{{"name", l.name}, {"image", l.image}, {"present", present}});
    }
    const bool init_present = ::access(init_path_.c_str(), R_OK) == 0;
    return json::object{{"schema", "sbx.health/1"},
                        {"ok", reachable && init_present},
                        {"engine", std::move(engine)},
                        {"runtime", config_.runtime},
                        {"active_runs", gate_.active()},
                        {"init_path", init_path_},
                        {"pool", pool_->state()},
                        {"init_present", init_present},
                        {"languages", std::move(languages)}};
}

} // namespace sbx
