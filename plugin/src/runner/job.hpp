// Turns a request into the job message that sbx-init runs.
#pragma once

#include "protocol/wire.hpp"
#include "runner/request.hpp"

namespace sbx::runner {

// With `repl_argv` (a REPL session), the code is a cell for the resident
// interpreter that argv starts, not a source file.
wire::Job make_job(const Request &request, const std::vector<std::string> *repl_argv = nullptr);

// A job that only writes files (no stage runs).
wire::Job files_job(std::vector<wire::File> files);

} // namespace sbx::runner
