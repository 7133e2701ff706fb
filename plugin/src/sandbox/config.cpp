#include "sandbox/config.hpp"

#include "util/json.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace sbx {
namespace json = boost::json;

namespace {

constexpr int64_t int_max = std::numeric_limits<int64_t>::max();
constexpr double number_max = 1e12;

// Reads one set of limits, each at least the engine's minimum. Absent fields
// keep the value already in `limits`.
void read_limits(const util::FieldReader &r, runner::Limits &limits) {
    const runner::Limits &min = runner::minimum_limits;
    limits.time_s = r.number("time_s", min.time_s, number_max).value_or(limits.time_s);
    limits.compile_time_s =
        r.number("compile_time_s", min.compile_time_s, number_max).value_or(limits.compile_time_s);
    limits.memory_mb = r.integer("memory_mb", min.memory_mb, int_max).value_or(limits.memory_mb);
    limits.cpus = r.number("cpus", min.cpus, 1024).value_or(limits.cpus);
    limits.pids = r.integer("pids", min.pids, int_max).value_or(limits.pids);
    limits.max_output_bytes =
        r.integer("max_output_bytes", min.max_output_bytes, int_max).value_or(limits.max_output_bytes);
    limits.disk_mb = r.integer("disk_mb", min.disk_mb, int_max).value_or(limits.disk_mb);
}

void check_defaults_within_max(const Config &c) {
    const runner::Limits &d = c.defaults, &m = c.max.limits;
    const std::array<std::pair<const char *, bool>, 7> over{{
        {"time_s", d.time_s > m.time_s},
        {"compile_time_s", d.compile_time_s > m.compile_time_s},
        {"memory_mb", d.memory_mb > m.memory_mb},
        {"cpus", d.cpus > m.cpus},
        {"pids", d.pids > m.pids},
        {"max_output_bytes", d.max_output_bytes > m.max_output_bytes},
        {"disk_mb", d.disk_mb > m.disk_mb},
    }};
    for (const auto &[name, above] : over)
        if (above)
            throw ApiError(SBX_E_INVALID_CONFIG, std::string("defaults.") + name +
                                                     ": above max." + name);
}

} // namespace

Config parse_config(std::string_view text) {
    Config c;
    const json::value doc = util::parse_json(text, "config");
    if (!doc.is_object())
        throw ApiError(SBX_E_INVALID_CONFIG, "config: expected an object, got " +
                                                 std::string(util::type_name(doc)));
    const util::FieldReader r(doc.get_object(), "", SBX_E_INVALID_CONFIG);
    if (auto schema = r.string("schema", 64); schema && *schema != "sbx.config/1")
        r.fail("schema", "expected \"sbx.config/1\", got \"" + *schema + "\"");
    c.docker_host = r.string("docker_host", 4096);
    c.runtime = r.string("runtime", 64).value_or(c.runtime);
    if (c.runtime.empty())
        r.fail("runtime", "must not be empty");
    c.languages_dir = r.string("languages_dir", 4096);
    c.init_path = r.string("init_path", 4096);
    if (const json::object *images = r.object("images")) {
        const util::FieldReader ir(*images, "images", SBX_E_INVALID_CONFIG);
        for (const auto &entry : *images)
            c.images[std::string(entry.key())] = *ir.string(entry.key(), 1024);
    }
    if (const json::object *d = r.object("defaults"))
        read_limits(util::FieldReader(*d, "defaults", SBX_E_INVALID_CONFIG), c.defaults);
    if (const json::object *m = r.object("max")) {
        const util::FieldReader mr(*m, "max", SBX_E_INVALID_CONFIG);
        read_limits(mr, c.max.limits);
        c.max.code_bytes = mr.integer("code_bytes", 1, int_max).value_or(c.max.code_bytes);
    }
    check_defaults_within_max(c);
    if (const json::object *pool = r.object("pool")) {
        const util::FieldReader pr(*pool, "pool", SBX_E_INVALID_CONFIG);
        c.pool_size = pr.integer("size", 0, 64).value_or(c.pool_size);
        c.pool_recycle = pr.boolean("recycle").value_or(c.pool_recycle);
        c.pool_max_runs = pr.integer("max_runs", 1, 1000000).value_or(c.pool_max_runs);
        if (const json::array *languages = pr.array("languages")) {
            c.pool_languages.clear();
            for (size_t i = 0; i < languages->size(); ++i)
                c.pool_languages.push_back(util::string_element(
                    (*languages)[i], "pool.languages[" + std::to_string(i) + "]", 256,
                    SBX_E_INVALID_CONFIG));
        }
    }
    if (const json::object *sessions = r.object("sessions")) {
        const util::FieldReader sr(*sessions, "sessions", SBX_E_INVALID_CONFIG);
        c.sessions_max = sr.integer("max", 0, 4096).value_or(c.sessions_max);
        c.session_idle_ttl_s = sr.number("idle_ttl_s", 0.1, 7 * 24 * 3600.0).value_or(c.session_idle_ttl_s);
    }
    if (const json::object *collect = r.object("collect")) {
        const util::FieldReader cr(*collect, "collect", SBX_E_INVALID_CONFIG);
        // A file list travels in one frame of at most 128 MiB.
        c.collect_max_bytes = cr.integer("max_bytes", 0, 64 << 20).value_or(c.collect_max_bytes);
        c.collect_max_files = cr.integer("max_files", 1, 100000).value_or(c.collect_max_files);
    }
    c.allow_network = r.boolean("allow_network").value_or(false);
    c.max_concurrency = r.integer("max_concurrency", 1, 4096).value_or(c.max_concurrency);
    c.log_level = r.string("log_level", 16).value_or(c.log_level);
    static const std::array<std::string_view, 6> levels{"trace", "debug", "info",
                                                        "warn",  "error", "off"};
    if (std::find(levels.begin(), levels.end(), c.log_level) == levels.end())
        r.fail("log_level", "must be one of trace, debug, info, warn, error, off");
    return c;
}

} // namespace sbx
