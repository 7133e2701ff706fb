// Running one job: its files, then its stages in order.
#pragma once

#include "init/channel.hpp"
#include "init/resident.hpp"
#include "protocol/wire.hpp"

namespace sbx::init {

// Writes the job's files, runs its stages (resident ones in `resident`)
// until one fails or the plugin cancels, and reports each stage, then
// job_end. Files that cannot be written are reported with a fatal frame
// instead. Returns false when the plugin hung up meanwhile.
bool run_job(const wire::Job &job, Channel &channel, int signal_fd, Resident &resident);

} // namespace sbx::init
