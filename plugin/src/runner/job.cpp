#include "runner/job.hpp"

#include "runner/docker_backend.hpp"

#include <cmath>

namespace sbx::runner {

namespace {

uint32_t to_ms(double seconds) { return static_cast<uint32_t>(std::llround(seconds * 1000)); }

// A predictable environment: the image's defaults, then the language's, then
// the request's.
std::vector<std::string> make_env(const Request &q) {
    std::map<std::string, std::string> env{
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"HOME", "/tmp"},
        {"TMPDIR", "/tmp"},
        {"LANG", "C.UTF-8"},
        {"LC_ALL", "C.UTF-8"},
    };
    for (const auto &[k, v] : q.language->env)
        env[k] = v;
    for (const auto &[k, v] : q.env)
        env[k] = v;
    std::vector<std::string> out;
    for (const auto &[k, v] : env)
        out.push_back(k + "=" + v);
    return out;
}

} // namespace

wire::Job make_job(const Request &q, const std::vector<std::string> *repl_argv) {
    wire::Job job;
    if (!repl_argv)
        job.files.push_back({q.language->source_file, q.code, 0644});
    for (const InputFile &f : q.files)
        job.files.push_back({f.path, f.content, 0644});
    job.stdin_data = q.stdin_data;
    job.env = make_env(q);
    if (repl_argv) {
        job.stages.push_back({"run", *repl_argv, to_ms(q.limits.time_s), true, true, q.code});
    } else {
        if (!q.language->compile.empty())
            job.stages.push_back(
                {"compile", q.language->compile, to_ms(q.limits.compile_time_s), false, false, {}});
        std::vector<std::string> run = q.language->run;
        run.insert(run.end(), q.args.begin(), q.args.end());
        job.stages.push_back({"run", std::move(run), to_ms(q.limits.time_s), true, false, {}});
    }
    job.max_output_bytes = static_cast<uint64_t>(q.limits.max_output_bytes);
    job.max_file_bytes = static_cast<uint64_t>(q.limits.disk_mb) << 20;
    job.workdir = workspace_dir;
    return job;
}

wire::Job files_job(std::vector<wire::File> files) {
    wire::Job job;
    job.files = std::move(files);
    job.workdir = workspace_dir;
    return job;
}

} // namespace sbx::runner
