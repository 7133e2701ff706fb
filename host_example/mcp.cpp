#include "mcp.hpp"

#include "in_flight.hpp"
#include "jsonrpc.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
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
    "language; list_languages names the languages. Every call starts from a clean machine: "
    "nothing persists between calls.";

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

private:
    void answer(const jsonrpc::Message &m);
    json::value result_of(const jsonrpc::Message &m) const;
    json::value initialize(const json::object &params) const;
    void call_tool(const jsonrpc::Message &m);
    std::string run_tool(const std::string &name, const std::string &arguments_json,
                         const std::string &id_token);
    void cancel(const json::value &params);

    Sandbox &sb_;
    const std::string version_;
    LineWriter &out_;
    json::array tools_;
    std::set<std::string, std::less<>> tool_names_;
    InFlight in_flight_;
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
    const InFlight::Ticket ticket = in_flight_.add(m.id);
    boost::asio::post(workers_, [this, ticket, name = std::string(name->get_string()),
                                 arguments_json = arguments ? json::serialize(*arguments) : "{}",
                                 id_token = m.id_token] {
        const std::string response = run_tool(name, arguments_json, id_token);
        if (!in_flight_.finish(ticket))
            out_.write(response);
    });
}

std::string Server::run_tool(const std::string &name, const std::string &arguments_json,
                             const std::string &id_token) {
    try {
        return jsonrpc::result(id_token, json::parse(sb_.call_tool(name, arguments_json)));
    } catch (const std::exception &e) {
        return jsonrpc::error(id_token, jsonrpc::internal_error, e.what());
    }
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
    return 0;
}

} // namespace sbx::host
