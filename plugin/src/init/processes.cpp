#include "init/processes.hpp"

#include "init/procfs.hpp"
#include "init/signals.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>

namespace sbx::init {
namespace {

pid_t spared = 0;

// How often settle looks again while a session is spared: its kills walk
// /proc, which may miss a process forked meanwhile, and a killed process
// that is not init's child sends no SIGCHLD.
constexpr int spared_poll_ms = 10;

// The pid of an exited, unreaped child (left unreaped), 0 if none has
// exited, -1 if init has no child at all.
pid_t peek_exited() {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD ? -1 : 0;
    return info.si_pid;
}

// Every process outside `session` (as PID 1, all the container's); all of
// them when /proc cannot say which those are.
void kill_outside(pid_t session) {
    std::optional<std::vector<pid_t>> pids = other_processes();
    if (!pids) {
        ::kill(-1, SIGKILL);
        return;
    }
    for (pid_t pid : *pids) {
        std::optional<ProcStat> stat = read_proc_stat(pid);
        if (stat && stat->session != session) ::kill(pid, SIGKILL);
    }
}

// Whether a live process kill_tree is after remains: without a spared
// session any child at all; with one, any process outside it (as PID 1) or
// any child outside it (elsewhere).
bool others_remain() {
    if (spared == 0) return peek_exited() >= 0;
    std::optional<std::vector<pid_t>> pids = other_processes();
    if (!pids) return peek_exited() >= 0;
    const pid_t self = ::getpid();
    return std::any_of(pids->begin(), pids->end(), [&](pid_t pid) {
        std::optional<ProcStat> stat = read_proc_stat(pid);
        return stat && stat->state != 'Z' && stat->session != spared &&
               (self == 1 || stat->ppid == self);
    });
}

} // namespace

void kill_tree(pid_t pgid) {
    if (::getpid() != 1) {
        if (pgid > 0) ::kill(-pgid, SIGKILL);
    } else if (spared == 0) {
        ::kill(-1, SIGKILL);
    } else {
        kill_outside(spared);
    }
}

void spare_session(pid_t leader) { spared = leader; }

pid_t spared_session() { return spared; }

std::optional<ChildExit> reap_exited(pid_t watched) {
    std::optional<ChildExit> result;
    for (pid_t pid; (pid = peek_exited()) > 0;) {
        if (pid == spared) spared = 0; // its pid may be reused once reaped
        if (pid == watched) kill_tree(watched);
        ChildExit exit;
        ::wait4(pid, &exit.status, 0, &exit.usage);
        if (pid == watched) result = exit;
    }
    return result;
}

void settle(pid_t pgid, int signal_fd, int wait_ms) {
    kill_tree(pgid);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
        reap_exited(0);
        if (!others_remain()) return;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        int timeout = static_cast<int>(left.count()) + 1;
        if (spared != 0) timeout = std::min(timeout, spared_poll_ms);
        pollfd p{signal_fd, POLLIN, 0};
        ::poll(&p, 1, timeout);
        drain_signals(signal_fd);
        if (spared != 0) kill_tree(pgid);
    }
}

} // namespace sbx::init
