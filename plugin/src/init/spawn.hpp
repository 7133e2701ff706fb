// Starting one stage's process: fork, confine, exec.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sbx::init {

struct SpawnRequest {
    const std::vector<std::string> &argv; // argv[0] is looked up in env's PATH
    const std::vector<std::string> &env;  // the whole environment
    const std::string &workdir;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    uint64_t max_file_bytes; // RLIMIT_FSIZE, 0 for none
    uint32_t time_ms;        // sets an RLIMIT_CPU backstop, 0 for none
    int fd3 = -1;            // becomes the child's fd 3 when not -1
    bool own_session = false; // a session of its own instead of a process group
};

struct Spawned {
    pid_t pid = -1;    // the stage's process, also its process group (and session)
    std::string error; // set when the process could not start (pid is -1)
};

// Every stage spawned from now on gets RLIMIT_NPROC max_processes (0:
// unchanged), and an RLIMIT_CPU backstop only when cpu_rlimit. Called once,
// before the first job.
void limit_stages(unsigned long max_processes, bool cpu_rlimit);

// Forks a child in its own process group (or session) with rlimits, the
// given stdio (and fd 3) and no other fd, and execs the stage. Returns once the exec succeeded or
// failed; a child that failed has been reaped.
Spawned spawn(const SpawnRequest &request);

} // namespace sbx::init
