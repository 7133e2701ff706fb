#include "init/collect.hpp"

#include "init/fd.hpp"
#include "init/glob.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sbx::init {
namespace {

// Bounds that keep a hostile workspace from holding init for long: each
// level of the walk holds a descriptor, each entry costs a stat.
constexpr int max_depth = 64;
constexpr uint64_t max_visited = 100000;
// Matching paths held at once (a path may reach 64 names of 255 bytes).
constexpr size_t max_path_bytes = 32u << 20;
// What a listed file takes in the frame besides its path and content: two
// lengths, a size and a flag; and room for the rest of the answer.
constexpr uint64_t entry_overhead = 17;
constexpr uint64_t frame_slack = 4096;
constexpr size_t max_error = 512;

struct CloseDir {
    void operator()(DIR *dir) const { ::closedir(dir); }
};
using Dir = std::unique_ptr<DIR, CloseDir>;

// Opens `name` below `parent` as a directory, never through a symlink.
Dir open_directory(int parent, const char *name) {
    int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return nullptr;
    Dir dir(::fdopendir(fd));
    if (!dir) ::close(fd);
    return dir;
}

struct Match {
    std::string path;
    uint64_t size;
};

bool by_path(const Match &a, const Match &b) { return a.path < b.path; }

// The walk: every matching regular file, keeping only the first
// max_entries + 1 by path (one more tells that some were left out).
class Walk {
public:
    explicit Walk(const wire::Collect &request)
        : request_(request), keep_(static_cast<size_t>(request.max_entries) + 1) {}

    void directory(DIR *dir, const std::string &prefix, int depth) {
        for (errno = 0; const dirent *e = ::readdir(dir); errno = 0) {
            const std::string_view name = e->d_name;
            if (name == "." || name == "..") continue;
            if (++visited_ > max_visited) {
                stop("the workspace has more than " + std::to_string(max_visited) + " entries");
                return;
            }
            std::string path = prefix.empty() ? std::string(name) : prefix + "/" + std::string(name);
            struct stat st{};
            if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue; // gone
            if (S_ISDIR(st.st_mode)) {
                enter(dir, e->d_name, path, depth + 1);
                if (stopped_) return;
            } else if (S_ISREG(st.st_mode) && matches(path)) {
                add({std::move(path), static_cast<uint64_t>(st.st_size)});
                if (stopped_) return;
            }
        }
        if (errno != 0)
            note("cannot read " + (prefix.empty() ? std::string(".") : prefix) + ": " +
                 std::strerror(errno));
    }

    // The matches in path order, at most max_entries; true when there were more.
    bool finish(std::vector<Match> &out) {
        std::sort(found_.begin(), found_.end(), by_path);
        const bool more = found_.size() > request_.max_entries;
        if (more) found_.resize(request_.max_entries);
        out = std::move(found_);
        return more;
    }

    std::string &error() { return error_; }

private:
    void enter(DIR *parent, const char *name, const std::string &path, int depth) {
        if (depth > max_depth) {
            note(path.substr(0, 64) + "...: deeper than " + std::to_string(max_depth) + " levels");
            return;
        }
        Dir sub = open_directory(::dirfd(parent), name);
        if (!sub) {
            note("cannot open " + path + ": " + std::strerror(errno));
            return;
        }
        directory(sub.get(), path, depth);
    }

    bool matches(const std::string &path) const {
        return std::any_of(request_.patterns.begin(), request_.patterns.end(),
                           [&](const std::string &p) { return glob_match(p, path); });
    }

    void add(Match match) {
        path_bytes_ += match.path.size();
        found_.push_back(std::move(match));
        if (found_.size() >= 2 * keep_) {
            std::nth_element(found_.begin(), found_.begin() + static_cast<long>(keep_),
                             found_.end(), by_path);
            found_.resize(keep_);
            path_bytes_ = 0;
            for (const Match &m : found_) path_bytes_ += m.path.size();
        }
        if (path_bytes_ > max_path_bytes) stop("the matching paths exceed 32 MiB");
    }

    void note(std::string why) {
        if (error_.empty()) error_ = std::move(why);
    }

    void stop(std::string why) {
        note(std::move(why));
        stopped_ = true;
    }

    const wire::Collect &request_;
    const size_t keep_;
    std::vector<Match> found_;
    size_t path_bytes_ = 0;
    uint64_t visited_ = 0;
    bool stopped_ = false;
    std::string error_;
};

// Opens the regular file at `path` (as the walk joined it) below `root`,
// through no symlink; -1 otherwise. O_NONBLOCK: a FIFO swapped in since the
// walk must not block the open.
Fd open_file(int root, const std::string &path, struct stat &st) {
    Fd dir;
    int parent = root;
    size_t start = 0;
    for (size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::string name = path.substr(start, slash - start);
        dir = Fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir.valid()) return Fd();
        parent = dir.get();
    }
    const std::string name = path.substr(start);
    Fd file(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!file.valid() || ::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Fd();
    return file;
}

// Reads up to `size` bytes: a file that grows meanwhile is cut at the size
// it had when opened.
bool read_up_to(int fd, uint64_t size, std::string &out) {
    out.resize(static_cast<size_t>(size));
    size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n > 0)
            got += static_cast<size_t>(n);
        else if (n == 0)
            break;
        else if (errno != EINTR)
            return false;
    }
    out.resize(got);
    return true;
}

// Fills in the content of each file that fits in `budget`, in order.
void read_contents(int root, uint64_t budget, std::vector<wire::FileEntry> &files) {
    for (wire::FileEntry &f : files) {
        struct stat st{};
        Fd fd = open_file(root, f.path, st);
        if (!fd.valid()) continue; // gone or replaced since the walk
        f.size = static_cast<uint64_t>(st.st_size);
        if (f.size > budget || !read_up_to(fd.get(), f.size, f.content)) {
            f.content.clear();
            continue;
        }
        f.size = f.content.size(); // it shrank: what was read is all of it
        f.returned = true;
        budget -= f.size;
    }
}

} // namespace

wire::FileList collect_files(const std::string &workspace, const wire::Collect &request) {
    wire::FileList list;
    Dir root = open_directory(AT_FDCWD, workspace.c_str());
    if (!root) {
        list.error = "cannot open " + workspace + ": " + std::strerror(errno);
        return list;
    }
    Walk walk(request);
    walk.directory(root.get(), "", 0);
    std::vector<Match> matches;
    list.entries_truncated = walk.finish(matches);
    list.error = std::move(walk.error());
    if (list.error.size() > max_error) list.error = list.error.substr(0, max_error) + "...";

    uint64_t listing = 0;
    list.files.reserve(matches.size());
    for (Match &m : matches) {
        listing += entry_overhead + m.path.size();
        list.files.push_back({std::move(m.path), m.size, false, {}});
    }
    if (request.list_only) return list;
    // The paths are bounded well below the frame limit, so room is left.
    const uint64_t room = wire::max_frame_bytes - frame_slack - listing;
    read_contents(::dirfd(root.get()), std::min(request.max_total_bytes, room), list.files);
    return list;
}

} // namespace sbx::init
