#include "init/resident.hpp"

#include "init/processes.hpp"
#include "init/procfs.hpp"
#include "init/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sbx::init {
namespace {

// How long output is still read once the cell's exit code is in: the
// driver flushed before writing it, so this only bounds a thread or child
// that keeps writing.
constexpr auto cell_drain = std::chrono::milliseconds(50);

void append_u32(std::string &out, size_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string cell_message(const wire::Job &job, const wire::Stage &stage) {
    const std::string_view in = stage.feed_stdin ? std::string_view(job.stdin_data) : "";
    std::string message;
    message.reserve(8 + stage.cell.size() + in.size());
    append_u32(message, stage.cell.size());
    message.append(stage.cell);
    append_u32(message, in.size());
    message.append(in);
    return message;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

uint64_t cpu_ms(pid_t pid) {
    std::optional<ProcStat> stat = read_proc_stat(pid);
    return stat ? stat->cpu_ms : 0;
}

// One cell on a live interpreter.
class Cell {
public:
    Cell(const Interpreter &interpreter, Watch &watch, std::string message)
        : it_(interpreter), watch_(watch), message_(std::move(message)) {}

    // True when the interpreter is still there for the next cell.
    bool run() {
        const uint64_t cpu_before = cpu_ms(it_.pid);
        watch_.begin(it_.pid, it_.out.get(), it_.err.get(), Clock::now());
        while (!code_ && !watch_.finished()) {
            const bool talking = !watch_.stopped() && !watch_.exited();
            const bool sending = talking && sent_ < message_.size();
            pollfd extra[2] = {{talking ? it_.status.get() : -1, POLLIN, 0},
                               {sending ? it_.cells.get() : -1, POLLOUT, 0}};
            watch_.step(extra);
            if (extra[0].revents != 0) read_status();
            if (extra[1].revents != 0) send();
        }
        if (code_ && alive()) {
            watch_.record_code(*code_);
            watch_.drain_ready(cell_drain);
        }
        wire::StageReport &report = watch_.report();
        if (code_ && alive()) {
            const uint64_t cpu_after = cpu_ms(it_.pid);
            report.cpu_ms = cpu_after - std::min(cpu_after, cpu_before);
            report.memory_peak_kb = peak_rss_kb(it_.pid).value_or(0);
            watch_.release();
            return true;
        }
        while (!watch_.finished()) watch_.step();
        // The exit's rusage covers the interpreter's whole life.
        report.cpu_ms -= std::min(report.cpu_ms, cpu_before);
        report.interpreter_lost = true;
        return false;
    }

private:
    bool alive() const { return !watch_.stopped() && !watch_.exited(); }

    void read_status() {
        char buffer[4];
        ssize_t n = ::read(it_.status.get(), buffer, sizeof buffer - status_.size());
        if (n > 0) {
            status_.append(buffer, static_cast<size_t>(n));
            if (status_.size() == 4) {
                uint32_t v = 0;
                for (int i = 0; i < 4; ++i)
                    v |= static_cast<uint32_t>(static_cast<uint8_t>(status_[i])) << (8 * i);
                code_ = static_cast<int32_t>(v);
            }
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            watch_.stop(); // no driver is left to answer
        }
    }

    void send() {
        ssize_t n = ::write(it_.cells.get(), message_.data() + sent_, message_.size() - sent_);
        if (n > 0)
            sent_ += static_cast<size_t>(n);
        else if (n < 0 && errno != EINTR && errno != EAGAIN)
            watch_.stop(); // no driver is left to read
    }

    const Interpreter &it_;
    Watch &watch_;
    const std::string message_;
    size_t sent_ = 0;
    std::string status_;
    std::optional<int32_t> code_;
};

} // namespace

Resident::~Resident() {
    if (!interpreter_) return;
    spare_session(0);
    kill_tree(interpreter_->pid);
}

StageResult Resident::run_cell(const wire::Job &job, uint32_t index, Channel &channel,
                               int signal_fd) {
    const wire::Stage &stage = job.stages[index];
    Watch watch(job, index, channel, signal_fd);
    if (!ready(stage.argv)) {
        if (!start(job, stage, signal_fd, watch.report())) return watch.result();
        watch.report().interpreter_started = true;
    }
    const pid_t pid = interpreter_->pid;
    // During the cell the interpreter is the stage: stopping it kills it
    // with everything else.
    spare_session(0);
    bool survived = false;
    try {
        survived = Cell(*interpreter_, watch, cell_message(job, stage)).run();
    } catch (...) {
        interpreter_.reset(); // watch kills it
        throw;
    }
    if (survived) {
        spare_session(pid);
        settle(0, signal_fd, drain_ms); // what escaped its session
    } else {
        interpreter_.reset();
        settle(pid, signal_fd, drain_ms);
    }
    return watch.result();
}

void Resident::stop(int signal_fd) {
    if (!interpreter_) return;
    const pid_t pid = interpreter_->pid;
    spare_session(0);
    interpreter_.reset();
    settle(pid, signal_fd, drain_ms);
}

// Whether the interpreter can take a cell: alive (its death between jobs
// ended its spared session), started with `argv`, and with a driver (fd 3
// open). What sits on fd 3 belongs to no cell and is dropped.
bool Resident::ready(const std::vector<std::string> &argv) {
    if (!interpreter_) return false;
    reap_exited(0);
    if (spared_session() != interpreter_->pid || interpreter_->argv != argv) return false;
    char buffer[256];
    for (;;) {
        ssize_t n = ::read(interpreter_->status.get(), buffer, sizeof buffer);
        if (n == 0) return false;
        if (n < 0 && errno != EINTR) return errno == EAGAIN;
    }
}

bool Resident::start(const wire::Job &job, const wire::Stage &stage, int signal_fd,
                     wire::StageReport &report) {
    stop(signal_fd);
    Pipe pipes[4];
    for (Pipe &pipe : pipes) {
        pipe = make_pipe();
        if (!pipe.read.valid()) {
            report.error = std::string("cannot create a pipe: ") + std::strerror(errno);
            return false;
        }
    }
    auto &[cells, out, err, status] = pipes;
    Spawned child = spawn({stage.argv, job.env, job.workdir, cells.read.get(), out.write.get(),
                           err.write.get(), job.max_file_bytes, 0, status.write.get(), true});
    if (child.pid < 0) {
        report.error = child.error;
        return false;
    }
    for (int fd : {cells.write.get(), out.read.get(), err.read.get(), status.read.get()})
        set_nonblocking(fd);
    interpreter_ = Interpreter{child.pid, stage.argv, std::move(cells.write), std::move(out.read),
                               std::move(err.read), std::move(status.read)};
    return true;
}

} // namespace sbx::init
