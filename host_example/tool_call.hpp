// The tool-call shapes `sbx-host dispatch` reads, and the answer it gives in
// each:
//   OpenAI     {"id","type":"function","function":{"name","arguments":"<JSON text>"}}
//              -> {"role":"tool","tool_call_id","content"}
//   Anthropic  {"type":"tool_use","id","name","input":{...}}
//              -> {"type":"tool_result","tool_use_id","content","is_error"}
//   MCP        {"name","arguments":{...}}  (no "type")
//              -> the CallToolResult itself
#pragma once

#include <boost/json/value.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace sbx::host {

enum class Shape { openai, anthropic, mcp };

struct ToolCall {
    Shape shape = Shape::mcp;
    boost::json::value id; // echoed in the answer; null in the MCP shape
    std::string name;
    std::string arguments_json;
    std::string error; // set when the shape is known but the call is malformed
};

// The line is not JSON, or no shape matches: it cannot be answered in a shape.
struct NotAToolCall : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Throws NotAToolCall.
ToolCall read_tool_call(std::string_view line);

// A CallToolResult carrying `message` as an error, for calls that never
// reached the plugin or that it refused.
boost::json::value error_result(const std::string &message);

// The answer line to `call`, in its shape, from an MCP CallToolResult.
std::string answer(const ToolCall &call, const boost::json::value &result);

} // namespace sbx::host
