// Hostile programs: CPU spin on many threads (cpus holds it), and sleeping
// past the time limit.
#include "integration/hostile.hpp"

namespace sbx::test {
namespace {

class HostileCpuTime : public Hostile {
protected:
    // Spins on 8 threads (more than the machine's cores) for ever.
    static constexpr const char *spin =
        "#include <pthread.h>\n"
        "static void *spin(void *arg) { for (;;) (void)arg; }\n"
        "int main(void) {\n"
        "    pthread_t t;\n"
        "    for (int i = 0; i < 7; ++i) pthread_create(&t, 0, spin, 0);\n"
        "    spin(0);\n"
        "}\n";

    // cpus holds the spin: the CPU time it got over its wall time stays near
    // the limit, and it ends at the time limit, not before.
    static void expect_held_to(double cpus) {
        const double time_s = 2;
        const Timed t = run("c", spin, {{"time_s", time_s}, {"cpus", cpus}});
        const json::object &r = t.result;
        ASSERT_EQ(str(r.at("compile").as_object(), "status"), "success") << dump(r);
        EXPECT_EQ(str(r, "status"), "timeout") << dump(r);
        EXPECT_EQ(r.at("signal"), json::value(9)) << dump(r);
        const double wall = number(r, "execution_time");
        const double cpu = number(r.at("resource_usage").as_object(), "cpu_time_ms") / 1000;
        EXPECT_GE(wall, time_s) << dump(r);
        EXPECT_LT(wall, time_s + 1.5) << dump(r);
        EXPECT_GT(cpu, 0) << dump(r);
        // gVisor reports its own accounting, which counts a thread's runnable
        // time, past the host's quota (8 threads at cpus 1: 6 s in 2 s). The
        // quota itself holds there too, as the engine applies it to the whole
        // sandbox (SECURITY.md: 0.50 CPUs read from the host's cpuacct).
        if (!under_gvisor())
            EXPECT_LE(cpu / wall, cpus * 1.5 + 0.2) << "cpu " << cpu << " s over " << wall << " s\n"
                                                << dump(r);
        expect_next_run_clean("c");
    }
};

TEST_F(HostileCpuTime, SpinOnManyThreadsIsHeldToHalfACpu) { expect_held_to(0.5); }

TEST_F(HostileCpuTime, SpinOnManyThreadsIsHeldToOneCpu) { expect_held_to(1); }

// With the most CPUs a run may have, the program gets CPU time faster than
// wall time: it must still run until its wall-clock limit.
TEST_F(HostileCpuTime, SpinOnManyThreadsWithTwoCpusRunsToTheTimeLimit) { expect_held_to(2); }

// sbx-init's RLIMIT_CPU is a backstop behind the wall-clock deadline. It
// counts the CPU time of all the program's threads, so it must leave room
// for every CPU the program may run on for the whole time limit: else a
// multithreaded program on an idle machine dies of SIGXCPU (signal 24,
// execution_error) before its deadline. (Was time_s + 1 s, whatever the
// CPUs: 8 threads with cpus 2 were killed at 1.5 s of a 2 s limit.) Under
// gVisor, which counts runnable time as CPU time, there is no backstop.
TEST_F(HostileCpuTime, CpuTimeBackstopLeavesRoomForEveryCpu) {
    const Timed t = run("python",
                        "import os, resource\n"
                        "soft, hard = resource.getrlimit(resource.RLIMIT_CPU)\n"
                        "cpus = len(os.sched_getaffinity(0))\n"
                        "if soft == resource.RLIM_INFINITY: print('none')\n"
                        "else: print('room' if soft >= 2 * cpus else 'NO ROOM: %d s for %d cpus' % "
                        "(soft, cpus))\n",
                        {{"time_s", 2}, {"cpus", 2}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), under_gvisor() ? "none\n" : "room\n") << dump(r);
}

TEST_F(HostileCpuTime, SleepPastTheLimitTimesOut) {
    const Timed t = run("bash", "echo going to sleep\nsleep 30\necho woke up\n", {{"time_s", 2}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "timeout") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "going to sleep\n") << dump(r);
    EXPECT_TRUE(r.at("exit_code").is_null()) << dump(r);
    EXPECT_EQ(r.at("signal"), json::value(9)) << dump(r);
    EXPECT_GE(number(r, "execution_time"), 2) << dump(r);
    EXPECT_LT(number(r, "execution_time"), 3.5) << dump(r);
    EXPECT_LT(t.seconds, 12) << "the call took " << t.seconds << " s";
    expect_next_run_clean("bash");
}

TEST_F(HostileCpuTime, BusyLoopInPythonTimesOut) {
    const Timed t = run("python", "while True:\n    pass\n", {{"time_s", 2}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "timeout") << dump(r);
    EXPECT_EQ(r.at("signal"), json::value(9)) << dump(r);
    EXPECT_GE(number(r, "execution_time"), 2) << dump(r);
    EXPECT_LT(number(r, "execution_time"), 3.5) << dump(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
