// Supervising the process a stage runs in, shared by normal stages
// (stage.cpp) and resident cells (resident.cpp): its output is forwarded as
// output frames under the job's cap, its deadline enforced, a cancel or a
// hangup of the plugin obeyed, and how it ended recorded. Whatever stops it
// (deadline, cap, cancel, hangup) kills its tree with kill_tree.
#pragma once

#include "init/channel.hpp"
#include "init/control.hpp"
#include "init/processes.hpp"
#include "protocol/wire.hpp"

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace sbx::init {

using Clock = std::chrono::steady_clock;

// How long output is still drained once a stage's main process is gone, and
// how long its stragglers get to be reaped.
constexpr int drain_ms = 200;

struct StageResult {
    wire::StageReport report;
    Interrupt interrupt = Interrupt::none; // what the plugin said meanwhile
};

class Watch {
public:
    // Reports as stage `index` of `job`.
    Watch(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd);
    Watch(const Watch &) = delete; // the streams point into result_
    Watch &operator=(const Watch &) = delete;
    // Only on an exception path is a process not released still unreaped
    // here.
    ~Watch();

    StageResult &result() { return result_; }
    wire::StageReport &report() { return result_.report; }
    const wire::StageReport &report() const { return result_.report; }

    // Supervises `pid`, reading its output from the pipes `stdout_fd` and
    // `stderr_fd` (borrowed) until EOF; the deadline and the wall time count
    // from `since`. Obeys a cancel already buffered.
    void begin(pid_t pid, int stdout_fd, int stderr_fd, Clock::time_point since);

    // Waits for the next events (output, the process's exit, a frame of the
    // plugin, the deadline, or one of `extra`, whose revents it fills in)
    // and handles them.
    void step(std::span<pollfd> extra = {});

    // Reads what the pipes hold until they would block, for at most
    // `bound`; only for non-blocking pipes.
    void drain_ready(std::chrono::milliseconds bound);

    // Kills the process, once.
    void stop();

    // The process ended the stage with `code` and lives on (a resident cell).
    void record_code(int32_t code);

    // Leaves the process alone from now on, the destructor too: it outlives
    // the stage (a resident interpreter after its cell).
    void release() { pid_ = -1; }

    bool exited() const { return exited_; }   // reaped, report filled in
    bool stopped() const { return killed_; }  // init killed it
    // Exited, and its output drained: EOF on both pipes, or drain_ms passed.
    bool finished() const;

private:
    struct Stream {
        int fd;          // -1 after EOF
        uint8_t id;      // 1 stdout, 2 stderr
        bool &truncated; // some of its bytes were dropped by the cap
        uint64_t &sent;  // bytes forwarded
    };

    enum class Source { stdout_pipe, stderr_pipe, signals, control };

    bool listening() const;
    int poll_timeout() const;
    void check_deadline();
    void dispatch(Source source);
    void apply(Interrupt interrupt);
    bool read_stream(Stream &stream);
    void forward(Stream &stream, std::string_view data);
    void record_exit(const ChildExit &exit);
    uint64_t elapsed_ms() const;
    bool was_oom_killed() const;

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

} // namespace sbx::init
