// Faults around the plugin, not in the program:
//  - the engine is stopped in the middle of a run: setup_error at once, no
//    hang, no crash, and the next run once it is back succeeds. This runs
//    against a second dockerd of the test's own (own socket, data root, exec
//    root; no bridge, no iptables), so the other tests' engine is untouched;
//  - the host process is killed with -9 during runs: the next sbx_create
//    removes whatever it left behind;
//  - an image is missing (a fresh engine has none): setup_error naming the
//    image and how to build it.
#include "docker/engine.hpp"
#include "integration/client.hpp"
#include "sandbox/owner.hpp"
#include "util/url.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <future>
#include <thread>

namespace sbx::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Containers of ours (any state) whose owner label starts with `owner_prefix`.
std::vector<std::string> owned_by(docker::Engine &engine, const std::string &owner_prefix) {
    const docker::Response r = engine.checked(
        "GET", "/containers/json?all=1&filters=" +
                   util::url_encode(R"({"label":["org.sbx.managed","org.sbx.owner"]})"),
        std::nullopt, 10s);
    std::vector<std::string> ids;
    const json::value list = r.json();
    for (const json::value &c : list.as_array()) {
        const json::value *owner = c.at("Labels").as_object().if_contains("org.sbx.owner");
        if (owner && owner->is_string() && owner->get_string().starts_with(owner_prefix))
            ids.emplace_back(c.at("Id").as_string());
    }
    return ids;
}

// The first of `names` that is an executable in PATH (or /usr/sbin, /sbin).
std::string find_program(const std::string &name) {
    std::string path = getenv("PATH") ? getenv("PATH") : "";
    path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find(':', start), path.size());
        const fs::path candidate = fs::path(path.substr(start, end - start)) / name;
        if (end > start && ::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
        start = end + 1;
    }
    return {};
}

// ------------------------------------------------------------ raw HTTP

// A blocking connection to a unix socket, for streaming bodies too large for
// the engine client (it caps answers at 64 MiB; an image is more).
class RawSocket {
public:
    explicit RawSocket(const std::string &path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
            throw std::runtime_error("connect " + path + ": " + std::strerror(errno));
        timeval tv{120, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    ~RawSocket() { ::close(fd_); }
    RawSocket(const RawSocket &) = delete;
    RawSocket &operator=(const RawSocket &) = delete;

    void write_all(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                throw std::runtime_error(std::string("send: ") + std::strerror(errno));
            bytes.remove_prefix(static_cast<size_t>(n));
        }
    }
    // Some bytes; empty at EOF.
    std::string read_some() {
        char buffer[1 << 16];
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
            return std::string(buffer, static_cast<size_t>(n));
        }
    }
    // The response head (status line and headers); `rest` gets the body
    // bytes that came with it.
    std::string read_head(std::string &rest) {
        std::string data;
        size_t end;
        while ((end = data.find("\r\n\r\n")) == std::string::npos) {
            const std::string more = read_some();
            if (more.empty())
                throw std::runtime_error("connection closed before the answer's head");
            data += more;
        }
        rest = data.substr(end + 4);
        return data.substr(0, end);
    }

private:
    int fd_ = -1;
};

// Streams `image` from one engine (GET /images/{name}/get, a tar) into
// another (POST /images/load), chunk by chunk.
void copy_image(const std::string &from_socket, const std::string &to_socket,
                const std::string &image) {
    RawSocket from(from_socket), to(to_socket);
    // HTTP/1.0: the answer ends when the engine closes, no chunked framing.
    from.write_all("GET /v1.41/images/" + image +
                   "/get HTTP/1.0\r\nHost: docker\r\n\r\n");
    std::string body;
    const std::string head = from.read_head(body);
    if (head.find(" 200 ") == std::string::npos)
        throw std::runtime_error("GET image " + image + ": " + head);
    to.write_all("POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\n"
                 "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n"
                 "Connection: close\r\n\r\n");
    auto chunk = [&](std::string_view data) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", data.size());
        to.write_all(size);
        to.write_all(data);
        to.write_all("\r\n");
    };
    for (; !body.empty(); body = from.read_some())
        chunk(body);
    to.write_all("0\r\n\r\n");
    std::string answer;
    std::string answer_head = to.read_head(answer);
    for (std::string more; !(more = to.read_some()).empty();)
        answer += more;
    if (answer_head.find(" 200 ") == std::string::npos ||
        answer.find("errorDetail") != std::string::npos)
        throw std::runtime_error("POST /images/load: " + answer_head + "\n" + answer);
}

// ------------------------------------------------------------ a second engine

// A dockerd of this test's own under /tmp/sbx-fault-docker-<pid>/: socket,
// data root, exec root, pidfile, config and log. Started and stopped by the
// test (fork/exec, no shell); it dies with the test (PR_SET_PDEATHSIG).
class SecondEngine {
public:
    SecondEngine() : dir_("/tmp/sbx-fault-docker-" + std::to_string(getpid())) {
        remove_dir();
        fs::create_directories(dir_);
        std::ofstream(dir_ / "daemon.json") << "{}\n"; // not the host's daemon.json
    }
    // Stopped as a service is: dockerd kills and removes its containers.
    // Whatever still runs after that is killed.
    ~SecondEngine() {
        stop(SIGTERM);
        remove_dir();
    }
    SecondEngine(const SecondEngine &) = delete;
    SecondEngine &operator=(const SecondEngine &) = delete;

    std::string socket() const { return (dir_ / "sock").string(); }
    std::string host() const { return "unix://" + socket(); }

    // Starts dockerd and waits until it answers /_ping.
    void start() {
        const std::string dockerd = find_program("dockerd");
        if (dockerd.empty())
            throw std::runtime_error("dockerd is not installed (scripts/bootstrap installs it)");
        const std::vector<std::string> args{
            dockerd,
            "--host=" + host(),
            "--data-root=" + (dir_ / "data").string(),
            "--exec-root=" + (dir_ / "exec").string(),
            "--pidfile=" + (dir_ / "pidfile").string(),
            "--config-file=" + (dir_ / "daemon.json").string(),
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            // On SIGTERM, running containers are killed at once.
            "--shutdown-timeout=0",
            "--log-level=warn",
        };
        const std::string log = (dir_ / "dockerd.log").string();
        const pid_t parent = getpid();
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(127);
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            ::dup2(in, 0);
            ::dup2(out, 1);
            ::dup2(out, 2);
            ::setpgid(0, 0);
            std::vector<char *> argv;
            for (const std::string &a : args)
                argv.push_back(const_cast<char *>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            _exit(127);
        }
        docker::Engine engine(docker::parse_endpoint(host()));
        const auto deadline = Clock::now() + 60s;
        while (Clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("dockerd exited during start-up:\n" + log_tail());
            }
            try {
                if (engine.request("GET", "/_ping", std::nullopt, 2s).status == 200)
                    return;
            } catch (const std::exception &) {
            }
            std::this_thread::sleep_for(100ms);
        }
        throw std::runtime_error("dockerd did not answer within 60 s:\n" + log_tail());
    }

    // Sends `signal` to dockerd and reaps it (SIGKILL after 30 s). With
    // SIGKILL the whole engine dies at once: dockerd's containerd is killed
    // too (the containers' shims live on, as after a crash).
    void stop(int signal) {
        if (pid_ <= 0)
            return;
        const pid_t containerd = pid_from(dir_ / "exec/containerd/containerd.pid");
        // dockerd's containerd dies with it (parent-death signal) and would
        // be re-parented to PID 1, which need not reap it: a zombie that the
        // next dockerd takes for a live containerd (and waits for). As a
        // subreaper meanwhile, this process reaps it itself.
        const bool reap = signal == SIGKILL && containerd > 1;
        if (reap)
            ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        ::kill(pid_, signal);
        const auto deadline = Clock::now() + 30s;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (Clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(20ms);
        }
        pid_ = -1;
        if (reap) {
            ::kill(containerd, SIGKILL);
            const auto until = Clock::now() + 10s;
            while (::waitpid(containerd, &status, WNOHANG) == 0 && Clock::now() < until)
                std::this_thread::sleep_for(20ms);
            ::prctl(PR_SET_CHILD_SUBREAPER, 0);
            wait_gone({containerd}, 10s);
        }
    }

    std::string log_tail() const {
        const std::string log = read_text(dir_ / "dockerd.log");
        return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
    }

private:
    static pid_t pid_from(const fs::path &pidfile) {
        std::ifstream in(pidfile);
        long pid = 0;
        return in >> pid && pid > 1 ? static_cast<pid_t>(pid) : -1;
    }

    // Gone, or a zombie waiting for its (new) parent.
    static bool alive(pid_t pid) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line))
            return false;
        const size_t paren = line.rfind(')');
        return paren == std::string::npos || line.size() < paren + 3 || line[paren + 2] != 'Z';
    }

    static void wait_gone(const std::vector<pid_t> &pids, std::chrono::milliseconds bound) {
        const auto deadline = Clock::now() + bound;
        for (pid_t pid : pids)
            while (alive(pid) && Clock::now() < deadline)
                std::this_thread::sleep_for(20ms);
    }

    // Whatever of this engine still runs (its dockerd or containerd after a
    // failure, the shims and the containers under them) is killed: every
    // process whose command line names the directory, children first.
    void kill_leftovers() {
        std::map<pid_t, std::vector<pid_t>> children;
        std::vector<pid_t> ours;
        for (const auto &entry : fs::directory_iterator("/proc")) {
            const std::string name = entry.path().filename().string();
            if (name.find_first_not_of("0123456789") != std::string::npos)
                continue;
            const pid_t pid = static_cast<pid_t>(std::stol(name));
            std::ifstream stat(entry.path() / "stat");
            std::string line;
            if (!std::getline(stat, line) || line.rfind(')') == std::string::npos)
                continue;
            std::istringstream rest(line.substr(line.rfind(')') + 2));
            char state = 0;
            long ppid = 0;
            rest >> state >> ppid;
            children[static_cast<pid_t>(ppid)].push_back(pid);
            std::ifstream cmdline(entry.path() / "cmdline");
            const std::string command((std::istreambuf_iterator<char>(cmdline)),
                                      std::istreambuf_iterator<char>());
            if (pid != getpid() && command.find(dir_.string()) != std::string::npos)
                ours.push_back(pid);
        }
        std::vector<pid_t> doomed;
        std::function<void(pid_t)> descend = [&](pid_t pid) {
            for (pid_t child : children[pid])
                descend(child);
            doomed.push_back(pid);
        };
        for (pid_t pid : ours)
            descend(pid);
        for (pid_t pid : doomed)
            ::kill(pid, SIGKILL);
        wait_gone(doomed, 10s);
    }

    // Mounts left under the directory are detached, then it is removed.
    void remove_dir() {
        std::error_code ec;
        if (!fs::exists(dir_, ec))
            return;
        kill_leftovers();
        std::vector<std::string> mounts;
        std::ifstream info("/proc/self/mountinfo");
        for (std::string line; std::getline(info, line);) {
            std::istringstream fields(line);
            std::string id, parent, devices, root, point;
            fields >> id >> parent >> devices >> root >> point;
            if (point.rfind(dir_.string() + "/", 0) == 0)
                mounts.push_back(point);
        }
        for (auto it = mounts.rbegin(); it != mounts.rend(); ++it)
            ::umount2(it->c_str(), MNT_DETACH);
        fs::remove_all(dir_, ec);
    }

    fs::path dir_;
    pid_t pid_ = -1;
};

// ------------------------------------------------------------ tests

json::object bash(const std::string &code, double time_s = 30) {
    return json::object{{"language", "bash"},
                        {"code", code},
                        {"limits", json::object{{"time_s", time_s}}}};
}

// Waits until the engine lists a running container of ours owned by this
// process (the long run has started).
void wait_for_running_box(docker::Engine &engine) {
    const std::string filters = json::serialize(json::object{
        {"label", json::array{"org.sbx.owner=" + current_owner()}},
        {"status", json::array{"running"}}});
    const auto deadline = Clock::now() + 30s;
    while (Clock::now() < deadline) {
        const docker::Response r = engine.checked(
            "GET", "/containers/json?filters=" + util::url_encode(filters), std::nullopt, 5s);
        if (!r.json().as_array().empty())
            return;
        std::this_thread::sleep_for(50ms);
    }
    FAIL() << "the long run never started";
}

// Starts a long run, stops the engine with `signal` once it runs, and checks
// the run ends with setup_error within `bound` of the signal.
void stop_engine_during_run(Client &client, SecondEngine &second, int signal,
                            std::chrono::milliseconds bound) {
    docker::Engine engine(docker::parse_endpoint(second.host()));
    auto run = std::async(std::launch::async, [&] {
        json::object r = client.run(bash("echo started; sleep 60", 90));
        return std::make_pair(std::move(r), Clock::now());
    });
    wait_for_running_box(engine);
    std::this_thread::sleep_for(300ms); // sbx-init is in the job, bash sleeps
    const Clock::time_point signalled = Clock::now();
    second.stop(signal);
    ASSERT_EQ(run.wait_for(20s), std::future_status::ready)
        << "the run hangs after the engine stopped";
    const auto [result, ended] = run.get();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(ended - signalled);
    EXPECT_EQ(str(result, "status"), "setup_error") << dump(result);
    EXPECT_NE(str(result, "error_message").find(second.host()), std::string::npos)
        << dump(result);
    EXPECT_LE(took, bound) << "setup_error came " << took.count() << " ms after signal "
                           << signal;
    std::cout << "signal " << signal << " to dockerd: " << str(result, "status") << " after "
              << took.count() << " ms\n";
}

TEST(Faults, EngineStoppedMidRunIsSetupErrorAndTheNextRunSucceeds) {
    SecondEngine second;
    second.start();
    copy_image(docker::default_endpoint().path, second.socket(), "sbx/bash:latest");
    // No warm pool: every run makes its box when it starts.
    Client client(R"({"docker_host": ")" + second.host() + R"(", "pool": {"size": 0}})");
    json::object r = client.run(bash("echo before"));
    ASSERT_EQ(str(r, "status"), "success") << dump(r);

    // dockerd killed (a crash, the OOM killer, kill -9): the attach stream
    // breaks at once.
    stop_engine_during_run(client, second, SIGKILL, 2000ms);
    // While it is down: setup_error at once, naming the engine.
    const auto down = Clock::now();
    r = client.run(bash("echo down"));
    EXPECT_EQ(str(r, "status"), "setup_error") << dump(r);
    EXPECT_LE(Clock::now() - down, 2s);
    // Back: the very next run succeeds.
    second.start();
    r = client.run(bash("echo after"));
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "after\n") << dump(r);

    // dockerd stopped as a service is (SIGTERM, shutdown-timeout 0).
    stop_engine_during_run(client, second, SIGTERM, 2000ms);
    second.start();
    r = client.run(bash("echo again"));
    EXPECT_EQ(str(r, "status"), "success") << dump(r);

    // A fresh engine has no python image: setup_error naming it and how to
    // build it.
    r = client.run(json::object{{"language", "python"}, {"code", "print(1)"}});
    EXPECT_EQ(str(r, "status"), "setup_error") << dump(r);
    EXPECT_NE(str(r, "error_message").find("sbx/python"), std::string::npos) << dump(r);
    EXPECT_NE(str(r, "error_message").find("scripts/build-images"), std::string::npos)
        << dump(r);
}

// The child: a sandbox with a warm pool, three threads of short runs and one
// long run, until it is killed. Never returns.
[[noreturn]] void host_under_fire() {
    sbx_sandbox *sb = nullptr;
    char *error = nullptr;
    if (sbx_create(&sb, R"({"pool": {"size": 2, "languages": ["bash"]}, "log_level": "off"})",
                   nullptr, &error) != SBX_OK)
        _exit(3);
    auto loop = [sb](const char *request) {
        for (;;) {
            char *out = nullptr, *err = nullptr;
            sbx_execute(&out, sb, request, nullptr, &err);
            sbx_string_free(out);
            sbx_string_free(err);
        }
    };
    for (int i = 0; i < 3; ++i)
        std::thread(loop, R"({"language": "bash", "code": "echo short"})").detach();
    loop(R"({"language": "bash", "code": "sleep 120", "limits": {"time_s": 150}})");
    _exit(0);
}

TEST(Faults, HostKilledDuringRunsIsCleanedUpByTheNextCreate) {
    docker::Engine engine(docker::default_endpoint());
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    // Forked while this process has a single thread; the child never comes
    // back into the test.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        host_under_fire();
    }
    const std::string prefix = std::string(name) + ":" + std::to_string(child) + ":";
    // Until the child has boxes of its own (a warm pool and running ones),
    // then a little longer, so that some are being made when it dies.
    const auto deadline = Clock::now() + 60s;
    while (owned_by(engine, prefix).size() < 3 && Clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(700ms);
    const size_t at_kill = owned_by(engine, prefix).size();
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child ended before it was killed (status " << status << ")";
    EXPECT_GE(at_kill, 3u) << "the child never had its boxes running";
    std::cout << "the killed host owned " << at_kill << " container(s)\n";

    // The next sandbox removes them at sbx_create; a create the child had in
    // flight may complete on the engine only after that: its later sweeps
    // (2 s, 6 s, 14 s after sbx_create) take it.
    Client next(R"({"pool": {"size": 0}})");
    const size_t after_create = owned_by(engine, prefix).size();
    const auto created = Clock::now();
    std::vector<std::string> left = owned_by(engine, prefix);
    while (!left.empty() && Clock::now() < created + 20s) {
        std::this_thread::sleep_for(200ms);
        left = owned_by(engine, prefix);
    }
    std::cout << after_create << " container(s) of the killed host right after sbx_create, "
              << left.size() << " "
              << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - created).count()
              << " ms later\n";
    EXPECT_TRUE(left.empty()) << left.size() << " container(s) of the killed host remain, e.g. "
                              << (left.empty() ? "" : left.front());
}

} // namespace
} // namespace sbx::test
