// Hostile programs: fork bombs, and processes that try to outlive the run.
#include "integration/hostile.hpp"

#include <unistd.h>

namespace sbx::test {
namespace {

class HostileProcesses : public Hostile {
protected:
    // The end of a run stopped at its time limit: sbx-init killed the tree.
    static void expect_timeout(const Timed &t, double time_s) {
        const json::object &r = t.result;
        EXPECT_EQ(str(r, "status"), "timeout") << dump(r);
        EXPECT_TRUE(r.at("exit_code").is_null()) << dump(r);
        EXPECT_EQ(r.at("signal"), json::value(9)) << dump(r);
        EXPECT_GE(number(r, "execution_time"), time_s) << dump(r);
        EXPECT_LT(number(r, "execution_time"), time_s + 1.5) << dump(r);
        EXPECT_LT(t.seconds, time_s + 10) << "the call took " << t.seconds << " s";
    }

    // A unique command line for a process left behind, to look for on the host.
    static std::vector<std::string> marker_argv() {
        return {"sleep", "900." + std::to_string(getpid())};
    }

    // The leftover process died with the run: under runc the host sees a
    // container's processes and none has the marker's command line (checked
    // right away: sbx-init kills them before it reports the stage, not the
    // container's removal later); under both runtimes the engine removes the
    // container, and every process in it, within seconds.
    static void expect_leftover_dead(const json::object &r) {
        if (!under_gvisor())
            EXPECT_TRUE(host_processes_running(marker_argv()).empty())
                << "a process of the run outlived it on the host";
        EXPECT_TRUE(container_of_run_gone(str(r, "id"))) << "the run's container remains";
    }
};

TEST_F(HostileProcesses, PythonForkLoopIsHeldByPidsAndTimesOut) {
    const Timed t = run("python",
                        "import os\n"
                        "while True:\n"
                        "    try:\n"
                        "        os.fork()\n"
                        "    except OSError:\n"
                        "        pass\n",
                        {{"time_s", 2}, {"pids", 32}});
    expect_timeout(t, 2);
    expect_next_run_clean("python");
}

TEST_F(HostileProcesses, BashForkBombEndsWithTheScript) {
    // The classic: the script returns at once, its bomb running in the
    // background; the run ends with the script and the bomb with it.
    const Timed t = run("bash", ":(){ :|:& };:\n", {{"time_s", 3}, {"pids", 32}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(r.at("exit_code"), json::value(0)) << dump(r);
    EXPECT_LT(number(r, "execution_time"), 3) << dump(r);
    expect_next_run_clean("bash");
}

TEST_F(HostileProcesses, BashForkBombWhileTheScriptLivesTimesOut) {
    const Timed t = run("bash", ":(){ :|:& };:\nwhile :; do :; done\n", {{"time_s", 2}, {"pids", 32}});
    expect_timeout(t, 2);
    expect_next_run_clean("bash");
}

TEST_F(HostileProcesses, CForkLoopTimesOut) {
    const Timed t = run("c",
                        "#include <unistd.h>\n"
                        "int main(void) { for (;;) fork(); }\n",
                        {{"time_s", 2}, {"pids", 32}});
    ASSERT_EQ(str(t.result.at("compile").as_object(), "status"), "success") << dump(t.result);
    expect_timeout(t, 2);
    expect_next_run_clean("c");
}

TEST_F(HostileProcesses, BackgroundChildDiesWithTheMainProcess) {
    const std::vector<std::string> argv = marker_argv();
    const Timed t = run("bash", argv[0] + " " + argv[1] + " &\necho started\n", {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(r.at("exit_code"), json::value(0)) << dump(r);
    EXPECT_EQ(str(r, "stdout"), "started\n") << dump(r);
    // It did not wait for the child (which holds stdout open) to end.
    EXPECT_LT(number(r, "execution_time"), 1.5) << dump(r);
    expect_leftover_dead(r);
    expect_next_run_clean("bash");
}

TEST_F(HostileProcesses, SetsidDoubleForkDaemonDiesWithTheMainProcess) {
    const std::vector<std::string> argv = marker_argv();
    // A daemon by the book: fork, setsid, fork again, ignore the usual stop
    // signals, close the inherited descriptors, then sleep on.
    const std::string code = "import os, signal\n"
                             "if os.fork() == 0:\n"
                             "    os.setsid()\n"
                             "    if os.fork() == 0:\n"
                             "        for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):\n"
                             "            signal.signal(s, signal.SIG_IGN)\n"
                             "        os.closerange(0, 3)\n"
                             "        os.execv('/bin/sleep', ['" + argv[0] + "', '" + argv[1] +
                             "'])\n"
                             "    os._exit(0)\n"
                             "os.wait()\n"
                             "print('daemon started')\n";
    const Timed t = run("python", code, {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "daemon started\n") << dump(r);
    EXPECT_LT(number(r, "execution_time"), 1.5) << dump(r);
    expect_leftover_dead(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
