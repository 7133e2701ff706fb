// The session tools: create_session, close_session, write_file, read_file,
// list_files.
#pragma once

#include "tools/tool.hpp"

#include <string_view>
#include <vector>

namespace sbx {
class Sandbox;
}

namespace sbx::tools {

std::vector<Tool> session_tools(const Sandbox &sandbox);

// Calls one of the session tools; problems come back with isError true.
boost::json::value call_session_tool(Sandbox &sandbox, std::string_view name,
                                     const boost::json::object &args);

} // namespace sbx::tools
