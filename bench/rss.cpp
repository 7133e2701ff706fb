// Plugin memory over many runs: the resident set size of a host process
// (libsbx.so loaded, one sandbox) after 50 runs and after 500 runs. Growth
// between the two is a leak or unbounded caching; the goal is under 5 MB.
//
//   sbx_bench_rss [runs=500] [threads=2]
//
// Prints one JSON document:
//   {"runs": 500, "rss_after_50_kb": ..., "rss_after_500_kb": ..., "delta_kb": ...}
// Needs the engine and the sbx/bash image (scripts/bootstrap).
#include <sbx/sbx.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

long rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

// Runs `count` bash runs over `threads` threads; every run must succeed.
bool run_many(sbx_sandbox *sb, int count, int threads, std::atomic<int> &serial) {
    std::atomic<int> left{count};
    std::atomic<bool> ok{true};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            while (left.fetch_sub(1) > 0) {
                const int n = serial.fetch_add(1);
                const std::string request = R"({"language":"bash","code":"echo run )" +
                                            std::to_string(n) + R"(; echo err >&2","stdin":"x"})";
                char *result = nullptr, *error = nullptr;
                if (sbx_execute(&result, sb, request.c_str(), nullptr, &error) != SBX_OK ||
                    !std::strstr(result, "\"status\":\"success\"")) {
                    std::fprintf(stderr, "run %d failed: %s\n", n, error ? error : result);
                    ok = false;
                }
                sbx_string_free(result);
                sbx_string_free(error);
            }
        });
    for (std::thread &w : workers)
        w.join();
    return ok;
}

} // namespace

int main(int argc, char **argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 500;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    const int first = 50;
    if (runs <= first || threads < 1) {
        std::fprintf(stderr, "usage: sbx_bench_rss [runs > 50] [threads >= 1]\n");
        return 2;
    }
    uint32_t abi = SBX_ABI_VERSION;
    sbx_sandbox *sb = nullptr;
    char *error = nullptr;
    if (sbx_negotiate_abi(&abi) != SBX_OK ||
        sbx_create(&sb, R"({"pool":{"size":2,"languages":["bash"]},"log_level":"error"})",
                   nullptr, &error) != SBX_OK) {
        std::fprintf(stderr, "sbx_create: %s\n", error ? error : "ABI mismatch");
        sbx_string_free(error);
        return 1;
    }
    std::atomic<int> serial{0};
    bool ok = run_many(sb, first, threads, serial);
    const long after_first = rss_kb();
    ok = run_many(sb, runs - first, threads, serial) && ok;
    const long after_all = rss_kb();
    sbx_destroy(sb);
    std::printf("{\"runs\": %d, \"threads\": %d, \"rss_after_%d_kb\": %ld, \"rss_after_%d_kb\": %ld, "
                "\"delta_kb\": %ld}\n",
                runs, threads, first, after_first, runs, after_all, after_all - after_first);
    return ok ? 0 : 1;
}
