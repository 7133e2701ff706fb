#include "runner/result.hpp"

#include "util/utf8.hpp"

#include "util/json.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include <cmath>

namespace sbx::runner {
namespace json = boost::json;

namespace {

json::value nullable_int(bool present, int64_t value) {
    return present ? json::value(value) : json::value(nullptr);
}

double seconds(uint64_t ms) { return static_cast<double>(ms) / 1000.0; }

double megabytes(uint64_t kb) { return std::round(static_cast<double>(kb) / 1024.0 * 10) / 10; }

json::object stage_json(const StageOutcome &s, bool compile) {
    const wire::StageReport &r = s.report;
    return {{"status", stage_status(r, compile)},
            {"exit_code", nullable_int(r.started && r.signal == 0, r.exit_code)},
            {"signal", nullable_int(r.signal != 0, r.signal)},
            {"stdout", util::repair_utf8(s.stdout_data)},
            {"stderr", util::repair_utf8(s.stderr_data)},
            {"stdout_truncated", r.stdout_truncated},
            {"stderr_truncated", r.stderr_truncated},
            {"execution_time", seconds(r.wall_ms)}};
}

std::string stage_message(const std::string &status, const wire::StageReport &r,
                          const Request &q) {
    const std::string what = r.name == "compile" ? "compilation" : "the program";
    if (!r.started)
        return r.error;
    if (status == "timeout")
        return what + " ran past the time limit (" +
               util::serialize(json::value(r.name == "compile" ? q.limits.compile_time_s
                                                               : q.limits.time_s)) +
               " s) and was killed";
    if (status == "memory_limit")
        return what + " ran out of memory (limit " + std::to_string(q.limits.memory_mb) +
               " MB) and was killed";
    if (status == "output_limit")
        return what + " wrote more than " + std::to_string(q.limits.max_output_bytes) +
               " bytes of output and was stopped";
    if (status == "compile_error")
        return "compilation failed with exit code " + std::to_string(r.exit_code) +
               "; the compiler's messages are in compile.stderr";
    if (r.signal != 0)
        return what + " was killed by signal " + std::to_string(r.signal);
    return {};
}

} // namespace

std::string stage_status(const wire::StageReport &r, bool compile) {
    if (!r.started)
        return "setup_error";
    if (r.output_limited)
        return "output_limit";
    if (r.timed_out)
        return "timeout";
    if (r.oom_killed)
        return "memory_limit";
    if (r.exit_code == 0 && r.signal == 0)
        return "success";
    return compile ? "compile_error" : "execution_error";
}

json::value files_json(const wire::FileList &list) {
    namespace b64 = boost::beast::detail::base64;
    json::array files;
    for (const wire::FileEntry &f : list.files) {
        json::object file{{"path", util::repair_utf8(f.path)}, {"size", f.size},
                          {"returned", f.returned}};
        if (!f.returned) {
            file["encoding"] = nullptr;
            file["content"] = nullptr;
        } else if (util::is_valid_utf8(f.content)) {
            file["encoding"] = "utf-8";
            file["content"] = f.content;
        } else {
            std::string encoded(b64::encoded_size(f.content.size()), '\0');
            encoded.resize(b64::encode(encoded.data(), f.content.data(), f.content.size()));
            file["encoding"] = "base64";
            file["content"] = std::move(encoded);
        }
        files.push_back(std::move(file));
    }
    return files;
}

json::value make_result(const std::string &id, const Request &q,
                        const std::vector<StageOutcome> &stages,
                        const std::optional<Failure> &failure, const Timings &timings) {
    const bool has_compile = !q.language->compile.empty();
    const StageOutcome *compile = nullptr;
    const StageOutcome *run = nullptr;
    for (const StageOutcome &s : stages)
        (s.report.name == "compile" ? compile : run) = &s;

    // A failure means sbx-init never finished its report: it says why.
    std::string status = "internal_error";
    std::string message = "sbx-init reported no stage";
    const StageOutcome *last = run ? run : compile;
    if (failure) {
        status = failure->status;
        message = failure->message;
    } else if (last) {
        status = stage_status(last->report, last == compile);
        message = stage_message(status, last->report, q);
    }

    const wire::StageReport empty;
    const wire::StageReport &r = run ? run->report : empty;
    const uint64_t compile_ms = compile ? compile->report.wall_ms : 0;
    const uint64_t run_ms = run ? run->report.wall_ms : 0;
    return json::object{
        {"schema", "sbx.execute.result/1"},
        {"id", id},
        {"language", q.language->name},
        {"status", status},
        {"exit_code", nullable_int(run && r.started && r.signal == 0, r.exit_code)},
        {"signal", nullable_int(run && r.signal != 0, r.signal)},
        {"stdout", run ? util::repair_utf8(run->stdout_data) : std::string()},
        {"stderr", run ? util::repair_utf8(run->stderr_data) : std::string()},
        {"stdout_truncated", r.stdout_truncated},
        {"stderr_truncated", r.stderr_truncated},
        {"compile", has_compile && compile ? json::value(stage_json(*compile, true))
                                           : json::value(nullptr)},
        {"execution_time", seconds(run_ms)},
        {"error_message", message.empty() ? json::value(nullptr) : json::value(message)},
        {"oom_killed", status == "memory_limit"},
        {"timings_ms",
         {{"queue", timings.queue},
          {"setup", timings.setup},
          {"compile", compile_ms},
          {"run", run_ms},
          {"total", timings.total}}},
        {"resource_usage",
         {{"cpu_time_ms", r.cpu_ms}, {"memory_peak_mb", megabytes(r.memory_peak_kb)}}},
        {"limits_applied", to_json(q.limits)},
    };
}

} // namespace sbx::runner
