#include "runner/execution.hpp"

#include "runner/init_channel.hpp"
#include "runner/job.hpp"
#include "runner/pool.hpp"
#include "runner/reaper.hpp"
#include "runner/result.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
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

// Whether a box may serve another run after this one (recycle mode): every
// stage it reported ran and ended by itself, not by a deadline, the output
// cap or the OOM killer. A SIGKILL is taken as one of those too (it is how
// sbx-init stops a stage, a cancel included). Anything else retires the box.
bool ended_normally(const std::vector<StageOutcome> &stages) {
    if (stages.empty())
        return false;
    for (const StageOutcome &s : stages) {
        const wire::StageReport &r = s.report;
        if (!r.started || r.timed_out || r.output_limited || r.oom_killed || r.signal == SIGKILL)
            return false;
    }
    return true;
}

struct Cancelled {};

// Hands the box back to where boxes go (the pool, else the reaper), on
// every path out of execute(), exceptions included.
struct Handback {
    const Boxes &boxes;
    std::unique_ptr<Box> box;
    bool reusable = false;

    void now() noexcept {
        if (!box)
            return;
        if (boxes.pool)
            boxes.pool->give_back(std::move(box), reusable);
        else if (boxes.reaper)
            boxes.reaper->dispose(std::move(box));
        box.reset(); // no reaper: removed on this thread
    }
    ~Handback() { now(); }
};

Clock::duration stages_budget(const wire::Job &job) {
    std::chrono::milliseconds total{0};
    for (const wire::Stage &s : job.stages)
        total += std::chrono::milliseconds(s.time_ms);
    return total;
}

} // namespace

BoxSpec box_spec(const Request &q, const ExecutionSettings &settings) {
    BoxSpec spec{q.language->image, q.limits, q.network, settings.runtime, settings.labels};
    spec.labels["org.sbx.language"] = q.language->name;
    return spec;
}

json::value execute(const Request &q, const Boxes &boxes, const ExecutionSettings &settings,
                    spdlog::logger &log, uint64_t queue_ms, const RunControl &control) {
    const Clock::time_point start = Clock::now();
    const std::string id = new_id();
    const wire::Job job = make_job(q);
    Timings timings;
    timings.queue = queue_ms;

    std::optional<Failure> failure;
    std::vector<StageOutcome> stages;
    Handback handback{boxes, nullptr};
    std::unique_ptr<Box> &box = handback.box;
    try {
        // Fired while the run waited for a slot: no box is made for it.
        if (control.cancel && control.cancel->cancelled())
            throw Cancelled{};
        BoxSpec spec = box_spec(q, settings);
        box = boxes.pool ? boxes.pool->take(spec) : nullptr;
        if (!box) {
            spec.labels["org.sbx.run"] = id;
            box = boxes.backend.start(spec, start + settings.setup_timeout);
            InitChannel hello(*box, 0);
            failure = hello.await_hello(start + settings.setup_timeout);
        }
        timings.setup = ms_since(start);
        if (!failure) {
            InitChannel channel(*box, static_cast<uint64_t>(q.limits.max_output_bytes) * 2 + 65536);
            failure = channel.run(job, Clock::now() + stages_budget(job) + report_grace, control);
            const bool drained = channel.drained();
            stages = std::move(channel).outcomes();
            handback.reusable = !failure && drained && ended_normally(stages);
        }
    } catch (const Cancelled &) {
        failure = Failure{"cancelled", "the run was cancelled by the host before it started"};
    } catch (const SetupError &e) {
        failure = Failure{"setup_error", e.what()};
        timings.setup = ms_since(start);
    } catch (const wire::DecodeError &e) {
        failure = Failure{"internal_error", std::string("bad message from sbx-init: ") + e.what()};
    }
    timings.total = ms_since(start);
    // Before the result is built: a recycled box starts cleaning meanwhile.
    handback.now();
    if (failure)
        log.warn("run {} ({}): {}: {}", id, q.language->name, failure->status, failure->message);
    return make_result(id, q, stages, failure, timings);
}

} // namespace sbx::runner
