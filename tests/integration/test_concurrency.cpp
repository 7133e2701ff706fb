// Many threads on one handle: sbx_execute is thread-safe, and every result
// belongs to its own request (no output, stdin, id or language crosses over
// between concurrent runs).
#include "integration/client.hpp"

#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace sbx::test {
namespace {

TEST(Concurrency, EightThreadsTimesTwentyFiveRunsOnOneHandle) {
    constexpr int threads = 8, runs = 25;
    // A warm pool smaller than the concurrency, so that runs also take cold
    // boxes and queue behind each other.
    Client client(R"({"pool": {"size": 4, "languages": ["bash"]}, "max_concurrency": 8})");
    const std::string salt = std::to_string(std::random_device{}());
    std::mutex mutex;
    std::vector<std::string> problems;
    std::set<std::string> ids, outputs;
    auto problem = [&](std::string text) {
        std::lock_guard lock(mutex);
        problems.push_back(std::move(text));
    };

    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int r = 0; r < runs; ++r) {
                const std::string token = "t" + std::to_string(t) + "-r" + std::to_string(r) +
                                          "-" + salt;
                // Mostly bash; every fifth run is python, so languages mix.
                const bool python = r % 5 == 4;
                json::object request{{"language", python ? "python" : "bash"},
                                     {"stdin", token + "\n"},
                                     {"args", json::array{token}}};
                request["code"] = python ? "import sys\nprint('out-' + input())\n"
                                           "print('err-' + sys.argv[1], file=sys.stderr)"
                                         : "read line; echo \"out-$line\"; echo \"err-$1\" >&2";
                try {
                    const json::object result = client.run(request);
                    const std::string status = str(result, "status");
                    if (status != "success" || str(result, "stdout") != "out-" + token + "\n" ||
                        str(result, "stderr") != "err-" + token + "\n" ||
                        str(result, "language") != (python ? "python" : "bash"))
                        problem(token + ": " + dump(result));
                    std::lock_guard lock(mutex);
                    if (!ids.insert(str(result, "id")).second)
                        problems.push_back(token + ": id given twice: " + str(result, "id"));
                    outputs.insert(str(result, "stdout"));
                } catch (const std::exception &e) {
                    problem(token + ": " + e.what());
                }
            }
        });
    for (std::thread &w : workers)
        w.join();

    for (const std::string &p : problems)
        ADD_FAILURE() << p;
    EXPECT_EQ(ids.size(), size_t{threads * runs});
    EXPECT_EQ(outputs.size(), size_t{threads * runs});
}

} // namespace
} // namespace sbx::test
