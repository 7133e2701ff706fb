// One execution: a validated request in, a result document out, whatever the
// program does. Only a bug of ours throws.
#pragma once

#include "runner/box.hpp"
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
};

// Runs `request` in a fresh box. `queue_ms` is the time it waited for a slot.
boost::json::value execute(const Request &request, Backend &backend,
                           const ExecutionSettings &settings, spdlog::logger &log,
                           uint64_t queue_ms);

} // namespace sbx::runner
