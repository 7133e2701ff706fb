#include "lines.hpp"

#include <cerrno>
#include <poll.h>
#include <unistd.h>
#include <utility>

namespace sbx::host {

std::optional<std::string> LineReader::next() {
    for (;;) {
        if (const size_t nl = buffer_.find('\n', scan_); nl != std::string::npos) {
            std::string line = buffer_.substr(start_, nl - start_);
            start_ = scan_ = nl + 1;
            return line;
        }
        buffer_.erase(0, start_);
        start_ = 0;
        scan_ = buffer_.size();
        if (!fill())
            break;
    }
    // A line cut by a stop signal is dropped: its writer is being stopped.
    if (stopped_ || buffer_.empty())
        return std::nullopt;
    scan_ = 0;
    return std::exchange(buffer_, {});
}

bool LineReader::fill() {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {fd_, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (fds[0].revents != 0) {
            stopped_ = true;
            return false;
        }
        char chunk[65536];
        const ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return false;
        buffer_.append(chunk, static_cast<size_t>(n));
        return true;
    }
}

void LineWriter::write(std::string_view line) {
    const std::lock_guard lock(mutex_);
    out_ << line << '\n';
    out_.flush();
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

} // namespace sbx::host
