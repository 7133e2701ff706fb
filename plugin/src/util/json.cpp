#include "util/json.hpp"


#include <charconv>
#include <cmath>
#include <limits>

namespace sbx::util {
namespace json = boost::json;

json::value parse_json(std::string_view text, std::string_view what) {
    json::parse_options options;
    options.max_depth = 64;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, {}, options);
    if (ec)
        throw ApiError(SBX_E_INVALID_JSON,
                       std::string(what) + " is not valid JSON: " + ec.message());
    return v;
}

std::string_view type_name(const json::value &v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    }
    return "unknown";
}

FieldReader::FieldReader(const json::object &object, std::string path, sbx_status code)
    : object_(object), path_(std::move(path)), code_(code) {}

std::string FieldReader::field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void FieldReader::fail(std::string_view key, const std::string &reason) const {
    throw ApiError(code_, field(key) + ": " + reason);
}

const json::value *FieldReader::find(std::string_view key) const {
    const json::value *v = object_.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

std::string string_element(const json::value &v, const std::string &field,
                           size_t max_bytes, sbx_status code) {
    if (!v.is_string())
        throw ApiError(code, field + ": expected a string, got " + std::string(type_name(v)));
    const json::string &s = v.get_string();
    if (s.size() > max_bytes)
        throw ApiError(code, field + ": longer than " + std::to_string(max_bytes) + " bytes");
    if (std::string_view(s).find('\0') != std::string_view::npos)
        throw ApiError(code, field + ": contains a NUL character");
    return std::string(s);
}

std::optional<std::string> FieldReader::string(std::string_view key, size_t max_bytes,
                                               bool allow_nul) const {
    const json::value *v = find(key);
    if (!v)
        return std::nullopt;
    if (allow_nul) {
        if (!v->is_string())
            fail(key, "expected a string, got " + std::string(type_name(*v)));
        if (v->get_string().size() > max_bytes)
            fail(key, "longer than " + std::to_string(max_bytes) + " bytes");
        return std::string(v->get_string());
    }
    return string_element(*v, field(key), max_bytes, code_);
}

static std::optional<double> as_number(const json::value &v) {
    if (v.is_int64())
        return static_cast<double>(v.get_int64());
    if (v.is_uint64())
        return static_cast<double>(v.get_uint64());
    if (v.is_double())
        return v.get_double();
    return std::nullopt;
}

static std::string format_bound(double x) {
    if (x == std::floor(x) && std::fabs(x) < 1e15)
        return std::to_string(static_cast<long long>(x));
    std::string s = std::to_string(x);
    s.erase(s.find_last_not_of('0') + 1);
    return s;
}

std::optional<double> FieldReader::number(std::string_view key, double min, double max) const {
    const json::value *v = find(key);
    if (!v)
        return std::nullopt;
    const std::optional<double> x = as_number(*v);
    if (!x)
        fail(key, "expected a number, got " + std::string(type_name(*v)));
    if (!std::isfinite(*x) || *x < min || *x > max)
        fail(key, "must be between " + format_bound(min) + " and " + format_bound(max) +
                      ", got " + format_bound(*x));
    return x;
}

std::optional<int64_t> FieldReader::integer(std::string_view key, int64_t min,
                                            int64_t max) const {
    const json::value *v = find(key);
    if (!v)
        return std::nullopt;
    const std::optional<double> x = as_number(*v);
    if (!x || *x != std::floor(*x))
        fail(key, "expected an integer, got " +
                      (x ? format_bound(*x) : std::string(type_name(*v))));
    if (*x < static_cast<double>(min) || *x > static_cast<double>(max))
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + format_bound(*x));
    return static_cast<int64_t>(*x);
}

std::optional<bool> FieldReader::boolean(std::string_view key) const {
    const json::value *v = find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_bool())
        fail(key, "expected true or false, got " + std::string(type_name(*v)));
    return v->get_bool();
}

const json::object *FieldReader::object(std::string_view key) const {
    const json::value *v = find(key);
    if (!v)
        return nullptr;
    if (!v->is_object())
        fail(key, "expected an object, got " + std::string(type_name(*v)));
    return &v->get_object();
}

const json::array *FieldReader::array(std::string_view key) const {
    const json::value *v = find(key);
    if (!v)
        return nullptr;
    if (!v->is_array())
        fail(key, "expected an array, got " + std::string(type_name(*v)));
    return &v->get_array();
}

namespace {

void write(std::string &out, const json::value &v) {
    switch (v.kind()) {
    case json::kind::double_: {
        // Shortest round-trip form ("0.041", "30"), not Boost's "4.1E-2".
        const double d = v.get_double();
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
        out.append(buffer, end);
        return;
    }
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const json::value &e : v.get_array()) {
            if (!first)
                out += ',';
            first = false;
            write(out, e);
        }
        out += ']';
        return;
    }
    case json::kind::object: {
        out += '{';
        bool first = true;
        for (const auto &entry : v.get_object()) {
            if (!first)
                out += ',';
            first = false;
            out += json::serialize(json::string_view(entry.key()));
            out += ':';
            write(out, entry.value());
        }
        out += '}';
        return;
    }
    default:
        out += json::serialize(v);
    }
}

} // namespace

std::string serialize(const json::value &v) {
    std::string out;
    write(out, v);
    return out;
}

} // namespace sbx::util
