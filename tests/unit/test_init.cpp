// sbx-init, run as PID 1 of a fresh pid + mount namespace and driven over
// its framed stdin/stdout, as the plugin drives it inside a container.
#include "protocol/wire.hpp"
#include "repl/repl.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wire = sbx::wire;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const char *init_path() { return SBX_TEST_BINARY_DIR "/lib/sbx/sbx-init"; }

// sbx-init behind `unshare --pid --fork --mount-proc`, with pipes on its
// stdin and stdout, collecting from `workspace`.
class InitProcess {
public:
    explicit InitProcess(const std::string &workspace) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) std::abort();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            const char *argv[] = {"unshare",     "--pid",      "--fork",
                                  "--mount-proc", "--kill-child", init_path(),
                                  "--workspace", workspace.c_str(), nullptr};
            ::execvp(argv[0], const_cast<char **>(argv));
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_init_ = in[1];
        from_init_ = out[0];
    }

    ~InitProcess() {
        close_stdin();
        if (from_init_ >= 0) ::close(from_init_);
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    void send_raw(const std::string &bytes) {
        ASSERT_EQ(::write(to_init_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }

    void send(wire::MsgType type, const std::string &body = {}) {
        send_raw(wire::encode_frame(type, body));
    }

    void send_job(const wire::Job &job) { send(wire::MsgType::job, wire::encode_job(job)); }

    void close_stdin() {
        if (to_init_ >= 0) ::close(to_init_);
        to_init_ = -1;
    }

    // The next frame, or nullopt on EOF or after `timeout_ms`.
    std::optional<wire::Frame> next(int timeout_ms = 20000) {
        auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            if (auto frame = reader_.next()) return frame;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            pollfd p{from_init_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
                return std::nullopt;
            char buffer[65536];
            ssize_t n = ::read(from_init_, buffer, sizeof buffer);
            if (n <= 0) return std::nullopt;
            reader_.feed(std::string_view(buffer, static_cast<size_t>(n)));
        }
    }

    // The exit status of unshare (which is init's), or -1 after `timeout_ms`.
    int wait_exit(int timeout_ms = 10000) {
        auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
        while (Clock::now() < until) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            ::usleep(10000);
        }
        return -1;
    }

private:
    pid_t pid_ = -1;
    int to_init_ = -1;
    int from_init_ = -1;
    bool exited_ = false;
    wire::FrameReader reader_;
};

// What init sent for one job.
struct JobOutcome {
    std::vector<wire::StageReport> reports;
    std::map<int, std::string> out; // by stage index
    std::map<int, std::string> err;
    std::optional<std::string> fatal;
    bool ended = false; // job_end arrived
};

wire::Stage stage(std::vector<std::string> argv, uint32_t time_ms = 20000, bool feed_stdin = false) {
    return {"run", std::move(argv), time_ms, feed_stdin};
}

wire::Stage shell(const std::string &script, uint32_t time_ms = 20000) {
    return stage({"/bin/sh", "-c", script}, time_ms);
}

std::string read_file(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path &path, const std::string &content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

// A resident stage running `code` in the real Python driver.
wire::Stage cell(const std::string &code, uint32_t time_ms = 20000) {
    std::optional<std::vector<std::string>> argv = sbx::repl::interpreter_argv("python");
    if (!argv) std::abort();
    return {"run", *argv, time_ms, false, true, code};
}

std::vector<std::string> paths(const wire::FileList &list) {
    std::vector<std::string> out;
    for (const auto &f : list.files) out.push_back(f.path);
    return out;
}

class InitTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root for a pid namespace";
        ASSERT_EQ(::access(init_path(), X_OK), 0) << init_path() << " is not built";
        char pattern[] = "/tmp/sbx-init-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        root_ = pattern;
        workdir_ = root_ / "work";
        fs::create_directory(workdir_);
        init_.emplace(workdir_.string());
        auto hello = init_->next();
        ASSERT_TRUE(hello);
        ASSERT_EQ(hello->type, wire::MsgType::hello);
        ASSERT_EQ(wire::decode_hello(hello->body), wire::protocol_version);
    }

    void TearDown() override {
        init_.reset();
        if (!root_.empty()) fs::remove_all(root_);
    }

    wire::Job job(std::vector<wire::Stage> stages) const {
        wire::Job j;
        j.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
        j.stages = std::move(stages);
        j.max_output_bytes = 1 << 20;
        j.workdir = workdir_.string();
        return j;
    }

    // Sends a job and collects every frame until job_end or fatal.
    JobOutcome run(const wire::Job &j) {
        init_->send_job(j);
        return collect();
    }

    JobOutcome run_cell(const std::string &code, uint32_t time_ms = 20000) {
        return run(job({cell(code, time_ms)}));
    }

    // Sends a collect and returns the answer.
    wire::FileList collect_workspace(const wire::Collect &request) {
        init_->send(wire::MsgType::collect, wire::encode_collect(request));
        auto frame = init_->next();
        if (!frame || frame->type != wire::MsgType::files) {
            ADD_FAILURE() << "no files frame";
            return {};
        }
        return wire::decode_files(frame->body);
    }

    JobOutcome collect() {
        JobOutcome outcome;
        while (auto frame = init_->next()) {
            switch (frame->type) {
            case wire::MsgType::output: {
                wire::Output o = wire::decode_output(frame->body);
                (o.stream == 1 ? outcome.out : outcome.err)[o.stage] += o.data;
                break;
            }
            case wire::MsgType::stage_end:
                outcome.reports.push_back(wire::decode_report(frame->body));
                break;
            case wire::MsgType::job_end:
                outcome.ended = true;
                return outcome;
            case wire::MsgType::fatal:
                outcome.fatal = wire::decode_string(frame->body);
                return outcome;
            default:
                ADD_FAILURE() << "unexpected frame type " << int(frame->type);
                return outcome;
            }
        }
        ADD_FAILURE() << "init stopped answering";
        return outcome;
    }

    std::optional<InitProcess> init_;
    fs::path root_;
    fs::path workdir_;
};

} // namespace

TEST_F(InitTest, RunsStageWithFilesAndStdin) {
    wire::Job j = job({stage({"/bin/sh", "-c", "cat; cat src/data.txt; ./run.sh; echo err >&2"},
                             20000, true)});
    j.files = {{"src/data.txt", "from file\n", 0644}, {"run.sh", "#!/bin/sh\necho script\n", 0755}};
    j.stdin_data = "from stdin\n";
    JobOutcome o = run(j);
    ASSERT_TRUE(o.ended);
    ASSERT_EQ(o.reports.size(), 1u);
    const wire::StageReport &r = o.reports[0];
    EXPECT_EQ(o.out[0], "from stdin\nfrom file\nscript\n");
    EXPECT_EQ(o.err[0], "err\n");
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.name, "run");
    EXPECT_EQ(r.stdout_bytes, o.out[0].size());
    EXPECT_EQ(r.stderr_bytes, 4u);
    EXPECT_FALSE(r.timed_out || r.output_limited || r.oom_killed);
    EXPECT_GT(r.memory_peak_kb, 0u);
    EXPECT_EQ(read_file(workdir_ / "src/data.txt"), "from file\n");
    EXPECT_EQ(fs::status(workdir_ / "run.sh").permissions(), static_cast<fs::perms>(0755));
    EXPECT_EQ(fs::status(workdir_ / "src").permissions(), static_cast<fs::perms>(0755));
}

TEST_F(InitTest, StdinIsEmptyUnlessFed) {
    wire::Job j = job({stage({"cat"})});
    j.stdin_data = "not for this stage\n";
    JobOutcome o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.reports[0].exit_code, 0);
    EXPECT_EQ(o.out[0], "");
}

TEST_F(InitTest, ReportsExitCodesAndSignals) {
    JobOutcome exited = run(job({shell("exit 3")}));
    ASSERT_EQ(exited.reports.size(), 1u);
    EXPECT_EQ(exited.reports[0].exit_code, 3);
    EXPECT_EQ(exited.reports[0].signal, 0);

    JobOutcome signalled = run(job({shell("kill -TERM $$")}));
    ASSERT_EQ(signalled.reports.size(), 1u);
    EXPECT_EQ(signalled.reports[0].exit_code, -1);
    EXPECT_EQ(signalled.reports[0].signal, SIGTERM);
    EXPECT_TRUE(signalled.ended);
}

TEST_F(InitTest, ExecFailureMeansNotStarted) {
    JobOutcome o = run(job({stage({"/nonexistent/prog"}), shell("echo never")}));
    ASSERT_TRUE(o.ended);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_FALSE(o.reports[0].started);
    EXPECT_EQ(o.reports[0].exit_code, -1);
    EXPECT_EQ(o.reports[0].error, "cannot execute /nonexistent/prog: No such file or directory");
}

TEST_F(InitTest, CommandIsFoundThroughTheJobsPath) {
    wire::Job j = job({stage({"sh", "-c", "echo $GREETING"})});
    j.env = {"PATH=/bin:/usr/bin", "GREETING=hi"};
    JobOutcome o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.out[0], "hi\n");

    j.env = {"PATH=" + (root_ / "empty").string()};
    o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_FALSE(o.reports[0].started);
    EXPECT_EQ(o.reports[0].error, "cannot execute sh: No such file or directory");
}

TEST_F(InitTest, StopsAfterTheFirstFailingStage) {
    JobOutcome o = run(job({shell("echo compiling; exit 1"), shell("echo ran")}));
    ASSERT_TRUE(o.ended);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.reports[0].exit_code, 1);
    EXPECT_EQ(o.out[0], "compiling\n");
    EXPECT_EQ(o.out.count(1), 0u);
}

TEST_F(InitTest, RunsEveryStageWhenAllSucceed) {
    JobOutcome o = run(job({shell("echo one > made.txt"), shell("cat made.txt")}));
    ASSERT_EQ(o.reports.size(), 2u);
    EXPECT_EQ(o.reports[1].index, 1u);
    EXPECT_EQ(o.out[1], "one\n");
}

TEST_F(InitTest, DeadlineKillsTheStage) {
    auto start = Clock::now();
    JobOutcome o = run(job({stage({"sleep", "10"}, 500)}));
    auto took = Clock::now() - start;
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_TRUE(o.reports[0].timed_out);
    EXPECT_EQ(o.reports[0].signal, SIGKILL);
    EXPECT_FALSE(o.reports[0].oom_killed);
    EXPECT_GE(o.reports[0].wall_ms, 500u);
    EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(InitTest, OutputCapIsExactAndStopsTheStage) {
    wire::Job j = job({shell("yes | head -c 10000000")});
    j.max_output_bytes = 1000;
    JobOutcome o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    const wire::StageReport &r = o.reports[0];
    std::string expected;
    for (int i = 0; i < 500; ++i) expected += "y\n";
    EXPECT_EQ(o.out[0], expected);
    EXPECT_EQ(r.stdout_bytes, 1000u);
    EXPECT_TRUE(r.output_limited);
    EXPECT_TRUE(r.stdout_truncated);
    EXPECT_FALSE(r.stderr_truncated);
}

TEST_F(InitTest, OutputCapCountsBothStreams) {
    wire::Job j = job({shell("printf aaaa; printf bbbb >&2; sleep 0.2; printf cccc; sleep 5")});
    j.max_output_bytes = 10;
    JobOutcome o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    const wire::StageReport &r = o.reports[0];
    // Which stream loses bytes depends on read order; the total does not.
    EXPECT_EQ(o.out[0].size() + o.err[0].size(), 10u);
    EXPECT_EQ(std::string("aaaacccc").substr(0, o.out[0].size()), o.out[0]);
    EXPECT_EQ(std::string("bbbb").substr(0, o.err[0].size()), o.err[0]);
    EXPECT_EQ(r.stdout_bytes, o.out[0].size());
    EXPECT_EQ(r.stderr_bytes, o.err[0].size());
    EXPECT_TRUE(r.output_limited);
    EXPECT_TRUE(r.stdout_truncated || r.stderr_truncated);
    EXPECT_EQ(r.signal, SIGKILL);
}

TEST_F(InitTest, BackgroundChildrenDieWithTheStage) {
    auto start = Clock::now();
    JobOutcome o = run(job({shell("sleep 100 & setsid sleep 100 & echo hi")}));
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.reports[0].exit_code, 0);
    EXPECT_FALSE(o.reports[0].timed_out);
    EXPECT_EQ(o.out[0], "hi\n");

    // Nothing of the first job is left in the namespace.
    JobOutcome after = run(job({shell("cat /proc/[0-9]*/comm")}));
    ASSERT_EQ(after.reports.size(), 1u);
    EXPECT_EQ(after.out[0].find("sleep"), std::string::npos) << after.out[0];
}

TEST_F(InitTest, CancelStopsTheJob) {
    init_->send_job(job({shell("echo ready; sleep 10"), shell("echo second")}));
    auto first = init_->next();
    ASSERT_TRUE(first);
    ASSERT_EQ(first->type, wire::MsgType::output);
    EXPECT_EQ(wire::decode_output(first->body).data, "ready\n");
    init_->send(wire::MsgType::cancel);
    JobOutcome o = collect();
    ASSERT_TRUE(o.ended);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.reports[0].signal, SIGKILL);
    EXPECT_FALSE(o.reports[0].timed_out);
    EXPECT_FALSE(o.reports[0].oom_killed);

    // Init keeps serving.
    JobOutcome next = run(job({shell("echo again")}));
    EXPECT_EQ(next.out[0], "again\n");
}

TEST_F(InitTest, CancelBetweenJobsIsIgnored) {
    init_->send(wire::MsgType::cancel);
    JobOutcome o = run(job({shell("echo fine")}));
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.out[0], "fine\n");
}

// Emptying "every writable mount" as root would reach the host's own
// mounts here: init refuses, touches nothing, and exits.
TEST_F(InitTest, ResetAsRootIsRefusedAndTouchesNothing) {
    JobOutcome o = run(job({shell("echo keep > kept.txt")}));
    ASSERT_TRUE(o.ended);
    init_->send(wire::MsgType::reset);
    auto frame = init_->next();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->type, wire::MsgType::clean);
    wire::CleanReport report = wire::decode_clean(frame->body);
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.why.find("root"), std::string::npos) << report.why;
    EXPECT_EQ(init_->wait_exit(), 3);
    EXPECT_EQ(read_file(workdir_ / "kept.txt"), "keep\n");
}

TEST_F(InitTest, ResetWithABodyIsFatal) {
    init_->send(wire::MsgType::reset, "x");
    auto frame = init_->next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->type, wire::MsgType::fatal);
    EXPECT_EQ(init_->wait_exit(), 2);
}

TEST_F(InitTest, EofExitsWhileIdle) {
    init_->close_stdin();
    EXPECT_FALSE(init_->next(5000));
    EXPECT_EQ(init_->wait_exit(), 0);
}

TEST_F(InitTest, EofKillsTheRunningStageAndExits) {
    init_->send_job(job({shell("echo ready; sleep 100")}));
    auto first = init_->next();
    ASSERT_TRUE(first);
    init_->close_stdin();
    auto start = Clock::now();
    EXPECT_EQ(init_->wait_exit(), 0);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

TEST_F(InitTest, MalformedFrameIsFatal) {
    init_->send_raw(std::string("\0\0\0\1\x63", 5)); // unknown type 99
    auto frame = init_->next();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->type, wire::MsgType::fatal);
    EXPECT_NE(wire::decode_string(frame->body).find("unknown message type 99"), std::string::npos);
    EXPECT_EQ(init_->wait_exit(), 2);
}

TEST_F(InitTest, MalformedJobIsFatal) {
    init_->send(wire::MsgType::job, "\xff\xff\xff\xff");
    auto frame = init_->next();
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->type, wire::MsgType::fatal);
    EXPECT_NE(wire::decode_string(frame->body).find("bad job"), std::string::npos);
    EXPECT_EQ(init_->wait_exit(), 2);
}

TEST_F(InitTest, UnsafePathsAreRefused) {
    fs::create_directory(root_ / "outside");
    fs::create_directory_symlink(root_ / "outside", workdir_ / "link");
    for (const char *path : {"../escape", "/etc/escape", "a/../../escape", "link/escape", ""}) {
        wire::Job j = job({shell("echo never")});
        j.files = {{path, "x", 0644}};
        JobOutcome o = run(j);
        ASSERT_TRUE(o.fatal) << path;
        EXPECT_TRUE(o.reports.empty());
    }
    EXPECT_TRUE(fs::is_empty(root_ / "outside"));
    EXPECT_FALSE(fs::exists(root_ / "escape"));

    // Init keeps serving after refusing.
    JobOutcome o = run(job({shell("echo fine")}));
    EXPECT_EQ(o.out[0], "fine\n");
}

TEST_F(InitTest, PlantedSymlinkIsReplacedNotFollowed) {
    fs::create_directory(root_ / "outside");
    std::ofstream(root_ / "outside/target") << "original";
    fs::create_symlink(root_ / "outside/target", workdir_ / "main.py");
    wire::Job j = job({shell("cat main.py")});
    j.files = {{"main.py", "new", 0644}};
    JobOutcome o = run(j);
    EXPECT_EQ(o.out[0], "new");
    EXPECT_EQ(read_file(root_ / "outside/target"), "original");
    EXPECT_FALSE(fs::is_symlink(workdir_ / "main.py"));
}

TEST_F(InitTest, StagesGetOnlyTheirStdio) {
    // ls holds one fd of its own (3) for the directory it lists.
    JobOutcome first = run(job({stage({"ls", "/proc/self/fd"})}));
    JobOutcome second = run(job({stage({"ls", "/proc/self/fd"})}));
    EXPECT_EQ(first.out[0], "0\n1\n2\n3\n");
    EXPECT_EQ(second.out[0], "0\n1\n2\n3\n");
}

TEST_F(InitTest, FileSizeLimitApplies) {
    wire::Job j = job({shell("head -c 5000 /dev/zero > big; echo $?")});
    j.max_file_bytes = 1000;
    JobOutcome o = run(j);
    EXPECT_EQ(o.out[0], "153\n"); // 128 + SIGXFSZ
    EXPECT_EQ(fs::file_size(workdir_ / "big"), 1000u);
}

// ---- collect ----------------------------------------------------------------

TEST_F(InitTest, CollectMatchesGlobsInPathOrder) {
    write_file(workdir_ / "b.png", "B");
    write_file(workdir_ / "src/main.py", "print(1)\n");
    write_file(workdir_ / "src/lib/util.py", "u");
    write_file(workdir_ / "deep/x/y/z.png", "Z");
    write_file(workdir_ / "star*.txt", "s");
    write_file(workdir_ / "starX.txt", "x");
    JobOutcome o = run(job({shell("printf made > made.png")}));
    ASSERT_TRUE(o.ended);

    wire::FileList list = collect_workspace({{"**/*.png", "src/*.py"}, 1 << 20, 100, false});
    EXPECT_EQ(paths(list),
              (std::vector<std::string>{"b.png", "deep/x/y/z.png", "made.png", "src/main.py"}));
    ASSERT_EQ(list.files.size(), 4u);
    EXPECT_EQ(list.files[2].content, "made");
    EXPECT_EQ(list.files[2].size, 4u);
    EXPECT_EQ(list.files[3].content, "print(1)\n");
    for (const auto &f : list.files) EXPECT_TRUE(f.returned) << f.path;
    EXPECT_FALSE(list.entries_truncated);
    EXPECT_EQ(list.error, "");

    EXPECT_EQ(paths(collect_workspace({{"src/**"}, 1 << 20, 100, false})),
              (std::vector<std::string>{"src/lib/util.py", "src/main.py"}));
    EXPECT_EQ(paths(collect_workspace({{"star\\*.txt"}, 1 << 20, 100, false})),
              (std::vector<std::string>{"star*.txt"}));
    EXPECT_EQ(collect_workspace({{"**"}, 1 << 20, 100, false}).files.size(), 7u);
    EXPECT_TRUE(collect_workspace({{}, 1 << 20, 100, false}).files.empty());
}

TEST_F(InitTest, CollectNeverFollowsSymlinks) {
    fs::create_directory(root_ / "outside");
    write_file(root_ / "outside/secret.txt", "secret");
    fs::create_directory_symlink(root_ / "outside", workdir_ / "linkdir");
    fs::create_symlink(root_ / "outside/secret.txt", workdir_ / "link.txt");
    ASSERT_EQ(::mkfifo((workdir_ / "fifo.txt").c_str(), 0644), 0);
    write_file(workdir_ / "real.txt", "real");

    wire::FileList list = collect_workspace({{"**"}, 1 << 20, 100, false});
    ASSERT_EQ(paths(list), std::vector<std::string>{"real.txt"});
    EXPECT_EQ(list.files[0].content, "real");
    EXPECT_TRUE(collect_workspace({{"linkdir/*"}, 1 << 20, 100, false}).files.empty());
}

TEST_F(InitTest, CollectLimitsEntriesAndBytes) {
    write_file(workdir_ / "a.txt", std::string(10, 'a'));
    write_file(workdir_ / "b.txt", std::string(100, 'b'));
    write_file(workdir_ / "c.txt", std::string(5, 'c'));

    // b does not fit in what a left; c, after it, still does.
    wire::FileList list = collect_workspace({{"*.txt"}, 20, 100, false});
    ASSERT_EQ(paths(list), (std::vector<std::string>{"a.txt", "b.txt", "c.txt"}));
    EXPECT_TRUE(list.files[0].returned);
    EXPECT_EQ(list.files[0].content, std::string(10, 'a'));
    EXPECT_FALSE(list.files[1].returned);
    EXPECT_EQ(list.files[1].size, 100u);
    EXPECT_EQ(list.files[1].content, "");
    EXPECT_TRUE(list.files[2].returned);
    EXPECT_EQ(list.files[2].content, std::string(5, 'c'));

    wire::FileList names = collect_workspace({{"*.txt"}, 1 << 20, 100, true});
    ASSERT_EQ(names.files.size(), 3u);
    for (const auto &f : names.files) {
        EXPECT_FALSE(f.returned);
        EXPECT_EQ(f.content, "");
    }
    EXPECT_EQ(names.files[1].size, 100u);

    wire::FileList two = collect_workspace({{"*.txt"}, 1 << 20, 2, false});
    EXPECT_EQ(paths(two), (std::vector<std::string>{"a.txt", "b.txt"}));
    EXPECT_TRUE(two.entries_truncated);

    wire::FileList none = collect_workspace({{"*.txt"}, 1 << 20, 0, false});
    EXPECT_TRUE(none.files.empty());
    EXPECT_TRUE(none.entries_truncated);
}

TEST_F(InitTest, CollectStopsAtDepth) {
    fs::path deep = workdir_;
    for (int i = 0; i < 70; ++i) {
        deep /= "d";
        if (i == 10) write_file(deep / "shallow.txt", "s");
    }
    write_file(deep / "deep.txt", "d");
    wire::FileList list = collect_workspace({{"**"}, 1 << 20, 100, false});
    ASSERT_EQ(list.files.size(), 1u);
    EXPECT_NE(list.files[0].path.find("shallow.txt"), std::string::npos);
    EXPECT_NE(list.error.find("deeper than 64"), std::string::npos) << list.error;
}

TEST_F(InitTest, CollectWithoutAWorkspaceSaysWhy) {
    fs::remove_all(workdir_);
    wire::FileList list = collect_workspace({{"**"}, 1 << 20, 100, false});
    EXPECT_TRUE(list.files.empty());
    EXPECT_NE(list.error.find("cannot open"), std::string::npos) << list.error;
}

TEST_F(InitTest, CollectDuringAJobIsFatal) {
    init_->send_job(job({shell("echo ready; sleep 10")}));
    auto first = init_->next();
    ASSERT_TRUE(first);
    init_->send(wire::MsgType::collect, wire::encode_collect({{"**"}, 0, 1, true}));
    JobOutcome o = collect();
    ASSERT_TRUE(o.fatal);
    EXPECT_NE(o.fatal->find("unexpected frame of type 10 while a job runs"), std::string::npos)
        << *o.fatal;
    EXPECT_EQ(init_->wait_exit(), 2);
}

// ---- resident stages (the real Python driver) --------------------------------

TEST_F(InitTest, ResidentKeepsStateBetweenJobs) {
    JobOutcome first = run_cell("x = 1");
    ASSERT_EQ(first.reports.size(), 1u);
    EXPECT_TRUE(first.reports[0].started);
    EXPECT_EQ(first.reports[0].exit_code, 0);
    EXPECT_TRUE(first.reports[0].interpreter_started);
    EXPECT_FALSE(first.reports[0].interpreter_lost);
    EXPECT_EQ(first.out[0], "");

    JobOutcome second = run_cell("x += 1; print(x)");
    ASSERT_EQ(second.reports.size(), 1u);
    EXPECT_EQ(second.out[0], "2\n");
    EXPECT_EQ(second.reports[0].exit_code, 0);
    EXPECT_EQ(second.reports[0].stdout_bytes, 2u);
    EXPECT_FALSE(second.reports[0].interpreter_started);
    EXPECT_FALSE(second.reports[0].interpreter_lost);
}

TEST_F(InitTest, ResidentEchoesTheLastExpression) {
    EXPECT_EQ(run_cell("1+1").out[0], "2\n");
    EXPECT_EQ(run_cell("y = 'a'\ny * 3").out[0], "'aaa'\n");
    EXPECT_EQ(run_cell("None").out[0], "");
    EXPECT_EQ(run_cell("print('p')").out[0], "p\n");
}

TEST_F(InitTest, ResidentExceptionKeepsState) {
    run_cell("x = 5");
    JobOutcome failed = run_cell("def f():\n    raise ValueError('boom')\nf()");
    ASSERT_EQ(failed.reports.size(), 1u);
    EXPECT_EQ(failed.reports[0].exit_code, 1);
    EXPECT_FALSE(failed.reports[0].interpreter_lost);
    const std::string &err = failed.err[0];
    EXPECT_NE(err.find("ValueError: boom"), std::string::npos) << err;
    EXPECT_NE(err.find("File \"<cell>\", line 3, in <module>"), std::string::npos) << err;
    EXPECT_NE(err.find("File \"<cell>\", line 2, in f"), std::string::npos) << err;
    EXPECT_EQ(err.find("_run"), std::string::npos) << err; // no frame of the driver

    JobOutcome syntax = run_cell("x = = 1");
    EXPECT_EQ(syntax.reports[0].exit_code, 1);
    EXPECT_NE(syntax.err[0].find("SyntaxError"), std::string::npos) << syntax.err[0];

    JobOutcome after = run_cell("print(x)");
    EXPECT_EQ(after.out[0], "5\n");
    EXPECT_FALSE(after.reports[0].interpreter_started);
}

TEST_F(InitTest, ResidentSysExitKeepsState) {
    run_cell("x = 5");
    JobOutcome exited = run_cell("import sys\nsys.exit(3)");
    ASSERT_EQ(exited.reports.size(), 1u);
    EXPECT_EQ(exited.reports[0].exit_code, 3);
    EXPECT_FALSE(exited.reports[0].interpreter_lost);
    EXPECT_EQ(run_cell("sys.exit('bye')").err[0], "bye\n");
    JobOutcome after = run_cell("print(x)");
    EXPECT_EQ(after.out[0], "5\n");
    EXPECT_FALSE(after.reports[0].interpreter_started);
}

TEST_F(InitTest, ResidentTimeoutLosesTheInterpreter) {
    run_cell("x = 1");
    auto start = Clock::now();
    JobOutcome spun = run_cell("while True: pass", 500);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    ASSERT_EQ(spun.reports.size(), 1u);
    const wire::StageReport &r = spun.reports[0];
    EXPECT_TRUE(r.timed_out);
    EXPECT_TRUE(r.interpreter_lost);
    EXPECT_FALSE(r.interpreter_started);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_EQ(r.exit_code, -1);
    EXPECT_GE(r.wall_ms, 500u);

    JobOutcome fresh = run_cell("print(x)");
    ASSERT_EQ(fresh.reports.size(), 1u);
    EXPECT_TRUE(fresh.reports[0].interpreter_started);
    EXPECT_EQ(fresh.reports[0].exit_code, 1);
    EXPECT_NE(fresh.err[0].find("NameError"), std::string::npos) << fresh.err[0];
}

TEST_F(InitTest, ResidentThatEndsItselfIsLost) {
    JobOutcome exited = run_cell("import os\nos._exit(5)");
    ASSERT_EQ(exited.reports.size(), 1u);
    EXPECT_TRUE(exited.reports[0].interpreter_lost);
    EXPECT_EQ(exited.reports[0].exit_code, 5);

    run_cell("x = 1");
    JobOutcome killed = run_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)");
    ASSERT_EQ(killed.reports.size(), 1u);
    EXPECT_TRUE(killed.reports[0].interpreter_lost);
    EXPECT_FALSE(killed.reports[0].interpreter_started);
    EXPECT_EQ(killed.reports[0].signal, SIGKILL);

    JobOutcome fresh = run_cell("print('fresh')");
    EXPECT_TRUE(fresh.reports[0].interpreter_started);
    EXPECT_EQ(fresh.out[0], "fresh\n");
}

TEST_F(InitTest, ResidentThatDiesBetweenJobsIsReplaced) {
    JobOutcome o = run_cell("import os, threading, time\n"
                            "threading.Thread(target=lambda: (time.sleep(0.2), os._exit(0))).start()");
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.reports[0].exit_code, 0);
    EXPECT_FALSE(o.reports[0].interpreter_lost);
    ::usleep(600 * 1000);
    JobOutcome next = run_cell("print('again')");
    ASSERT_EQ(next.reports.size(), 1u);
    EXPECT_TRUE(next.reports[0].interpreter_started);
    EXPECT_FALSE(next.reports[0].interpreter_lost);
    EXPECT_EQ(next.out[0], "again\n");
}

TEST_F(InitTest, NormalStagesRunBesideAResident) {
    run_cell("x = 7\nimport subprocess\nchild = subprocess.Popen(['sleep', '100'])");
    JobOutcome normal = run(job({shell("sleep 102 & setsid sleep 101 & echo hi")}));
    ASSERT_EQ(normal.reports.size(), 1u);
    EXPECT_EQ(normal.out[0], "hi\n");

    // What the normal stage left is gone; the interpreter and its child are not.
    JobOutcome listing = run(job({shell("cat /proc/[0-9]*/cmdline | tr '\\0' ' '")}));
    EXPECT_EQ(listing.out[0].find("sleep 101"), std::string::npos) << listing.out[0];
    EXPECT_EQ(listing.out[0].find("sleep 102"), std::string::npos) << listing.out[0];
    EXPECT_NE(listing.out[0].find("sleep 100"), std::string::npos) << listing.out[0];

    JobOutcome after = run_cell("print(x, child.poll())");
    EXPECT_EQ(after.out[0], "7 None\n");
    EXPECT_FALSE(after.reports[0].interpreter_started);

    // Both kinds in one job.
    JobOutcome mixed = run(job({shell("echo compiled"), cell("print(x + 1)")}));
    ASSERT_EQ(mixed.reports.size(), 2u);
    EXPECT_EQ(mixed.out[0], "compiled\n");
    EXPECT_EQ(mixed.out[1], "8\n");
}

TEST_F(InitTest, ResidentReadsTheJobsStdin) {
    wire::Stage s = cell("print(input()[::-1])");
    s.feed_stdin = true;
    wire::Job j = job({s});
    j.stdin_data = "abc\n";
    EXPECT_EQ(run(j).out[0], "cba\n");
    // Without feed_stdin the cell's stdin is empty.
    JobOutcome empty = run_cell("import sys\nprint(repr(sys.stdin.read()))");
    EXPECT_EQ(empty.out[0], "''\n");
}

TEST_F(InitTest, ResidentOutputCapLosesTheInterpreter) {
    wire::Job j = job({cell("print('y' * 5000)")});
    j.max_output_bytes = 1000;
    JobOutcome o = run(j);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_EQ(o.out[0], std::string(1000, 'y'));
    EXPECT_TRUE(o.reports[0].output_limited);
    EXPECT_TRUE(o.reports[0].stdout_truncated);
    EXPECT_TRUE(o.reports[0].interpreter_lost);
}

TEST_F(InitTest, CancelDuringACellLosesTheInterpreter) {
    init_->send_job(job({cell("print('ready')\nimport time\ntime.sleep(10)")}));
    // print may write the line in two pieces.
    std::string ready;
    while (ready.size() < 6) {
        auto frame = init_->next();
        ASSERT_TRUE(frame);
        ASSERT_EQ(frame->type, wire::MsgType::output);
        ready += wire::decode_output(frame->body).data;
    }
    EXPECT_EQ(ready, "ready\n");
    init_->send(wire::MsgType::cancel);
    JobOutcome o = collect();
    ASSERT_TRUE(o.ended);
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_TRUE(o.reports[0].interpreter_lost);
    EXPECT_EQ(o.reports[0].signal, SIGKILL);
    EXPECT_FALSE(o.reports[0].timed_out);
    EXPECT_TRUE(run_cell("print(1)").reports[0].interpreter_started);
}

TEST_F(InitTest, ResidentMeasuresEachCell) {
    JobOutcome busy = run_cell("import time\nt = time.process_time()\n"
                               "while time.process_time() - t < 0.3: pass");
    ASSERT_EQ(busy.reports.size(), 1u);
    EXPECT_GE(busy.reports[0].cpu_ms, 250u);
    EXPECT_GE(busy.reports[0].wall_ms, 250u);
    EXPECT_GT(busy.reports[0].memory_peak_kb, 0u);
    JobOutcome idle = run_cell("pass");
    EXPECT_LT(idle.reports[0].cpu_ms, 200u); // this cell's, not the interpreter's total
}

TEST_F(InitTest, ResidentWithAnotherArgvStartsAfresh) {
    run_cell("x = 1");
    wire::Stage isolated = cell("print('x' in globals())");
    isolated.argv.insert(isolated.argv.begin() + 1, "-I");
    JobOutcome o = run(job({isolated}));
    EXPECT_EQ(o.out[0], "False\n");
    EXPECT_TRUE(o.reports[0].interpreter_started);
}

TEST_F(InitTest, ResidentThatCannotStartIsReported) {
    wire::Stage s = cell("pass");
    s.argv = {"/nonexistent/python3"};
    JobOutcome o = run(job({s}));
    ASSERT_EQ(o.reports.size(), 1u);
    EXPECT_FALSE(o.reports[0].started);
    EXPECT_FALSE(o.reports[0].interpreter_started);
    EXPECT_EQ(o.reports[0].error, "cannot execute /nonexistent/python3: No such file or directory");
    EXPECT_EQ(run_cell("print(2)").out[0], "2\n");
}

TEST_F(InitTest, EofWithAResidentExits) {
    run_cell("import subprocess\nchild = subprocess.Popen(['sleep', '100'])");
    init_->close_stdin();
    auto start = Clock::now();
    EXPECT_EQ(init_->wait_exit(), 0);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}
