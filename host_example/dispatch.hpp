// `sbx-host dispatch`: tool calls as JSON lines in (the shapes of
// tool_call.hpp), exactly one answer line out per non-blank input line, in
// input order.
#pragma once

#include "lines.hpp"
#include "plugin.hpp"

namespace sbx::host {

// Runs up to `jobs` calls at once on `sb` and writes each answer as soon as
// every answer before it is out. Returns the exit status (0) at the end of
// input.
int dispatch_tool_calls(Sandbox &sb, unsigned jobs, LineReader &in, LineWriter &out);

} // namespace sbx::host
