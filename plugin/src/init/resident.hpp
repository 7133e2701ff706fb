// Resident stages: one interpreter process kept from job to job, which runs
// the cells of resident stages so that their state carries over (a REPL).
//
// The driver protocol (plugin/src/repl/python.py is a driver): the
// interpreter reads each cell from its stdin as a u32 little-endian length
// and the code, then a u32 little-endian length and the cell's stdin (the
// job's when the stage feeds stdin, else empty); runs the code with its
// stdout and stderr on pipes init forwards as the stage's output; then,
// that output flushed, writes the cell's exit code on fd 3 as a
// little-endian int32. At EOF on its stdin it exits.
//
// The interpreter is a session leader, and kill_tree spares its session
// between its cells (see processes.hpp): what a normal stage leaves behind
// is killed as before, the interpreter and its children are not, and no
// stage process can join them. Output its threads or children write
// between cells is forwarded with the next cell's.
#pragma once

#include "init/channel.hpp"
#include "init/fd.hpp"
#include "init/watch.hpp"
#include "protocol/wire.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace sbx::init {

struct Interpreter {
    pid_t pid = -1; // also its session and process group
    std::vector<std::string> argv;
    Fd cells;  // its stdin, where cells go
    Fd out;    // its stdout
    Fd err;    // its stderr
    Fd status; // its fd 3, where exit codes come from
};

class Resident {
public:
    Resident() = default;
    Resident(const Resident &) = delete;
    Resident &operator=(const Resident &) = delete;
    // Kills the interpreter: init is going away.
    ~Resident();

    // Runs resident stage `index` of `job`. Starts an interpreter when none
    // with the stage's argv is alive (interpreter_started), with the job's
    // environment, workdir and file size limit, and no CPU time backstop
    // (its CPU time accumulates over cells). Sends it the cell and
    // supervises the cell like a normal stage: output, cap, deadline (from
    // the sending), cancel. A cell that does not end with its exit code (the
    // deadline, the cap, a cancel or hangup, the interpreter ending) kills
    // the interpreter and everything else (interpreter_lost), and is
    // reported like a normal stage killed or ended so. Otherwise exit_code
    // is the cell's, cpu_ms the interpreter's CPU time during the cell
    // (waited-for children included) and memory_peak_kb its peak so far.
    StageResult run_cell(const wire::Job &job, uint32_t index, Channel &channel, int signal_fd);

    // Kills the interpreter, if any, with every other process, and waits for
    // them (a reset, the end, another interpreter).
    void stop(int signal_fd);

private:
    bool ready(const std::vector<std::string> &argv);
    bool start(const wire::Job &job, const wire::Stage &stage, int signal_fd,
               wire::StageReport &report);

    std::optional<Interpreter> interpreter_;
};

} // namespace sbx::init
