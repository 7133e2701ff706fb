// Hostile programs: output floods, one endless line, bytes that are not text.
#include "integration/hostile.hpp"

namespace sbx::test {
namespace {

class HostileOutput : public Hostile {
protected:
    static constexpr int64_t cap = 10000;

    static json::object limits() { return {{"max_output_bytes", cap}, {"time_s", 3}}; }

    // Stopped at the cap, at once (not at the time limit).
    static void expect_output_limit(const json::object &r) {
        EXPECT_EQ(str(r, "status"), "output_limit") << dump(r);
        EXPECT_LT(number(r, "execution_time"), 2) << dump(r);
        EXPECT_FALSE(r.at("error_message").is_null()) << dump(r);
    }

    // The number of code points of a UTF-8 string.
    static size_t code_points(const std::string &s) {
        size_t n = 0;
        for (unsigned char c : s)
            n += (c & 0xC0) != 0x80;
        return n;
    }
};

TEST_F(HostileOutput, StdoutFloodIsCutAtTheCap) {
    const Timed t = run("python",
                        "import sys\n"
                        "while True:\n"
                        "    sys.stdout.write('o' * 65536)\n",
                        limits());
    const json::object &r = t.result;
    expect_output_limit(r);
    EXPECT_EQ(str(r, "stdout"), std::string(cap, 'o')) << "stdout of " << str(r, "stdout").size();
    EXPECT_TRUE(r.at("stdout_truncated").as_bool()) << dump(r);
    EXPECT_EQ(str(r, "stderr"), "");
    expect_next_run_clean("python");
}

TEST_F(HostileOutput, StderrFloodIsCutAtTheCap) {
    const Timed t = run("python",
                        "import sys\n"
                        "while True:\n"
                        "    sys.stderr.write('e' * 65536)\n",
                        limits());
    const json::object &r = t.result;
    expect_output_limit(r);
    EXPECT_EQ(str(r, "stderr"), std::string(cap, 'e')) << "stderr of " << str(r, "stderr").size();
    EXPECT_TRUE(r.at("stderr_truncated").as_bool()) << dump(r);
    EXPECT_EQ(str(r, "stdout"), "");
    expect_next_run_clean("python");
}

TEST_F(HostileOutput, BothStreamsShareOneCap) {
    const Timed t = run("c",
                        "#include <unistd.h>\n"
                        "int main(void) {\n"
                        "    char o[4096], e[4096];\n"
                        "    for (int i = 0; i < 4096; ++i) { o[i] = 'o'; e[i] = 'e'; }\n"
                        "    for (;;) {\n"
                        "        write(1, o, sizeof o);\n"
                        "        write(2, e, sizeof e);\n"
                        "    }\n"
                        "}\n",
                        limits());
    const json::object &r = t.result;
    expect_output_limit(r);
    const std::string out = str(r, "stdout"), err = str(r, "stderr");
    EXPECT_EQ(out.size() + err.size(), static_cast<size_t>(cap)) << dump(r);
    EXPECT_EQ(out.find_first_not_of('o'), std::string::npos);
    EXPECT_EQ(err.find_first_not_of('e'), std::string::npos);
    EXPECT_TRUE(r.at("stdout_truncated").as_bool() || r.at("stderr_truncated").as_bool())
        << dump(r);
    expect_next_run_clean("c");
}

TEST_F(HostileOutput, OneHugeLineWithoutNewlineIsCutAtTheCap) {
    // 64 MB in one write, no newline anywhere.
    const Timed t = run("python",
                        "import sys\n"
                        "sys.stdout.write('L' * (64 << 20))\n"
                        "sys.stdout.flush()\n",
                        {{"max_output_bytes", 100000}, {"time_s", 3}, {"memory_mb", 256}});
    const json::object &r = t.result;
    expect_output_limit(r);
    EXPECT_EQ(str(r, "stdout"), std::string(100000, 'L'))
        << "stdout of " << str(r, "stdout").size();
    EXPECT_TRUE(r.at("stdout_truncated").as_bool()) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileOutput, InvalidUtf8AndNulBytesAreReplacedOrKept) {
    const Timed t = run("python",
                        "import sys\n"
                        "sys.stdout.buffer.write(b'a\\x00b\\xffc\\xc3(d\\xed\\xa0\\x80e\\n')\n"
                        "sys.stderr.buffer.write(b'\\x00\\x80\\xfe\\n')\n");
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    // NUL is a valid code point and stays; each maximal invalid subpart
    // becomes one U+FFFD.
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(str(r, "stdout"), std::string("a\0b", 3) + fffd + "c" + fffd + "(d" + fffd + fffd +
                                    fffd + "e\n")
        << dump(r);
    EXPECT_EQ(str(r, "stderr"), std::string("\0", 1) + fffd + fffd + "\n") << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileOutput, RandomBinaryFloodIsCappedAndStillText) {
    const Timed t = run("python",
                        "import os, sys\n"
                        "while True:\n"
                        "    sys.stdout.buffer.write(os.urandom(65536))\n",
                        limits());
    const json::object &r = t.result;
    expect_output_limit(r);
    // The client parsed the result as JSON (so its strings are valid UTF-8);
    // every byte became at most one code point.
    EXPECT_LE(code_points(str(r, "stdout")), static_cast<size_t>(cap));
    EXPECT_GT(code_points(str(r, "stdout")), 0u);
    EXPECT_TRUE(r.at("stdout_truncated").as_bool()) << dump(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
