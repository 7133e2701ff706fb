#include "runner/limits.hpp"

#include <boost/json.hpp>

namespace sbx::runner {

boost::json::value to_json(const Limits &l) {
    return boost::json::object{{"time_s", l.time_s},       {"compile_time_s", l.compile_time_s},
                               {"memory_mb", l.memory_mb}, {"cpus", l.cpus},
                               {"pids", l.pids},           {"max_output_bytes", l.max_output_bytes},
                               {"disk_mb", l.disk_mb}};
}

} // namespace sbx::runner
