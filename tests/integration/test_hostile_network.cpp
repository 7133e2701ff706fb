// Hostile programs: the network. Every address these tests use is on this
// machine: the host's loopback and, when the engine made one, the docker0
// bridge's own address (the host's side of it). The sandbox programs check
// that they have no interface but lo before they try anything that would
// leave the machine otherwise.
#include "integration/hostile.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sbx::test {
namespace {

// A TCP server on one of the host's addresses that only counts the
// connections that reached it.
class Listener {
public:
    explicit Listener(const std::string &address) : address_(address) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
            ::listen(fd_, 16) != 0)
            throw std::runtime_error("cannot listen on " + address);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener &) = delete;
    Listener &operator=(const Listener &) = delete;

    const std::string &address() const { return address_; }
    int port() const { return port_; }

    // Connections that arrived (accepted now, without waiting).
    int arrived() {
        ::fcntl(fd_, F_SETFL, O_NONBLOCK);
        int n = 0;
        for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0; ++n)
            ::close(c);
        return n;
    }

private:
    std::string address_;
    int fd_ = -1;
    int port_ = 0;
};

// The IPv4 address of the host's docker0 bridge, empty without one.
std::string docker0_address() {
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return {};
    std::string found;
    for (ifaddrs *i = list; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && std::string(i->ifa_name) == "docker0") {
            char text[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr, text,
                        sizeof text);
            found = text;
        }
    ::freeifaddrs(list);
    return found;
}

// Prints "HAS_NET" and exits unless lo is the only interface, so that a
// broken sandbox never sends anything anywhere.
constexpr const char *only_lo_guard =
    "import socket, sys\n"
    "if [n for _, n in socket.if_nameindex()] != ['lo']:\n"
    "    print('HAS_NET', socket.if_nameindex())\n"
    "    sys.exit(1)\n";

class HostileNetwork : public Hostile {};

TEST_F(HostileNetwork, OnlyLoopbackExists) {
    const Timed t = run("python",
                        "import socket\n"
                        "print(socket.if_nameindex())\n"
                        "print([l.split(':')[0].strip() for l in open('/proc/net/dev')][2:])\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "[(1, 'lo')]\n['lo']\n") << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileNetwork, ServersOnTheHostCannotBeReached) {
    std::vector<std::unique_ptr<Listener>> servers;
    servers.push_back(std::make_unique<Listener>("127.0.0.1"));
    if (const std::string bridge = docker0_address(); !bridge.empty())
        servers.push_back(std::make_unique<Listener>(bridge));
    std::string targets;
    for (const auto &s : servers)
        targets += "('" + s->address() + "', " + std::to_string(s->port()) + "), ";
    // Each attempt must fail, and fail fast (not hang until a timeout).
    const Timed t = run("python",
                        std::string(only_lo_guard) +
                            "import errno, time\n"
                            "for target in [" + targets + "]:\n"
                            "    s = socket.socket()\n"
                            "    s.settimeout(5)\n"
                            "    start = time.monotonic()\n"
                            "    try:\n"
                            "        s.connect(target)\n"
                            "        print(target[0], 'CONNECTED')\n"
                            "    except OSError as e:\n"
                            "        took = time.monotonic() - start\n"
                            "        print(target[0], 'failed', 'fast' if took < 1 else 'SLOW', \n"
                            "              errno.errorcode.get(e.errno, e))\n",
                        {{"time_s", 15}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    const std::string out = str(r, "stdout");
    for (const auto &s : servers) {
        EXPECT_NE(out.find(s->address() + " failed fast"), std::string::npos)
            << s->address() << "\n" << dump(r);
        EXPECT_EQ(s->arrived(), 0) << "a connection reached " << s->address();
    }
    EXPECT_EQ(out.find("CONNECTED"), std::string::npos) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileNetwork, NameResolutionFails) {
    // With no network the engine writes no resolv.conf or hosts of its own:
    // the image's are empty, so the resolver asks 127.0.0.1 in the sandbox,
    // where nothing answers. It fails, at once.
    const Timed t = run("python",
                        std::string(only_lo_guard) +
                            "import time\n"
                            "start = time.monotonic()\n"
                            "try:\n"
                            "    socket.getaddrinfo('example.com', 80)\n"
                            "    print('RESOLVED')\n"
                            "except socket.gaierror as e:\n"
                            "    print('example.com unresolved', 'fast' if time.monotonic() - start "
                            "< 2 else 'SLOW')\n",
                        {{"time_s", 15}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "example.com unresolved fast\n") << dump(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
