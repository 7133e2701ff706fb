#include "init/procfs.hpp"

#include "init/fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

namespace sbx::init {
namespace {

std::optional<std::string> read_small(const std::string &path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    char buffer[8192];
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid) {
    std::optional<std::string> text = read_small("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return std::nullopt;
    // "pid (comm) state ppid pgrp session ..."; comm may hold anything, ')' too.
    size_t close = text->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::vector<std::string_view> f;
    std::string_view rest = std::string_view(*text).substr(close + 1);
    while (f.size() < 15) {
        size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(start);
        size_t end = rest.find(' ');
        f.push_back(rest.substr(0, end));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    // Fields 3 (state) to 17 (cstime) of proc(5), counted from f[0].
    auto number = [&](size_t i) { return std::strtoll(std::string(f[i]).c_str(), nullptr, 10); };
    ProcStat stat;
    stat.state = f[0].empty() ? 0 : f[0][0];
    stat.ppid = static_cast<pid_t>(number(1));
    stat.session = static_cast<pid_t>(number(3));
    long long ticks = 0;
    for (size_t i = 11; i <= 14; ++i) ticks += std::max(0LL, number(i));
    const long per_second = std::max(1L, ::sysconf(_SC_CLK_TCK));
    stat.cpu_ms = static_cast<uint64_t>(ticks) * 1000 / static_cast<uint64_t>(per_second);
    return stat;
}

std::optional<uint64_t> peak_rss_kb(pid_t pid) {
    std::optional<std::string> text = read_small("/proc/" + std::to_string(pid) + "/status");
    if (!text) return std::nullopt;
    size_t at = text->find("\nVmHWM:");
    if (at == std::string::npos) return std::nullopt;
    return std::strtoull(text->c_str() + at + 7, nullptr, 10);
}

std::optional<std::vector<pid_t>> other_processes() {
    DIR *dir = ::opendir("/proc");
    if (!dir) return std::nullopt;
    std::vector<pid_t> pids;
    const pid_t self = ::getpid();
    while (const dirent *e = ::readdir(dir)) {
        if (!all_digits(e->d_name)) continue;
        pid_t pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
        if (pid != self) pids.push_back(pid);
    }
    ::closedir(dir);
    return pids;
}

} // namespace sbx::init
