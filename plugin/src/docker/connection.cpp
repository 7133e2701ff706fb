#include "docker/connection.hpp"

#include "docker/resolve.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

namespace sbx::docker::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

namespace {

[[noreturn]] void unreachable(const Endpoint &endpoint, const error_code &ec) {
    std::string why = ec == beast::error::timeout
                          ? std::string("no connection before the deadline")
                          : ec.message();
    throw EngineUnavailable("cannot reach the Docker engine at " + endpoint.text + ": " + why);
}

} // namespace

Connection::Connection(Endpoint::Kind kind)
    : stream_(kind == Endpoint::Kind::tcp
                  ? std::variant<UnixStream, TcpStream>(std::in_place_type<TcpStream>, ioc_)
                  : std::variant<UnixStream, TcpStream>(std::in_place_type<UnixStream>, ioc_)) {}

std::unique_ptr<Connection> Connection::open(const Endpoint &endpoint,
                                             Clock::time_point deadline) {
    std::unique_ptr<Connection> conn(new Connection(endpoint.kind));
    error_code ec;
    if (endpoint.kind == Endpoint::Kind::unix_socket) {
        asio::local::stream_protocol::endpoint where;
        try {
            where = asio::local::stream_protocol::endpoint(endpoint.path);
        } catch (const boost::system::system_error &e) {
            throw std::invalid_argument("invalid Docker endpoint \"" + endpoint.text +
                                        "\": " + e.code().message());
        }
        auto &stream = std::get<UnixStream>(conn->stream_);
        stream.expires_at(deadline);
        stream.async_connect(where, [&](error_code e) { ec = e; });
        conn->run();
    } else {
        auto addresses = resolve(endpoint.host, endpoint.port, deadline, endpoint.text);
        auto &stream = std::get<TcpStream>(conn->stream_);
        stream.expires_at(deadline);
        stream.async_connect(addresses,
                             [&](error_code e, const asio::ip::tcp::endpoint &) { ec = e; });
        conn->run();
        if (!ec)
            stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    }
    if (ec)
        unreachable(endpoint, ec);
    // Not inherited by programs the host may start.
    conn->visit([](auto &stream) { ::fcntl(stream.socket().native_handle(), F_SETFD, FD_CLOEXEC); });
    return conn;
}

bool Connection::looks_alive() {
    return visit([](auto &stream) {
        auto &socket = stream.socket();
        if (!socket.is_open())
            return false;
        char byte;
        ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    });
}

} // namespace sbx::docker::detail
