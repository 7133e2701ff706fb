// The tools sbx offers an agent (execute_code, list_languages): their
// definitions in each dialect and the dispatch of a call.
#pragma once

#include "runner/control.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace sbx {
class Sandbox;
}

namespace sbx::tools {

// {"tools": [...]} in the dialect's shape. Throws ApiError
// (SBX_E_UNKNOWN_DIALECT) for another dialect.
boost::json::value definitions(const Sandbox &sandbox, std::string_view dialect);

// An MCP CallToolResult. Bad arguments come back with isError true and a
// message naming the argument. Throws ApiError(SBX_E_UNKNOWN_TOOL).
boost::json::value call(Sandbox &sandbox, std::string_view name, std::string_view arguments_json,
                        const runner::RunControl &control = {});

// The short text a model reads for one execute result.
std::string summarize(const boost::json::value &result);

} // namespace sbx::tools
