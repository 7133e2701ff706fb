// sbx-init: PID 1 of a sandbox container. It serves jobs from the plugin over
// a framed channel on stdin/stdout (see protocol/wire.hpp) until stdin
// closes, which is how the container dies with the plugin.
#include "init/channel.hpp"
#include "init/collect.hpp"
#include "init/control.hpp"
#include "init/job.hpp"
#include "init/privileges.hpp"
#include "init/processes.hpp"
#include "init/reset.hpp"
#include "init/resident.hpp"
#include "init/signals.hpp"
#include "init/spawn.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

namespace {

using namespace sbx::init;
namespace wire = sbx::wire;

// How long shutdown waits for killed processes to be reaped.
constexpr int shutdown_wait_ms = 200;

// Waits for input from the plugin while idle, reaping any orphan meanwhile.
// False at EOF.
bool wait_for_input(Channel &channel, int signal_fd) {
    for (;;) {
        pollfd fds[2] = {{channel.in_fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        if (fds[1].revents != 0) {
            drain_signals(signal_fd);
            reap_exited(0);
        }
        if (fds[0].revents != 0) return channel.receive();
    }
}

// Exit status after a reset that could not make the container clean.
constexpr int not_clean_status = 3;

// Serves jobs, resets and collects until the plugin hangs up (0), or until
// a reset fails (not_clean_status): a container that is not clean takes no
// further job.
int serve(Channel &channel, int signal_fd, Resident &resident, const std::string &workspace) {
    for (;;) {
        while (auto frame = channel.next()) {
            if (frame->type == wire::MsgType::job) {
                if (!run_job(wire::decode_job(frame->body), channel, signal_fd, resident)) return 0;
            } else if (frame->type == wire::MsgType::collect) {
                wire::FileList list = collect_files(workspace, wire::decode_collect(frame->body));
                channel.send(wire::MsgType::files, wire::encode_files(list));
            } else if (frame->type == wire::MsgType::reset) {
                if (!frame->body.empty()) throw ProtocolError("reset frame with a body");
                resident.stop(signal_fd);
                wire::CleanReport report = reset_container(signal_fd);
                channel.send(wire::MsgType::clean, wire::encode_clean(report));
                if (!report.ok) return not_clean_status; // the plugin logs why
            } else if (!is_cancel(*frame)) {
                // A cancel between jobs crossed a job_end; anything else is wrong.
                throw ProtocolError("unexpected frame of type " +
                                    std::to_string(static_cast<int>(frame->type)));
            }
        }
        if (!wait_for_input(channel, signal_fd)) return 0;
    }
}

// Tells the plugin why init gives up; it may be gone already.
void report_fatal(const Channel &channel, const std::string &reason) {
    std::fprintf(stderr, "sbx-init: %s\n", reason.c_str());
    try {
        channel.send(wire::MsgType::fatal, wire::encode_string(reason));
    } catch (const ChannelClosed &) {
    }
}

} // namespace

int main(int argc, char **argv) {
    // Not dumpable: user code can neither ptrace init nor open /proc/1/fd/*
    // to reach the channel (under runc; separate_from_stages() below is what
    // holds under gVisor too).
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Job directories come out 0755 and stages see the usual mask, whatever
    // the engine or a test harness passed down.
    ::umask(022);
    Channel channel(STDIN_FILENO, STDOUT_FILENO);
    int status = 0;
    try {
        // Before anything is read: the container starts as root only for this.
        const Arguments arguments = parse_arguments(argc, argv);
        separate_from_stages(arguments.user);
        limit_stages(arguments.max_processes, arguments.cpu_rlimit);
        Fd signal_fd = install_init_signals();
        note_mount_roots();
        channel.send(wire::MsgType::hello, wire::encode_hello(wire::protocol_version));
        Resident resident;
        status = serve(channel, signal_fd.get(), resident, arguments.workspace);
        resident.stop(signal_fd.get());
        settle(0, signal_fd.get(), shutdown_wait_ms);
    } catch (const ChannelClosed &) {
        // The plugin is gone; as PID 1, exiting kills the whole container.
    } catch (const std::exception &e) {
        report_fatal(channel, e.what());
        status = 2;
    }
    return status;
}
