// Running one stage of a job.
#pragma once

#include "init/channel.hpp"
#include "init/watch.hpp"
#include "protocol/wire.hpp"

#include <cstdint>

namespace sbx::init {

// Runs stage `index` of `job`: forwards its output as output frames while it
// runs, enforces its deadline and the job's output cap, obeys a cancel, and
// measures it. Returns when every process of the stage is gone (or after a
// bounded wait for stragglers).
StageResult run_stage(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd);

} // namespace sbx::init
