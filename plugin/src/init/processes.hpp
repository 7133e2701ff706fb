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
// container (it also catches those that called setsid or daemonized);
// elsewhere (tests outside a pid namespace) the process group `pgid`.
void kill_tree(pid_t pgid);

// Reaps every exited child without blocking and returns the exit of
// `watched` if it was among them. When `watched` has exited, its tree is
// killed before it is reaped, while its zombie still holds the group id.
std::optional<ChildExit> reap_exited(pid_t watched);

// Kills the tree of `pgid` and waits up to `wait_ms` for every child to be
// reaped, so nothing of one stage survives into the next.
void settle(pid_t pgid, int signal_fd, int wait_ms);

} // namespace sbx::init
