// The sbx.config/1 document of sbx_create: every field optional.
#pragma once

#include "runner/limits.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx {

struct Config {
    std::optional<std::string> docker_host; // unset: DOCKER_HOST, else the unix socket
    std::string runtime = "runc";
    std::optional<std::string> languages_dir;
    std::optional<std::string> init_path; // unset: next to libsbx.so
    std::map<std::string, std::string> images;
    runner::Limits defaults;
    runner::MaxLimits max;
    // Warm pool: `pool_size` started containers per language and limit
    // profile, for the languages listed (names or aliases). 0 disables it.
    int64_t pool_size = 1;
    std::vector<std::string> pool_languages{"python"};
    // Recycle mode: a pool container serves up to `pool_max_runs` runs, sbx-init
    // cleaning and verifying it between two. Off: one container per run.
    bool pool_recycle = false;
    int64_t pool_max_runs = 50;
    // Sessions: at most `sessions_max` open at once; one idle for
    // `session_idle_ttl_s` is closed.
    int64_t sessions_max = 16;
    double session_idle_ttl_s = 600;
    // What a run's `collect` (and read_file) may bring back: file contents
    // up to `collect_max_bytes` in all; files past `collect_max_files` are
    // not even listed.
    int64_t collect_max_bytes = 10 << 20;
    int64_t collect_max_files = 1000;
    bool allow_network = false;
    int64_t max_concurrency = 8;
    std::string log_level = "info";
};

// Throws ApiError: SBX_E_INVALID_JSON or SBX_E_INVALID_CONFIG naming the field.
Config parse_config(std::string_view json_text);

} // namespace sbx
