#include "util/json.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

namespace sbx::util {
namespace json = boost::json;

namespace {

// Builds the value as boost::json::parser does (a value_stack), and also
// refuses a key given twice in one object, which the stock parser resolves
// silently (the last one wins): {"limits": {"time_s": 1, "time_s": 900}} must
// not mean one thing to a validator and another to us. Keeps the path of the
// value being parsed ("files[2].path") to name the duplicate.
struct StrictHandler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    struct Level {
        bool object = false;
        std::set<std::string, std::less<>> keys; // objects: the keys seen so far
        std::string key;                         // objects: the current key
        std::size_t index = 0;                   // arrays: the current element
    };

    json::value_stack st;
    std::vector<Level> levels;
    std::string key_part;
    std::string duplicate;    // path of a duplicate key, when one was found
    std::optional<std::string> out_of_range; // path of a number past double's range

    // A key as a message shows it: as is when it is a plain name, else quoted
    // (a key may hold NUL, quotes, dots or control characters).
    static std::string show(const std::string &key) {
        const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return c > ' ' && c < 127 && c != '"' && c != '\\' && c != '.' && c != '[' &&
                   c != ']' && c != ':';
        });
        return plain ? key : quote(key, 64);
    }

    std::string path() const {
        std::string p;
        for (const Level &l : levels) {
            if (l.object) {
                if (!p.empty())
                    p += '.';
                p += show(l.key);
            } else {
                p += '[' + std::to_string(l.index) + ']';
            }
        }
        return p;
    }
    // A value of the current level is complete.
    bool value_done() {
        if (!levels.empty() && !levels.back().object)
            ++levels.back().index;
        return true;
    }

    bool on_document_begin(boost::system::error_code &) { return true; }
    bool on_document_end(boost::system::error_code &) { return true; }
    bool on_object_begin(boost::system::error_code &) {
        levels.push_back(Level{true, {}, {}, 0});
        return true;
    }
    bool on_object_end(std::size_t n, boost::system::error_code &) {
        st.push_object(n);
        levels.pop_back();
        return value_done();
    }
    bool on_array_begin(boost::system::error_code &) {
        levels.push_back(Level{false, {}, {}, 0});
        return true;
    }
    bool on_array_end(std::size_t n, boost::system::error_code &) {
        st.push_array(n);
        levels.pop_back();
        return value_done();
    }
    bool on_key_part(json::string_view s, std::size_t, boost::system::error_code &) {
        st.push_chars(s);
        key_part.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, boost::system::error_code &ec) {
        st.push_key(s);
        key_part.append(s.data(), s.size());
        Level &l = levels.back();
        l.key = std::move(key_part);
        key_part.clear();
        if (!l.keys.insert(l.key).second) {
            duplicate = path();
            ec = json::error::syntax;
            return false;
        }
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, boost::system::error_code &) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, boost::system::error_code &) {
        st.push_string(s);
        return value_done();
    }
    bool on_number_part(json::string_view, boost::system::error_code &) { return true; }
    bool on_int64(int64_t i, json::string_view, boost::system::error_code &) {
        st.push_int64(i);
        return value_done();
    }
    bool on_uint64(uint64_t u, json::string_view, boost::system::error_code &) {
        st.push_uint64(u);
        return value_done();
    }
    bool on_double(double d, json::string_view, boost::system::error_code &ec) {
        // Boost reads 1e400 as infinity; no field of ours wants that, and a
        // check like "x > max" must never meet it.
        if (!std::isfinite(d)) {
            out_of_range = path();
            ec = json::error::exponent_overflow;
            return false;
        }
        st.push_double(d);
        return value_done();
    }
    bool on_bool(bool b, boost::system::error_code &) {
        st.push_bool(b);
        return value_done();
    }
    bool on_null(boost::system::error_code &) {
        st.push_null();
        return value_done();
    }
    bool on_comment_part(json::string_view, boost::system::error_code &) { return true; }
    bool on_comment(json::string_view, boost::system::error_code &) { return true; }
};

} // namespace

json::value parse_json(std::string_view text, std::string_view what) {
    json::parse_options options;
    options.max_depth = 64;
    json::basic_parser<StrictHandler> parser(options);
    parser.handler().st.reset();
    boost::system::error_code ec;
    const size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && used < text.size())
        ec = json::error::extra_data;
    // "limits.time_s"; "request[1]" and "request" when the document itself
    // is an array or a number.
    const auto name = [&](const std::string &path) {
        return path.empty() || path.front() == '[' ? std::string(what) + path : path;
    };
    if (ec && !parser.handler().duplicate.empty())
        throw ApiError(SBX_E_INVALID_JSON, name(parser.handler().duplicate) +
                                               ": the key is given more than once in the " +
                                               std::string(what));
    if (ec && parser.handler().out_of_range)
        throw ApiError(SBX_E_INVALID_JSON,
                       name(*parser.handler().out_of_range) +
                           ": the number is beyond the range of a double (at byte " +
                           std::to_string(used) + ")");
    if (ec)
        throw ApiError(SBX_E_INVALID_JSON, std::string(what) + " is not valid JSON: " +
                                               ec.message() + " (at byte " +
                                               std::to_string(used) + ")");
    return parser.handler().st.release();
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
    // 2^63 is the first double past int64_t; comparing with (double)max would
    // let it through (INT64_MAX rounds up to 2^63) into an undefined cast.
    constexpr double two_63 = 9223372036854775808.0;
    if (*x < static_cast<double>(min) || *x > static_cast<double>(max) || *x >= two_63 ||
        *x < -two_63)
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + format_bound(*x));
    const int64_t i = static_cast<int64_t>(*x);
    if (i < min || i > max) // a bound that a double cannot hold exactly
        fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                      ", got " + format_bound(*x));
    return i;
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

std::string quote(std::string_view text, size_t max_bytes) {
    const bool cut = text.size() > max_bytes;
    if (cut) {
        text = text.substr(0, max_bytes);
        // Not in the middle of a UTF-8 sequence.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
            text.remove_suffix(1);
        if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0)
            text.remove_suffix(1);
    }
    return json::serialize(json::string_view(text.data(), text.size())) + (cut ? "..." : "");
}

std::string serialize(const json::value &v) {
    std::string out;
    write(out, v);
    return out;
}

} // namespace sbx::util
