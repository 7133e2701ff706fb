// Resource limits of one run: what a request may ask, what the config allows.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>

namespace sbx::runner {

struct Limits {
    double time_s = 30;
    double compile_time_s = 30;
    int64_t memory_mb = 256;
    double cpus = 0.5;
    int64_t pids = 64;
    int64_t max_output_bytes = 100000;
    int64_t disk_mb = 64;
};

struct MaxLimits {
    Limits limits{300, 300, 4096, 2, 1024, 10000000, 1024};
    int64_t code_bytes = 1000000;
};

// The smallest values the engine and sbx-init can work with.
inline constexpr Limits minimum_limits{0.1, 0.1, 16, 0.01, 8, 1, 1};

// The limits_applied part of a result.
boost::json::value to_json(const Limits &limits);

} // namespace sbx::runner
