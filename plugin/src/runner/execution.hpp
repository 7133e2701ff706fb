// One execution: a validated request in, a result document out, whatever the
// program does. Only a bug of ours throws.
#pragma once

#include "runner/box.hpp"
#include "runner/control.hpp"
#include "runner/request.hpp"

#include <boost/json/value.hpp>
#include <spdlog/logger.h>

#include <map>
#include <string>

namespace sbx::runner {

struct ExecutionSettings {
    std::string runtime = "runc";
    std::map<std::string, std::string> labels; // marks the container as ours
    std::chrono::milliseconds setup_timeout{30000};
    uint64_t collect_max_bytes = 10 << 20; // file contents a run brings back
    uint32_t collect_max_files = 1000;     // files it lists at most
};

class Pool;
class Reaper;
class SessionLease;

// Where boxes come from and go: a warm one from the pool when it has one,
// else a cold one from the backend; finished boxes go back to the pool (which
// recycles or retires them), else to the reaper (or are removed on the
// caller's thread when there is neither).
struct Boxes {
    Backend &backend;
    Pool *pool = nullptr;
    Reaper *reaper = nullptr;
};

// The box a request needs (its labels mark it as ours, without a run id).
BoxSpec box_spec(const Request &request, const ExecutionSettings &settings);
BoxSpec box_spec(const languages::Language &language, const Limits &limits, bool network,
                 const ExecutionSettings &settings);

// Starts a box and waits for its sbx-init: one from the pool when it has
// one. Throws SetupError.
std::unique_ptr<Box> ready_box(BoxSpec spec, const Boxes &boxes, const ExecutionSettings &settings);

// Runs `request` in a box of its own. `queue_ms` is the time it waited for a
// slot. `control` streams its output and may cancel it.
boost::json::value execute(const Request &request, const Boxes &boxes,
                           const ExecutionSettings &settings, spdlog::logger &log,
                           uint64_t queue_ms, const RunControl &control = {});

// Runs `request` in its session's container (request.session_id). The
// caller holds the session's turn, or control.cancel fired while it waited
// (the result then says cancelled). Throws ApiError(SBX_E_UNKNOWN_SESSION)
// when the session ended while this run waited for it.
boost::json::value execute_in_session(const Request &request, SessionLease &session,
                                      const ExecutionSettings &settings, spdlog::logger &log,
                                      uint64_t queue_ms, const RunControl &control = {});

} // namespace sbx::runner
