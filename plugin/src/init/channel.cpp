#include "init/channel.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sbx::init {

void Channel::send(wire::MsgType type, std::string_view body) const {
    std::string frame = wire::encode_frame(type, body);
    std::string_view rest = frame;
    while (!rest.empty()) {
        ssize_t n = ::write(out_fd_, rest.data(), rest.size());
        if (n > 0) {
            rest.remove_prefix(static_cast<size_t>(n));
        } else if (n < 0 && errno == EAGAIN) {
            // fd 1 may be non-blocking when it is shared with the engine.
            pollfd p{out_fd_, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else if (n < 0 && errno != EINTR) {
            throw ChannelClosed(std::string("cannot write to the plugin: ") + std::strerror(errno));
        }
    }
}

bool Channel::receive() {
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = ::read(in_fd_, buffer, sizeof buffer);
        if (n > 0) {
            reader_.feed(std::string_view(buffer, static_cast<size_t>(n)));
            return true;
        }
        if (n == 0) return false;
        if (errno == EAGAIN) return true;
        // Any other read error means the link is unusable: same as EOF.
        if (errno != EINTR) return false;
    }
}

} // namespace sbx::init
