// parse_endpoint / default_endpoint: which DOCKER_HOST values are accepted.
#include "docker/engine.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

using sbx::docker::default_endpoint;
using sbx::docker::Endpoint;
using sbx::docker::parse_endpoint;

namespace {

// Sets or unsets DOCKER_HOST for one test, then restores it.
class DockerHostEnv {
public:
    explicit DockerHostEnv(const char *value) {
        if (const char *old = std::getenv("DOCKER_HOST"))
            saved_ = old;
        if (value)
            ::setenv("DOCKER_HOST", value, 1);
        else
            ::unsetenv("DOCKER_HOST");
    }
    ~DockerHostEnv() {
        if (saved_)
            ::setenv("DOCKER_HOST", saved_->c_str(), 1);
        else
            ::unsetenv("DOCKER_HOST");
    }

private:
    std::optional<std::string> saved_;
};

// Expects parse_endpoint(value) to throw invalid_argument whose message
// names the value and contains `fragment`.
void expect_rejected(const std::string &value, const std::string &fragment = "") {
    try {
        parse_endpoint(value);
        ADD_FAILURE() << "accepted: \"" << value << "\"";
    } catch (const std::invalid_argument &e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("\"" + value + "\""), std::string::npos)
            << "message does not name the value: " << msg;
        if (!fragment.empty())
            EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
}

} // namespace

TEST(Endpoint, UnixDefaultSocket) {
    Endpoint ep = parse_endpoint("unix:///var/run/docker.sock");
    EXPECT_EQ(ep.kind, Endpoint::Kind::unix_socket);
    EXPECT_EQ(ep.path, "/var/run/docker.sock");
    EXPECT_EQ(ep.text, "unix:///var/run/docker.sock");
}

TEST(Endpoint, UnixOtherPaths) {
    EXPECT_EQ(parse_endpoint("unix:///run/user/1000/docker.sock").path,
              "/run/user/1000/docker.sock");
    EXPECT_EQ(parse_endpoint("unix://relative/docker.sock").path, "relative/docker.sock");
}

TEST(Endpoint, UnixEmptyPathRejected) { expect_rejected("unix://", "empty"); }

TEST(Endpoint, UnixPathTooLongRejected) {
    expect_rejected("unix:///" + std::string(200, 'a'), "longer");
    // The longest that fits sockaddr_un (107 bytes + NUL) is fine.
    EXPECT_NO_THROW(parse_endpoint("unix:///" + std::string(106, 'a')));
}

TEST(Endpoint, TcpHostPort) {
    Endpoint ep = parse_endpoint("tcp://127.0.0.1:2375");
    EXPECT_EQ(ep.kind, Endpoint::Kind::tcp);
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_EQ(ep.port, "2375");
    EXPECT_EQ(ep.text, "tcp://127.0.0.1:2375");

    ep = parse_endpoint("tcp://docker.internal:2376");
    EXPECT_EQ(ep.host, "docker.internal");
    EXPECT_EQ(ep.port, "2376");
}

TEST(Endpoint, TcpTrailingSlashAccepted) {
    Endpoint ep = parse_endpoint("tcp://localhost:2375/");
    EXPECT_EQ(ep.host, "localhost");
    EXPECT_EQ(ep.port, "2375");
}

TEST(Endpoint, TcpIpv6InBrackets) {
    Endpoint ep = parse_endpoint("tcp://[::1]:2375");
    EXPECT_EQ(ep.kind, Endpoint::Kind::tcp);
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.port, "2375");
    expect_rejected("tcp://::1:2375", "brackets");
    expect_rejected("tcp://[::1:2375", "'['");
    expect_rejected("tcp://[::1]", "missing port");
}

TEST(Endpoint, TcpMissingPortRejected) {
    expect_rejected("tcp://localhost", "missing port");
    expect_rejected("tcp://localhost:", "missing port");
    expect_rejected("tcp://10.0.0.1", "missing port");
}

TEST(Endpoint, TcpBadPortRejected) {
    expect_rejected("tcp://localhost:0", "1 to 65535");
    expect_rejected("tcp://localhost:65536", "1 to 65535");
    expect_rejected("tcp://localhost:http", "1 to 65535");
    expect_rejected("tcp://localhost:-1", "1 to 65535");
    expect_rejected("tcp://localhost:+80", "1 to 65535");
    expect_rejected("tcp://localhost:80x", "1 to 65535");
}

TEST(Endpoint, TcpEmptyOrOddHostRejected) {
    expect_rejected("tcp://:2375", "host");
    expect_rejected("tcp://", "");
    expect_rejected("tcp://user@host:2375", "host");
    expect_rejected("tcp://host:2375/api", "");
}

TEST(Endpoint, OtherSchemesRejected) {
    expect_rejected("http://localhost:2375", "unsupported scheme \"http\"");
    expect_rejected("https://localhost:2376", "unsupported scheme");
    expect_rejected("ssh://user@host", "unsupported scheme \"ssh\"");
    expect_rejected("npipe:////./pipe/docker_engine", "unsupported scheme");
    expect_rejected("fd://", "unsupported scheme");
    expect_rejected("UNIX:///var/run/docker.sock", "unsupported scheme");
}

TEST(Endpoint, NoSchemeRejected) {
    expect_rejected("/var/run/docker.sock", "expected unix:///path or tcp://host:port");
    expect_rejected("localhost:2375", "expected");
    expect_rejected(" unix:///var/run/docker.sock", "");
}

TEST(Endpoint, EmptyRejected) {
    EXPECT_THROW(parse_endpoint(""), std::invalid_argument);
}

TEST(Endpoint, DefaultWithoutDockerHost) {
    DockerHostEnv env(nullptr);
    Endpoint ep = default_endpoint();
    EXPECT_EQ(ep.kind, Endpoint::Kind::unix_socket);
    EXPECT_EQ(ep.path, "/var/run/docker.sock");
    EXPECT_EQ(ep.text, "unix:///var/run/docker.sock");
}

TEST(Endpoint, DefaultWithEmptyDockerHost) {
    DockerHostEnv env("");
    EXPECT_EQ(default_endpoint().path, "/var/run/docker.sock");
}

TEST(Endpoint, DefaultHonoursDockerHost) {
    {
        DockerHostEnv env("tcp://127.0.0.1:2375");
        Endpoint ep = default_endpoint();
        EXPECT_EQ(ep.kind, Endpoint::Kind::tcp);
        EXPECT_EQ(ep.host, "127.0.0.1");
        EXPECT_EQ(ep.port, "2375");
    }
    {
        DockerHostEnv env("unix:///run/user/1000/docker.sock");
        Endpoint ep = default_endpoint();
        EXPECT_EQ(ep.kind, Endpoint::Kind::unix_socket);
        EXPECT_EQ(ep.path, "/run/user/1000/docker.sock");
    }
}

TEST(Endpoint, BadDockerHostNamesVariableAndValue) {
    DockerHostEnv env("ssh://someone@somewhere");
    try {
        default_endpoint();
        FAIL() << "accepted a bad DOCKER_HOST";
    } catch (const std::invalid_argument &e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("DOCKER_HOST"), std::string::npos) << msg;
        EXPECT_NE(msg.find("ssh://someone@somewhere"), std::string::npos) << msg;
    }
}
