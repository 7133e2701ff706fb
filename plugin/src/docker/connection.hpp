// One connection to the engine: a Beast stream over a unix socket or TCP,
// driven by the connection's own io_context so that it can be used (and
// pooled, and handed to another thread) without sharing any executor.
// Not thread-safe: one thread at a time, which the pool guarantees.
#pragma once

#include "docker/engine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <memory>
#include <variant>

namespace sbx::docker::detail {

using UnixStream = boost::beast::basic_stream<boost::asio::local::stream_protocol>;
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp>;

class Connection {
public:
    // Connects to the endpoint before the deadline or throws
    // EngineUnavailable ("cannot reach the Docker engine at ...").
    static std::unique_ptr<Connection> open(const Endpoint &endpoint,
                                            Clock::time_point deadline);

    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // Calls f(stream) with the UnixStream or TcpStream.
    template <class F> decltype(auto) visit(F &&f) {
        return std::visit([&](auto &stream) -> decltype(auto) { return f(stream); },
                          stream_);
    }

    // Runs the operations started on the stream until all have completed.
    // Every operation must be bounded (expires_at) or this may wait forever.
    void run() {
        ioc_.restart();
        ioc_.run();
    }

    // Bytes read past the last parsed message.
    boost::beast::flat_buffer &buffer() { return buffer_; }

    // For an idle connection: false when the peer closed it (or sent
    // something unasked), found without blocking.
    bool looks_alive();

    Clock::time_point idle_since{};

private:
    explicit Connection(Endpoint::Kind kind);

    boost::asio::io_context ioc_{1};
    std::variant<UnixStream, TcpStream> stream_;
    boost::beast::flat_buffer buffer_;
};

} // namespace sbx::docker::detail
