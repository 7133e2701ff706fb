#include "init/signals.hpp"

#include <sys/signalfd.h>

#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sbx::init {

Fd install_init_signals() {
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGXFSZ, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
        throw std::runtime_error(std::string("sigprocmask: ") + std::strerror(errno));
    Fd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd.valid()) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
    return fd;
}

void drain_signals(int signal_fd) {
    signalfd_siginfo info[8];
    while (::read(signal_fd, info, sizeof info) > 0) {
    }
}

void reset_child_signals() {
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

} // namespace sbx::init
