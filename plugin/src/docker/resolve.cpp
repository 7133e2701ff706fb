// Resolution with glibc's getaddrinfo_a: the lookup runs on libc's own
// helper thread, and we wait for it with gai_suspend until the deadline. A
// lookup that cannot be cancelled in time is abandoned (its small request
// block is leaked on purpose: libc's thread still writes to it).
#include "docker/resolve.hpp"

#include <netdb.h>

#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>

namespace sbx::docker::detail {
namespace {

struct Lookup {
    std::string host, port;
    addrinfo hints{};
    gaicb cb{};
};

[[noreturn]] void fail(const std::string &what, const std::string &why) {
    throw EngineUnavailable("cannot reach the Docker engine at " + what + ": " + why);
}

} // namespace

std::vector<boost::asio::ip::tcp::endpoint> resolve(const std::string &host,
                                                    const std::string &port,
                                                    Clock::time_point deadline,
                                                    const std::string &what) {
    unsigned short port_number = 0;
    auto [end, pec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
    if (pec != std::errc() || end != port.data() + port.size() || port_number == 0)
        throw std::invalid_argument("invalid Docker endpoint \"" + what +
                                    "\": the port must be a number from 1 to 65535");

    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (!ec)
        return {boost::asio::ip::tcp::endpoint(address, port_number)};

    auto lookup = std::make_unique<Lookup>();
    lookup->host = host;
    lookup->port = port;
    lookup->hints.ai_family = AF_UNSPEC;
    lookup->hints.ai_socktype = SOCK_STREAM;
    lookup->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    lookup->cb.ar_name = lookup->host.c_str();
    lookup->cb.ar_service = lookup->port.c_str();
    lookup->cb.ar_request = &lookup->hints;
    gaicb *list[1] = {&lookup->cb};
    if (int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0)
        fail(what, std::string("cannot look up ") + host + ": " + gai_strerror(rc));

    int status;
    while ((status = gai_error(&lookup->cb)) == EAI_INPROGRESS) {
        auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero()) {
            int rc = gai_cancel(&lookup->cb);
            if (rc == EAI_NOTCANCELED) {
                (void)lookup.release(); // libc still owns it; see the file comment
                fail(what, "looking up " + host + " did not finish before the deadline");
            }
            status = gai_error(&lookup->cb);
            if (status == EAI_INPROGRESS || status == EAI_CANCELED) {
                fail(what, "looking up " + host + " did not finish before the deadline");
            }
            break;
        }
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
        gai_suspend(list, 1, &ts); // returns on completion, timeout or signal
    }
    if (status != 0) {
        fail(what, "cannot look up " + host + ": " + gai_strerror(status));
    }

    std::vector<boost::asio::ip::tcp::endpoint> out;
    for (addrinfo *ai = lookup->cb.ar_result; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            boost::asio::ip::tcp::endpoint ep;
            std::memcpy(ep.data(), ai->ai_addr, sizeof(sockaddr_in));
            out.push_back(ep);
        } else if (ai->ai_family == AF_INET6) {
            boost::asio::ip::tcp::endpoint ep;
            std::memcpy(ep.data(), ai->ai_addr, sizeof(sockaddr_in6));
            out.push_back(ep);
        }
    }
    freeaddrinfo(lookup->cb.ar_result);
    if (out.empty())
        fail(what, "cannot look up " + host + ": no address");
    return out;
}

} // namespace sbx::docker::detail
