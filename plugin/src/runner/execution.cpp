#include "runner/execution.hpp"

#include "runner/init_channel.hpp"
#include "runner/job.hpp"
#include "runner/pool.hpp"
#include "runner/reaper.hpp"
#include "runner/result.hpp"
#include "runner/sessions.hpp"
#include "repl/repl.hpp"

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
// How long sbx-init may take to read the workspace back.
constexpr auto collect_timeout = 30s;

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

BoxSpec box_spec(const languages::Language &language, const Limits &limits, bool network,
                 const ExecutionSettings &settings) {
    BoxSpec spec{language.image, limits, network, settings.runtime, settings.labels};
    spec.labels["org.sbx.language"] = language.name;
    return spec;
}

BoxSpec box_spec(const Request &q, const ExecutionSettings &settings) {
    return box_spec(*q.language, q.limits, q.network, settings);
}

std::unique_ptr<Box> ready_box(BoxSpec spec, const Boxes &boxes, const ExecutionSettings &settings) {
    const Clock::time_point deadline = Clock::now() + settings.setup_timeout;
    if (std::unique_ptr<Box> box = boxes.pool ? boxes.pool->take(spec) : nullptr)
        return box;
    std::unique_ptr<Box> box = boxes.backend.start(spec, deadline);
    InitChannel hello(*box, 0);
    if (std::optional<Failure> failure = hello.await_hello(deadline)) {
        if (boxes.reaper)
            boxes.reaper->dispose(std::move(box));
        throw SetupError(failure->message);
    }
    return box;
}

namespace {

// What one job on a ready box came to.
struct JobRun {
    std::optional<Failure> failure;
    std::vector<StageOutcome> stages;
    wire::FileList files;
    bool box_ok = false; // sbx-init ended the job and waits for the next
};

// Runs `job` on `box`, then reads back the files the request collects.
JobRun run_job(Box &box, const Request &q, const wire::Job &job,
               const ExecutionSettings &settings, const RunControl &control) {
    JobRun r;
    InitChannel channel(box, static_cast<uint64_t>(q.limits.max_output_bytes) * 2 + 65536);
    r.failure = channel.run(job, Clock::now() + stages_budget(job) + report_grace, control);
    r.box_ok = channel.idle() && channel.drained();
    // Not after a cancel or a failure of the box: the files may wait.
    if (r.box_ok && !r.failure && !q.collect.empty()) {
        const wire::Collect collect{q.collect, settings.collect_max_bytes,
                                    settings.collect_max_files, false};
        if (auto failure = channel.read_files(collect, Clock::now() + collect_timeout, r.files)) {
            r.failure = failure;
            r.box_ok = false;
        }
    }
    r.stages = std::move(channel).outcomes();
    return r;
}

void add_files(json::value &result, const Request &q, const JobRun &r) {
    if (q.collect.empty())
        return;
    json::object &o = result.as_object();
    o["files"] = files_json(r.files);
    o["files_truncated"] = r.files.entries_truncated;
    if (!r.files.error.empty())
        o["files_error"] = r.files.error;
}

// What the REPL did in this run, and a note when its state is gone; nothing
// when no cell ran.
void add_repl(json::value &result, const std::vector<StageOutcome> &stages) {
    const wire::StageReport *run = nullptr;
    for (const StageOutcome &s : stages)
        if (s.report.name == "run")
            run = &s.report;
    if (!run)
        return; // nothing ran: the interpreter is as it was
    const bool lost = run->interpreter_lost;
    json::object repl{{"fresh_state", run->interpreter_started}, {"state_reset", lost}};
    if (lost)
        repl["note"] = "the interpreter was stopped, so its state is gone; the next run of this "
                       "session starts with a fresh one";
    result.as_object()["repl"] = std::move(repl);
}

} // namespace

json::value execute(const Request &q, const Boxes &boxes, const ExecutionSettings &settings,
                    spdlog::logger &log, uint64_t queue_ms, const RunControl &control) {
    const Clock::time_point start = Clock::now();
    const std::string id = new_id();
    const wire::Job job = make_job(q);
    Timings timings;
    timings.queue = queue_ms;

    std::optional<Failure> failure;
    JobRun r;
    Handback handback{boxes, nullptr};
    try {
        // Fired while the run waited for a slot: no box is made for it.
        if (control.cancel && control.cancel->cancelled())
            throw Cancelled{};
        BoxSpec spec = box_spec(q, settings);
        spec.labels["org.sbx.run"] = id;
        handback.box = ready_box(std::move(spec), boxes, settings);
        timings.setup = ms_since(start);
        r = run_job(*handback.box, q, job, settings, control);
        failure = r.failure;
        handback.reusable = !failure && r.box_ok && ended_normally(r.stages);
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
    json::value result = make_result(id, q, r.stages, failure, timings);
    add_files(result, q, r);
    return result;
}

json::value execute_in_session(const Request &q, SessionLease &session,
                               const ExecutionSettings &settings, spdlog::logger &log,
                               uint64_t queue_ms, const RunControl &control) {
    const Clock::time_point start = Clock::now();
    const std::string id = new_id();
    const bool repl = session->options().repl;
    const std::optional<std::vector<std::string>> repl_argv =
        repl ? repl::interpreter_argv(q.language->name) : std::nullopt;
    const wire::Job job = make_job(q, repl_argv ? &*repl_argv : nullptr);
    Timings timings;
    timings.queue = queue_ms;

    std::optional<Failure> failure;
    std::optional<std::string> ended; // why this run ended the session
    JobRun r;
    // Fired while the run waited for its turn or a slot: the box is not touched.
    if (control.cancel && control.cancel->cancelled()) {
        failure = Failure{"cancelled", "the run was cancelled by the host before it started"};
    } else {
        session->check_open();
        try {
            r = run_job(session->box(), q, job, settings, control);
            failure = r.failure;
        } catch (const SetupError &e) {
            failure = Failure{"setup_error", e.what()};
        } catch (const wire::DecodeError &e) {
            failure =
                Failure{"internal_error", std::string("bad message from sbx-init: ") + e.what()};
        } catch (...) {
            session.fail("ended: a run on it failed inside sbx");
            throw;
        }
        if (!r.box_ok) {
            ended = "ended: its container failed during a run (" +
                    (failure ? failure->message : std::string("unknown reason")) + ")";
            session.fail(*ended);
        }
    }
    timings.total = ms_since(start);
    if (failure)
        log.warn("run {} ({}, session {}): {}: {}", id, q.language->name, session->id(),
                 failure->status, failure->message);
    json::value result = make_result(id, q, r.stages, failure, timings);
    add_files(result, q, r);
    json::object &o = result.as_object();
    o["session_id"] = session->id();
    if (repl)
        add_repl(result, r.stages);
    if (ended) {
        const std::string note = "the session " + *ended + "; later calls with its id fail";
        const json::value &message = o["error_message"];
        o["error_message"] = message.is_string() ? std::string(message.as_string()) + "; " + note
                                                 : note;
        if (repl)
            o["repl"] = json::object{{"fresh_state", false}, {"state_reset", true}, {"note", note}};
    }
    return result;
}

} // namespace sbx::runner
