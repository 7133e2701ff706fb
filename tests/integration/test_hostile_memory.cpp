// Hostile programs: memory bombs, in one thread and in many.
#include "integration/hostile.hpp"

namespace sbx::test {
namespace {

class HostileMemory : public Hostile {
protected:
    static constexpr int memory_mb = 64;

    static json::object limits() { return {{"memory_mb", memory_mb}, {"time_s", 10}}; }

    static void expect_memory_limit(const Timed &t) {
        const json::object &r = t.result;
        EXPECT_EQ(str(r, "status"), "memory_limit") << dump(r);
        EXPECT_TRUE(r.at("oom_killed").as_bool()) << dump(r);
        EXPECT_EQ(str(r, "stdout"), "") << dump(r);
        // Killed for memory long before the time limit.
        EXPECT_LT(number(r, "execution_time"), 10) << dump(r);
        // Peak RSS also counts shared file pages (the interpreter, libc)
        // that the cgroup may not have been charged for: near the limit.
        EXPECT_LE(number(r.at("resource_usage").as_object(), "memory_peak_mb"), memory_mb + 16)
            << dump(r);
    }
};

TEST_F(HostileMemory, PythonMemoryBombIsMemoryLimit) {
    const Timed t = run("python",
                        "chunks = []\n"
                        "while True:\n"
                        "    chunks.append(b'x' * (1 << 20))\n"
                        "print('survived')\n",
                        limits());
    expect_memory_limit(t);
    expect_next_run_clean("python");
}

TEST_F(HostileMemory, CMallocAndTouchIsMemoryLimit) {
    const Timed t = run("c",
                        "#include <stdio.h>\n"
                        "#include <stdlib.h>\n"
                        "#include <string.h>\n"
                        "int main(void) {\n"
                        "    for (;;) {\n"
                        "        char *p = malloc(1 << 20);\n"
                        "        if (!p) { puts(\"malloc failed\"); return 1; }\n"
                        "        memset(p, 1, 1 << 20);\n"
                        "    }\n"
                        "}\n",
                        limits());
    ASSERT_EQ(str(t.result.at("compile").as_object(), "status"), "success") << dump(t.result);
    expect_memory_limit(t);
    expect_next_run_clean("c");
}

TEST_F(HostileMemory, MemoryBombOnManyThreadsIsMemoryLimit) {
    const Timed t = run("c",
                        "#include <pthread.h>\n"
                        "#include <stdlib.h>\n"
                        "#include <string.h>\n"
                        "static void *eat(void *arg) {\n"
                        "    (void)arg;\n"
                        "    for (;;) {\n"
                        "        char *p = malloc(256 << 10);\n"
                        "        if (p) memset(p, 1, 256 << 10);\n"
                        "    }\n"
                        "}\n"
                        "int main(void) {\n"
                        "    pthread_t t;\n"
                        "    for (int i = 0; i < 16; ++i) pthread_create(&t, 0, eat, 0);\n"
                        "    eat(0);\n"
                        "}\n",
                        limits());
    ASSERT_EQ(str(t.result.at("compile").as_object(), "status"), "success") << dump(t.result);
    expect_memory_limit(t);
    expect_next_run_clean("c");
}

} // namespace
} // namespace sbx::test
