#include "init/watch.hpp"

#include "init/cgroup.hpp"
#include "init/signals.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace sbx::init {
namespace {

constexpr size_t chunk_bytes = 64 * 1024;

int ms_until(Clock::time_point when) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, 24 * 3600 * 1000));
}

uint64_t to_ms(const timeval &t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000 + static_cast<uint64_t>(t.tv_usec) / 1000;
}

} // namespace

Watch::Watch(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd)
    : job_(job), stage_(job.stages[index]), channel_(channel), signal_fd_(signal_fd),
      out_{-1, 1, report().stdout_truncated, report().stdout_bytes},
      err_{-1, 2, report().stderr_truncated, report().stderr_bytes} {
    report().index = index;
    report().name = stage_.name;
}

Watch::~Watch() {
    if (pid_ > 0 && !exited_) {
        kill_tree(pid_);
        ::waitpid(pid_, nullptr, 0);
    }
}

void Watch::begin(pid_t pid, int stdout_fd, int stderr_fd, Clock::time_point since) {
    pid_ = pid;
    out_.fd = stdout_fd;
    err_.fd = stderr_fd;
    report().started = true;
    oom_before_ = oom_kill_count();
    started_ = since;
    deadline_ = started_ + std::chrono::milliseconds(stage_.time_ms);
    apply(buffered_control(channel_));
}

void Watch::step(std::span<pollfd> extra) {
    std::vector<pollfd> fds;
    std::vector<Source> sources;
    auto watch = [&](int fd, Source source) {
        fds.push_back({fd, POLLIN, 0});
        sources.push_back(source);
    };
    if (out_.fd >= 0) watch(out_.fd, Source::stdout_pipe);
    if (err_.fd >= 0) watch(err_.fd, Source::stderr_pipe);
    watch(signal_fd_, Source::signals);
    if (listening()) watch(channel_.in_fd(), Source::control);
    const size_t own = fds.size();
    fds.insert(fds.end(), extra.begin(), extra.end());
    if (::poll(fds.data(), fds.size(), poll_timeout()) < 0 && errno != EINTR)
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (size_t i = 0; i < extra.size(); ++i) extra[i].revents = fds[own + i].revents;
    check_deadline();
    for (size_t i = 0; i < own; ++i)
        if (fds[i].revents != 0) dispatch(sources[i]);
}

void Watch::drain_ready(std::chrono::milliseconds bound) {
    const auto until = Clock::now() + bound;
    bool more = true;
    while (more && !killed_ && Clock::now() < until) {
        more = false;
        for (Stream *stream : {&out_, &err_})
            if (stream->fd >= 0 && read_stream(*stream)) more = true;
    }
}

void Watch::stop() {
    if (exited_ || killed_) return;
    kill_tree(pid_);
    killed_ = true;
}

void Watch::record_code(int32_t code) {
    report().exit_code = code;
    report().wall_ms = elapsed_ms();
    report().oom_killed = was_oom_killed();
}

bool Watch::finished() const {
    if (!exited_) return false;
    return (out_.fd < 0 && err_.fd < 0) || Clock::now() >= drain_until_;
}

// Control frames matter only while the main process lives; after a hangup
// fd 0 stays readable at EOF and is not polled again.
bool Watch::listening() const {
    return !exited_ && result_.interrupt != Interrupt::hangup;
}

int Watch::poll_timeout() const {
    if (exited_) return ms_until(drain_until_);
    if (stage_.time_ms > 0 && !killed_) return ms_until(deadline_);
    return -1;
}

void Watch::check_deadline() {
    if (exited_ || killed_ || stage_.time_ms == 0 || Clock::now() < deadline_) return;
    report().timed_out = true;
    stop();
}

void Watch::dispatch(Source source) {
    switch (source) {
    case Source::stdout_pipe: read_stream(out_); break;
    case Source::stderr_pipe: read_stream(err_); break;
    case Source::control: apply(read_control(channel_)); break;
    case Source::signals:
        drain_signals(signal_fd_);
        if (auto exit = reap_exited(exited_ ? 0 : pid_)) record_exit(*exit);
        break;
    }
}

void Watch::apply(Interrupt interrupt) {
    if (interrupt == Interrupt::none) return;
    if (result_.interrupt != Interrupt::hangup) result_.interrupt = interrupt;
    stop();
}

// One read; true when it brought data.
bool Watch::read_stream(Stream &stream) {
    char buffer[chunk_bytes];
    ssize_t n = ::read(stream.fd, buffer, sizeof buffer);
    if (n > 0) {
        forward(stream, std::string_view(buffer, static_cast<size_t>(n)));
        return true;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) stream.fd = -1;
    return false;
}

// Sends what fits under the cap (stdout and stderr together); the first
// byte past it stops the stage.
void Watch::forward(Stream &stream, std::string_view data) {
    uint64_t cap = job_.max_output_bytes;
    uint64_t room = cap - std::min(cap, report().stdout_bytes + report().stderr_bytes);
    if (cap > 0 && data.size() > room) {
        data = data.substr(0, static_cast<size_t>(room));
        stream.truncated = true;
        report().output_limited = true;
        stop();
    }
    if (data.empty()) return;
    wire::Output output{static_cast<uint8_t>(report().index), stream.id, std::string(data)};
    channel_.send(wire::MsgType::output, wire::encode_output(output));
    stream.sent += data.size();
}

void Watch::record_exit(const ChildExit &exit) {
    exited_ = true;
    drain_until_ = Clock::now() + std::chrono::milliseconds(drain_ms);
    report().wall_ms = elapsed_ms();
    // A resident cell may have reported a code before its process died.
    report().exit_code = WIFEXITED(exit.status) ? WEXITSTATUS(exit.status) : -1;
    if (WIFSIGNALED(exit.status)) report().signal = WTERMSIG(exit.status);
    report().cpu_ms = to_ms(exit.usage.ru_utime) + to_ms(exit.usage.ru_stime);
    report().memory_peak_kb = static_cast<uint64_t>(exit.usage.ru_maxrss);
    report().oom_killed = was_oom_killed();
}

uint64_t Watch::elapsed_ms() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count());
}

// A failure init did not cause is an OOM kill when the cgroup's counter
// rose during the stage (the victim may be a child of the main process);
// without a readable counter, a SIGKILL nobody else would send is taken
// as one.
bool Watch::was_oom_killed() const {
    if (killed_ || report().exit_code == 0) return false;
    std::optional<uint64_t> after = oom_kill_count();
    if (oom_before_ && after) return *after > *oom_before_;
    return report().signal == SIGKILL;
}

} // namespace sbx::init
