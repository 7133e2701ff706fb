// The engine client against the real Docker engine (DOCKER_HOST or the
// default socket), plus small fake engines on unix sockets for the cases a
// real engine cannot be made to show (silence, a stale pooled connection, a
// partial answer, bytes that arrive with the 101).
#include "docker/engine.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sbx::docker::AttachStream;
using sbx::docker::Clock;
using sbx::docker::default_endpoint;
using sbx::docker::Demuxer;
using sbx::docker::Engine;
using sbx::docker::EngineError;
using sbx::docker::EngineUnavailable;
using sbx::docker::parse_endpoint;

namespace {

// Built by the project's bootstrap (scripts/), from languages/bash.json.
constexpr const char *kImage = "sbx/bash:latest";

bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------
// A fake engine: a listening unix socket in a fresh temporary directory, and
// a script run on its own thread. Every wait in it is bounded.

int accept_within(int listen_fd, int ms) {
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1)
        return -1;
    return ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// Reads one request head (up to the blank line); "" on EOF or silence.
std::string read_head(int fd, int ms = 5000) {
    std::string got;
    while (!contains(got, "\r\n\r\n")) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) != 1)
            return "";
        char buf[4096];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return "";
        got.append(buf, static_cast<size_t>(n));
    }
    return got;
}

void send_all(int fd, const std::string &bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        off += static_cast<size_t>(n);
    }
}

const std::string kOkAnswer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK";

class FakeEngine {
public:
    enum class Kind { unix_socket, tcp_loopback };

    explicit FakeEngine(std::function<void(int listen_fd)> script,
                        Kind kind = Kind::unix_socket) {
        if (kind == Kind::unix_socket) {
            char tmpl[] = "/tmp/sbx-fake-engine-XXXXXX";
            dir_ = ::mkdtemp(tmpl);
            std::string path = dir_ + "/docker.sock";
            fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
            if (::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
                throw std::runtime_error("cannot bind " + path);
            url_ = "unix://" + path;
        } else { // 127.0.0.1, a port the kernel picks: nothing leaves the host
            fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            socklen_t len = sizeof addr;
            if (::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
                ::getsockname(fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
                throw std::runtime_error("cannot bind 127.0.0.1");
            url_ = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
        }
        if (::listen(fd_, 16) != 0)
            throw std::runtime_error("cannot listen on " + url_);
        thread_ = std::thread([this, script = std::move(script)] { script(fd_); });
    }
    ~FakeEngine() {
        thread_.join();
        ::close(fd_);
        if (!dir_.empty())
            std::filesystem::remove_all(dir_);
    }
    std::string url() const { return url_; }

private:
    std::string dir_, url_;
    int fd_ = -1;
    std::thread thread_;
};

// ---------------------------------------------------------------------------
// The real engine.

class RealEngine : public ::testing::Test {
protected:
    void SetUp() override {
        try {
            engine.checked("GET", "/_ping", std::nullopt, 10s);
        } catch (const std::exception &e) {
            FAIL() << "the Docker engine is not reachable (" << e.what()
                   << "); start it with scripts/bootstrap or set DOCKER_HOST";
        }
    }
    void require_image() {
        auto res = engine.request("GET", std::string("/images/") + kImage + "/json",
                                  std::nullopt, 10s);
        ASSERT_EQ(res.status, 200u)
            << "image " << kImage << " is missing: build the language images with "
            << "scripts/bootstrap (the image builder of languages/) before running "
            << "the integration tests";
    }

    Engine engine{default_endpoint()};
};

// Removes the container whatever happens to the test.
struct ContainerGuard {
    Engine &engine;
    std::string id;
    ~ContainerGuard() {
        if (id.empty())
            return;
        try {
            engine.request("DELETE", "/containers/" + id + "?force=1", std::nullopt, 20s);
        } catch (...) {
        }
    }
};

std::string create_cat_container(Engine &engine) {
    boost::json::object spec{
        {"Image", kImage},
        {"Cmd", boost::json::array{"cat"}},
        {"OpenStdin", true},
        {"StdinOnce", true},
        {"AttachStdin", true},
        {"AttachStdout", true},
        {"AttachStderr", true},
        {"Tty", false},
        {"HostConfig", {{"NetworkMode", "none"}}},
        {"Labels", {{"org.sbx.test", "1"}}},
    };
    auto res = engine.checked("POST", "/containers/create", boost::json::serialize(spec), 30s);
    EXPECT_EQ(res.status, 201u);
    return std::string(res.json().at("Id").as_string());
}

} // namespace

TEST_F(RealEngine, Ping) {
    auto res = engine.checked("GET", "/_ping", std::nullopt, 10s);
    EXPECT_EQ(res.status, 200u);
    EXPECT_EQ(res.body, "OK");
}

TEST_F(RealEngine, Version) {
    auto v = engine.checked("GET", "/version", std::nullopt, 10s).json();
    ASSERT_TRUE(v.is_object());
    EXPECT_TRUE(v.at("Version").is_string());
    std::string api(v.at("ApiVersion").as_string());
    EXPECT_FALSE(api.empty());
}

TEST_F(RealEngine, UnknownContainerIs404WithEngineMessage) {
    const std::string target = "/containers/sbx-test-no-such-container/json";
    auto res = engine.request("GET", target, std::nullopt, 10s);
    EXPECT_EQ(res.status, 404u);
    try {
        engine.checked("GET", target, std::nullopt, 10s);
        FAIL() << "no EngineError";
    } catch (const EngineError &e) {
        EXPECT_EQ(e.status, 404u);
        // The engine's own text, unprefixed.
        EXPECT_EQ(std::string(e.what()).rfind("No such container", 0), 0u) << e.what();
        EXPECT_TRUE(contains(e.what(), "sbx-test-no-such-container")) << e.what();
    }
}

TEST_F(RealEngine, ResponseJsonOnBadJsonIsEngineError) {
    auto res = engine.checked("GET", "/_ping", std::nullopt, 10s); // body "OK"
    EXPECT_THROW(res.json(), EngineError);
}

TEST_F(RealEngine, PostWithJsonBody) {
    // The engine's answer names the image: the body was sent and parsed.
    try {
        engine.checked("POST", "/containers/create",
                       std::string(R"({"Image": "sbx-test-no-such-image:none"})"), 10s);
        FAIL() << "no EngineError";
    } catch (const EngineError &e) {
        EXPECT_EQ(e.status, 404u);
        EXPECT_TRUE(contains(e.what(), "sbx-test-no-such-image")) << e.what();
    }
}

TEST_F(RealEngine, ConcurrentRequests) {
    constexpr int kThreads = 8, kRequests = 20;
    std::atomic<int> ok{0};
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            try {
                for (int i = 0; i < kRequests; ++i) {
                    auto res = engine.request("GET", i % 2 ? "/_ping" : "/version",
                                              std::nullopt, 20s);
                    if (res.status == 200)
                        ++ok;
                }
            } catch (const std::exception &e) {
                errors[t] = e.what();
            }
        });
    for (auto &t : threads)
        t.join();
    for (auto &e : errors)
        EXPECT_TRUE(e.empty()) << e;
    EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST_F(RealEngine, AttachToUnknownContainerIsEngineError) {
    try {
        engine.attach("sbx-test-no-such-container", 10s);
        FAIL() << "no EngineError";
    } catch (const EngineError &e) {
        EXPECT_EQ(e.status, 404u);
        EXPECT_TRUE(contains(e.what(), "No such container")) << e.what();
    }
}

TEST_F(RealEngine, AttachRoundTrip) {
    ASSERT_NO_FATAL_FAILURE(require_image());
    ContainerGuard guard{engine, create_cat_container(engine)};
    ASSERT_FALSE(guard.id.empty());

    auto stream = engine.attach(guard.id, 10s);
    engine.checked("POST", "/containers/" + guard.id + "/start", std::nullopt, 30s);

    // Nothing to read yet: the deadline passes, the stream stays usable.
    std::string raw;
    EXPECT_TRUE(stream->read_some(raw, Clock::now() + 200ms));
    EXPECT_TRUE(raw.empty());

    stream->write("hello\n", Clock::now() + 10s);

    Demuxer demux;
    std::string out, err;
    const auto deadline = Clock::now() + 30s;
    while (out.find("hello\n") == std::string::npos && Clock::now() < deadline) {
        raw.clear();
        if (!stream->read_some(raw, deadline))
            break;
        demux.feed(raw, [&](uint8_t s, std::string_view bytes) {
            (s == 2 ? err : out).append(bytes);
        });
    }
    EXPECT_EQ(out, "hello\n");
    EXPECT_EQ(err, "");

    stream->close();
    raw.clear();
    EXPECT_FALSE(stream->read_some(raw, Clock::now() + 5s));
    EXPECT_THROW(stream->write("more\n", Clock::now() + 5s), EngineUnavailable);
}

TEST_F(RealEngine, CloseFromAnotherThreadUnblocksReader) {
    ASSERT_NO_FATAL_FAILURE(require_image());
    ContainerGuard guard{engine, create_cat_container(engine)};
    ASSERT_FALSE(guard.id.empty());
    auto stream = engine.attach(guard.id, 10s);
    engine.checked("POST", "/containers/" + guard.id + "/start", std::nullopt, 30s);

    std::atomic<int> result{-1};
    const auto start = Clock::now();
    std::thread reader([&] {
        std::string raw;
        bool more = true;
        // cat prints nothing: only close() can end this before 60 s.
        while (more && raw.empty() && Clock::now() < start + 60s)
            more = stream->read_some(raw, start + 60s);
        result = more ? 1 : 0;
    });
    std::this_thread::sleep_for(300ms); // let the reader block
    stream->close();
    reader.join();
    EXPECT_EQ(result.load(), 0);
    EXPECT_LT(Clock::now() - start, 30s);
}

// ---------------------------------------------------------------------------
// Unreachable engines and argument errors.

TEST(EngineUnreachable, MissingSocketFailsFastWithEndpointInMessage) {
    const std::string url = "unix:///nonexistent-sbx-dir/docker.sock";
    Engine engine(parse_endpoint(url));
    const auto start = Clock::now();
    try {
        engine.request("GET", "/_ping", std::nullopt, 30s);
        FAIL() << "no EngineUnavailable";
    } catch (const EngineUnavailable &e) {
        EXPECT_TRUE(contains(e.what(), url)) << e.what();
        EXPECT_TRUE(contains(e.what(), "No such file or directory")) << e.what();
    }
    EXPECT_LT(Clock::now() - start, 10s); // behaviour: it does not wait for the deadline
    EXPECT_THROW(engine.attach("abc", 30s), EngineUnavailable);
}

TEST(EngineUnreachable, RefusedConnection) {
    // A bound socket nobody listens on refuses connections.
    char tmpl[] = "/tmp/sbx-refused-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::string path = dir + "/docker.sock";
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    Engine engine(parse_endpoint("unix://" + path));
    try {
        engine.request("GET", "/_ping", std::nullopt, 10s);
        ADD_FAILURE() << "no EngineUnavailable";
    } catch (const EngineUnavailable &e) {
        EXPECT_TRUE(contains(e.what(), "Connection refused")) << e.what();
        EXPECT_TRUE(contains(e.what(), path)) << e.what();
    }
    ::close(fd);
    std::filesystem::remove_all(dir);
}

TEST(EngineArguments, BadArgumentsAreInvalidArgument) {
    Engine engine(parse_endpoint("unix:///nonexistent-sbx-dir/docker.sock"));
    EXPECT_THROW(engine.request("GET", "_ping", std::nullopt, 1s), std::invalid_argument);
    EXPECT_THROW(engine.request("GET", "/v1.41/_ping", std::nullopt, 1s),
                 std::invalid_argument);
    EXPECT_THROW(engine.request("GET", "/_ping HTTP/1.0", std::nullopt, 1s),
                 std::invalid_argument);
    EXPECT_THROW(engine.request("GET", "/_ping\r\nX: y", std::nullopt, 1s),
                 std::invalid_argument);
    EXPECT_THROW(engine.request("G T", "/_ping", std::nullopt, 1s), std::invalid_argument);
    EXPECT_THROW(engine.request("GET", "/_ping", std::nullopt, 0ms), std::invalid_argument);
    EXPECT_THROW(engine.attach("../images", 1s), std::invalid_argument);
    EXPECT_THROW(engine.attach("", 1s), std::invalid_argument);
    EXPECT_THROW(engine.attach("abc", -1ms), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Fake engines.

TEST(FakeEngineTest, SilentEngineHitsTheDeadline) {
    FakeEngine fake([](int lfd) {
        int c = accept_within(lfd, 5000);
        read_head(c);
        // Say nothing; the client's deadline closes the connection.
        pollfd p{c, POLLIN, 0};
        ::poll(&p, 1, 5000);
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    const auto start = Clock::now();
    try {
        engine.request("GET", "/_ping", std::nullopt, 300ms);
        ADD_FAILURE() << "no EngineUnavailable";
    } catch (const EngineUnavailable &e) {
        EXPECT_TRUE(contains(e.what(), "did not answer")) << e.what();
        EXPECT_TRUE(contains(e.what(), fake.url())) << e.what();
    }
    const auto took = Clock::now() - start;
    EXPECT_GE(took, 290ms);
    EXPECT_LT(took, 4s); // behaviour: the deadline holds
}

TEST(FakeEngineTest, ConnectionsAreReused) {
    std::atomic<int> connections{0}, requests{0};
    {
        FakeEngine fake([&](int lfd) {
            int c = accept_within(lfd, 5000);
            ++connections;
            while (requests < 5 && !read_head(c, 2000).empty()) {
                ++requests;
                send_all(c, kOkAnswer);
            }
            // A second connection would show here; there must be none.
            int extra = accept_within(lfd, 200);
            if (extra >= 0) {
                ++connections;
                ::close(extra);
            }
            ::close(c);
        });
        Engine engine(parse_endpoint(fake.url()));
        for (int i = 0; i < 5; ++i)
            EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");
    }
    EXPECT_EQ(requests.load(), 5);
    EXPECT_EQ(connections.load(), 1);
}

TEST(FakeEngineTest, ClosedPooledConnectionIsNotReused) {
    std::atomic<int> connections{0};
    FakeEngine fake([&](int lfd) {
        for (int i = 0; i < 2; ++i) {
            int c = accept_within(lfd, 5000);
            ++connections;
            read_head(c);
            send_all(c, kOkAnswer); // keep-alive answer, then hang up
            ::shutdown(c, SHUT_RDWR);
            ::close(c);
        }
    });
    Engine engine(parse_endpoint(fake.url()));
    EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");
    EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");
    EXPECT_EQ(connections.load(), 2);
}

TEST(FakeEngineTest, StalePooledConnectionIsRetriedOnce) {
    // The engine drops the pooled connection just as the next request goes
    // out (it reads it, then hangs up without a byte): sent again, on a
    // fresh connection.
    std::atomic<int> requests{0};
    FakeEngine fake([&](int lfd) {
        int c1 = accept_within(lfd, 5000);
        if (!read_head(c1).empty())
            ++requests;
        send_all(c1, kOkAnswer);
        if (!read_head(c1).empty())
            ++requests;
        ::close(c1); // no answer
        int c2 = accept_within(lfd, 5000);
        if (!read_head(c2).empty())
            ++requests;
        send_all(c2, kOkAnswer);
        ::close(c2);
    });
    Engine engine(parse_endpoint(fake.url()));
    EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");
    EXPECT_EQ(engine.request("POST", "/containers/x/start", std::nullopt, 5s).body, "OK");
    EXPECT_EQ(requests.load(), 3);
}

TEST(FakeEngineTest, PartialAnswerIsNotRetried) {
    std::atomic<int> connections{0};
    {
        FakeEngine fake([&](int lfd) {
            int c1 = accept_within(lfd, 5000);
            ++connections;
            read_head(c1);
            send_all(c1, kOkAnswer);
            read_head(c1);
            send_all(c1, "HTTP/1.1 200 OK\r\nContent-Le"); // then hang up
            ::close(c1);
            int extra = accept_within(lfd, 300);
            if (extra >= 0) {
                ++connections;
                ::close(extra);
            }
        });
        Engine engine(parse_endpoint(fake.url()));
        EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");
        try {
            engine.request("GET", "/_ping", std::nullopt, 5s);
            ADD_FAILURE() << "no EngineUnavailable";
        } catch (const EngineUnavailable &e) {
            EXPECT_TRUE(contains(e.what(), "lost the connection")) << e.what();
        }
    }
    EXPECT_EQ(connections.load(), 1);
}

TEST(FakeEngineTest, ChunkedAnswerAndRequestShape) {
    std::string head;
    FakeEngine fake([&](int lfd) {
        int c = accept_within(lfd, 5000);
        head = read_head(c);
        send_all(c, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"
                    "5\r\n{\"mes\r\n"
                    "15\r\nsage\":\"no such thing\"\r\n"
                    "2\r\n}\n\r\n0\r\n\r\n");
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    try {
        engine.checked("POST", "/things/create?name=a", std::string("{}"), 5s);
        ADD_FAILURE() << "no EngineError";
    } catch (const EngineError &e) {
        EXPECT_EQ(e.status, 404u);
        EXPECT_STREQ(e.what(), "no such thing");
    }
    EXPECT_EQ(head.rfind("POST /v1.41/things/create?name=a HTTP/1.1\r\n", 0), 0u) << head;
    EXPECT_TRUE(contains(head, "Host: docker\r\n")) << head;
    EXPECT_TRUE(contains(head, "Content-Type: application/json\r\n")) << head;
    EXPECT_TRUE(contains(head, "Content-Length: 2\r\n")) << head;
}

TEST(FakeEngineTest, NonJsonErrorBodyIsTheMessage) {
    FakeEngine fake([&](int lfd) {
        int c = accept_within(lfd, 5000);
        read_head(c);
        send_all(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 12\r\n\r\n"
                    "plain words\n");
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    try {
        engine.checked("GET", "/x", std::nullopt, 5s);
        ADD_FAILURE() << "no EngineError";
    } catch (const EngineError &e) {
        EXPECT_EQ(e.status, 500u);
        EXPECT_STREQ(e.what(), "plain words");
    }
}

TEST(FakeEngineTest, AttachKeepsBytesThatCameWithThe101) {
    std::string head, received;
    const std::string early = std::string("\x01\0\0\0\0\0\0\x06", 8) + "early\n";
    FakeEngine fake([&](int lfd) {
        int c = accept_within(lfd, 5000);
        head = read_head(c);
        // The header and the first frame in one write.
        send_all(c, "HTTP/1.1 101 UPGRADED\r\n"
                    "Content-Type: application/vnd.docker.raw-stream\r\n"
                    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n" +
                        early);
        // Echo what the client writes as a stdout frame, then hang up.
        std::string in;
        while (in.size() < 4) {
            char buf[16];
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 5000) != 1)
                break;
            ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            in.append(buf, static_cast<size_t>(n));
        }
        received = in;
        send_all(c, std::string("\x02\0\0\0\0\0\0", 7) + char(in.size()) + in);
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    auto stream = engine.attach("abc123", 5s);
    std::string raw;
    ASSERT_TRUE(stream->read_some(raw, Clock::now() + 5s));
    EXPECT_EQ(raw, early); // delivered before anything read from the socket
    stream->write("ping", Clock::now() + 5s);
    Demuxer demux;
    std::string err;
    const auto deadline = Clock::now() + 5s;
    for (;;) {
        raw.clear();
        if (!stream->read_some(raw, deadline) || Clock::now() >= deadline)
            break;
        demux.feed(raw, [&](uint8_t s, std::string_view b) {
            if (s == 2)
                err.append(b);
        });
    }
    EXPECT_EQ(err, "ping");
    // EOF is sticky.
    raw.clear();
    EXPECT_FALSE(stream->read_some(raw, Clock::now() + 1s));
    EXPECT_EQ(head.rfind("POST /v1.41/containers/abc123/attach?stream=1&stdin=1&stdout=1"
                         "&stderr=1 HTTP/1.1\r\n",
                         0),
              0u)
        << head;
    EXPECT_TRUE(contains(head, "Upgrade: tcp\r\n")) << head;
    EXPECT_TRUE(contains(head, "Connection: Upgrade\r\n")) << head;
}

TEST(FakeEngineTest, AttachAcceptsLegacy200) {
    FakeEngine fake([&](int lfd) {
        int c = accept_within(lfd, 5000);
        read_head(c);
        send_all(c, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n" +
                        std::string("\x01\0\0\0\0\0\0\x02hi", 10));
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    auto stream = engine.attach("abc", 5s);
    std::string raw;
    while (stream->read_some(raw, Clock::now() + 5s) && raw.size() < 10) {
    }
    EXPECT_EQ(raw, std::string("\x01\0\0\0\0\0\0\x02hi", 10));
}

TEST(FakeEngineTest, AttachWriteDeadline) {
    // The engine never reads: the socket buffers fill, the write times out.
    FakeEngine fake([&](int lfd) {
        int c = accept_within(lfd, 5000);
        read_head(c);
        send_all(c, "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
        pollfd p{c, POLLRDHUP, 0};
        ::poll(&p, 1, 5000); // until the client goes away
        ::close(c);
    });
    Engine engine(parse_endpoint(fake.url()));
    auto stream = engine.attach("abc", 5s);
    const std::string big(16 << 20, 'x');
    const auto start = Clock::now();
    EXPECT_THROW(stream->write(big, Clock::now() + 300ms), EngineUnavailable);
    EXPECT_LT(Clock::now() - start, 4s);
    stream->close();
}

TEST(FakeEngineTest, TcpEndpointRequestAndAttach) {
    std::string head;
    FakeEngine fake(
        [&](int lfd) {
            int c = accept_within(lfd, 5000);
            read_head(c);
            send_all(c, kOkAnswer);
            ::close(c);
            c = accept_within(lfd, 5000);
            head = read_head(c);
            send_all(c, "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            pollfd p{c, POLLRDHUP, 0};
            ::poll(&p, 1, 10000); // until the client shuts the stream down
            ::close(c);
        },
        FakeEngine::Kind::tcp_loopback);
    Engine engine(parse_endpoint(fake.url()));
    EXPECT_EQ(engine.request("GET", "/_ping", std::nullopt, 5s).body, "OK");

    auto stream = engine.attach("abc", 5s);
    EXPECT_TRUE(contains(head, "Upgrade: tcp\r\n")) << head;
    std::atomic<int> result{-1};
    const auto start = Clock::now();
    std::thread reader([&] {
        std::string raw;
        bool more = true;
        while (more && raw.empty() && Clock::now() < start + 30s)
            more = stream->read_some(raw, start + 30s);
        result = more ? 1 : 0;
    });
    std::this_thread::sleep_for(200ms); // let the reader block
    stream->close();
    reader.join();
    EXPECT_EQ(result.load(), 0);
    EXPECT_LT(Clock::now() - start, 10s);
}

TEST(EngineUnreachable, TcpRefusedConnection) {
    // Bind a loopback port without listening: connections are refused.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len), 0);
    const std::string url = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    Engine engine(parse_endpoint(url));
    try {
        engine.request("GET", "/_ping", std::nullopt, 5s);
        ADD_FAILURE() << "no EngineUnavailable";
    } catch (const EngineUnavailable &e) {
        EXPECT_TRUE(contains(e.what(), url)) << e.what();
        EXPECT_TRUE(contains(e.what(), "Connection refused")) << e.what();
    }
    ::close(fd);
}
