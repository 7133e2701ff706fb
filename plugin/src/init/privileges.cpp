#include "init/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace sbx::init {
namespace {

[[noreturn]] void fail(const std::string &what) {
    throw PrivilegeError("cannot " + what + ": " + std::strerror(errno));
}

// A decimal id, not 0 and not the (uid_t)-1 that means "unchanged".
std::optional<unsigned long> parse_id(std::string_view text) {
    if (text.empty() || text.size() > 9) return std::nullopt;
    unsigned long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0) return std::nullopt;
    return value;
}

bool no_capabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &header, data) != 0) return false;
    for (const auto &d : data)
        if (d.effective || d.permitted || d.inheritable) return false;
    for (int cap = 0; cap <= 63; ++cap)
        if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) return false;
    return true;
}

} // namespace

Arguments parse_arguments(int argc, char **argv) {
    Arguments parsed;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--no-cpu-rlimit") {
            parsed.cpu_rlimit = false;
            continue;
        }
        if ((arg != "--user" && arg != "--max-processes" && arg != "--workspace") || i + 1 >= argc)
            throw PrivilegeError("usage: sbx-init [--user UID:GID] [--max-processes N] "
                                 "[--no-cpu-rlimit] [--workspace DIR], not " +
                                 std::string(arg));
        const std::string_view value = argv[++i];
        if (arg == "--workspace") {
            if (value.empty() || value.front() != '/')
                throw PrivilegeError("--workspace needs an absolute path: " + std::string(value));
            parsed.workspace = value;
            continue;
        }
        if (arg == "--max-processes") {
            auto n = parse_id(value);
            if (!n) throw PrivilegeError("--max-processes needs a number above 0: " + std::string(value));
            parsed.max_processes = *n;
            continue;
        }
        const size_t colon = value.find(':');
        auto uid = parse_id(value.substr(0, colon));
        auto gid = colon == std::string_view::npos ? std::nullopt : parse_id(value.substr(colon + 1));
        if (!uid || !gid || *uid == supervisor_uid)
            throw PrivilegeError("--user needs UID:GID, both above 0, the uid not " +
                                 std::to_string(supervisor_uid) + ": " + std::string(value));
        parsed.user = Identity{static_cast<uid_t>(*uid), static_cast<gid_t>(*gid)};
    }
    return parsed;
}

void separate_from_stages(const std::optional<Identity> &stages) {
    if (!stages) return;
    if (::geteuid() != 0) {
        // Started as the user already: nothing to drop, nothing to separate.
        if (::geteuid() != stages->uid || ::getegid() != stages->gid)
            throw PrivilegeError("started as uid " + std::to_string(::geteuid()) +
                                 ", neither root nor the --user given");
        return;
    }
    // The bounding set first (it needs CAP_SETPCAP), so that no stage can
    // ever regain a capability; CAP_SETUID and CAP_SETGID go with the uid.
    for (int cap = 0; cap <= 63; ++cap)
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            fail("drop capability " + std::to_string(cap) + " from the bounding set");
    const gid_t groups[] = {stages->gid};
    if (::setgroups(1, groups) != 0) fail("set the supplementary groups");
    if (::setresgid(stages->gid, stages->gid, stages->gid) != 0) fail("set the gid");
    // All three uids leave 0, so the kernel clears every capability.
    if (::setresuid(supervisor_uid, stages->uid, supervisor_uid) != 0) fail("set the uid");
    // A credential change resets it; set it again.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail("make init not dumpable");

    uid_t r = 0, e = 0, s = 0;
    if (::getresuid(&r, &e, &s) != 0 || r != supervisor_uid || e != stages->uid ||
        s != supervisor_uid)
        throw PrivilegeError("the uid change did not take");
    if (!no_capabilities()) throw PrivilegeError("capabilities remain after the uid change");
}

bool become_stage_user() {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    return ::setresgid(gid, gid, gid) == 0 && ::setresuid(uid, uid, uid) == 0;
}

} // namespace sbx::init
