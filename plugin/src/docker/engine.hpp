// A small client of the Docker Engine API: HTTP/1.1 over a unix socket or
// TCP with Boost.Beast, JSON bodies with Boost.JSON, and the attach hijack.
// Every call has a deadline; nothing here blocks without one.
#pragma once

#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sbx::docker {

using Clock = std::chrono::steady_clock;

// Where the engine listens. Parsed from "unix:///path" or "tcp://host:port".
struct Endpoint {
    enum class Kind { unix_socket, tcp } kind = Kind::unix_socket;
    std::string path = "/var/run/docker.sock"; // unix
    std::string host;                          // tcp
    std::string port;                          // tcp
    std::string text;                          // as given, for messages
};

// Throws std::invalid_argument naming the problem.
Endpoint parse_endpoint(std::string_view docker_host);
// DOCKER_HOST from the environment, else the default unix socket.
Endpoint default_endpoint();

// The engine could not be reached or broke the connection.
struct EngineUnavailable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The engine answered with an error status; `message` is the engine's own.
struct EngineError : std::runtime_error {
    EngineError(unsigned status, std::string message)
        : std::runtime_error(message), status(status) {}
    unsigned status;
};

struct Response {
    unsigned status = 0;
    std::string body;
    boost::json::value json() const; // parses body; throws EngineError on bad JSON
};

// One raw, hijacked attach connection: container stdin in, multiplexed
// stdout/stderr out. Reads deliver engine frames still multiplexed; use
// Demuxer on them.
//
// Threads: one thread may read while another writes (each direction has its
// own descriptor and io_context); close() may be called from any thread at
// any time, except concurrently with destruction.
class AttachStream {
public:
    virtual ~AttachStream() = default;
    // Writes all bytes or throws EngineUnavailable. Deadline bounds the write.
    // After a failed write (deadline, lost connection, closed) the stream is
    // broken for writing: later writes throw too.
    virtual void write(std::string_view bytes, Clock::time_point deadline) = 0;
    // Reads some bytes (appended to `out`). Returns false on EOF and after
    // close(). Returns true with nothing appended when the deadline passes;
    // check the clock. The stream stays usable after a deadline. Throws
    // EngineUnavailable when the connection fails otherwise (e.g. reset).
    // Bytes the engine sent along with its 101 answer come first.
    virtual bool read_some(std::string &out, Clock::time_point deadline) = 0;
    // Makes a read_some blocked on another thread return at once as if its
    // deadline had passed, or the next read_some when none is blocked. The
    // stream stays usable. Any thread.
    virtual void interrupt() = 0;
    // Shuts the connection down (both directions: the container sees EOF on
    // stdin); a read_some or write blocked on another thread returns at once
    // (false / EngineUnavailable). Idempotent. The descriptors are released
    // by the destructor.
    virtual void close() = 0;
};

// A client. Thread-safe: each call uses its own connection (connections are
// pooled and reused when the engine keeps them alive).
//
// Targets are unversioned ("/containers/json"): the Engine prepends "/v1.41"
// (Docker 20.10's API, served by every newer engine) to each one; a target
// that starts with "/v<digit>" is refused. Every call takes a timeout > 0
// (else std::invalid_argument) that bounds the whole call, connection
// included. Answers are capped at 64 MiB (EngineUnavailable beyond).
class Engine {
public:
    explicit Engine(Endpoint endpoint);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    const Endpoint &endpoint() const { return endpoint_; }

    // One request. `target` is the path and query, e.g. "/containers/json".
    // Throws EngineUnavailable when the socket fails or the deadline passes.
    // Does not throw on HTTP errors: check Response::status. A body is sent
    // with Content-Type: application/json. A pooled connection that the
    // engine had closed is retried once on a fresh one, only when not a
    // byte of answer had arrived.
    Response request(std::string_view method, std::string_view target,
                     std::optional<std::string> json_body,
                     std::chrono::milliseconds timeout);

    // Same, but throws EngineError for any status >= 400, with the engine's
    // "message" field as the text.
    Response checked(std::string_view method, std::string_view target,
                     std::optional<std::string> json_body,
                     std::chrono::milliseconds timeout);

    // POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1 with
    // the Upgrade: tcp hijack. Returns once the engine said 101 (or 200).
    // Uses a fresh connection, which the stream then owns. Throws
    // EngineError for an error answer (404: no such container),
    // std::invalid_argument for an id that is not [A-Za-z0-9_.-]+.
    std::unique_ptr<AttachStream> attach(std::string_view container_id,
                                         std::chrono::milliseconds timeout);

private:
    struct Impl;
    Endpoint endpoint_;
    std::unique_ptr<Impl> impl_;
};

// Splits the engine's multiplexed stream: 8-byte headers
// [stream, 0, 0, 0, size (u32 big-endian)] then `size` bytes. Bytes of one
// frame may arrive split across any number of reads, headers included.
class Demuxer {
public:
    // Calls sink(stream, bytes) for each piece of payload as it completes.
    // stream: 0 stdin, 1 stdout, 2 stderr. Throws std::runtime_error on a
    // header with an unknown stream byte or non-zero padding (the stream
    // is then corrupt: e.g. a container created with Tty).
    template <class Sink> void feed(std::string_view bytes, Sink &&sink) {
        while (!bytes.empty()) {
            if (remaining_ == 0) {
                size_t take = std::min(bytes.size(), size_t{8} - header_len_);
                header_.append(bytes.substr(0, take));
                header_len_ += take;
                bytes.remove_prefix(take);
                if (header_len_ < 8)
                    return;
                start_frame();
                continue;
            }
            size_t take = std::min<size_t>(bytes.size(), remaining_);
            sink(stream_, bytes.substr(0, take));
            remaining_ -= take;
            bytes.remove_prefix(take);
        }
    }

private:
    void start_frame();
    std::string header_;
    size_t header_len_ = 0;
    uint8_t stream_ = 0;
    uint64_t remaining_ = 0;
};

} // namespace sbx::docker
