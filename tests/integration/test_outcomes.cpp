// How runs end: each status of the contract, produced by a real program.
#include "integration/client.hpp"

#include <chrono>

namespace sbx::test {
namespace {

class Outcomes : public SharedClient {
protected:
    static json::object python(const std::string &code, json::object limits = {}) {
        json::object request{{"language", "python"}, {"code", code}};
        if (!limits.empty())
            request["limits"] = std::move(limits);
        return client_->run(request);
    }
};

TEST_F(Outcomes, SystemExitIsExecutionErrorWithItsCode) {
    const json::object r = python("raise SystemExit(7)");
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_EQ(r.at("exit_code").as_int64(), 7) << dump(r);
    EXPECT_TRUE(r.at("signal").is_null()) << dump(r);
}

TEST_F(Outcomes, ExceptionTracebackIsOnStderr) {
    const json::object r = python("print('before')\n1/0\n");
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "before\n") << dump(r);
    EXPECT_NE(str(r, "stderr").find("ZeroDivisionError"), std::string::npos) << dump(r);
}

TEST_F(Outcomes, SleepPastTheLimitTimesOutQuickly) {
    const auto start = std::chrono::steady_clock::now();
    const json::object r = python("import time\ntime.sleep(10)", {{"time_s", 2}});
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(str(r, "status"), "timeout") << dump(r);
    EXPECT_LT(elapsed, 5.0) << "the call took " << elapsed << " s";
    EXPECT_FALSE(r.at("error_message").is_null()) << dump(r);
}

TEST_F(Outcomes, HugeAllocationIsMemoryLimit) {
    const json::object r = python("x = [1] * 10**9\nprint('survived')", {{"memory_mb", 64}});
    EXPECT_EQ(str(r, "status"), "memory_limit") << dump(r);
    EXPECT_TRUE(r.at("oom_killed").as_bool()) << dump(r);
    EXPECT_EQ(str(r, "stdout"), "") << dump(r);
}

TEST_F(Outcomes, EndlessOutputIsStoppedAtTheCap) {
    const json::object r =
        python("while True:\n    print('x' * 100)", {{"max_output_bytes", 10000}});
    EXPECT_EQ(str(r, "status"), "output_limit") << dump(r);
    EXPECT_LE(str(r, "stdout").size(), 10000u);
    EXPECT_GT(str(r, "stdout").size(), 0u);
    EXPECT_TRUE(r.at("stdout_truncated").as_bool()) << dump(r);
}

TEST_F(Outcomes, ForkBombIsContainedAndTheNextRunSucceeds) {
    const json::object bomb = python("import os\nwhile True:\n    try:\n        os.fork()\n"
                                     "    except OSError:\n        pass\n",
                                     {{"time_s", 3}});
    EXPECT_EQ(str(bomb, "status"), "timeout") << dump(bomb);
    const json::object next = python("print('fine')");
    EXPECT_EQ(str(next, "status"), "success") << dump(next);
    EXPECT_EQ(str(next, "stdout"), "fine\n") << dump(next);
}

TEST_F(Outcomes, InvalidUtf8IsReplaced) {
    const json::object r = python("import sys\nsys.stdout.buffer.write(b'a\\xffb\\n')");
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "a\xEF\xBF\xBD" "b\n") << dump(r);
}

TEST_F(Outcomes, ResultCarriesTimingsAndLimits) {
    const json::object r = python("print(1)", {{"time_s", 5}, {"memory_mb", 128}});
    EXPECT_EQ(str(r, "schema"), "sbx.execute.result/1");
    EXPECT_EQ(r.at("limits_applied").at("time_s").to_number<double>(), 5);
    EXPECT_EQ(r.at("limits_applied").at("memory_mb").to_number<double>(), 128);
    EXPECT_GT(r.at("timings_ms").at("total").to_number<double>(), 0);
    EXPECT_GT(r.at("resource_usage").at("memory_peak_mb").to_number<double>(), 0);
}

TEST_F(Outcomes, MissingImageIsSetupErrorNamingIt) {
    Client custom(R"({"images": {"python": "sbx/does-not-exist:latest"}})");
    const json::object r =
        custom.run(json::object{{"language", "python"}, {"code", "print(1)"}});
    EXPECT_EQ(str(r, "status"), "setup_error") << dump(r);
    EXPECT_NE(str(r, "error_message").find("sbx/does-not-exist:latest"), std::string::npos)
        << dump(r);
    EXPECT_NE(str(r, "error_message").find("build-images"), std::string::npos) << dump(r);
}

TEST_F(Outcomes, UnreachableEngineIsSetupError) {
    Client custom(R"({"docker_host": "unix:///nonexistent/docker.sock"})");
    const json::object r =
        custom.run(json::object{{"language", "python"}, {"code", "print(1)"}});
    EXPECT_EQ(str(r, "status"), "setup_error") << dump(r);
    EXPECT_NE(str(r, "error_message").find("/nonexistent/docker.sock"), std::string::npos)
        << dump(r);
}

} // namespace
} // namespace sbx::test
