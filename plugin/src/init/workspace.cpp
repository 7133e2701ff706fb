#include "init/workspace.hpp"

#include "init/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace sbx::init {
namespace {

[[noreturn]] void fail(const std::string &path, const std::string &why) {
    throw WorkspaceError("cannot write " + path + ": " + why);
}

[[noreturn]] void fail_errno(const std::string &path) { fail(path, std::strerror(errno)); }

// The path's components, without empty and "." ones.
std::vector<std::string> components(const std::string &path) {
    if (path.empty()) fail(path, "empty path");
    if (path.front() == '/') fail(path, "absolute path");
    if (path.find('\0') != std::string::npos) fail(path, "NUL byte in path");
    std::vector<std::string> parts;
    std::string_view rest = path;
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (part == "..") fail(path, "'..' in path");
        if (!part.empty() && part != ".") parts.emplace_back(part);
    }
    if (parts.empty()) fail(path, "no file name");
    return parts;
}

// Opens (creating if needed) a directory below `parent`, never through a
// symlink.
Fd enter_directory(int parent, const std::string &name, const std::string &path) {
    if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) fail_errno(path);
    Fd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) fail_errno(path);
    return dir;
}

void write_all(int fd, std::string_view data, const std::string &path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno(path);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

void write_file(int root, const wire::File &file) {
    std::vector<std::string> parts = components(file.path);
    Fd dir;
    int parent = root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        dir = enter_directory(parent, parts[i], file.path);
        parent = dir.get();
    }
    // A fresh inode each time: whatever an earlier job left at this path (a
    // read-only file, a hard link, a FIFO, a symlink) is replaced, not opened.
    const char *name = parts.back().c_str();
    if (::unlinkat(parent, name, 0) != 0 && errno != ENOENT) fail_errno(file.path);
    Fd out(::openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) fail_errno(file.path);
    write_all(out.get(), file.content, file.path);
    // Permission bits only: setuid/setgid/sticky make no sense for job files.
    if (::fchmod(out.get(), file.mode & 0777) != 0) fail_errno(file.path);
}

} // namespace

void write_files(const std::string &workdir, const std::vector<wire::File> &files) {
    Fd root(::open(workdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) throw WorkspaceError("cannot open " + workdir + ": " + std::strerror(errno));
    for (const auto &file : files) write_file(root.get(), file);
}

} // namespace sbx::init
