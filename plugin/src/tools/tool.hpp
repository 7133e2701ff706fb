// What every tool is made of, shared by the files that define tools.
#pragma once

#include <boost/json.hpp>

#include <string>

namespace sbx::tools {

struct Tool {
    std::string name;
    std::string description;
    boost::json::object input;
    boost::json::object output; // empty: no outputSchema
};

boost::json::object string_prop(std::string description);

// An MCP CallToolResult with one text block.
boost::json::value tool_result(std::string text, boost::json::value structured, bool is_error);
boost::json::value error_result(const std::string &message);

} // namespace sbx::tools
