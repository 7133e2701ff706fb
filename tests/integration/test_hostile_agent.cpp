// Hostile programs against the agent, sbx-init (PID 1 of the container), and
// its channel to the plugin: signals, its descriptors, closing the output
// early, and large inputs.
#include "integration/hostile.hpp"

#include <array>
#include <cstdint>

namespace sbx::test {
namespace {

uint32_t crc32(const std::string &data) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data)
        c = table[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

class HostileAgent : public Hostile {};

TEST_F(HostileAgent, SignalsToInitAreRefusedAndTheRunReports) {
    // sbx-init keeps a real and saved uid that no stage has, so the kernel
    // refuses every signal a stage sends it (EPERM), SIGKILL and SIGSTOP
    // included, under runc and under gVisor alike. (Before, same uid: runc
    // dropped them silently, PID 1 of a namespace; gVisor delivered them and
    // init died or stopped.) SIGCONT is the one signal the kernel lets
    // through within a session whatever the uids; it does nothing to a
    // process that is not stopped, and init cannot be stopped. kill -1
    // reaches every process but init.
    const Timed t = run("bash",
                        "sent=\n"
                        "for s in KILL STOP TERM INT HUP QUIT ABRT SEGV BUS USR1 USR2 PIPE ALRM CHLD "
                        "XFSZ XCPU CONT; do\n"
                        "    kill -$s 1 2>/dev/null && sent+=\" $s\"\n"
                        "done\n"
                        "echo \"init took:${sent:- nothing}\"\n"
                        "kill -9 -1 2>/dev/null\n"
                        "sleep 0.3\n"
                        "echo still reporting\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "init took: CONT\nstill reporting\n") << dump(r);
    EXPECT_LT(number(r, "execution_time"), 3) << dump(r);
    expect_next_run_clean("bash");
}

TEST_F(HostileAgent, InitsDescriptorsAndMemoryAreOutOfReach) {
    // The channel is init's fd 0 and 1. sbx-init is not dumpable, so neither
    // /proc/1/fd, nor ptrace, nor pidfd_getfd reaches them.
    const Timed t = run("python",
                        "import ctypes, errno, os\n"
                        "libc = ctypes.CDLL(None, use_errno=True)\n"
                        "def report(what, ok, err=0):\n"
                        "    print(what, 'GOT' if ok else 'refused')\n"
                        "for fd, mode in ((0, os.O_RDONLY), (0, os.O_WRONLY), (1, os.O_WRONLY),\n"
                        "                 (1, os.O_RDONLY), (2, os.O_WRONLY)):\n"
                        "    try:\n"
                        "        f = os.open('/proc/1/fd/%d' % fd, mode)\n"
                        "        if mode == os.O_WRONLY: os.write(f, b'\\0\\0\\0\\x05\\x07oops')\n"
                        "        report('open fd %d' % fd, True)\n"
                        "    except OSError:\n"
                        "        report('open fd %d' % fd, False)\n"
                        "report('ptrace attach', libc.ptrace(16, 1, 0, 0) == 0)\n"
                        "report('ptrace seize', libc.ptrace(0x4206, 1, 0, 0) == 0)\n"
                        "pidfd = libc.syscall(434, 1, 0)\n"
                        "report('pidfd_getfd', pidfd >= 0 and libc.syscall(438, pidfd, 1, 0) >= 0)\n"
                        "print('still reporting')\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "open fd 0 refused\nopen fd 0 refused\nopen fd 1 refused\n"
                                "open fd 1 refused\nopen fd 2 refused\n"
                                "ptrace attach refused\nptrace seize refused\n"
                                "pidfd_getfd refused\nstill reporting\n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileAgent, ClosingStdoutEarlyDoesNotEndTheRun) {
    // The run ends when the program does, not when its output closes.
    const Timed t = run("python",
                        "import os, sys, time\n"
                        "print('before', flush=True)\n"
                        "print('err', file=sys.stderr, flush=True)\n"
                        "os.close(1)\n"
                        "os.close(2)\n"
                        "time.sleep(0.5)\n"
                        "os._exit(3)\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_EQ(r.at("exit_code"), json::value(3)) << dump(r);
    EXPECT_EQ(str(r, "stdout"), "before\n") << dump(r);
    EXPECT_EQ(str(r, "stderr"), "err\n") << dump(r);
    EXPECT_GE(number(r, "execution_time"), 0.5) << dump(r);
    EXPECT_LT(number(r, "execution_time"), 3) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileAgent, TenMegabytesOfStdinArriveIntact) {
    std::string input;
    input.reserve(10 << 20);
    uint32_t x = 12345;
    while (input.size() < (10u << 20)) {
        x = x * 1103515245u + 12345u;
        input.push_back(static_cast<char>(' ' + (x >> 16) % 95));
        if ((x >> 8) % 61 == 0)
            input.push_back('\n');
    }
    const Timed t = run("python",
                        "import sys, zlib\n"
                        "data = sys.stdin.buffer.read()\n"
                        "print(len(data), zlib.crc32(data))\n",
                        {{"time_s", 10}}, {{"stdin", input}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"),
              std::to_string(input.size()) + " " + std::to_string(crc32(input)) + "\n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileAgent, AThousandSmallFilesArriveIntact) {
    json::array files;
    for (int i = 0; i < 1000; ++i)
        files.push_back(json::object{
            {"path", "d" + std::to_string(i % 10) + "/f" + std::to_string(i) + ".txt"},
            {"content", "file " + std::to_string(i) + "\n"}});
    const Timed t = run("python",
                        "import os\n"
                        "seen, bad = 0, []\n"
                        "for root, dirs, names in os.walk('.'):\n"
                        "    for n in names:\n"
                        "        if n == 'main.py': continue\n"
                        "        seen += 1\n"
                        "        i = int(n[1:-4])\n"
                        "        want = 'file %d\\n' % i\n"
                        "        if root != './d%d' % (i % 10) or open(os.path.join(root, n)).read() "
                        "!= want:\n"
                        "            bad.append(n)\n"
                        "print(seen, 'files', 'bad: %s' % bad if bad else 'all intact')\n",
                        {{"time_s", 10}}, {{"files", std::move(files)}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "1000 files all intact\n") << dump(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
