// What init reads of other processes in /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace sbx::init {

struct ProcStat {
    char state = 0;      // 'Z' for a zombie
    pid_t ppid = 0;
    pid_t session = 0;
    uint64_t cpu_ms = 0; // user + system time, of its waited-for children too
};

// /proc/<pid>/stat, or nullopt when the process is gone or it is unreadable.
std::optional<ProcStat> read_proc_stat(pid_t pid);

// VmHWM of /proc/<pid>/status: the peak resident memory in KiB.
std::optional<uint64_t> peak_rss_kb(pid_t pid);

// The pids /proc shows besides init's own; nullopt when /proc is unreadable.
std::optional<std::vector<pid_t>> other_processes();

} // namespace sbx::init
