// Builds the sbx.execute.result/1 document from what sbx-init reported.
#pragma once

#include "protocol/wire.hpp"
#include "runner/request.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sbx::runner {

// One stage as the plugin saw it: the report plus the output it collected.
struct StageOutcome {
    wire::StageReport report;
    std::string stdout_data;
    std::string stderr_data;
};

struct Timings {
    uint64_t queue = 0, setup = 0, total = 0;
};

// How a run ended when sbx-init could not tell (setup failure, deadline...).
struct Failure {
    std::string status; // setup_error, timeout, memory_limit, internal_error
    std::string message;
};

// `stages` holds one outcome per stage that sbx-init reported, in order.
boost::json::value make_result(const std::string &id, const Request &request,
                               const std::vector<StageOutcome> &stages,
                               const std::optional<Failure> &failure, const Timings &timings);

// The `files` of a result: [{path, size, encoding, content, returned}];
// content is utf-8 text when the bytes are valid UTF-8, else base64, and
// null for a file that was listed but not returned (over the size cap).
boost::json::value files_json(const wire::FileList &list);

// The status of one finished stage ("success", "timeout", ...); `compile`
// chooses compile_error over execution_error.
std::string stage_status(const wire::StageReport &report, bool compile);

} // namespace sbx::runner
