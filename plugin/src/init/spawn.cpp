#include "init/spawn.hpp"

#include "init/fd.hpp"
#include "init/privileges.hpp"
#include "init/signals.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char **environ;

namespace sbx::init {
namespace {

// What the child sends back through the report pipe when it cannot exec.
enum class Step : int { setup, chdir, exec };
struct Failure {
    Step step;
    int error;
};

std::vector<char *> c_strings(const std::vector<std::string> &list) {
    std::vector<char *> out;
    out.reserve(list.size() + 1);
    for (const auto &s : list) out.push_back(const_cast<char *>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// Lowers a limit, clamped to the current hard limit (raising it needs
// privileges init does not have).
bool lower_limit(int resource, rlim_t soft, rlim_t hard) {
    rlimit now{};
    if (::getrlimit(resource, &now) != 0) return false;
    rlimit next{std::min(soft, now.rlim_max), std::min(hard, now.rlim_max)};
    return ::setrlimit(resource, &next) == 0;
}

unsigned long stage_process_limit = 0;
bool stage_cpu_rlimit = true;

// The CPUs this process may run on (at least 1).
rlim_t usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return static_cast<rlim_t>(CPU_SETSIZE);
    return static_cast<rlim_t>(std::max(1, CPU_COUNT(&set)));
}

bool set_limits(const SpawnRequest &r) {
    if (!lower_limit(RLIMIT_CORE, 0, 0)) return false;
    if (stage_process_limit > 0 &&
        !lower_limit(RLIMIT_NPROC, stage_process_limit, stage_process_limit))
        return false;
    if (r.max_file_bytes > 0 && !lower_limit(RLIMIT_FSIZE, r.max_file_bytes, r.max_file_bytes))
        return false;
    if (r.time_ms > 0 && stage_cpu_rlimit) {
        // A backstop only: the wall-clock deadline is the real limit. The
        // limit counts the CPU time of all the process's threads, which grows
        // up to N times faster than wall time on N CPUs: a multithreaded
        // program must reach its deadline (timeout), not SIGXCPU before it.
        rlim_t seconds = ((r.time_ms + 999) / 1000 + 1) * usable_cpus();
        if (!lower_limit(RLIMIT_CPU, seconds, seconds + 1)) return false;
    }
    return true;
}

// Marks every fd from `first` on close-on-exec, the report pipe included.
bool seal_fds(unsigned first) {
    if (::close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return true;
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return false;
    for (rlim_t fd = first; fd < files.rlim_cur; ++fd) ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return true;
}

// dup2 leaves close-on-exec set when both fds are the same, hence the fcntl.
bool pass_fd3(int fd) {
    return fd < 0 || (::dup2(fd, 3) == 3 && ::fcntl(3, F_SETFD, 0) == 0);
}

[[noreturn]] void fail_child(int report_fd, Step step) {
    Failure failure{step, errno};
    (void)!::write(report_fd, &failure, sizeof failure);
    ::_exit(127);
}

// Runs in the forked child; only system calls from here on.
[[noreturn]] void exec_child(const SpawnRequest &r, char **argv, char **envp, int report_fd) {
    if (r.fd3 >= 0 && report_fd == 3) report_fd = ::fcntl(3, F_DUPFD_CLOEXEC, 4); // out of fd 3's way
    if (r.own_session)
        ::setsid();
    else
        ::setpgid(0, 0);
    reset_child_signals();
    if (!become_stage_user()) fail_child(report_fd, Step::setup);
    if (::dup2(r.stdin_fd, 0) < 0 || ::dup2(r.stdout_fd, 1) < 0 || ::dup2(r.stderr_fd, 2) < 0 ||
        !pass_fd3(r.fd3) || !seal_fds(r.fd3 < 0 ? 3 : 4) || !set_limits(r))
        fail_child(report_fd, Step::setup);
    if (::chdir(r.workdir.c_str()) != 0) fail_child(report_fd, Step::chdir);
    // execvpe searches the PATH of the calling process, so the job's
    // environment must be in place first.
    environ = envp;
    ::execvpe(argv[0], argv, envp);
    fail_child(report_fd, Step::exec);
}

std::string describe(const Failure &f, const SpawnRequest &r) {
    std::string why = std::strerror(f.error);
    switch (f.step) {
    case Step::exec: return "cannot execute " + r.argv[0] + ": " + why;
    case Step::chdir: return "cannot enter " + r.workdir + ": " + why;
    case Step::setup: break;
    }
    return "cannot set up the stage: " + why;
}

// Blocks until the child execs (EOF: the pipe was close-on-exec) or reports
// a failure.
bool read_failure(int fd, Failure &failure) {
    for (;;) {
        ssize_t n = ::read(fd, &failure, sizeof failure);
        if (n == static_cast<ssize_t>(sizeof failure)) return true;
        if (n >= 0 || errno != EINTR) return false;
    }
}

} // namespace

void limit_stages(unsigned long max_processes, bool cpu_rlimit) {
    stage_process_limit = max_processes;
    stage_cpu_rlimit = cpu_rlimit;
}

Spawned spawn(const SpawnRequest &request) {
    if (request.argv.empty()) return {-1, "the stage has no command"};
    std::vector<char *> argv = c_strings(request.argv);
    std::vector<char *> envp = c_strings(request.env);
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        return {-1, std::string("cannot create a pipe: ") + std::strerror(errno)};
    Fd report_read(report[0]);
    Fd report_write(report[1]);

    pid_t pid = ::fork();
    if (pid < 0) return {-1, std::string("cannot fork: ") + std::strerror(errno)};
    if (pid == 0) exec_child(request, argv.data(), envp.data(), report_write.get());

    // Both sides set the group, so it exists before either relies on it. A
    // new session cannot be: setsid fails in a group leader. Its group
    // exists once the child reports below.
    if (!request.own_session) ::setpgid(pid, pid);
    report_write.reset();
    Failure failure{};
    if (!read_failure(report_read.get(), failure)) return {pid, {}};
    ::waitpid(pid, nullptr, 0);
    return {-1, describe(failure, request)};
}

} // namespace sbx::init
