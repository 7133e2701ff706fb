// The framed link to the plugin: frames in on fd 0, frames out on fd 1.
#pragma once

#include "protocol/wire.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>

namespace sbx::init {

// fd 1 broke: the plugin is gone, so init shuts down.
struct ChannelClosed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The plugin sent a well-formed frame that makes no sense at this point.
struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Channel {
public:
    Channel(int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd) {}

    int in_fd() const { return in_fd_; }

    // Writes a whole frame. Blocking is acceptable: a plugin that stops
    // reading kills the container at its own deadline.
    void send(wire::MsgType type, std::string_view body = {}) const;

    // One read() of whatever fd 0 holds; false at EOF.
    bool receive();

    // The next buffered frame; throws wire::DecodeError on a malformed one.
    std::optional<wire::Frame> next() { return reader_.next(); }

private:
    int in_fd_;
    int out_fd_;
    wire::FrameReader reader_;
};

} // namespace sbx::init
