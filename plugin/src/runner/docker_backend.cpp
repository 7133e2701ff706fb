#include "runner/docker_backend.hpp"

#include "util/json.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace sbx::runner {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::chrono::milliseconds until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return std::max(left, std::chrono::milliseconds(1));
}

// The workspace belongs to the sandbox user: the engine resets a WorkingDir
// mount's mode, but not its owner.
std::string tmpfs_options(int64_t size_mb, const char *access) {
    return "rw,exec,nosuid,nodev,size=" + std::to_string(size_mb) + "m," + access;
}

json::object ulimit(const char *name, int64_t value) {
    return {{"Name", name}, {"Soft", value}, {"Hard", value}};
}

class DockerBox : public Box {
public:
    DockerBox(docker::Engine &engine, std::string id, std::shared_ptr<spdlog::logger> log)
        : engine_(engine), id_(std::move(id)), log_(std::move(log)) {}

    // Removes before closing the stream: closing it first would let
    // sbx-init exit and the engine's AutoRemove race our removal.
    ~DockerBox() override {
        remove();
        if (stream_)
            stream_->close();
    }

    const std::string &id() const override { return id_; }

    void attach(Clock::time_point deadline) { stream_ = engine_.attach(id_, until(deadline)); }

    void start(Clock::time_point deadline) {
        engine_.checked("POST", "/containers/" + id_ + "/start", std::nullopt, until(deadline));
    }

    void send(std::string_view bytes, Clock::time_point deadline) override {
        try {
            stream_->write(bytes, deadline);
        } catch (const std::exception &e) {
            throw SetupError(std::string("cannot write to the sandbox: ") + e.what());
        }
    }

    void interrupt() override { stream_->interrupt(); }

    bool receive(std::string &out, Clock::time_point deadline) override {
        std::string raw;
        bool open = true;
        try {
            open = stream_->read_some(raw, deadline);
        } catch (const std::exception &e) {
            log_->warn("box {}: attach stream failed: {}", short_id(), e.what());
            return false;
        }
        try {
            demux_.feed(raw, [&](uint8_t stream, std::string_view bytes) {
                if (stream == 1)
                    out.append(bytes);
                else if (!bytes.empty())
                    log_->warn("box {}: sbx-init: {}", short_id(),
                               bytes.substr(0, std::min<size_t>(bytes.size(), 2048)));
            });
        } catch (const std::exception &e) {
            log_->warn("box {}: bad attach stream: {}", short_id(), e.what());
            return false;
        }
        return open;
    }

    // Asked once the channel closed: why did the box end? The kernel's OOM
    // killer: true. The engine went away, or killed the box itself (SIGKILL,
    // exit 137, without OOM: the engine stopping, docker kill or rm -f; no
    // program in the box can SIGKILL its PID 1): SetupError, since neither is
    // the program's doing nor a bug of ours. Anything else: false.
    bool oom_killed() override {
        try {
            json::value state = inspect_state();
            if (flag(state, "Running")) {
                // The stream may close a moment before the engine records
                // the exit.
                engine_.request("POST", "/containers/" + id_ + "/wait?condition=not-running",
                                std::nullopt, 2s);
                state = inspect_state();
            }
            if (flag(state, "OOMKilled"))
                return true;
            const json::value *code = state.as_object().if_contains("ExitCode");
            if (!flag(state, "Running") && code && code->is_int64() && code->get_int64() == 137)
                throw SetupError("the sandbox was killed from outside during the run (exit "
                                 "137: the Docker engine at " + engine_.endpoint().text +
                                 " stopping, or docker kill / rm -f)");
            return false;
        } catch (const docker::EngineUnavailable &e) {
            // The channel closed because the engine itself went away (stopped,
            // crashed, restarting): not the program's doing, nor a bug of ours.
            throw SetupError("the Docker engine at " + engine_.endpoint().text +
                             " went away during the run: " + e.what());
        } catch (const SetupError &) {
            throw;
        } catch (const std::exception &e) {
            log_->debug("box {}: inspect failed: {}", short_id(), e.what());
            return false;
        }
    }

private:
    std::string short_id() const { return id_.substr(0, 12); }

    json::value inspect_state() {
        const docker::Response r =
            engine_.checked("GET", "/containers/" + id_ + "/json", std::nullopt, 5s);
        return r.json().at("State");
    }

    static bool flag(const json::value &state, std::string_view key) {
        const json::value *v = state.as_object().if_contains(key);
        return v && v->is_bool() && v->get_bool();
    }

    // Force-removal kills the container too. 404: it is gone. 409: the
    // engine is already removing it (AutoRemove); wait until it is gone, so
    // that nothing of ours is left when we return.
    void remove() {
        try {
            const docker::Response r = engine_.request(
                "DELETE", "/containers/" + id_ + "?force=1&v=1", std::nullopt, 15s);
            if (r.status == 409)
                engine_.request("POST", "/containers/" + id_ + "/wait?condition=removed",
                                std::nullopt, 15s);
            else if (r.status >= 400 && r.status != 404)
                log_->error("box {}: removal failed ({}): {}", short_id(), r.status, r.body);
        } catch (const std::exception &e) {
            log_->error("box {}: removal failed: {}", short_id(), e.what());
        }
    }

    docker::Engine &engine_;
    std::string id_;
    std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<docker::AttachStream> stream_;
    docker::Demuxer demux_;
};

std::string missing_image_message(const std::string &image) {
    return "image " + image +
           " is missing: build it with scripts/build-images (or point the config's \"images\" "
           "at an image you have)";
}

} // namespace

// Under gVisor the engine's pids limit counts the host threads of the
// sandbox kernel itself, and reaching it kills the whole sandbox (measured:
// a C fork loop held to 32 processes inside took the kernel past 1024 host
// threads; 2048 held). The program's limit is
// then RLIMIT_NPROC, which gVisor keeps per sandbox (sbx-init
// --max-processes); the engine's limit only bounds the kernel. gVisor also
// counts a thread's runnable time as CPU time, past the cgroup's quota, so
// an RLIMIT_CPU backstop would kill a multithreaded program before its
// deadline: the wall-clock deadline alone holds there (--no-cpu-rlimit).
bool runs_on_gvisor(const BoxSpec &spec) { return spec.runtime == "runsc"; }
int64_t gvisor_pids_limit(int64_t pids) { return 4096 + 16 * pids; }

json::array init_arguments(const BoxSpec &spec) {
    // The stages' user, that of the workspace; sbx-init starts as root and
    // becomes it before it reads anything.
    json::array args{"--user", "65534:65534"};
    if (runs_on_gvisor(spec)) {
        args.emplace_back("--max-processes");
        args.emplace_back(std::to_string(spec.limits.pids));
        args.emplace_back("--no-cpu-rlimit");
    }
    return args;
}

json::value container_spec(const BoxSpec &spec, const std::string &init_path) {
    const Limits &l = spec.limits;
    const int64_t memory = l.memory_mb << 20;
    json::object labels;
    for (const auto &[key, value] : spec.labels)
        labels[key] = value;
    json::object tmpfs{{workspace_dir, tmpfs_options(l.disk_mb, "mode=0755,uid=65534,gid=65534")},
                       {"/tmp", tmpfs_options(l.disk_mb, "mode=1777")}};
    json::object host{
        {"NetworkMode", spec.network ? "bridge" : "none"},
        // Only for sbx-init's first instructions: it drops all three (and
        // every other capability) to run as the sandbox user with a real uid
        // of its own, which no stage can signal or trace (init/privileges.hpp).
        {"CapDrop", json::array{"ALL"}},
        {"CapAdd", json::array{"SETUID", "SETGID", "SETPCAP"}},
        {"SecurityOpt", json::array{"no-new-privileges"}},
        {"ReadonlyRootfs", true},
        {"Memory", memory},
        {"MemorySwap", memory},
        {"NanoCpus", static_cast<int64_t>(std::llround(l.cpus * 1e9))},
        {"PidsLimit", runs_on_gvisor(spec) ? gvisor_pids_limit(l.pids) : l.pids},
        {"Tmpfs", std::move(tmpfs)},
        {"ShmSize", l.disk_mb << 20},
        {"IpcMode", "private"},
        {"Ulimits", json::array{ulimit("nofile", 1024), ulimit("core", 0),
                                ulimit("fsize", l.disk_mb << 20)}},
        {"Binds", json::array{init_path + ":" + init_mount_point + ":ro"}},
        // If our process dies, the engine closes stdin, sbx-init exits and
        // the engine removes the container by itself.
        {"AutoRemove", true},
        {"Runtime", spec.runtime},
    };
    return json::object{
        {"Image", spec.image},
        {"Entrypoint", json::array{init_mount_point}},
        {"Cmd", init_arguments(spec)},
        {"User", "0:0"},
        {"WorkingDir", workspace_dir},
        {"Env", json::array{}},
        {"AttachStdin", true},
        {"AttachStdout", true},
        {"AttachStderr", true},
        {"OpenStdin", true},
        {"StdinOnce", true},
        {"Tty", false},
        // sbx-init, as PID 1, ignores SIGTERM: a stop (the engine shutting
        // down, docker stop) would only wait 10 s before SIGKILL. Kill at once.
        {"StopSignal", "SIGKILL"},
        {"NetworkDisabled", !spec.network},
        {"Labels", std::move(labels)},
        {"HostConfig", std::move(host)},
    };
}

DockerBackend::DockerBackend(docker::Engine &engine, std::string init_path,
                             std::shared_ptr<spdlog::logger> log)
    : engine_(engine), init_path_(std::move(init_path)), log_(std::move(log)) {}

std::unique_ptr<Box> DockerBackend::start(const BoxSpec &spec, Clock::time_point deadline) {
    const std::string body = util::serialize(container_spec(spec, init_path_));
    docker::Response created;
    try {
        created = engine_.request("POST", "/containers/create", body, until(deadline));
    } catch (const docker::EngineUnavailable &e) {
        throw SetupError(e.what());
    }
    if (created.status == 404)
        throw SetupError(missing_image_message(spec.image));
    if (created.status >= 400) {
        std::string message = created.body;
        try {
            message = json::value_to<std::string>(created.json().at("message"));
        } catch (const std::exception &) {
        }
        throw SetupError("the engine refused to create the container: " + message);
    }
    std::string id;
    try {
        id = json::value_to<std::string>(created.json().at("Id"));
    } catch (const std::exception &) {
        throw SetupError("the engine's create answer has no container id: " + created.body);
    }
    auto box = std::make_unique<DockerBox>(engine_, id, log_);
    try {
        box->attach(deadline);
        box->start(deadline);
    } catch (const docker::EngineError &e) {
        throw SetupError(std::string("the engine could not start the container: ") + e.what());
    } catch (const docker::EngineUnavailable &e) {
        throw SetupError(e.what());
    }
    return box;
}

} // namespace sbx::runner
