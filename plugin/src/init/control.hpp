// What the plugin may say while a job runs: cancel it, or hang up (EOF).
#pragma once

#include "init/channel.hpp"

namespace sbx::init {

enum class Interrupt { none, cancel, hangup };

// True for a cancel frame. Throws ProtocolError for a cancel with a body.
bool is_cancel(const wire::Frame &frame);

// Looks at the frames already buffered; any frame but cancel is a
// ProtocolError (one job runs at a time).
Interrupt buffered_control(Channel &channel);

// Reads fd 0 after it polled readable, then looks at the frames.
Interrupt read_control(Channel &channel);

// Like read_control, without blocking when fd 0 has nothing.
Interrupt check_control(Channel &channel);

} // namespace sbx::init
