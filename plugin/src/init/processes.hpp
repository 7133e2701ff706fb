// Killing and reaping process trees. As PID 1, init is the parent of every
// orphan in the container, so it reaps them all.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <optional>

namespace sbx::init {

struct ChildExit {
    int status = 0;
    rusage usage{};
};

// Kills a stage's whole tree. As PID 1 that is every other process in the
// container (it also catches those that called setsid or daemonized) but
// the spared session's; elsewhere (tests outside a pid namespace) the
// process group `pgid`.
void kill_tree(pid_t pgid);

// The session kill_tree leaves alone: the resident interpreter's while it
// waits between cells (see resident.hpp); 0 for none. It is a session, not
// a process group, because no stage process can join another session.
// Reaping the session's leader ends the exemption.
void spare_session(pid_t leader);
pid_t spared_session();

// Reaps every exited child without blocking and returns the exit of
// `watched` if it was among them. When `watched` has exited, its tree is
// killed before it is reaped, while its zombie still holds the group id.
std::optional<ChildExit> reap_exited(pid_t watched);

// Kills the tree of `pgid` and waits up to `wait_ms` for every process
// kill_tree reaches to be gone, so nothing of one stage survives into the
// next.
void settle(pid_t pgid, int signal_fd, int wait_ms);

} // namespace sbx::init
