// Turns a request into the job message that sbx-init runs.
#pragma once

#include "protocol/wire.hpp"
#include "runner/request.hpp"

namespace sbx::runner {

wire::Job make_job(const Request &request);

} // namespace sbx::runner
