// The object behind an sbx_sandbox handle: a config, the language table, one
// engine client, and the containers it owns.
#pragma once

#include "docker/engine.hpp"
#include "languages/registry.hpp"
#include "runner/control.hpp"
#include "runner/docker_backend.hpp"
#include "runner/execution.hpp"
#include "runner/pool.hpp"
#include "runner/reaper.hpp"
#include "runner/sessions.hpp"
#include "sandbox/config.hpp"
#include "sandbox/gate.hpp"

#include <sbx/sbx.h>

#include <boost/json/value.hpp>
#include <spdlog/logger.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace sbx {

class Sandbox {
public:
    // Throws ApiError for an invalid config or language table.
    Sandbox(Config config, const sbx_host *host);
    ~Sandbox(); // waits for runs, removes every container it owns

    // Throws ApiError for an invalid request; otherwise always a result.
    boost::json::value execute(std::string_view request_json,
                               const runner::RunControl &control = {});
    boost::json::value execute(const boost::json::value &request,
                               const runner::RunControl &control = {});

    // An sbx.session document for a new session (sbx_session_open). Throws
    // ApiError.
    boost::json::value open_session(std::string_view options_json);
    // Throws ApiError(SBX_E_UNKNOWN_SESSION).
    void close_session(const std::string &id);
    // The open session `id`, in use until the lease goes. Throws ApiError.
    runner::SessionLease use_session(const std::string &id) { return sessions_->use(id); }

    // sbx.health/1; `reachable` tells whether the engine answered.
    boost::json::value health(bool &reachable);

    const languages::Registry &registry() const { return registry_; }
    const Config &config() const { return config_; }
    spdlog::logger &log() { return *log_; }

private:
    boost::json::value run(const runner::Request &request, const runner::RunControl &control);
    boost::json::value run_in_session(const boost::json::object &request, const std::string &id,
                                      const runner::RunControl &control);
    void remove_containers(const std::string &label_filter, bool only_dead_owners);
    void start_pool();
    void sweep_loop();

    Config config_;
    std::shared_ptr<spdlog::logger> log_;
    languages::Registry registry_;
    docker::Engine engine_;
    std::string init_path_;
    std::string sandbox_id_;
    runner::DockerBackend backend_;
    runner::ExecutionSettings settings_;
    Gate gate_;
    std::set<std::string> pooled_; // language names kept warm
    std::unique_ptr<runner::Reaper> reaper_;
    std::unique_ptr<runner::Pool> pool_;
    std::unique_ptr<runner::Sessions> sessions_;
    // Sweeps dead owners' containers again after the one at start (see
    // sweep_loop); stopped first by the destructor.
    std::mutex sweep_mutex_;
    std::condition_variable sweep_wake_;
    bool sweep_stop_ = false;
    std::thread sweeper_;
};

// Where sbx-init is when the config does not say: next to libsbx.so.
std::string default_init_path();

} // namespace sbx
