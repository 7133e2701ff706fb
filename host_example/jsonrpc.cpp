#include "jsonrpc.hpp"

#include "json_token.hpp"

#include <boost/json.hpp>

namespace sbx::host::jsonrpc {
namespace json = boost::json;

namespace {

// Strings and numbers; null is refused too, as MCP requires.
bool valid_id(const json::value &id) { return id.is_string() || id.is_number(); }

std::string token_of(const json::value &id, std::string_view line) {
    if (id.is_number())
        if (auto raw = top_level_number(line, "id"))
            return *raw;
    return json::serialize(id);
}

const json::object &object_of(const json::value &doc) {
    if (doc.is_array())
        throw Error(invalid_request, "Invalid Request: batches are not supported");
    if (!doc.is_object())
        throw Error(invalid_request, "Invalid Request: expected an object");
    return doc.get_object();
}

} // namespace

Message read(std::string_view line) {
    json::error_code ec;
    const json::value doc = json::parse(line, ec);
    if (ec)
        throw Error(parse_error, "Parse error: " + ec.message());
    const json::object &o = object_of(doc);
    Message m;
    if (const json::value *id = o.if_contains("id")) {
        if (!valid_id(*id))
            throw Error(invalid_request, "Invalid Request: id must be a string or a number");
        m.id = *id;
        m.id_token = token_of(*id, line);
    }
    const std::string answer_to = m.is_notification() ? "null" : m.id_token;
    const json::value *version = o.if_contains("jsonrpc");
    if (!version || !version->is_string() || version->get_string() != "2.0")
        throw Error(invalid_request, R"(Invalid Request: jsonrpc must be "2.0")", answer_to);
    const json::value *method = o.if_contains("method");
    if (!method || !method->is_string())
        throw Error(invalid_request, "Invalid Request: method must be a string", answer_to);
    m.method = method->get_string();
    if (const json::value *params = o.if_contains("params"))
        m.params = *params;
    return m;
}

std::string result(std::string_view id_token, const json::value &result) {
    std::string line = R"({"jsonrpc":"2.0","id":)";
    line += id_token;
    line += R"(,"result":)";
    line += json::serialize(result);
    line += '}';
    return line;
}

std::string error(std::string_view id_token, int code, std::string_view message) {
    std::string line = R"({"jsonrpc":"2.0","id":)";
    line += id_token;
    line += R"(,"error":)";
    line += json::serialize(json::object{{"code", code}, {"message", message}});
    line += '}';
    return line;
}

} // namespace sbx::host::jsonrpc
