// `sbx-host mcp`: an MCP server over stdio (newline-delimited JSON-RPC 2.0)
// offering the plugin's tools. Only protocol goes to stdout.
#pragma once

#include "lines.hpp"
#include "plugin.hpp"

#include <string>

namespace sbx::host {

// Serves until the end of input (or a stop signal), then waits for the
// running tool calls. `version` is the server version to announce; up to
// `jobs` tool calls run at once. Returns the exit status (0).
int serve_mcp(Sandbox &sb, const std::string &version, unsigned jobs, LineReader &in,
              LineWriter &out);

} // namespace sbx::host
