#include "stop_signals.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace sbx::host {
namespace {

// The self-pipe: the handler writes [1], the input loop polls [0]. Global
// because a signal handler can reach nothing else.
int pipe_fds[2] = {-1, -1};

extern "C" void on_stop(int) {
    const int saved = errno; // the handler may interrupt code that reads errno
    static const char note[] =
        "sbx-host: stopping after the running calls (signal again to abort)\n";
    const char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(pipe_fds[1], &byte, 1);
    n = ::write(STDERR_FILENO, note, sizeof note - 1);
    errno = saved;
}

void handle(int signal, void (*handler)(int), int flags) {
    struct sigaction action {};
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
}

} // namespace

StopSignals::StopSignals() {
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    // SA_RESTART: any thread, the plugin's included, may take the signal
    // inside a system call.
    handle(SIGINT, on_stop, SA_RESTART | SA_RESETHAND);
    handle(SIGTERM, on_stop, SA_RESTART | SA_RESETHAND);
    // A client that goes away must not kill us before our containers are
    // removed: writing to it just fails.
    handle(SIGPIPE, SIG_IGN, 0);
}

StopSignals::~StopSignals() {
    handle(SIGINT, SIG_DFL, 0);
    handle(SIGTERM, SIG_DFL, 0);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    pipe_fds[0] = pipe_fds[1] = -1;
}

int StopSignals::fd() const { return pipe_fds[0]; }

} // namespace sbx::host
