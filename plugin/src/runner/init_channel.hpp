// The conversation with one box's sbx-init: wait for hello, send a job,
// collect output and stage reports until job_end.
#pragma once

#include "protocol/wire.hpp"
#include "runner/box.hpp"
#include "runner/control.hpp"
#include "runner/result.hpp"

#include <optional>
#include <vector>

namespace sbx::runner {

class InitChannel {
public:
    // `max_output` bounds what the plugin accepts per stage, whatever
    // sbx-init sends.
    InitChannel(Box &box, uint64_t max_output) : box_(box), max_output_(max_output) {}

    // A failure when sbx-init did not say hello in time or speaks a protocol
    // outside [wire::min_protocol_version, wire::protocol_version].
    std::optional<Failure> await_hello(Clock::time_point deadline);
    // A failure when the job did not end with job_end, or was cancelled
    // ("cancelled": through `control`, before or during the job; sbx-init is
    // told and has a second to stop it). Output goes to control.on_output as
    // it arrives. Throws wire::DecodeError on a malformed message.
    std::optional<Failure> run(const wire::Job &job, Clock::time_point deadline,
                               const RunControl &control = {});
    // Asks sbx-init (between jobs) to clean the box for
    // the next job. Throws SetupError when the channel is gone.
    void send_reset(Clock::time_point deadline);
    // The answer to send_reset: nullopt when sbx-init verified the box clean;
    // a failure when it did not, or did not answer in time. Throws
    // wire::DecodeError on a malformed message.
    std::optional<Failure> await_clean(Clock::time_point deadline);
    // Asks sbx-init (between jobs) for workspace files; a failure when it
    // does not answer in time. Throws wire::DecodeError on a malformed
    // message, SetupError when the channel is gone.
    std::optional<Failure> read_files(const wire::Collect &collect, Clock::time_point deadline,
                                      wire::FileList &out);
    // The stages sbx-init reported, in order.
    std::vector<StageOutcome> outcomes() &&;
    // Whether the channel holds no unread byte (a ready box must not).
    bool drained() const { return reader_.buffered() == 0; }
    // Whether sbx-init waits for a job: the last one ended (job_end or a
    // refusal), or run() sent none.
    bool idle() const { return idle_; }

private:
    StageOutcome &stage(uint32_t index);
    void collect(const wire::Output &o);
    void stream(const wire::Job &job, const wire::Output &o);
    void send_cancel_once();
    std::optional<Failure> next_frame(std::optional<wire::Frame> &frame,
                                      Clock::time_point deadline, const char *phase);
    std::optional<Failure> closed(const char *phase);

    Box &box_;
    uint64_t max_output_;
    wire::FrameReader reader_;
    std::vector<StageOutcome> stages_;
    const RunControl *control_ = nullptr; // during run() only
    bool output_refused_ = false;         // on_output asked to stop
    bool cancel_sent_ = false;
    bool idle_ = true;
    Clock::time_point cancel_deadline_{};
};

} // namespace sbx::runner
