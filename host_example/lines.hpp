// Newline-delimited messages: how `dispatch` and `mcp` frame what they read
// on stdin and write on stdout.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace sbx::host {

class LineReader {
public:
    // Reads `fd` until its end, or until `stop_fd` becomes readable.
    LineReader(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}

    // The next line without its '\n' (a last line without one counts);
    // nullopt at the end of input, on a read error, or once stopped.
    std::optional<std::string> next();

private:
    bool fill(); // appends what the next read gives; false at the end
    int fd_;
    int stop_fd_;
    std::string buffer_;
    size_t start_ = 0; // where the next line begins in buffer_
    size_t scan_ = 0;  // where to look for its '\n' (the bytes before hold none)
    bool stopped_ = false; // stop_fd became readable
};

class LineWriter {
public:
    explicit LineWriter(std::ostream &out) : out_(out) {}

    // Writes `line` and '\n', then flushes, so that a peer waiting for this
    // answer gets it now. Any thread; lines never interleave.
    void write(std::string_view line);

private:
    std::mutex mutex_;
    std::ostream &out_;
};

// Only spaces, tabs and carriage returns: not a message.
bool is_blank(std::string_view line);

} // namespace sbx::host
