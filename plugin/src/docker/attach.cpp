// Engine::attach: the "Upgrade: tcp" hijack, and the raw stream it leaves.
//
// The hijacked socket is split in two descriptors (dup) so that reading and
// writing each have their own io_context: one thread may read while another
// writes. close() only calls shutdown(2) on the shared socket, which wakes a
// blocked reader or writer without touching their asio state from a foreign
// thread; the descriptors themselves are closed by the destructor.
#include "docker/engine.hpp"

#include "docker/connection.hpp"
#include "docker/http.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <system_error>

namespace sbx::docker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

template <class Protocol> class RawAttachStream final : public AttachStream {
public:
    RawAttachStream(const Protocol &protocol, int read_fd, int write_fd, std::string pending,
                    std::string what)
        : fd_(read_fd), pending_(std::move(pending)), what_(std::move(what)) {
        reader_.socket.assign(protocol, read_fd);
        writer_.socket.assign(protocol, write_fd);
    }

    void write(std::string_view bytes, Clock::time_point deadline) override {
        if (closed_.load())
            throw EngineUnavailable("the attach stream to " + what_ + " is closed");
        if (broken_)
            throw EngineUnavailable("the attach stream to " + what_ +
                                    " is broken by an earlier failed write");
        if (bytes.empty())
            return;
        error_code ec;
        bool timed_out = false;
        writer_.timer.expires_at(deadline);
        asio::async_write(writer_.socket, asio::buffer(bytes.data(), bytes.size()),
                          [&](error_code e, std::size_t) {
                              ec = e;
                              writer_.timer.cancel();
                          });
        writer_.timer.async_wait([&](error_code e) {
            if (!e) {
                timed_out = true;
                writer_.socket.cancel();
            }
        });
        writer_.run();
        if (!ec)
            return;
        broken_ = true; // part of the bytes may have gone: framing is lost
        if (closed_.load())
            throw EngineUnavailable("the attach stream to " + what_ + " is closed");
        if (timed_out)
            throw EngineUnavailable("writing " + std::to_string(bytes.size()) +
                                    " bytes to the attach stream of " + what_ +
                                    " did not finish before the deadline");
        throw EngineUnavailable("lost the attach stream to " + what_ + ": " + ec.message());
    }

    bool read_some(std::string &out, Clock::time_point deadline) override {
        if (closed_.load())
            return false;
        if (!pending_.empty()) { // bytes read along with the 101 header
            out.append(pending_);
            pending_.clear();
            return true;
        }
        if (eof_)
            return false;
        error_code ec;
        std::size_t got = 0;
        reader_.timer.expires_at(deadline);
        reader_.socket.async_read_some(asio::buffer(buffer_), [&](error_code e, std::size_t n) {
            ec = e;
            got = n;
            reader_.timer.cancel();
        });
        reader_.timer.async_wait([&](error_code e) {
            if (!e)
                reader_.socket.cancel();
        });
        reader_.run();
        out.append(buffer_.data(), got);
        if (got > 0 || !ec)
            return true;
        if (closed_.load())
            return false;
        if (ec == asio::error::operation_aborted)
            return true; // the deadline passed
        if (ec == asio::error::eof) {
            eof_ = true;
            return false;
        }
        throw EngineUnavailable("lost the attach stream to " + what_ + ": " + ec.message());
    }

    // Runs on the reader's own io_context (post is thread-safe), so asio
    // state is touched by the reading thread only.
    void interrupt() override {
        asio::post(reader_.ioc, [this] {
            error_code ignored;
            reader_.socket.cancel(ignored);
        });
    }

    void close() override {
        if (!closed_.exchange(true))
            ::shutdown(fd_, SHUT_RDWR);
    }

private:
    struct Side {
        asio::io_context ioc{1};
        typename Protocol::socket socket{ioc};
        asio::steady_timer timer{ioc};
        void run() {
            ioc.restart();
            ioc.run();
        }
    };

    const int fd_; // owned by reader_.socket; valid until destruction
    Side reader_;
    Side writer_;
    std::string pending_;
    std::atomic<bool> closed_{false};
    bool broken_ = false; // touched by the writing thread only
    bool eof_ = false;    // touched by the reading thread only
    std::array<char, 64 * 1024> buffer_;
    std::string what_;
};

void check_container_id(std::string_view id) {
    bool ok = !id.empty() && id.size() <= 256;
    for (char c : id)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-');
    if (!ok)
        throw std::invalid_argument("invalid container id or name \"" + std::string(id) + "\"");
}

// Hands the socket's descriptor over to a RawAttachStream of the same kind.
template <class Stream>
std::unique_ptr<AttachStream> hijack(Stream &stream, std::string pending, std::string what) {
    auto &socket = stream.socket();
    error_code ec;
    auto protocol = socket.local_endpoint(ec).protocol();
    if (ec)
        throw EngineUnavailable("lost the attach stream to " + what + ": " + ec.message());
    stream.expires_never();
    int fd = socket.release(ec);
    if (ec)
        throw EngineUnavailable("cannot take over the attach stream to " + what + ": " +
                                ec.message());
    int write_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (write_fd < 0) {
        std::error_code err(errno, std::generic_category());
        ::close(fd);
        throw EngineUnavailable("cannot take over the attach stream to " + what + ": " +
                                err.message());
    }
    try {
        using Protocol = typename Stream::protocol_type;
        return std::make_unique<RawAttachStream<Protocol>>(protocol, fd, write_fd,
                                                           std::move(pending), std::move(what));
    } catch (...) {
        ::close(fd);
        ::close(write_fd);
        throw;
    }
}

} // namespace

std::unique_ptr<AttachStream> Engine::attach(std::string_view container_id,
                                             std::chrono::milliseconds timeout) {
    const auto deadline = detail::deadline_after(timeout);
    check_container_id(container_id);
    const std::string target = detail::versioned_target(
        "/containers/" + std::string(container_id) +
        "/attach?stream=1&stdin=1&stdout=1&stderr=1");
    const std::string what = "container " + std::string(container_id) + " on " + endpoint_.text;

    try {
        auto conn = detail::Connection::open(endpoint_, deadline);

        http::request<http::empty_body> req{http::verb::post, target, 11};
        detail::set_common_fields(req);
        req.set(http::field::connection, "Upgrade");
        req.set(http::field::upgrade, "tcp");
        req.prepare_payload();

        http::response_parser<http::string_body> parser;
        parser.header_limit(detail::kMaxHeaderBytes);
        parser.body_limit(1 << 20); // an error answer
        error_code ec;
        conn->visit([&](auto &stream) {
            stream.expires_at(deadline);
            http::async_write(stream, req, [&](error_code e, std::size_t) {
                if (e) {
                    ec = e;
                    return;
                }
                stream.expires_at(deadline);
                http::async_read_header(stream, conn->buffer(), parser,
                                        [&](error_code e2, std::size_t) { ec = e2; });
            });
        });
        conn->run();
        if (ec == beast::error::timeout)
            throw EngineUnavailable("the Docker engine at " + endpoint_.text +
                                    " did not answer the attach of container " +
                                    std::string(container_id) + " within " +
                                    std::to_string(timeout.count()) + " ms");
        if (ec)
            throw EngineUnavailable("lost the connection to the Docker engine at " +
                                    endpoint_.text + " during the attach of container " +
                                    std::string(container_id) + ": " + ec.message());

        const unsigned status = parser.get().result_int();
        if (status == 101 || status == 200) {
            std::string pending = beast::buffers_to_string(conn->buffer().data());
            return conn->visit([&](auto &stream) {
                return hijack(stream, std::move(pending), what);
            });
        }

        // An error: read its body (best effort, same deadline) for the message.
        if (!parser.is_done()) {
            conn->visit([&](auto &stream) {
                stream.expires_at(deadline);
                http::async_read(stream, conn->buffer(), parser,
                                 [&](error_code e, std::size_t) { ec = e; });
            });
            conn->run();
        }
        std::string body = ec ? std::string() : parser.get().body();
        throw EngineError(status, detail::engine_message(status, body));
    } catch (const boost::system::system_error &e) {
        throw EngineUnavailable("attach to " + what + ": " + e.code().message());
    } catch (const std::system_error &e) {
        throw EngineUnavailable("attach to " + what + ": " + e.what());
    }
}

} // namespace sbx::docker
