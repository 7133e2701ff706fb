#include "init/stage.hpp"

#include "init/cgroup.hpp"
#include "init/fd.hpp"
#include "init/processes.hpp"
#include "init/signals.hpp"
#include "init/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

namespace sbx::init {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t chunk_bytes = 64 * 1024;
// How long output is still drained once the stage's main process is gone.
constexpr int drain_ms = 200;

struct SetupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail_setup(const std::string &what) {
    throw SetupError("cannot " + what + ": " + std::strerror(errno));
}

// The stage's stdin: a rewound memfd holding the job's stdin, or /dev/null.
Fd make_stdin(const wire::Job &job, const wire::Stage &stage) {
    if (!stage.feed_stdin) {
        Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!null.valid()) fail_setup("open /dev/null");
        return null;
    }
    Fd fd(::memfd_create("stdin", MFD_CLOEXEC));
    if (!fd.valid()) fail_setup("create the stdin file");
    std::string_view rest = job.stdin_data;
    while (!rest.empty()) {
        ssize_t n = ::write(fd.get(), rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_setup("write the stdin file");
        rest.remove_prefix(static_cast<size_t>(n));
    }
    if (::lseek(fd.get(), 0, SEEK_SET) != 0) fail_setup("rewind the stdin file");
    return fd;
}

struct Pipe {
    Fd read;
    Fd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail_setup("create a pipe");
    return {Fd(fds[0]), Fd(fds[1])};
}

int ms_until(Clock::time_point when) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, 24 * 3600 * 1000));
}

uint64_t to_ms(const timeval &t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000 + static_cast<uint64_t>(t.tv_usec) / 1000;
}

// One output stream of the stage, read from its pipe.
struct Stream {
    Fd fd;
    uint8_t id;         // 1 stdout, 2 stderr
    bool &truncated;    // some of its bytes were dropped by the cap
    uint64_t &sent;     // bytes forwarded
};

class StageRun {
public:
    StageRun(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd)
        : job_(job), stage_(job.stages[index]), channel_(channel), signal_fd_(signal_fd),
          out_{Fd(), 1, report().stdout_truncated, report().stdout_bytes},
          err_{Fd(), 2, report().stderr_truncated, report().stderr_bytes} {
        report().index = index;
        report().name = stage_.name;
    }

    StageRun(const StageRun &) = delete; // out_ and err_ point into result_
    StageRun &operator=(const StageRun &) = delete;

    // Only on an exception path is the process still unreaped here.
    ~StageRun() {
        if (pid_ > 0 && !exited_) {
            kill_tree(pid_);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    StageResult run() {
        if (!start()) return result_;
        monitor();
        settle(pid_, signal_fd_, drain_ms);
        return result_;
    }

private:
    wire::StageReport &report() { return result_.report; }
    const wire::StageReport &report() const { return result_.report; }

    bool start() {
        Fd in;
        Pipe out, err;
        try {
            in = make_stdin(job_, stage_);
            out = make_pipe();
            err = make_pipe();
        } catch (const SetupError &e) {
            report().error = e.what();
            return false;
        }
        oom_before_ = oom_kill_count();
        started_ = Clock::now();
        deadline_ = started_ + std::chrono::milliseconds(stage_.time_ms);
        Spawned child = spawn({stage_.argv, job_.env, job_.workdir, in.get(), out.write.get(),
                               err.write.get(), job_.max_file_bytes, stage_.time_ms});
        if (child.pid < 0) {
            report().error = child.error;
            return false;
        }
        pid_ = child.pid;
        report().started = true;
        out_.fd = std::move(out.read);
        err_.fd = std::move(err.read);
        return true;
    }

    // What each polled fd is.
    enum class Source { stdout_pipe, stderr_pipe, signals, control };

    void monitor() {
        apply(buffered_control(channel_));
        while (!finished()) {
            pollfd fds[4];
            Source sources[4];
            nfds_t count = 0;
            auto watch = [&](int fd, Source source) {
                fds[count] = {fd, POLLIN, 0};
                sources[count++] = source;
            };
            if (out_.fd.valid()) watch(out_.fd.get(), Source::stdout_pipe);
            if (err_.fd.valid()) watch(err_.fd.get(), Source::stderr_pipe);
            watch(signal_fd_, Source::signals);
            if (listening()) watch(channel_.in_fd(), Source::control);
            if (::poll(fds, count, poll_timeout()) < 0 && errno != EINTR)
                throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
            check_deadline();
            for (nfds_t i = 0; i < count; ++i)
                if (fds[i].revents != 0) dispatch(sources[i]);
        }
    }

    bool finished() const {
        if (!exited_) return false;
        return (!out_.fd.valid() && !err_.fd.valid()) || Clock::now() >= drain_until_;
    }

    // Control frames matter only while the stage's main process lives; after
    // a hangup fd 0 stays readable at EOF and is not polled again.
    bool listening() const { return !exited_ && result_.interrupt != Interrupt::hangup; }

    int poll_timeout() const {
        if (exited_) return ms_until(drain_until_);
        if (stage_.time_ms > 0 && !killed_) return ms_until(deadline_);
        return -1;
    }

    void check_deadline() {
        if (exited_ || killed_ || stage_.time_ms == 0 || Clock::now() < deadline_) return;
        report().timed_out = true;
        stop();
    }

    void dispatch(Source source) {
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

    void apply(Interrupt interrupt) {
        if (interrupt == Interrupt::none) return;
        if (result_.interrupt != Interrupt::hangup) result_.interrupt = interrupt;
        stop();
    }

    void read_stream(Stream &stream) {
        char buffer[chunk_bytes];
        ssize_t n = ::read(stream.fd.get(), buffer, sizeof buffer);
        if (n > 0)
            forward(stream, std::string_view(buffer, static_cast<size_t>(n)));
        else if (n == 0 || errno != EINTR)
            stream.fd.reset();
    }

    // Sends what fits under the cap (stdout and stderr together); the first
    // byte past it stops the stage.
    void forward(Stream &stream, std::string_view data) {
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

    void stop() {
        if (exited_ || killed_) return;
        kill_tree(pid_);
        killed_ = true;
    }

    void record_exit(const ChildExit &exit) {
        exited_ = true;
        drain_until_ = Clock::now() + std::chrono::milliseconds(drain_ms);
        report().wall_ms = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count());
        if (WIFEXITED(exit.status)) {
            report().exit_code = WEXITSTATUS(exit.status);
        } else if (WIFSIGNALED(exit.status)) {
            report().signal = WTERMSIG(exit.status);
        }
        report().cpu_ms = to_ms(exit.usage.ru_utime) + to_ms(exit.usage.ru_stime);
        report().memory_peak_kb = static_cast<uint64_t>(exit.usage.ru_maxrss);
        report().oom_killed = was_oom_killed();
    }

    // A failure init did not cause is an OOM kill when the cgroup's counter
    // rose during the stage (the victim may be a child of the main process);
    // without a readable counter, a SIGKILL nobody else would send is taken
    // as one.
    bool was_oom_killed() const {
        if (killed_ || report().exit_code == 0) return false;
        std::optional<uint64_t> after = oom_kill_count();
        if (oom_before_ && after) return *after > *oom_before_;
        return report().signal == SIGKILL;
    }

    const wire::Job &job_;
    const wire::Stage &stage_;
    Channel &channel_;
    int signal_fd_;
    StageResult result_;
    Stream out_;
    Stream err_;
    pid_t pid_ = -1;
    bool killed_ = false;
    bool exited_ = false;
    Clock::time_point started_;
    Clock::time_point deadline_;
    Clock::time_point drain_until_;
    std::optional<uint64_t> oom_before_;
};

} // namespace

StageResult run_stage(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd) {
    return StageRun(job, index, channel, signal_fd).run();
}

} // namespace sbx::init
