#include "init/job.hpp"

#include "init/control.hpp"
#include "init/stage.hpp"
#include "init/workspace.hpp"

#include <string>

namespace sbx::init {
namespace {

// Output frames name their stage in one byte.
constexpr size_t max_stages = 256;

void send_fatal(Channel &channel, const std::string &reason) {
    channel.send(wire::MsgType::fatal, wire::encode_string(reason));
}

} // namespace

bool run_job(const wire::Job &job, Channel &channel, int signal_fd, Resident &resident) {
    if (job.stages.size() > max_stages) {
        send_fatal(channel, "a job has at most " + std::to_string(max_stages) + " stages");
        return true;
    }
    try {
        write_files(job.workdir, job.files);
    } catch (const WorkspaceError &e) {
        send_fatal(channel, e.what());
        return true;
    }
    for (uint32_t index = 0; index < job.stages.size(); ++index) {
        Interrupt before = check_control(channel);
        if (before == Interrupt::hangup) return false;
        if (before == Interrupt::cancel) break;
        StageResult result = job.stages[index].resident
                                 ? resident.run_cell(job, index, channel, signal_fd)
                                 : run_stage(job, index, channel, signal_fd);
        if (result.interrupt == Interrupt::hangup) return false;
        channel.send(wire::MsgType::stage_end, wire::encode_report(result.report));
        if (result.interrupt == Interrupt::cancel || result.report.exit_code != 0) break;
    }
    channel.send(wire::MsgType::job_end);
    return true;
}

} // namespace sbx::init
