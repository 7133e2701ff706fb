// Recycle mode: one pool container serves several runs, and nothing of one
// run reaches the next. With a pool of one and runs one after another, each
// run lands in the container the previous one used (the tests check that
// first, by hostname), unless that run retired it.
#include "integration/pool_support.hpp"

#include <algorithm>
#include <atomic>
#include <future>

namespace sbx::test {
namespace {

const std::string bash_image = "sbx/bash:latest";

class Recycle : public ::testing::Test {
protected:
    // Pool profiles are per limits: `defaults` sets those of the warm one.
    void start(int size = 1, int max_runs = 50, const std::string &defaults = "{}") {
        client_.reset();
        client_ = std::make_unique<Client>(
            R"({"pool": {"size": )" + std::to_string(size) +
            R"(, "languages": ["bash"], "recycle": true, "max_runs": )" +
            std::to_string(max_runs) + R"(}, "max_concurrency": 8, "defaults": )" + defaults +
            "}");
        ASSERT_TRUE(pool_ready(*client_, bash_image, size));
    }
    void SetUp() override { start(); }

    json::object run(const std::string &code, json::object extra = {}) {
        return bash(*client_, code, std::move(extra));
    }

    // Runs `code` and checks it succeeded in the container `host`.
    json::object run_in(const std::string &host, const std::string &code, json::object extra = {}) {
        json::object r = run(code, std::move(extra));
        EXPECT_EQ(str(r, "status"), "success") << dump(r);
        EXPECT_EQ(first_line(r), host) << "not the same container: recycling did not happen";
        return r;
    }

    // The rest of stdout after the hostname line.
    static std::string rest(const json::object &r) {
        const std::string out = str(r, "stdout");
        const size_t nl = out.find('\n');
        return nl == std::string::npos ? std::string() : out.substr(nl + 1);
    }

    std::unique_ptr<Client> client_;
};

TEST_F(Recycle, FilesInEveryWritablePlaceAreGone) {
    const json::object before = run("hostname; stat -c %a /workspace");
    ASSERT_EQ(str(before, "status"), "success") << dump(before);
    const std::string host = first_line(before);

    const json::object dirty = run_in(host, R"(hostname
for d in /workspace /tmp /var/tmp /dev/shm /dev/mqueue; do
  touch $d/.probe 2>/dev/null && echo "writable $d"
done
echo data > /workspace/.hidden
mkdir -p /workspace/sub/deeper && echo x > /workspace/sub/deeper/f && chmod 000 /workspace/sub
echo data > /tmp/left; mkfifo /tmp/fifo; ln -s /etc/passwd /tmp/link; mkdir /tmp/dir
echo data > /dev/shm/left; touch /dev/mqueue/queue
chmod 700 /workspace
)");
    for (const char *place : {"/workspace", "/tmp", "/dev/shm", "/dev/mqueue"})
        EXPECT_NE(rest(dirty).find(std::string("writable ") + place + "\n"), std::string::npos)
            << place << " was not written: " << dump(dirty);

    const json::object after =
        run_in(host, "hostname; stat -c %a /workspace; "
                     "find /workspace /tmp /var/tmp /dev/shm /dev/mqueue -mindepth 1 "
                     "! -path /workspace/main.sh 2>&1; echo end");
    EXPECT_EQ(rest(after), rest(before) + "end\n") << dump(after);
}

TEST_F(Recycle, BackgroundProcessesAreGone) {
    const json::object dirty = run(R"(hostname
setsid sleep 300 > /dev/null 2>&1 < /dev/null &
nohup sleep 301 > /dev/null 2>&1 &
(trap '' TERM HUP INT; exec sleep 302) > /dev/null 2>&1 &
echo started)");
    ASSERT_EQ(str(dirty, "status"), "success") << dump(dirty);
    const json::object after = run_in(
        first_line(dirty),
        "hostname; for p in /proc/[0-9]*; do echo \"${p#/proc/} $(cat $p/comm)\"; done 2>/dev/null");
    EXPECT_EQ(rest(after).find("sleep"), std::string::npos) << dump(after);
    EXPECT_EQ(rest(after).substr(0, 2), "1 ") << dump(after);
}

TEST_F(Recycle, SysVSharedMemorySemaphoresAndQueuesAreGone) {
    const std::string count =
        "for k in shm sem msg; do echo \"$k $(($(wc -l < /proc/sysvipc/$k) - 1))\"; done";
    const json::object dirty = run("hostname; ipcmk -M 4096 >/dev/null; ipcmk -M 8192 -p 000 "
                                   ">/dev/null; ipcmk -S 3 >/dev/null; ipcmk -Q >/dev/null; " +
                                   count);
    ASSERT_EQ(str(dirty, "status"), "success") << dump(dirty);
    ASSERT_EQ(rest(dirty), "shm 2\nsem 1\nmsg 1\n") << dump(dirty);
    const json::object after = run_in(first_line(dirty), "hostname; " + count);
    EXPECT_EQ(rest(after), "shm 0\nsem 0\nmsg 0\n") << dump(after);
}

TEST_F(Recycle, EnvironmentVariablesDoNotCross) {
    const json::object dirty =
        run("hostname; echo $SBX_SECRET; export LEAK=1; echo 'export LEAK=2' >> ~/.bashrc",
            json::object{{"env", json::object{{"SBX_SECRET", "s3cret"}}}});
    ASSERT_EQ(str(dirty, "status"), "success") << dump(dirty);
    ASSERT_EQ(rest(dirty), "s3cret\n") << dump(dirty);
    const json::object after = run_in(
        first_line(dirty), "hostname; echo \"${SBX_SECRET-unset} ${LEAK-unset}\"; env | grep -c s3cret || true");
    EXPECT_EQ(rest(after), "unset unset\n0\n") << dump(after);
}

TEST_F(Recycle, WorkingDirectoryContentsDoNotCross) {
    const json::object dirty = run(
        "hostname; cat data/in.txt; echo out > out.txt; ln -s /tmp ./tmp-link; ls -A",
        json::object{{"files", json::array{json::object{{"path", "data/in.txt"},
                                                        {"content", "secret\n"}}}}});
    ASSERT_EQ(str(dirty, "status"), "success") << dump(dirty);
    ASSERT_NE(rest(dirty).find("secret\n"), std::string::npos) << dump(dirty);
    const json::object after = run_in(first_line(dirty), "hostname; pwd; ls -A");
    EXPECT_EQ(rest(after), "/workspace\nmain.sh\n") << dump(after);
}

// A run that ends with an ordinary failure leaves a container as reusable
// as any other.
TEST_F(Recycle, FailedProgramKeepsItsContainer) {
    const json::object failed = run("hostname; exit 3");
    ASSERT_EQ(str(failed, "status"), "execution_error") << dump(failed);
    run_in(first_line(failed), "hostname");
}

TEST_F(Recycle, TimedOutRunIsRetired) {
    start(1, 50, R"({"time_s": 1})");
    const json::object warm = run("hostname");
    ASSERT_EQ(str(warm, "status"), "success") << dump(warm);
    const json::object slow = run("hostname; sleep 30");
    ASSERT_EQ(str(slow, "status"), "timeout") << dump(slow);
    ASSERT_EQ(first_line(slow), first_line(warm)) << "the run under test did not recycle";
    const json::object next = run("hostname");
    ASSERT_EQ(str(next, "status"), "success") << dump(next);
    EXPECT_NE(first_line(next), first_line(slow)) << "a timed-out run's container served again";
    EXPECT_GE(health(*client_).at("pool").at("retired").to_number<int64_t>(), 1);
}

TEST_F(Recycle, OutputLimitedRunIsRetired) {
    start(1, 50, R"({"max_output_bytes": 4096})");
    const json::object warm = run("hostname");
    ASSERT_EQ(str(warm, "status"), "success") << dump(warm);
    const json::object loud = run("hostname; yes");
    ASSERT_EQ(str(loud, "status"), "output_limit") << dump(loud);
    ASSERT_EQ(first_line(loud), first_line(warm)) << "the run under test did not recycle";
    const json::object next = run("hostname");
    ASSERT_EQ(str(next, "status"), "success") << dump(next);
    EXPECT_NE(first_line(next), first_line(loud));
}

TEST_F(Recycle, MemoryLimitedRunIsRetired) {
    start(1, 50, R"({"memory_mb": 64})");
    const json::object warm = run("hostname");
    ASSERT_EQ(str(warm, "status"), "success") << dump(warm);
    const json::object hungry =
        run("hostname; perl -e '$x = \"x\" x (512 * 1024 * 1024); print length $x'");
    ASSERT_EQ(str(hungry, "status"), "memory_limit") << dump(hungry);
    ASSERT_EQ(first_line(hungry), first_line(warm)) << "the run under test did not recycle";
    const json::object next = run("hostname");
    ASSERT_EQ(str(next, "status"), "success") << dump(next);
    EXPECT_NE(first_line(next), first_line(hungry));
}

// What sbx-init cannot clean (here a tree deeper than it walks) retires the
// container: the next run lands elsewhere.
TEST_F(Recycle, LeftoversThatCannotBeCleanedRetireTheContainer) {
    const json::object warm = run("hostname");
    ASSERT_EQ(str(warm, "status"), "success") << dump(warm);
    const json::object deep =
        run_in(first_line(warm), "hostname; mkdir -p $(printf 'd/%.0s' {1..200}) && echo made");
    ASSERT_EQ(rest(deep), "made\n") << dump(deep);
    const json::object next = run("hostname; ls -A");
    ASSERT_EQ(str(next, "status"), "success") << dump(next);
    EXPECT_NE(first_line(next), first_line(deep));
    EXPECT_EQ(rest(next), "main.sh\n") << dump(next);
}

TEST_F(Recycle, ContainerRetiresAfterMaxRuns) {
    start(1, 3);
    const json::object first = run("hostname");
    ASSERT_EQ(str(first, "status"), "success") << dump(first);
    run_in(first_line(first), "hostname");
    run_in(first_line(first), "hostname");
    const json::object fourth = run("hostname");
    ASSERT_EQ(str(fourth, "status"), "success") << dump(fourth);
    EXPECT_NE(first_line(fourth), first_line(first));
}

// Recycled containers count against the pool's size while they are out on
// a run: the engine never shows more pool-made containers than the size,
// bursts and recycling included.
TEST_F(Recycle, NeverMoreThanItsSize) {
    constexpr size_t size = 2;
    start(static_cast<int>(size));
    docker::Engine engine(docker::default_endpoint());
    std::atomic<bool> sampling{true};
    size_t most = 0;
    std::thread sampler([&] {
        while (sampling) {
            most = std::max(most, pool_containers(engine).size());
            std::this_thread::sleep_for(20ms);
        }
    });
    std::set<std::string> hosts;
    for (int burst = 0; burst < 3; ++burst) {
        std::vector<std::future<json::object>> results;
        for (int i = 0; i < 5; ++i)
            results.push_back(
                std::async(std::launch::async, [&] { return run("hostname; sleep 0.5"); }));
        for (auto &f : results) {
            const json::object r = f.get();
            EXPECT_EQ(str(r, "status"), "success") << dump(r);
            hosts.insert(first_line(r));
        }
    }
    sampling = false;
    sampler.join();
    EXPECT_LE(most, size);
    EXPECT_GE(most, 1u);
}

} // namespace
} // namespace sbx::test
