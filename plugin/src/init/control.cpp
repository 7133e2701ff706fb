#include "init/control.hpp"

#include <poll.h>

#include <string>

namespace sbx::init {

bool is_cancel(const wire::Frame &frame) {
    if (frame.type != wire::MsgType::cancel) return false;
    if (!frame.body.empty()) throw ProtocolError("cancel frame with a body");
    return true;
}

Interrupt buffered_control(Channel &channel) {
    Interrupt result = Interrupt::none;
    while (auto frame = channel.next()) {
        if (!is_cancel(*frame))
            throw ProtocolError("unexpected frame of type " +
                                std::to_string(static_cast<int>(frame->type)) +
                                " while a job runs");
        result = Interrupt::cancel;
    }
    return result;
}

Interrupt read_control(Channel &channel) {
    if (!channel.receive()) return Interrupt::hangup;
    return buffered_control(channel);
}

Interrupt check_control(Channel &channel) {
    pollfd p{channel.in_fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) return read_control(channel);
    return buffered_control(channel);
}

} // namespace sbx::init
