// The container's memory cgroup, read to tell an OOM kill from other deaths.
#pragma once

#include <cstdint>
#include <optional>

namespace sbx::init {

// How many times the OOM killer has acted in this memory cgroup (key
// `oom_kill` of cgroup v2 memory.events or cgroup v1 memory.oom_control),
// or nullopt when neither file is readable.
std::optional<uint64_t> oom_kill_count();

} // namespace sbx::init
