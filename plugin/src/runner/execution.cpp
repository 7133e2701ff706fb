#include "runner/execution.hpp"

#include "runner/job.hpp"
#include "runner/result.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <random>

namespace sbx::runner {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// Time sbx-init may take past the stage limits before we kill the box: it
// needs a moment to kill, drain and report.
constexpr auto report_grace = 5s;

uint64_t ms_since(Clock::time_point t) {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

std::string new_id() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char hex[] = "0123456789abcdef";
    std::string id(16, '0');
    for (char &c : id)
        c = hex[rng() % 16];
    return id;
}

Clock::duration stages_budget(const wire::Job &job) {
    std::chrono::milliseconds total{0};
    for (const wire::Stage &s : job.stages)
        total += std::chrono::milliseconds(s.time_ms);
    return total;
}

// Talks to one box: waits for hello, sends the job, collects frames until
// job_end. Returns a failure when the job did not end normally.
class Session {
public:
    Session(Box &box, uint64_t max_output) : box_(box), max_output_(max_output) {}

    std::optional<Failure> await_hello(Clock::time_point deadline) {
        while (true) {
            std::optional<wire::Frame> frame;
            if (auto failure = next_frame(frame, deadline, "starting"))
                return failure;
            if (frame->type == wire::MsgType::hello) {
                const uint32_t version = wire::decode_hello(frame->body);
                if (version != wire::protocol_version)
                    return Failure{"setup_error", "sbx-init speaks protocol " +
                                                      std::to_string(version) + ", not " +
                                                      std::to_string(wire::protocol_version)};
                return std::nullopt;
            }
            return Failure{"internal_error", "sbx-init sent a message before hello"};
        }
    }

    std::optional<Failure> run(const wire::Job &job, Clock::time_point deadline) {
        box_.send(wire::encode_frame(wire::MsgType::job, wire::encode_job(job)), deadline);
        while (true) {
            std::optional<wire::Frame> frame;
            if (auto failure = next_frame(frame, deadline, "running"))
                return failure;
            switch (frame->type) {
            case wire::MsgType::output:
                collect(wire::decode_output(frame->body));
                break;
            case wire::MsgType::stage_end:
            {
                wire::StageReport report = wire::decode_report(frame->body);
                stage(report.index).report = std::move(report);
                break;
            }
            case wire::MsgType::job_end:
                return std::nullopt;
            case wire::MsgType::fatal:
                return Failure{"internal_error",
                               "sbx-init could not run the job: " + wire::decode_string(frame->body)};
            default:
                return Failure{"internal_error", "sbx-init sent an unexpected message"};
            }
        }
    }

    std::vector<StageOutcome> outcomes() && {
        std::vector<StageOutcome> out;
        for (StageOutcome &s : stages_)
            if (!s.report.name.empty())
                out.push_back(std::move(s));
        return out;
    }

private:
    StageOutcome &stage(uint32_t index) {
        if (index >= 8)
            throw wire::DecodeError("stage index out of range");
        if (stages_.size() <= index)
            stages_.resize(index + 1);
        return stages_[index];
    }

    // sbx-init caps output at the source; this second cap only guards
    // against a box that does not keep its word.
    void collect(const wire::Output &o) {
        StageOutcome &s = stage(o.stage);
        std::string &into = o.stream == 2 ? s.stderr_data : s.stdout_data;
        if (s.stdout_data.size() + s.stderr_data.size() + o.data.size() > max_output_)
            throw wire::DecodeError("sbx-init sent more output than the limit");
        into.append(o.data);
    }

    std::optional<Failure> next_frame(std::optional<wire::Frame> &frame,
                                      Clock::time_point deadline, const char *phase) {
        while (!(frame = reader_.next())) {
            if (Clock::now() >= deadline)
                return Failure{"timeout", std::string("the sandbox stopped answering while ") +
                                              phase + "; it was killed"};
            std::string bytes;
            const bool open = box_.receive(bytes, deadline);
            reader_.feed(bytes);
            if (!open && !(frame = reader_.next()))
                return closed(phase);
        }
        return std::nullopt;
    }

    std::optional<Failure> closed(const char *phase) {
        if (box_.oom_killed())
            return Failure{"memory_limit", "the sandbox ran out of memory and was killed"};
        return Failure{std::string(phase) == "starting" ? "setup_error" : "internal_error",
                       std::string("the sandbox closed its channel while ") + phase};
    }

    Box &box_;
    uint64_t max_output_;
    wire::FrameReader reader_;
    std::vector<StageOutcome> stages_;
};

} // namespace

json::value execute(const Request &q, Backend &backend, const ExecutionSettings &settings,
                    spdlog::logger &log, uint64_t queue_ms) {
    const Clock::time_point start = Clock::now();
    const std::string id = new_id();
    const wire::Job job = make_job(q);
    Timings timings;
    timings.queue = queue_ms;

    BoxSpec spec{q.language->image, q.limits, q.network, settings.runtime, settings.labels};
    spec.labels["org.sbx.run"] = id;
    spec.labels["org.sbx.language"] = q.language->name;

    std::optional<Failure> failure;
    std::vector<StageOutcome> stages;
    try {
        std::unique_ptr<Box> box = backend.start(spec, start + settings.setup_timeout);
        Session session(*box, static_cast<uint64_t>(q.limits.max_output_bytes) * 2 + 65536);
        failure = session.await_hello(start + settings.setup_timeout);
        timings.setup = ms_since(start);
        if (!failure)
            failure = session.run(job, Clock::now() + stages_budget(job) + report_grace);
        stages = std::move(session).outcomes();
    } catch (const SetupError &e) {
        failure = Failure{"setup_error", e.what()};
        timings.setup = ms_since(start);
    } catch (const wire::DecodeError &e) {
        failure = Failure{"internal_error", std::string("bad message from sbx-init: ") + e.what()};
    }
    timings.total = ms_since(start);
    if (failure)
        log.warn("run {} ({}): {}: {}", id, q.language->name, failure->status, failure->message);
    return make_result(id, q, stages, failure, timings);
}

} // namespace sbx::runner
