#include "runner/request.hpp"

#include "util/json.hpp"

#include <boost/beast/core/detail/base64.hpp>

#include <cmath>
#include <limits>
#include <set>

namespace sbx::runner {
namespace json = boost::json;

std::string decode_base64(std::string_view text, const std::string &field) {
    namespace b64 = boost::beast::detail::base64;
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (c != '\n' && c != '\r')
            clean.push_back(c);
    auto is_b64 = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    };
    size_t pad = 0;
    while (pad < clean.size() && pad < 2 && clean[clean.size() - 1 - pad] == '=')
        ++pad;
    const size_t body = clean.size() - pad;
    bool ok = clean.size() % 4 == 0;
    for (size_t i = 0; ok && i < body; ++i)
        ok = is_b64(clean[i]);
    if (!ok)
        throw invalid_field(field, "is not valid base64");
    std::string out(b64::decoded_size(clean.size()), '\0');
    const auto [written, read] = b64::decode(out.data(), clean.data(), clean.size());
    out.resize(written);
    return out;
}

namespace {

// One limit: absent -> the config default; present -> between the engine's
// minimum and the configured maximum. Any number is read first, so that a
// value above the maximum is always "above the maximum" (LIMIT_EXCEEDED),
// however large, and an integer never goes through an out-of-range cast.
template <class T>
T read_limit(const util::FieldReader &r, std::string_view key, T fallback, T min, T max) {
    constexpr double largest = std::numeric_limits<double>::max();
    const std::optional<double> value = r.number(key, -largest, largest);
    if (!value)
        return fallback;
    const double x = *value;
    if constexpr (std::is_integral_v<T>)
        if (x != std::floor(x))
            r.fail(key, "expected an integer, got " + util::serialize(json::value(x)));
    if (x < static_cast<double>(min))
        r.fail(key, "must be at least " + util::serialize(json::value(min)) + ", got " +
                        util::serialize(json::value(x)));
    // 2^63: the first double past int64_t (INT64_MAX as a double rounds up
    // to it, so "x > max" alone would let it through).
    bool above = x > static_cast<double>(max);
    if constexpr (std::is_integral_v<T>)
        above = above || x >= 9223372036854775808.0 || static_cast<T>(x) > max;
    if (above)
        throw ApiError(SBX_E_LIMIT_EXCEEDED,
                       r.field(key) + ": " + util::serialize(json::value(x)) +
                           " is above the maximum this sandbox allows (" +
                           util::serialize(json::value(max)) + ")");
    return static_cast<T>(x);
}

Limits read_limits(const util::FieldReader &request, const languages::Language &language,
                   const Config &config, const Limits *base) {
    const Limits &d = base ? *base : config.defaults, &m = config.max.limits, &lo = minimum_limits;
    Limits l = d;
    if (const json::object *o = request.object("limits")) {
        const util::FieldReader r(*o, "limits", SBX_E_INVALID_REQUEST);
        l.time_s = read_limit(r, "time_s", d.time_s, lo.time_s, m.time_s);
        l.compile_time_s =
            read_limit(r, "compile_time_s", d.compile_time_s, lo.compile_time_s, m.compile_time_s);
        l.memory_mb = read_limit(r, "memory_mb", d.memory_mb, lo.memory_mb, m.memory_mb);
        l.cpus = read_limit(r, "cpus", d.cpus, lo.cpus, m.cpus);
        l.pids = read_limit(r, "pids", d.pids, lo.pids, m.pids);
        l.max_output_bytes = read_limit(r, "max_output_bytes", d.max_output_bytes,
                                        lo.max_output_bytes, m.max_output_bytes);
        l.disk_mb = read_limit(r, "disk_mb", d.disk_mb, lo.disk_mb, m.disk_mb);
    }
    // A language's floors (a JVM needs memory and threads), never past the max.
    const languages::LanguageLimits &f = language.limits;
    if (f.memory_mb_min)
        l.memory_mb = std::min(std::max(l.memory_mb, *f.memory_mb_min), m.memory_mb);
    if (f.pids_min)
        l.pids = std::min(std::max(l.pids, *f.pids_min), m.pids);
    if (f.compile_time_s)
        l.compile_time_s = std::min(std::max(l.compile_time_s, *f.compile_time_s), m.compile_time_s);
    return l;
}

std::vector<InputFile> read_files(const util::FieldReader &r, const languages::Language &language,
                                  const Limits &limits) {
    std::vector<InputFile> files;
    const json::array *list = r.array("files");
    if (!list)
        return files;
    if (list->size() > max_files)
        r.fail("files", "more than " + std::to_string(max_files) + " files");
    std::set<std::string> seen{language.source_file}, directories;
    const uint64_t budget = static_cast<uint64_t>(limits.disk_mb) << 20;
    uint64_t total = 0;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string field = "files[" + std::to_string(i) + "]";
        const json::value &item = (*list)[i];
        if (!item.is_object())
            throw invalid_field(field, "expected an object, got " +
                                           std::string(util::type_name(item)));
        const util::FieldReader fr(item.get_object(), field, SBX_E_INVALID_REQUEST);
        const std::optional<std::string> path = fr.string("path", 4096);
        if (!path)
            fr.fail("path", "is required");
        InputFile file{check_relative_path(*path, fr.field("path")), {}};
        if (!seen.insert(file.path).second)
            fr.fail("path", util::quote(file.path) + " is given twice (or is the program's own " +
                                "source file)");
        // A path cannot be both a file and a directory of another file
        // ("a" and "a/b"): sbx-init could write only one of them.
        if (directories.count(file.path))
            fr.fail("path", util::quote(file.path) + " is also a directory of another file");
        for (size_t slash = file.path.find('/'); slash != std::string::npos;
             slash = file.path.find('/', slash + 1)) {
            const std::string directory = file.path.substr(0, slash);
            if (seen.count(directory))
                fr.fail("path", util::quote(directory) + " is a file, so it cannot hold " +
                                    util::quote(file.path));
            directories.insert(directory);
        }
        const std::optional<std::string> content = fr.string("content", budget, true);
        if (!content)
            fr.fail("content", "is required");
        const std::string encoding = fr.string("encoding", 16).value_or("utf-8");
        if (encoding == "base64")
            file.content = decode_base64(*content, fr.field("content"));
        else if (encoding == "utf-8" || encoding == "utf8")
            file.content = *content;
        else
            fr.fail("encoding", "must be \"utf-8\" or \"base64\", got " + util::quote(encoding));
        total += file.content.size();
        if (total > budget)
            r.fail("files", "the files together are larger than disk_mb (" +
                                std::to_string(limits.disk_mb) + " MB)");
        files.push_back(std::move(file));
    }
    return files;
}

std::vector<std::string> read_args(const util::FieldReader &r) {
    std::vector<std::string> args;
    const json::array *list = r.array("args");
    if (!list)
        return args;
    if (list->size() > max_args)
        r.fail("args", "more than " + std::to_string(max_args) + " arguments");
    for (size_t i = 0; i < list->size(); ++i)
        args.push_back(util::string_element((*list)[i], "args[" + std::to_string(i) + "]",
                                            max_arg_bytes, SBX_E_INVALID_REQUEST));
    return args;
}

bool is_env_name(std::string_view name) {
    if (name.empty() || name.size() > 256 || std::isdigit(static_cast<unsigned char>(name[0])))
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
            return false;
    return true;
}

std::vector<std::string> read_collect(const util::FieldReader &r) {
    std::vector<std::string> patterns;
    const json::array *list = r.array("collect");
    if (!list)
        return patterns;
    if (list->size() > max_collect_patterns)
        r.fail("collect", "more than " + std::to_string(max_collect_patterns) + " patterns");
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string field = r.field("collect") + "[" + std::to_string(i) + "]";
        patterns.push_back(check_collect_pattern(
            util::string_element((*list)[i], field, 4096, SBX_E_INVALID_REQUEST), field));
    }
    return patterns;
}

std::map<std::string, std::string> read_env(const util::FieldReader &r) {
    std::map<std::string, std::string> env;
    const json::object *o = r.object("env");
    if (!o)
        return env;
    if (o->size() > max_env)
        r.fail("env", "more than " + std::to_string(max_env) + " variables");
    for (const auto &entry : *o) {
        const std::string name(entry.key());
        if (!is_env_name(name))
            r.fail("env", util::quote(name) + " is not a valid variable name (letters, digits, _)");
        env[name] = util::string_element(entry.value(), r.field("env") + "." + name,
                                         max_arg_bytes, SBX_E_INVALID_REQUEST);
    }
    return env;
}

} // namespace

std::string check_relative_path(std::string_view path, const std::string &field) {
    if (path.empty())
        throw invalid_field(field, "must not be empty");
    if (path.front() == '/')
        throw invalid_field(field, util::quote(path) +
                                       " is absolute; give a path relative to the workspace");
    std::string normal;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos)
            end = path.size();
        const std::string_view part = path.substr(start, end - start);
        if (part == "..")
            throw invalid_field(field, util::quote(path) + " contains \"..\"");
        if (part.size() > 255)
            throw invalid_field(field, "a path component is longer than 255 bytes");
        if (!part.empty() && part != ".") {
            if (!normal.empty())
                normal += '/';
            normal += part;
        }
        start = end + 1;
    }
    if (normal.empty())
        throw invalid_field(field, util::quote(path) + " names no file");
    return normal;
}

const languages::Language *find_language(const languages::Registry &registry,
                                         const std::string &name) {
    if (const languages::Language *language = registry.find(name))
        return language;
    std::string known;
    for (const std::string &n : registry.names())
        known += (known.empty() ? "" : ", ") + n;
    throw ApiError(SBX_E_UNKNOWN_LANGUAGE,
                   "language: unknown language " + util::quote(name) + " (known: " + known + ")");
}

std::string check_collect_pattern(std::string_view pattern, const std::string &field) {
    if (pattern.empty())
        throw invalid_field(field, "must not be empty");
    if (pattern.front() == '/')
        throw invalid_field(field, util::quote(pattern) +
                                       " is absolute; give a glob relative to the workspace");
    for (size_t start = 0; start <= pattern.size();) {
        size_t end = pattern.find('/', start);
        if (end == std::string_view::npos)
            end = pattern.size();
        if (pattern.substr(start, end - start) == "..")
            throw invalid_field(field, util::quote(pattern) + " contains \"..\"");
        start = end + 1;
    }
    return std::string(pattern);
}

Limits parse_limits(const json::object &doc, const languages::Language &language,
                    const Config &config, const Limits *base) {
    return read_limits(util::FieldReader(doc, "", SBX_E_INVALID_REQUEST), language, config, base);
}

Request parse_request(const json::value &doc, const languages::Registry &registry,
                      const Config &config, const Limits *base) {
    if (!doc.is_object())
        throw ApiError(SBX_E_INVALID_REQUEST,
                       "request: expected an object, got " + std::string(util::type_name(doc)));
    const util::FieldReader r(doc.get_object(), "", SBX_E_INVALID_REQUEST);
    Request q;
    const std::optional<std::string> name = r.string("language", 256);
    if (!name)
        r.fail("language", "is required");
    q.language = find_language(registry, *name);
    const std::optional<std::string> code = r.string("code", SIZE_MAX);
    if (!code)
        r.fail("code", "is required");
    if (code->size() > static_cast<uint64_t>(config.max.code_bytes))
        throw ApiError(SBX_E_LIMIT_EXCEEDED,
                       "code: " + std::to_string(code->size()) +
                           " bytes is above the maximum this sandbox allows (" +
                           std::to_string(config.max.code_bytes) + ")");
    q.code = *code;
    q.limits = read_limits(r, *q.language, config, base);
    q.files = read_files(r, *q.language, q.limits);
    q.stdin_data = r.string("stdin", max_stdin_bytes, true).value_or("");
    size_t payload = q.code.size() + q.stdin_data.size();
    for (const InputFile &f : q.files)
        payload += f.content.size() + f.path.size();
    if (payload > max_payload_bytes)
        throw ApiError(SBX_E_LIMIT_EXCEEDED,
                       "files: code, files and stdin together are larger than " +
                           std::to_string(max_payload_bytes >> 20) + " MB");
    q.args = read_args(r);
    q.env = read_env(r);
    q.network = r.boolean("network").value_or(false);
    if (q.network && !config.allow_network)
        r.fail("network", "this sandbox does not allow network access (allow_network is false)");
    if (std::optional<std::string> id = r.string("session_id", 256)) {
        if (id->empty())
            r.fail("session_id", "must not be empty (leave it out to run without a session)");
        q.session_id = std::move(*id);
    }
    q.collect = read_collect(r);
    return q;
}

Request parse_request(std::string_view text, const languages::Registry &registry,
                      const Config &config) {
    return parse_request(util::parse_json(text, "request"), registry, config);
}

} // namespace sbx::runner
