// Signal handling of init (a signalfd instead of handlers) and the clean
// slate its stages start from.
#pragma once

#include "init/fd.hpp"

namespace sbx::init {

// Ignores SIGPIPE (a closed pipe is an error code, not death) and SIGXFSZ
// (an oversized job file is an error, not death), blocks SIGCHLD and returns
// a non-blocking signalfd that reports it.
Fd install_init_signals();

// Empties the signalfd after it polled readable.
void drain_signals(int signal_fd);

// In a forked child: default dispositions and an empty mask, as exec'd
// programs expect.
void reset_child_signals();

} // namespace sbx::init
