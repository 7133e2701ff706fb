// Where the time of one cold run goes: the steps of the plugin's cold path,
// timed one by one with the plugin's own engine client and container spec.
//
//   sbx_bench_phases [runs=30] [image=sbx/python:latest]
//
// Per run: POST /containers/create, the attach hijack, POST .../start, the
// hello of sbx-init, one job (python print(1): send it, read until job_end),
// then DELETE ?force=1 (which the plugin does off the caller's path). Prints
// one JSON document with p50/p90 of each step. Talks to the local engine
// only. Needs the image and a built sbx-init.
#include "docker/engine.hpp"
#include "protocol/wire.hpp"
#include "runner/docker_backend.hpp"
#include "util/json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

namespace json = boost::json;
using namespace sbx;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double ms(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

wire::Job print_one() {
    wire::Job job;
    job.files.push_back({"main.py", "print(1)\n", 0644});
    job.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
               "TMPDIR=/tmp", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"};
    job.stages.push_back({"run", {"python3", "main.py"}, 30000, true});
    job.max_output_bytes = 100000;
    job.max_file_bytes = 64u << 20;
    job.workdir = runner::workspace_dir;
    return job;
}

// Reads frames from the attach stream until one of type `until` arrives.
void read_until(docker::AttachStream &stream, docker::Demuxer &demux, wire::FrameReader &reader,
                wire::MsgType until) {
    const auto deadline = Clock::now() + 30s;
    for (;;) {
        while (auto frame = reader.next()) {
            if (frame->type == until)
                return;
            if (frame->type == wire::MsgType::fatal)
                throw std::runtime_error("sbx-init: " + wire::decode_string(frame->body));
        }
        std::string raw;
        if (!stream.read_some(raw, deadline) || Clock::now() >= deadline)
            throw std::runtime_error("the attach stream closed or timed out");
        demux.feed(raw, [&](uint8_t s, std::string_view bytes) {
            if (s == 1)
                reader.feed(bytes);
        });
    }
}

json::object percentiles(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        return std::round(v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))] * 10) / 10;
    };
    return {{"p50_ms", at(0.5)}, {"p90_ms", at(0.9)}, {"min_ms", std::round(v.front() * 10) / 10}};
}

} // namespace

int main(int argc, char **argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 30;
    const std::string image = argc > 2 ? argv[2] : "sbx/python:latest";
    docker::Engine engine(docker::default_endpoint());
    runner::BoxSpec spec;
    spec.image = image;
    spec.labels = {{"org.sbx.managed", "1"}, {"org.sbx.bench", "phases"}};
    const std::string body = util::serialize(runner::container_spec(spec, SBX_BENCH_INIT_PATH));
    const std::string job_frame = wire::encode_frame(wire::MsgType::job, wire::encode_job(print_one()));

    const char *names[] = {"create", "attach", "start", "hello", "job", "remove"};
    std::map<std::string, std::vector<double>> samples;
    std::vector<double> to_result, with_remove;
    for (int i = 0; i < runs + 1; ++i) { // the first run warms caches and is dropped
        const auto t0 = Clock::now();
        const docker::Response created =
            engine.checked("POST", "/containers/create", body, 30s);
        const std::string id(created.json().at("Id").as_string());
        const auto t1 = Clock::now();
        auto stream = engine.attach(id, 30s);
        const auto t2 = Clock::now();
        engine.checked("POST", "/containers/" + id + "/start", std::nullopt, 30s);
        const auto t3 = Clock::now();
        docker::Demuxer demux;
        wire::FrameReader reader;
        read_until(*stream, demux, reader, wire::MsgType::hello);
        const auto t4 = Clock::now();
        stream->write(job_frame, Clock::now() + 30s);
        read_until(*stream, demux, reader, wire::MsgType::job_end);
        const auto t5 = Clock::now();
        engine.request("DELETE", "/containers/" + id + "?force=1&v=1", std::nullopt, 30s);
        stream->close();
        const auto t6 = Clock::now();
        if (i == 0)
            continue;
        const Clock::time_point marks[] = {t0, t1, t2, t3, t4, t5, t6};
        for (int p = 0; p < 6; ++p)
            samples[names[p]].push_back(ms(marks[p], marks[p + 1]));
        to_result.push_back(ms(t0, t5));
        with_remove.push_back(ms(t0, t6));
    }
    json::object phases;
    for (const char *name : names)
        phases[name] = percentiles(samples[name]);
    const json::object out{{"benchmark", "cold run phases, python print(1)"},
                           {"image", image},
                           {"runs", runs},
                           {"phases", std::move(phases)},
                           {"create_to_job_end", percentiles(to_result)},
                           {"create_to_removed", percentiles(with_remove)}};
    std::puts(json::serialize(out).c_str());
    return 0;
}
