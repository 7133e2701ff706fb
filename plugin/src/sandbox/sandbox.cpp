#include "sandbox/sandbox.hpp"
#include "util/url.hpp"

#include "runner/execution.hpp"
#include "repl/repl.hpp"
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
    settings_.collect_max_bytes = static_cast<uint64_t>(config_.collect_max_bytes);
    settings_.collect_max_files = static_cast<uint32_t>(config_.collect_max_files);
    settings_.labels = {{"org.sbx.managed", "1"},
                        {"org.sbx.owner", current_owner()},
                        {"org.sbx.sandbox", sandbox_id_}};
    if (::access(init_path_.c_str(), R_OK) != 0)
        log_->warn("sbx-init not found at {}: runs will fail with setup_error", init_path_);
    remove_containers("org.sbx.managed=1", true);
    start_pool();
    sessions_ = std::make_unique<runner::Sessions>(
        static_cast<size_t>(config_.sessions_max),
        std::chrono::duration_cast<runner::Clock::duration>(
            std::chrono::duration<double>(config_.session_idle_ttl_s)),
        *reaper_, log_);
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
    sessions_.reset();
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
    return execute(util::parse_json(request_json, "request"), control);
}

json::value Sandbox::execute(const json::value &request, const runner::RunControl &control) {
    const json::object *o = request.if_object();
    const json::value *id = o ? o->if_contains("session_id") : nullptr;
    // An id no session could have (empty, too long, NUL) is refused by
    // parse_request, naming what is wrong with it.
    if (id && id->is_string() && !id->get_string().empty() && id->get_string().size() <= 256 &&
        id->get_string().find('\0') == json::string::npos)
        return run_in_session(*o, std::string(id->get_string()), control);
    return run(runner::parse_request(request, registry_, config_), control);
}

namespace {

// A request may differ from its session only in what each run sets for
// itself: time and output limits, code, files, stdin, args, env.
void check_fits_session(const runner::Request &q, const runner::SessionOptions &s,
                        const std::string &id) {
    const std::string session = "session " + util::quote(id);
    if (q.language->image != s.language->image || (s.repl && q.language != s.language))
        throw invalid_field("language", session + " runs " + s.language->name + (s.repl ? " (a REPL)" : "") +
                                            "; " + util::quote(q.language->name) +
                                            " cannot run in it: open a session for it");
    const runner::Limits &a = q.limits, &b = s.limits;
    for (const auto &[name, same] :
         {std::pair{"memory_mb", a.memory_mb == b.memory_mb}, std::pair{"cpus", a.cpus == b.cpus},
          std::pair{"pids", a.pids == b.pids}, std::pair{"disk_mb", a.disk_mb == b.disk_mb}})
        if (!same)
            throw invalid_field(std::string("limits.") + name,
                                "is set when a session opens (" + session +
                                    " has " + util::serialize(runner::to_json(b).at(name)) +
                                    "); leave it out, or open another session");
    if (q.network != s.network)
        throw invalid_field("network", "is set when a session opens; leave it out");
    if (s.repl && !q.args.empty())
        throw invalid_field("args", "a REPL session runs code as cells, which take no arguments");
}

} // namespace

json::value Sandbox::run_in_session(const json::object &request, const std::string &id,
                                    const runner::RunControl &control) {
    const auto queued = runner::Clock::now();
    runner::SessionLease session = sessions_->use(id);
    const runner::SessionOptions &options = session->options();
    // What the request leaves out is the session's.
    json::object doc = request;
    const json::object defaults{{"language", options.language->name}, {"network", options.network}};
    for (const auto &[key, value] : defaults)
        if (const json::value *given = doc.if_contains(key); !given || given->is_null())
            doc[key] = value;
    const runner::Request q = runner::parse_request(doc, registry_, config_, &options.limits);
    check_fits_session(q, options, id);
    // The session first, then a slot: runs queued on one session hold no
    // slot. Cancelled while it waits for either, it ends at once, as
    // "cancelled".
    const runner::Session::Turn turn(*session, control.cancel);
    const Gate::Slot slot(gate_, control.cancel);
    return runner::execute_in_session(q, session, settings_, *log_,
                                      ms_between(queued, runner::Clock::now()), control);
}

json::value Sandbox::open_session(std::string_view options_json) {
    const json::value doc = util::parse_json(options_json, "options");
    if (!doc.is_object())
        throw ApiError(SBX_E_INVALID_REQUEST,
                       "options: expected an object, got " + std::string(util::type_name(doc)));
    const util::FieldReader r(doc.get_object(), "", SBX_E_INVALID_REQUEST);
    if (auto schema = r.string("schema", 64); schema && *schema != "sbx.session.options/1")
        r.fail("schema", "expected \"sbx.session.options/1\", got " + util::quote(*schema));
    const std::optional<std::string> name = r.string("language", 256);
    if (!name)
        r.fail("language", "is required");
    runner::SessionOptions options;
    options.language = runner::find_language(registry_, *name);
    options.limits = runner::parse_limits(doc.get_object(), *options.language, config_);
    options.network = r.boolean("network").value_or(false);
    if (options.network && !config_.allow_network)
        r.fail("network", "this sandbox does not allow network access (allow_network is false)");
    options.repl = r.boolean("repl").value_or(false);
    if (options.repl && !repl::interpreter_argv(options.language->name))
        r.fail("repl", "only python keeps its state between runs; a " + options.language->name +
                           " session keeps its files");

    runner::Sessions::Slot slot = sessions_->reserve();
    const Gate::Slot gate_slot(gate_);
    const std::string id = runner::Sessions::new_id();
    runner::BoxSpec spec = runner::box_spec(*options.language, options.limits, options.network, settings_);
    spec.labels["org.sbx.session"] = id;
    std::unique_ptr<runner::Box> box;
    try {
        // A box of its own, not the pool's: the pool counts the boxes it
        // lends until they come back, and a session's never does.
        box = runner::ready_box(std::move(spec), runner::Boxes{backend_, nullptr, reaper_.get()},
                                settings_);
    } catch (const runner::SetupError &e) {
        throw ApiError(SBX_E_ENGINE_UNAVAILABLE,
                       std::string("the session's container could not start: ") + e.what());
    }
    sessions_->add(std::move(slot), id, options, std::move(box));
    log_->debug("session {} opened ({})", id, options.language->name);
    return json::object{{"schema", "sbx.session/1"},
                        {"session_id", id},
                        {"language", options.language->name},
                        {"image", options.language->image},
                        {"repl", options.repl},
                        {"network", options.network},
                        {"limits", runner::to_json(options.limits)},
                        {"idle_ttl_s", config_.session_idle_ttl_s}};
}

void Sandbox::close_session(const std::string &id) { sessions_->close(id); }

json::value Sandbox::run(const runner::Request &request, const runner::RunControl &control) {
    const auto queued = runner::Clock::now();
    // Cancelled while it waits for a slot, it ends at once, as "cancelled".
    const Gate::Slot slot(gate_, control.cancel);
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
                        {"sessions", sessions_->open_count()},
                        {"init_present", init_present},
                        {"languages", std::move(languages)}};
}

} // namespace sbx
