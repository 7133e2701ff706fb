#include "init/stage.hpp"

#include "init/fd.hpp"
#include "init/processes.hpp"
#include "init/spawn.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sbx::init {
namespace {

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

Pipe output_pipe() {
    Pipe pipe = make_pipe();
    if (!pipe.read.valid()) fail_setup("create a pipe");
    return pipe;
}

} // namespace

StageResult run_stage(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd) {
    const wire::Stage &stage = job.stages[index];
    Watch watch(job, index, channel, signal_fd);
    Fd in;
    Pipe out, err;
    try {
        in = make_stdin(job, stage);
        out = output_pipe();
        err = output_pipe();
    } catch (const SetupError &e) {
        watch.report().error = e.what();
        return watch.result();
    }
    const Clock::time_point since = Clock::now();
    Spawned child = spawn({stage.argv, job.env, job.workdir, in.get(), out.write.get(),
                           err.write.get(), job.max_file_bytes, stage.time_ms});
    if (child.pid < 0) {
        watch.report().error = child.error;
        return watch.result();
    }
    // Only the stage may hold the write ends: EOF comes when it is gone.
    in.reset();
    out.write.reset();
    err.write.reset();
    watch.begin(child.pid, out.read.get(), err.read.get(), since);
    while (!watch.finished()) watch.step();
    settle(child.pid, signal_fd, drain_ms);
    return watch.result();
}

} // namespace sbx::init
