#include "tool_call.hpp"

#include <boost/json.hpp>

namespace sbx::host {
namespace json = boost::json;

namespace {

// A malformed call of a known shape; its message names the field.
struct Malformed : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

bool is(const json::value *v, std::string_view text) {
    return v && v->is_string() && v->get_string() == text;
}

Shape shape_of(const json::object &call) {
    const json::value *type = call.if_contains("type");
    if (is(type, "function") || call.contains("function"))
        return Shape::openai;
    if (is(type, "tool_use"))
        return Shape::anthropic;
    if (!type && call.contains("name"))
        return Shape::mcp;
    throw NotAToolCall(R"(not a tool call: expected OpenAI's {"type":"function",...}, )"
                       R"(Anthropic's {"type":"tool_use",...} or {"name","arguments"})");
}

std::string string_member(const json::object &o, std::string_view key, std::string_view path) {
    const json::value *v = o.if_contains(key);
    if (!v || !v->is_string())
        throw Malformed(std::string(path) + ": expected a string");
    return std::string(v->get_string());
}

// Arguments given as a JSON value (not text); absent means none.
std::string arguments_member(const json::object &o, std::string_view key) {
    const json::value *v = o.if_contains(key);
    return v ? json::serialize(*v) : "{}";
}

void read_openai(ToolCall &call, const json::object &o) {
    const json::value *function = o.if_contains("function");
    if (!function || !function->is_object())
        throw Malformed("function: expected an object");
    call.name = string_member(function->get_object(), "name", "function.name");
    call.arguments_json = string_member(function->get_object(), "arguments", "function.arguments");
    json::error_code ec;
    json::parse(call.arguments_json, ec);
    if (ec)
        throw Malformed("function.arguments: not a JSON document (" + ec.message() + ")");
}

void read_anthropic(ToolCall &call, const json::object &o) {
    call.name = string_member(o, "name", "name");
    call.arguments_json = arguments_member(o, "input");
}

void read_mcp(ToolCall &call, const json::object &o) {
    call.name = string_member(o, "name", "name");
    call.arguments_json = arguments_member(o, "arguments");
}

void read_fields(ToolCall &call, const json::object &o) {
    if (call.shape != Shape::mcp) {
        const json::value *id = o.if_contains("id");
        if (id)
            call.id = *id; // echoed even when it is not a string, to keep answers matched
        if (!id || !id->is_string())
            throw Malformed("id: expected a string");
    }
    if (call.shape == Shape::openai)
        read_openai(call, o);
    else if (call.shape == Shape::anthropic)
        read_anthropic(call, o);
    else
        read_mcp(call, o);
}

// The text blocks of a CallToolResult, as one string.
std::string text_of(const json::value &result) {
    std::string text;
    for (const json::value &block : result.at("content").as_array()) {
        const json::object *b = block.if_object();
        if (!b || !is(b->if_contains("type"), "text"))
            continue;
        if (!text.empty())
            text += '\n';
        text += b->at("text").as_string();
    }
    return text;
}

bool is_error(const json::value &result) {
    const json::value *flag = result.as_object().if_contains("isError");
    return flag && flag->is_bool() && flag->get_bool();
}

} // namespace

ToolCall read_tool_call(std::string_view line) {
    json::error_code ec;
    const json::value doc = json::parse(line, ec);
    if (ec)
        throw NotAToolCall("not JSON: " + ec.message());
    if (!doc.is_object())
        throw NotAToolCall("not a tool call: expected a JSON object");
    ToolCall call;
    call.shape = shape_of(doc.get_object());
    try {
        read_fields(call, doc.get_object());
    } catch (const Malformed &e) {
        call.error = e.what();
    }
    return call;
}

json::value error_result(const std::string &message) {
    return json::object{
        {"content", json::array{json::object{{"type", "text"}, {"text", "error: " + message}}}},
        {"isError", true}};
}

std::string answer(const ToolCall &call, const json::value &result) {
    if (call.shape == Shape::openai)
        return json::serialize(json::object{
            {"role", "tool"}, {"tool_call_id", call.id}, {"content", text_of(result)}});
    if (call.shape == Shape::anthropic)
        return json::serialize(json::object{{"type", "tool_result"},
                                            {"tool_use_id", call.id},
                                            {"content", text_of(result)},
                                            {"is_error", is_error(result)}});
    return json::serialize(result);
}

} // namespace sbx::host
