// The conversation with one box's sbx-init: wait for hello, send a job,
// collect output and stage reports until job_end.
#pragma once

#include "protocol/wire.hpp"
#include "runner/box.hpp"
#include "runner/result.hpp"

#include <optional>
#include <vector>

namespace sbx::runner {

class InitChannel {
public:
    // `max_output` bounds what the plugin accepts per stage, whatever
    // sbx-init sends.
    InitChannel(Box &box, uint64_t max_output) : box_(box), max_output_(max_output) {}

    // A failure when sbx-init did not say hello in time or spoke another
    // protocol.
    std::optional<Failure> await_hello(Clock::time_point deadline);
    // A failure when the job did not end with job_end. Throws
    // wire::DecodeError on a malformed message.
    std::optional<Failure> run(const wire::Job &job, Clock::time_point deadline);
    // The stages sbx-init reported, in order.
    std::vector<StageOutcome> outcomes() &&;
    // Whether the channel holds no unread byte (a ready box must not).
    bool drained() const { return reader_.buffered() == 0; }

private:
    StageOutcome &stage(uint32_t index);
    void collect(const wire::Output &o);
    std::optional<Failure> next_frame(std::optional<wire::Frame> &frame,
                                      Clock::time_point deadline, const char *phase);
    std::optional<Failure> closed(const char *phase);

    Box &box_;
    uint64_t max_output_;
    wire::FrameReader reader_;
    std::vector<StageOutcome> stages_;
};

} // namespace sbx::runner
