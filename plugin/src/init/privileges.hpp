// Separating sbx-init from the code it runs. Stages run as the sandbox user
// (real, effective and saved ids all the same). Init works with that user's
// effective ids too (the workspace and the files it writes are that user's),
// but keeps another real and saved uid: the kernel then lets no stage signal,
// ptrace or otherwise touch init, and that holds where a PID 1's own
// protections do not (gVisor lets a process of init's uid kill or stop it).
//
// To get there init starts as root with CAP_SETUID, CAP_SETGID and
// CAP_SETPCAP only (the plugin's container spec), and drops every
// capability, the bounding set included, before it reads anything.
#pragma once

#include <sys/types.h>

#include "init/workspace.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace sbx::init {

struct PrivilegeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The real and saved uid init keeps: no stage ever has it.
inline constexpr uid_t supervisor_uid = 65533;

struct Identity {
    uid_t uid;
    gid_t gid;
};

struct Arguments {
    std::optional<Identity> user; // --user UID:GID: the stages' user
    // --max-processes N: RLIMIT_NPROC of every stage, 0 for none. Under
    // gVisor the engine's pids limit counts the sandbox kernel's own host
    // threads, so the plugin asks for this instead; gVisor counts the
    // processes of the stages' uid inside its own kernel, per sandbox.
    unsigned long max_processes = 0;
    // --no-cpu-rlimit: no RLIMIT_CPU backstop behind the wall-clock
    // deadline (gVisor counts runnable time as CPU time).
    bool cpu_rlimit = true;
    // --workspace DIR: the directory collect reads (absolute).
    std::string workspace = default_workspace;
};

// init's command line: [--user UID:GID] [--max-processes N] [--no-cpu-rlimit]
// [--workspace DIR]. Throws PrivilegeError for an unknown argument or a
// malformed value.
Arguments parse_arguments(int argc, char **argv);

// Without an identity (init started as some user by hand or by a test): no
// change. With one, as root: drops every capability and becomes
// uid (supervisor_uid, UID, supervisor_uid), gid UID:GID's, groups {GID}, not
// dumpable, and checks all of it. With one, not root: the effective ids must
// already be UID:GID. Throws PrivilegeError.
void separate_from_stages(const std::optional<Identity> &stages);

// In a forked stage child: real and saved ids become the effective ones, so
// the stage is the sandbox user through and through. False on failure.
bool become_stage_user();

} // namespace sbx::init
