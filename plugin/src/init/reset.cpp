#include "init/reset.hpp"

#include "init/fd.hpp"
#include "init/processes.hpp"
#include "init/procfs.hpp"
#include "init/signals.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::init {
namespace {

using Clock = std::chrono::steady_clock;

// How long killed processes get to disappear.
constexpr auto kill_wait = std::chrono::seconds(2);
// Deeper directory trees are not walked (each level holds a descriptor):
// the container is retired instead.
constexpr int max_depth = 128;
// Names read from a directory before they are removed, so that removal never
// races the directory stream and memory stays bounded.
constexpr size_t batch = 1024;
// Longest reason sent back (a name may be long).
constexpr size_t max_why = 512;

// The first problem found; later ones add nothing.
class Verdict {
public:
    void fail(std::string why) {
        if (why_.empty()) why_ = std::move(why);
    }
    void fail_errno(const std::string &what) { fail(what + ": " + std::strerror(errno)); }
    bool ok() const { return why_.empty(); }
    std::string take() { return std::move(why_); }

private:
    std::string why_;
};

std::optional<std::string> read_file(const char *path) {
    Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    std::string text;
    char buffer[16 * 1024];
    for (;;) {
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n > 0) {
            text.append(buffer, static_cast<size_t>(n));
        } else if (n == 0) {
            return text;
        } else if (errno != EINTR) {
            return std::nullopt;
        }
    }
}

std::vector<std::string_view> split(std::string_view text, char by) {
    std::vector<std::string_view> parts;
    while (!text.empty()) {
        size_t end = text.find(by);
        std::string_view part = text.substr(0, end);
        if (!part.empty()) parts.push_back(part);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return parts;
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    for (std::string_view w : split(line, ' '))
        for (std::string_view t : split(w, '\t')) out.push_back(t);
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- processes ----------------------------------------------------------

// Kills every other process (kill(-1) from PID 1 reaches all the container's
// processes of init's uid, which are all of them) until /proc shows none,
// reaping each. Returns how many there were.
uint32_t kill_others(int signal_fd, Verdict &verdict) {
    const auto until = Clock::now() + kill_wait;
    std::optional<uint32_t> found;
    for (;;) {
        reap_exited(0);
        auto others = other_processes();
        if (!others) {
            verdict.fail_errno("cannot list /proc");
            return found.value_or(0);
        }
        if (!found) found = static_cast<uint32_t>(others->size());
        if (others->empty()) return *found;
        if (Clock::now() >= until) {
            verdict.fail(std::to_string(others->size()) + " process(es) survived SIGKILL (pid " +
                         std::to_string(others->front()) + ")");
            return *found;
        }
        ::kill(-1, SIGKILL);
        pollfd p{signal_fd, POLLIN, 0};
        ::poll(&p, 1, 5); // SIGCHLD, or a few ms for a process init is not the parent of
        drain_signals(signal_fd);
    }
}

// ---- writable mounts ----------------------------------------------------

struct Mount {
    std::string point;
    std::string type;
    std::optional<mode_t> root_mode; // what an owned root's mode must be
};

// Modes of the owned mount roots before the first job (note_mount_roots).
std::vector<std::pair<std::string, mode_t>> &noted_roots() {
    static std::vector<std::pair<std::string, mode_t>> roots;
    return roots;
}

std::optional<mode_t> noted_mode(const std::string &point) {
    for (const auto &[path, mode] : noted_roots())
        if (path == point) return mode;
    return std::nullopt;
}

// Mount points in mountinfo escape space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) &&
            octal(s[i + 3])) {
            out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                            (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool has_option(std::string_view options, std::string_view name) {
    for (std::string_view o : split(options, ','))
        if (o == name) return true;
    return false;
}

std::optional<mode_t> mode_option(std::string_view options) {
    for (std::string_view o : split(options, ',')) {
        if (o.substr(0, 5) != "mode=") continue;
        o.remove_prefix(5);
        mode_t mode = 0;
        for (char c : o) {
            if (c < '0' || c > '7') return std::nullopt;
            mode = mode * 8 + static_cast<mode_t>(c - '0');
        }
        return mode & 07777;
    }
    return std::nullopt;
}

// File systems with no data of their own to leave behind (or none a process
// without capabilities can write).
bool is_virtual(std::string_view type) {
    for (std::string_view t : {"proc", "sysfs", "cgroup", "cgroup2", "devpts", "securityfs",
                               "debugfs", "tracefs", "pstore", "bpf", "fusectl", "configfs",
                               "binfmt_misc", "autofs", "nsfs"})
        if (type == t) return true;
    return false;
}

bool is_wipeable(std::string_view type) { return type == "tmpfs" || type == "mqueue"; }

// Whether init may write into `st` (named `path`): it owns it (and so may
// chmod it), or access() says so.
bool writable(const std::string &path, const struct stat &st) {
    return st.st_uid == ::geteuid() || ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0;
}

// The read-write tmpfs and mqueue mounts whose root init may write. Any
// other writable mount (a bind mount of the host's disk, a volume) cannot be
// wiped safely: it is a failure.
std::vector<Mount> writable_mounts(Verdict &verdict) {
    std::vector<Mount> found;
    std::optional<std::string> text = read_file("/proc/self/mountinfo");
    if (!text) {
        verdict.fail_errno("cannot read /proc/self/mountinfo");
        return found;
    }
    bool mqueue = false;
    for (std::string_view line : split(*text, '\n')) {
        std::vector<std::string_view> f = words(line);
        auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 6 || dash == f.end() || f.end() - dash < 4) {
            verdict.fail("cannot parse mountinfo line: " + std::string(line));
            continue;
        }
        const std::string point = unescape(f[4]);
        const std::string_view type = dash[1], super = dash[3];
        if (type == "mqueue") mqueue = true;
        if (!has_option(f[5], "rw") || has_option(super, "ro") || is_virtual(type)) continue;
        struct stat st{};
        if (::lstat(point.c_str(), &st) != 0) continue; // shadowed by another mount
        if (!writable(point, st)) continue;
        if (S_ISDIR(st.st_mode) && is_wipeable(type)) {
            // A later line for the same point is a mount on top of it.
            found.erase(std::remove_if(found.begin(), found.end(),
                                       [&](const Mount &m) { return m.point == point; }),
                        found.end());
            // The engine may have changed the root's mode after mounting
            // (WorkingDir): what init saw first wins over the options.
            std::optional<mode_t> mode = noted_mode(point);
            found.push_back({point, std::string(type), mode ? mode : mode_option(super)});
        } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
            verdict.fail("writable " + std::string(type) + " mount at " + point +
                         " cannot be wiped");
        }
        // A writable device (/dev/null bound over /proc/keys) holds nothing.
    }
    // POSIX message queues can only be listed through an mqueue mount.
    if (!mqueue) verdict.fail("no mqueue mount: POSIX message queues cannot be listed");
    return found;
}

// Reads up to `batch` names of the directory `fd`.
std::optional<std::vector<std::string>> list_names(int fd) {
    // A descriptor of its own, from the start: fdopendir takes it over.
    int again = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (again < 0) return std::nullopt;
    DIR *dir = ::fdopendir(again);
    if (!dir) {
        ::close(again);
        return std::nullopt;
    }
    std::vector<std::string> names;
    while (names.size() < batch) {
        const dirent *e = ::readdir(dir);
        if (!e) break;
        std::string_view name = e->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(dir);
    return names;
}

// Removes everything below the directory `fd` (on device `dev`), never
// following a symlink nor crossing into another mount.
void empty_directory(int fd, dev_t dev, const std::string &path, int depth, uint64_t &removed,
                     Verdict &verdict) {
    for (;;) {
        std::optional<std::vector<std::string>> names = list_names(fd);
        if (!names) {
            verdict.fail_errno("cannot list " + path);
            return;
        }
        size_t progress = 0;
        for (const std::string &name : *names) {
            struct stat st{};
            if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno != ENOENT) verdict.fail_errno("cannot inspect " + path + "/" + name);
                continue;
            }
            int flags = 0;
            if (S_ISDIR(st.st_mode)) {
                if (st.st_dev != dev) continue; // a mount point: not this mount's
                const std::string sub_path = path + "/" + name;
                if (depth >= max_depth) {
                    verdict.fail(path.substr(0, 64) + "...: a directory tree deeper than " +
                                 std::to_string(max_depth) + " levels");
                    continue;
                }
                // The job may have taken its own rights away from its directory.
                if (st.st_uid == ::geteuid() && (st.st_mode & 0700) != 0700)
                    ::fchmodat(fd, name.c_str(), (st.st_mode & 07777) | 0700, 0);
                Fd sub(::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!sub.valid()) {
                    verdict.fail_errno("cannot open " + sub_path);
                    continue;
                }
                empty_directory(sub.get(), dev, sub_path, depth + 1, removed, verdict);
                flags = AT_REMOVEDIR;
            }
            if (::unlinkat(fd, name.c_str(), flags) == 0) {
                ++removed;
                ++progress;
            } else if (errno != ENOENT) {
                verdict.fail_errno("cannot remove " + path + "/" + name);
            }
        }
        // Done when the directory was read to its end, or nothing more goes.
        if (names->size() < batch || progress == 0) return;
    }
}

uint64_t wipe(const Mount &m, Verdict &verdict) {
    Fd root(::open(m.point.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st{};
    if (!root.valid() || ::fstat(root.get(), &st) != 0) {
        verdict.fail_errno("cannot open " + m.point);
        return 0;
    }
    // An owned root (the workspace) gets its mount's mode back first: the job
    // may have made it unwritable, or open to all.
    if (st.st_uid == ::geteuid() && m.root_mode && (st.st_mode & 07777) != *m.root_mode)
        ::fchmod(root.get(), *m.root_mode | 0700);
    uint64_t removed = 0;
    empty_directory(root.get(), st.st_dev, m.point == "/" ? "" : m.point, 0, removed, verdict);
    if (st.st_uid == ::geteuid() && m.root_mode) ::fchmod(root.get(), *m.root_mode);
    return removed;
}

// Empty means: no entry but the mount points of other mounts, no data block
// or inode in use besides the root (a tmpfs counts both), and an owned root
// with its mount's mode.
void verify_empty(const Mount &m, Verdict &verdict) {
    Fd root(::open(m.point.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st{};
    if (!root.valid() || ::fstat(root.get(), &st) != 0) {
        verdict.fail_errno("cannot open " + m.point);
        return;
    }
    std::optional<std::vector<std::string>> names = list_names(root.get());
    if (!names) {
        verdict.fail_errno("cannot list " + m.point);
        return;
    }
    for (const std::string &name : *names) {
        struct stat entry{};
        if (::fstatat(root.get(), name.c_str(), &entry, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(entry.st_mode) && entry.st_dev != st.st_dev)
            continue;
        verdict.fail(m.point + " still holds " + name);
        return;
    }
    if (st.st_uid == ::geteuid() && m.root_mode && (st.st_mode & 07777) != *m.root_mode)
        verdict.fail(m.point + " has mode " + std::to_string(st.st_mode & 07777) +
                     " instead of its mount's");
    if (m.type != "tmpfs") return;
    struct statvfs vfs{};
    if (::fstatvfs(root.get(), &vfs) != 0) {
        verdict.fail_errno("cannot statvfs " + m.point);
    } else if (vfs.f_blocks > 0 && vfs.f_bfree != vfs.f_blocks) {
        verdict.fail(m.point + " still uses " + std::to_string(vfs.f_blocks - vfs.f_bfree) +
                     " blocks");
    } else if (vfs.f_files > 0 && vfs.f_files - vfs.f_ffree > 1) {
        verdict.fail(m.point + " still uses " + std::to_string(vfs.f_files - vfs.f_ffree - 1) +
                     " inodes besides its root");
    }
}

// ---- SysV IPC ----------------------------------------------------------

struct IpcKind {
    const char *name; // as in /proc/sysvipc/<name>
    int (*remove)(int id);
};

const IpcKind ipc_kinds[] = {
    {"shm", [](int id) { return ::shmctl(id, IPC_RMID, nullptr); }},
    {"sem", [](int id) { return ::semctl(id, 0, IPC_RMID); }},
    {"msg", [](int id) { return ::msgctl(id, IPC_RMID, nullptr); }},
};

// The ids /proc/sysvipc/<kind> lists (every object of the IPC namespace,
// whatever its permissions); nullopt when it cannot be read.
std::optional<std::vector<int>> ipc_ids(const IpcKind &kind) {
    const std::string path = std::string("/proc/sysvipc/") + kind.name;
    std::optional<std::string> text = read_file(path.c_str());
    if (!text) return std::nullopt;
    std::vector<int> ids;
    std::vector<std::string_view> lines = split(*text, '\n');
    for (size_t i = 1; i < lines.size(); ++i) { // the first line is a header
        std::vector<std::string_view> f = words(lines[i]);
        if (f.size() >= 2 && all_digits(f[1])) ids.push_back(std::atoi(std::string(f[1]).c_str()));
    }
    return ids;
}

uint32_t remove_ipc(Verdict &verdict) {
    uint32_t removed = 0;
    for (const IpcKind &kind : ipc_kinds) {
        std::optional<std::vector<int>> ids = ipc_ids(kind);
        if (!ids) {
            verdict.fail_errno(std::string("cannot list SysV ") + kind.name + " objects");
            continue;
        }
        for (int id : *ids) {
            if (kind.remove(id) == 0)
                ++removed;
            else if (errno != EINVAL && errno != EIDRM)
                verdict.fail_errno(std::string("cannot remove SysV ") + kind.name + " " +
                                   std::to_string(id));
        }
    }
    return removed;
}

void verify_no_ipc(Verdict &verdict) {
    for (const IpcKind &kind : ipc_kinds) {
        std::optional<std::vector<int>> ids = ipc_ids(kind);
        if (!ids)
            verdict.fail_errno(std::string("cannot list SysV ") + kind.name + " objects");
        else if (!ids->empty())
            verdict.fail(std::to_string(ids->size()) + " SysV " + kind.name + " object(s) left");
    }
}

} // namespace

void note_mount_roots() {
    if (::getpid() != 1 || ::geteuid() == 0) return; // reset refuses anyway
    Verdict ignored;
    for (const Mount &m : writable_mounts(ignored)) {
        struct stat st{};
        if (::stat(m.point.c_str(), &st) == 0 && st.st_uid == ::geteuid())
            noted_roots().emplace_back(m.point, st.st_mode & 07777);
    }
}

wire::CleanReport reset_container(int signal_fd) {
    wire::CleanReport report;
    Verdict verdict;
    if (::getpid() != 1)
        verdict.fail("refusing to reset: sbx-init is not PID 1 of its own pid namespace");
    else if (::geteuid() == 0)
        verdict.fail("refusing to reset: sbx-init runs as root");
    if (!verdict.ok()) {
        report.why = verdict.take();
        return report;
    }

    report.processes_killed = kill_others(signal_fd, verdict);
    for (const Mount &m : writable_mounts(verdict)) report.entries_removed += wipe(m, verdict);
    report.ipc_removed = remove_ipc(verdict);

    // Verified from scratch, whatever the steps above believe they did.
    if (auto others = other_processes(); !others || !others->empty())
        verdict.fail(others ? std::to_string(others->size()) + " other process(es) still run"
                            : std::string("cannot list /proc"));
    for (const Mount &m : writable_mounts(verdict)) verify_empty(m, verdict);
    verify_no_ipc(verdict);

    report.ok = verdict.ok();
    report.why = verdict.take();
    if (report.why.size() > max_why) report.why = report.why.substr(0, max_why) + "...";
    return report;
}

} // namespace sbx::init
