#include "runner/init_channel.hpp"

namespace sbx::runner {

std::optional<Failure> InitChannel::await_hello(Clock::time_point deadline) {
    while (true) {
        std::optional<wire::Frame> frame;
        if (auto failure = next_frame(frame, deadline, "starting"))
            return failure;
        if (frame->type == wire::MsgType::hello) {
            const uint32_t version = wire::decode_hello(frame->body);
            if (version < wire::min_protocol_version || version > wire::protocol_version)
                return Failure{"setup_error",
                               "sbx-init speaks protocol " + std::to_string(version) +
                                   ", not one of " + std::to_string(wire::min_protocol_version) +
                                   " to " + std::to_string(wire::protocol_version)};
            return std::nullopt;
        }
        return Failure{"internal_error", "sbx-init sent a message before hello"};
    }
}

namespace {

// How long sbx-init has to stop a cancelled job and report it.
constexpr auto cancel_grace = std::chrono::seconds(1);

Failure cancelled(bool started) {
    return Failure{"cancelled", started ? "the run was cancelled by the host"
                                        : "the run was cancelled by the host before it started"};
}

} // namespace

std::optional<Failure> InitChannel::run(const wire::Job &job, Clock::time_point deadline,
                                        const RunControl &control) {
    if (control.cancel && control.cancel->cancelled())
        return cancelled(false);
    control_ = &control;
    struct Forget {
        const RunControl *&control;
        ~Forget() { control = nullptr; }
    } forget{control_};
    // A fired token wakes this thread out of its read at once.
    std::optional<CancelToken::Watch> watch;
    if (control.cancel)
        watch.emplace(*control.cancel, [this] { box_.interrupt(); });
    idle_ = false;
    box_.send(wire::encode_frame(wire::MsgType::job, wire::encode_job(job)), deadline);
    while (true) {
        std::optional<wire::Frame> frame;
        if (auto failure = next_frame(frame, deadline, "running"))
            return failure;
        switch (frame->type) {
        case wire::MsgType::output:
        {
            const wire::Output output = wire::decode_output(frame->body);
            collect(output);
            stream(job, output);
            break;
        }
        case wire::MsgType::stage_end:
        {
            wire::StageReport report = wire::decode_report(frame->body);
            stage(report.index).report = std::move(report);
            break;
        }
        case wire::MsgType::job_end:
            idle_ = true;
            if (cancel_sent_)
                return cancelled(true);
            return std::nullopt;
        case wire::MsgType::fatal:
            // It refused this job (a file it could not write) and waits for the next.
            idle_ = true;
            return Failure{"internal_error",
                           "sbx-init could not run the job: " + wire::decode_string(frame->body)};
        default:
            return Failure{"internal_error", "sbx-init sent an unexpected message"};
        }
    }
}

void InitChannel::stream(const wire::Job &job, const wire::Output &o) {
    if (!control_ || !control_->on_output || output_refused_ || o.data.empty())
        return;
    const bool compile = o.stage < job.stages.size() && job.stages[o.stage].name == "compile";
    const Stream s = o.stream == 2 ? (compile ? Stream::compile_err : Stream::err)
                                   : (compile ? Stream::compile_out : Stream::out);
    if (!control_->on_output(s, o.data))
        output_refused_ = true;
}

void InitChannel::send_cancel_once() {
    if (cancel_sent_)
        return;
    cancel_sent_ = true;
    cancel_deadline_ = Clock::now() + cancel_grace;
    box_.send(wire::encode_frame(wire::MsgType::cancel, ""), cancel_deadline_);
}

void InitChannel::send_reset(Clock::time_point deadline) {
    box_.send(wire::encode_frame(wire::MsgType::reset, ""), deadline);
}

std::optional<Failure> InitChannel::await_clean(Clock::time_point deadline) {
    std::optional<wire::Frame> frame;
    if (auto failure = next_frame(frame, deadline, "cleaning"))
        return failure;
    if (frame->type == wire::MsgType::clean) {
        const wire::CleanReport report = wire::decode_clean(frame->body);
        if (report.ok)
            return std::nullopt;
        return Failure{"internal_error", "sbx-init could not clean the box: " + report.why};
    }
    if (frame->type == wire::MsgType::fatal)
        return Failure{"internal_error", "sbx-init could not clean the box: " +
                                             wire::decode_string(frame->body)};
    return Failure{"internal_error", "sbx-init sent an unexpected message instead of clean"};
}

std::optional<Failure> InitChannel::read_files(const wire::Collect &collect,
                                               Clock::time_point deadline, wire::FileList &out) {
    box_.send(wire::encode_frame(wire::MsgType::collect, wire::encode_collect(collect)), deadline);
    std::optional<wire::Frame> frame;
    if (auto failure = next_frame(frame, deadline, "reading files"))
        return failure;
    if (frame->type == wire::MsgType::files) {
        out = wire::decode_files(frame->body);
        return std::nullopt;
    }
    if (frame->type == wire::MsgType::fatal)
        return Failure{"internal_error",
                       "sbx-init could not read the files: " + wire::decode_string(frame->body)};
    return Failure{"internal_error", "sbx-init sent an unexpected message instead of files"};
}

std::vector<StageOutcome> InitChannel::outcomes() && {
    std::vector<StageOutcome> out;
    for (StageOutcome &s : stages_)
        if (!s.report.name.empty())
            out.push_back(std::move(s));
    return out;
}

StageOutcome &InitChannel::stage(uint32_t index) {
    if (index >= 8)
        throw wire::DecodeError("stage index out of range");
    if (stages_.size() <= index)
        stages_.resize(index + 1);
    return stages_[index];
}

// sbx-init caps output at the source; this second cap only guards
// against a box that does not keep its word.
void InitChannel::collect(const wire::Output &o) {
    StageOutcome &s = stage(o.stage);
    std::string &into = o.stream == 2 ? s.stderr_data : s.stdout_data;
    if (s.stdout_data.size() + s.stderr_data.size() + o.data.size() > max_output_)
        throw wire::DecodeError("sbx-init sent more output than the limit");
    into.append(o.data);
}

std::optional<Failure> InitChannel::next_frame(std::optional<wire::Frame> &frame,
                                                    Clock::time_point deadline,
                                                    const char *phase) {
    while (!(frame = reader_.next())) {
        if (control_ && (output_refused_ || (control_->cancel && control_->cancel->cancelled())))
            send_cancel_once();
        if (cancel_sent_ && Clock::now() >= cancel_deadline_)
            return Failure{"cancelled", "the run was cancelled by the host; sbx-init did not "
                                        "confirm within a second, so the sandbox was killed"};
        if (Clock::now() >= deadline)
            return Failure{"timeout", std::string("the sandbox stopped answering while ") +
                                          phase + "; it was killed"};
        std::string bytes;
        const bool open = box_.receive(bytes, cancel_sent_ ? std::min(deadline, cancel_deadline_)
                                                           : deadline);
        reader_.feed(bytes);
        if (!open && !(frame = reader_.next()))
            return closed(phase);
    }
    return std::nullopt;
}

std::optional<Failure> InitChannel::closed(const char *phase) {
    if (box_.oom_killed())
        return Failure{"memory_limit", "the sandbox ran out of memory and was killed"};
    return Failure{std::string(phase) == "starting" ? "setup_error" : "internal_error",
                   std::string("the sandbox closed its channel while ") + phase};
}

} // namespace sbx::runner
