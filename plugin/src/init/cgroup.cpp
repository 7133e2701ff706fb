#include "init/cgroup.hpp"

#include "init/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace sbx::init {
namespace {

constexpr const char *v2_events = "/sys/fs/cgroup/memory.events";
constexpr const char *v1_oom_control = "/sys/fs/cgroup/memory/memory.oom_control";

std::optional<std::string> read_small_file(const char *path) {
    Fd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    char buffer[4096];
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
}

// The value of `key` in "key value" lines.
std::optional<uint64_t> find_counter(std::string_view text, std::string_view key) {
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
            uint64_t value = 0;
            for (char c : line.substr(key.size() + 1)) {
                if (c < '0' || c > '9') return std::nullopt;
                value = value * 10 + static_cast<uint64_t>(c - '0');
            }
            return value;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<uint64_t> oom_kill_count() {
    for (const char *path : {v2_events, v1_oom_control}) {
        if (auto text = read_small_file(path)) {
            if (auto count = find_counter(*text, "oom_kill")) return count;
        }
    }
    return std::nullopt;
}

} // namespace sbx::init
