#include "init/processes.hpp"

#include "init/signals.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>

namespace sbx::init {
namespace {

// The pid of an exited, unreaped child (left unreaped), 0 if none has
// exited, -1 if init has no child at all.
pid_t peek_exited() {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD ? -1 : 0;
    return info.si_pid;
}

} // namespace

void kill_tree(pid_t pgid) {
    if (::getpid() == 1)
        ::kill(-1, SIGKILL);
    else if (pgid > 0)
        ::kill(-pgid, SIGKILL);
}

std::optional<ChildExit> reap_exited(pid_t watched) {
    std::optional<ChildExit> result;
    for (pid_t pid; (pid = peek_exited()) > 0;) {
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
        if (peek_exited() < 0) return;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        pollfd p{signal_fd, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left.count()) + 1);
        drain_signals(signal_fd);
    }
}

} // namespace sbx::init
