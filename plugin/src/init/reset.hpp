// Recycling a container between two jobs: leave nothing of one job for the
// next, and prove it.
#pragma once

#include "protocol/wire.hpp"

namespace sbx::init {

// Answers a reset frame. In order:
//   1. kills every other process of the container and reaps them all;
//   2. empties every writable mount: each read-write tmpfs or mqueue mount
//      whose root init may write (the workspace, /tmp, /dev/shm, /dev/mqueue,
//      /var/tmp when it is one), without crossing into other mounts, and
//      gives an owned mount root back the mode note_mount_roots saw;
//   3. removes every SysV shared memory segment, semaphore set and message
//      queue of the container's IPC namespace;
//   4. verifies all of it from scratch: no other process in /proc, every such
//      mount empty (no entry, no block in use), no IPC object, and no other
//      writable directory mount that could not be wiped.
// `ok` only when the verification found nothing; `why` names the first
// thing left. Refuses (not ok) unless init is PID 1 and not root: as root or
// outside its own pid namespace, emptying "every writable mount" would reach
// far beyond a sandbox.
wire::CleanReport reset_container(int signal_fd);

// Notes the mode of each writable mount's root that init owns (the
// workspace), before any job could change it: reset gives it back. Called
// once at start; cheap (one read of mountinfo).
void note_mount_roots();

} // namespace sbx::init
