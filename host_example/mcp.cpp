#include "mcp.hpp"

#include "in_flight.hpp"
#include "jsonrpc.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <mutex>
#include <set>

namespace sbx::host {
namespace json = boost::json;
using jsonrpc::Error;

namespace {

// Oldest first; a client asking for another version gets the newest.
constexpr std::array<std::string_view, 4> protocol_versions{"2024-11-05", "2025-03-26",
                                                            "2025-06-18", "2025-11-25"};

constexpr std::string_view instructions =
    "Runs programs in locked-down containers (no network, read-only system, non-root user, "
    "time, memory and output limits). Call execute_code with a complete program and its "
    "language; list_languages names the languages. Every call starts from a clean machine, "
    "unless it passes the session_id of a session from create_session: there files persist "
    "from call to call (write_file, read_file, list_files reach them), and with repl true "
    "python variables too. Sessions close with close_session, after a while idle, or when "
    "this connection ends.";

// `bytes` with every byte that is not part of valid UTF-8 replaced by U+FFFD
// (a chunk of output may end inside a character; JSON text must be UTF-8).
std::string valid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = n > 0 && i + n <= bytes.size();
        for (size_t k = 1; ok && k < n; ++k)
            ok = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
        if (ok && n > 1) { // no overlong form, surrogate or value past U+10FFFF
            uint32_t cp = c & (0x7F >> n);
            for (size_t k = 1; k < n; ++k)
                cp = cp << 6 | (static_cast<unsigned char>(bytes[i + k]) & 0x3F);
            ok = cp >= (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) && cp <= 0x10FFFF &&
                 (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok) {
            out.append(bytes.substr(i, n));
            i += n;
        } else {
            out.append("\xEF\xBF\xBD");
            ++i;
        }
    }
    return out;
}

// MCP params are objects; absent params are an empty one.
const json::object &params_of(const jsonrpc::Message &m) {
    static const json::object none;
    if (m.params.is_null())
        return none;
    if (!m.params.is_object())
        throw Error(jsonrpc::invalid_params, "Invalid params: expected an object");
    return m.params.get_object();
}

class Server {
public:
    Server(Sandbox &sb, std::string version, unsigned jobs, LineWriter &out);
    void receive(std::string_view line);
    // Waits for the tool calls still running.
    void drain() { workers_.join(); }
    // Closes the sessions this client opened and did not close.
    void close_sessions();

private:
    void answer(const jsonrpc::Message &m);
    json::value result_of(const jsonrpc::Message &m) const;
    json::value initialize(const json::object &params) const;
    void call_tool(const jsonrpc::Message &m);
    std::string run_tool(const std::string &name, const std::string &arguments_json,
                         const std::string &id_token, const CallOptions &options);
    CallOptions options_for(const json::value *progress_token, CancelToken *token);
    void cancel(const json::value &params);
    void track_sessions(const std::string &name, const std::string &arguments_json,
                        const json::value &result);

    Sandbox &sb_;
    const std::string version_;
    LineWriter &out_;
    json::array tools_;
    std::set<std::string, std::less<>> tool_names_;
    InFlight in_flight_;
    std::mutex sessions_mutex_;
    std::set<std::string> sessions_; // opened through this connection
    boost::asio::thread_pool workers_; // last: its threads use the members above
};

Server::Server(Sandbox &sb, std::string version, unsigned jobs, LineWriter &out)
    : sb_(sb), version_(std::move(version)), out_(out),
      tools_(json::parse(sb.tools("mcp")).at("tools").as_array()), workers_(jobs) {
    for (const json::value &tool : tools_)
        tool_names_.emplace(tool.at("name").as_string());
}

void Server::receive(std::string_view line) {
    jsonrpc::Message m;
    try {
        m = jsonrpc::read(line);
    } catch (const Error &e) {
        out_.write(jsonrpc::error(e.id_token, e.code, e.what()));
        return;
    }
    if (m.is_notification()) { // never answered, even when unknown
        if (m.method == "notifications/cancelled")
            cancel(m.params);
        return;
    }
    try {
        answer(m);
    } catch (const Error &e) {
        out_.write(jsonrpc::error(m.id_token, e.code, e.what()));
    } catch (const std::exception &e) { // a failure of ours must not end the session
        out_.write(jsonrpc::error(m.id_token, jsonrpc::internal_error, e.what()));
    }
}

// Requests are answered whether or not initialize came first: a lenient
// server costs nothing here, since no state depends on the session.
void Server::answer(const jsonrpc::Message &m) {
    if (m.method == "tools/call")
        call_tool(m); // answered by a worker when the run ends
    else
        out_.write(jsonrpc::result(m.id_token, result_of(m)));
}

json::value Server::result_of(const jsonrpc::Message &m) const {
    if (m.method == "initialize")
        return initialize(params_of(m));
    if (m.method == "ping")
        return json::object{};
    if (m.method == "tools/list") {
        params_of(m); // a cursor is ignored: the list is one page
        return json::object{{"tools", tools_}};
    }
    throw Error(jsonrpc::method_not_found, "Method not found: " + m.method);
}

json::value Server::initialize(const json::object &params) const {
    std::string_view version = protocol_versions.back();
    const json::value *requested = params.if_contains("protocolVersion");
    if (requested && requested->is_string() &&
        std::find(protocol_versions.begin(), protocol_versions.end(), requested->get_string()) !=
            protocol_versions.end())
        version = requested->get_string();
    return json::object{
        {"protocolVersion", version},
        {"capabilities", json::object{{"tools", json::object{{"listChanged", false}}}}},
        {"serverInfo", json::object{{"name", "sbx"}, {"version", version_}}},
        {"instructions", instructions}};
}

// Checks the call here, so that a bad one is answered at once, then runs it
// on a worker so that other requests (ping) are answered meanwhile.
void Server::call_tool(const jsonrpc::Message &m) {
    const json::object &params = params_of(m);
    const json::value *name = params.if_contains("name");
    if (!name || !name->is_string())
        throw Error(jsonrpc::invalid_params, "Invalid params: name must be a string");
    const json::value *arguments = params.if_contains("arguments");
    if (arguments && !arguments->is_object())
        throw Error(jsonrpc::invalid_params, "Invalid params: arguments must be an object");
    if (tool_names_.count(name->get_string()) == 0)
        throw Error(jsonrpc::invalid_params, "Unknown tool: " + std::string(name->get_string()));
    // A client that gave a progressToken gets the output as progress
    // notifications while the program runs.
    std::optional<json::value> progress_token;
    if (const json::value *meta = params.if_contains("_meta"); meta && meta->is_object())
        if (const json::value *t = meta->get_object().if_contains("progressToken");
            t && (t->is_string() || t->is_int64() || t->is_uint64()))
            progress_token = *t;
    std::shared_ptr<CancelToken> token;
    if (sb_.plugin()->cancel_token_new)
        token = std::make_shared<CancelToken>(sb_.plugin());
    const InFlight::Ticket ticket = in_flight_.add(m.id, token);
    boost::asio::post(workers_, [this, ticket, token, progress_token,
                                 name = std::string(name->get_string()),
                                 arguments_json = arguments ? json::serialize(*arguments) : "{}",
                                 id_token = m.id_token] {
        const CallOptions options =
            options_for(progress_token ? &*progress_token : nullptr, token.get());
        const std::string response = run_tool(name, arguments_json, id_token, options);
        if (!in_flight_.finish(ticket))
            out_.write(response);
    });
}

CallOptions Server::options_for(const json::value *progress_token, CancelToken *token) {
    CallOptions options;
    options.cancel = token;
    if (!progress_token)
        return options;
    // progress must increase: the bytes of output so far.
    options.on_output = [this, progress_token = *progress_token,
                         sent = uint64_t{0}](int32_t, std::string_view data) mutable {
        sent += data.size();
        out_.write(json::serialize(json::object{
            {"jsonrpc", "2.0"},
            {"method", "notifications/progress"},
            {"params", json::object{{"progressToken", progress_token},
                                    {"progress", sent},
                                    {"message", valid_utf8(data)}}}}));
        return true;
    };
    return options;
}

std::string Server::run_tool(const std::string &name, const std::string &arguments_json,
                             const std::string &id_token, const CallOptions &options) {
    try {
        const json::value result = json::parse(sb_.call_tool(name, arguments_json, &options));
        track_sessions(name, arguments_json, result);
        return jsonrpc::result(id_token, result);
    } catch (const std::exception &e) {
        return jsonrpc::error(id_token, jsonrpc::internal_error, e.what());
    }
}

void Server::track_sessions(const std::string &name, const std::string &arguments_json,
                            const json::value &result) {
    if ((name != "create_session" && name != "close_session") || result.at("isError").as_bool())
        return;
    std::lock_guard lock(sessions_mutex_);
    if (name == "create_session")
        sessions_.emplace(result.at("structuredContent").at("session_id").as_string());
    else
        sessions_.erase(std::string(json::parse(arguments_json).at("session_id").as_string()));
}

void Server::close_sessions() {
    std::lock_guard lock(sessions_mutex_);
    for (const std::string &id : sessions_)
        sb_.call_tool("close_session", json::serialize(json::object{{"session_id", id}}));
    sessions_.clear();
}

void Server::cancel(const json::value &params) {
    if (const json::object *p = params.if_object())
        if (const json::value *id = p->if_contains("requestId"))
            in_flight_.cancel(*id);
}

} // namespace

int serve_mcp(Sandbox &sb, const std::string &version, unsigned jobs, LineReader &in,
              LineWriter &out) {
    Server server(sb, version, jobs, out);
    while (const auto line = in.next())
        if (!is_blank(*line))
            server.receive(*line);
    server.drain();
    server.close_sessions();
    return 0;
}

} // namespace sbx::host
