// SIGINT and SIGTERM as an end of input. The stdio servers poll fd() next to
// stdin, so a signal takes the same clean path as EOF: finish the running
// calls, destroy the sandbox (which removes its containers), exit 0. The
// handler is one-shot: a second signal has its default effect and ends the
// process at once (the engine still removes our containers, whose stdin
// closes with us).
#pragma once

namespace sbx::host {

class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

    // Becomes readable once a stop signal has arrived.
    int fd() const;
};

} // namespace sbx::host
