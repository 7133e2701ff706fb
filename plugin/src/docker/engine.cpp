// Engine: one HTTP request at a time per connection, connections pooled.
#include "docker/engine.hpp"

#include "docker/connection.hpp"
#include "docker/http.hpp"
#include "docker/pool.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <system_error>

namespace sbx::docker {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxIdleConnections = 16;
constexpr auto kMaxIdleTime = std::chrono::seconds(30);

std::string endpoint_text(const Endpoint &ep) {
    if (!ep.text.empty())
        return ep.text;
    if (ep.kind == Endpoint::Kind::unix_socket)
        return "unix://" + ep.path;
    return "tcp://" + ep.host + ":" + ep.port;
}

bool is_token(std::string_view s) {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    return true;
}

} // namespace

struct Engine::Impl {
    detail::ConnectionPool pool{kMaxIdleConnections, kMaxIdleTime};
};

Engine::Engine(Endpoint endpoint) : endpoint_(std::move(endpoint)), impl_(new Impl) {
    endpoint_.text = endpoint_text(endpoint_);
    if (endpoint_.kind == Endpoint::Kind::unix_socket && endpoint_.path.empty())
        throw std::invalid_argument("invalid Docker endpoint \"" + endpoint_.text +
                                    "\": the socket path is empty");
    if (endpoint_.kind == Endpoint::Kind::tcp && (endpoint_.host.empty() || endpoint_.port.empty()))
        throw std::invalid_argument("invalid Docker endpoint \"" + endpoint_.text +
                                    "\": expected tcp://host:port");
}

Engine::~Engine() = default;

boost::json::value Response::json() const {
    error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec)
        throw EngineError(status, "the Docker engine answered with invalid JSON (" +
                                      ec.message() + ")");
    return v;
}

Response Engine::request(std::string_view method, std::string_view target,
                         std::optional<std::string> json_body,
                         std::chrono::milliseconds timeout) {
    const auto deadline = detail::deadline_after(timeout);
    if (!is_token(method))
        throw std::invalid_argument("invalid HTTP method \"" + std::string(method) + "\"");

    http::request<http::string_body> req;
    req.version(11);
    if (auto verb = http::string_to_verb(method); verb != http::verb::unknown)
        req.method(verb);
    else
        req.method_string(method);
    req.target(detail::versioned_target(target));
    detail::set_common_fields(req);
    if (json_body) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(*json_body);
    }
    req.keep_alive(true);
    req.prepare_payload();

    const std::string what = std::string(method) + " " + std::string(req.target());
    try {
        for (int attempt = 0;; ++attempt) {
            std::unique_ptr<detail::Connection> conn;
            if (attempt == 0)
                conn = impl_->pool.take();
            const bool reused = conn != nullptr;
            if (!conn)
                conn = detail::Connection::open(endpoint_, deadline);

            http::response_parser<http::string_body> parser;
            parser.body_limit(detail::kMaxBodyBytes);
            parser.header_limit(detail::kMaxHeaderBytes);
            if (req.method() == http::verb::head)
                parser.skip(true);

            error_code ec;
            conn->visit([&](auto &stream) {
                stream.expires_at(deadline);
                http::async_write(stream, req, [&](error_code e, std::size_t) {
                    if (e) {
                        ec = e;
                        return;
                    }
                    stream.expires_at(deadline);
                    http::async_read(stream, conn->buffer(), parser,
                                     [&](error_code e2, std::size_t) { ec = e2; });
                });
            });
            conn->run();

            if (!ec) {
                auto &res = parser.get();
                Response out{res.result_int(), std::move(res.body())};
                if (parser.keep_alive() && conn->buffer().size() == 0)
                    impl_->pool.put(std::move(conn));
                return out;
            }

            const bool answered = parser.got_some() || conn->buffer().size() > 0;
            if (reused && !answered && ec != beast::error::timeout &&
                Clock::now() < deadline) {
                // A pooled connection the engine had closed: nothing was
                // answered, so the request is sent again on a fresh one.
                spdlog::debug("docker: stale pooled connection ({}), retrying {}",
                              ec.message(), what);
                continue;
            }
            if (ec == beast::error::timeout)
                throw EngineUnavailable("the Docker engine at " + endpoint_.text +
                                        " did not answer " + what + " within " +
                                        std::to_string(timeout.count()) + " ms");
            if (ec == http::error::body_limit)
                throw EngineUnavailable("the Docker engine's answer to " + what +
                                        " exceeds " +
                                        std::to_string(detail::kMaxBodyBytes >> 20) + " MiB");
            throw EngineUnavailable("lost the connection to the Docker engine at " +
                                    endpoint_.text + " during " + what + ": " + ec.message());
        }
    } catch (const boost::system::system_error &e) {
        throw EngineUnavailable("Docker engine at " + endpoint_.text + ", " + what + ": " +
                                e.code().message());
    }
}

Response Engine::checked(std::string_view method, std::string_view target,
                         std::optional<std::string> json_body,
                         std::chrono::milliseconds timeout) {
    Response res = request(method, target, std::move(json_body), timeout);
    if (res.status >= 400)
        throw EngineError(res.status, detail::engine_message(res.status, res.body));
    return res;
}

} // namespace sbx::docker
