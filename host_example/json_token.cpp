#include "json_token.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>

namespace sbx::host {
namespace json = boost::json;

namespace {

// A basic_parser handler that builds nothing: it follows the depth and the
// current top-level key, and keeps the raw text of the wanted number.
struct NumberFinder {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    explicit NumberFinder(std::string_view key) : wanted(key) {}

    std::string_view wanted;
    int depth = 0;
    std::string key;         // the top-level key being read
    bool in_wanted = false;  // the top-level value being read belongs to `wanted`
    std::string number;      // the number being read
    std::optional<std::string> found;

    bool on_document_begin(json::error_code &) { return true; }
    bool on_document_end(json::error_code &) { return true; }
    bool on_object_begin(json::error_code &) { return ++depth, true; }
    bool on_object_end(std::size_t, json::error_code &) { return --depth, true; }
    bool on_array_begin(json::error_code &) { return ++depth, true; }
    bool on_array_end(std::size_t, json::error_code &) { return --depth, true; }
    bool on_key_part(json::string_view s, std::size_t, json::error_code &) {
        if (depth == 1)
            key.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t n, json::error_code &ec) {
        on_key_part(s, n, ec);
        if (depth == 1)
            in_wanted = key == wanted;
        key.clear();
        return true;
    }
    bool on_string_part(json::string_view, std::size_t, json::error_code &) { return true; }
    bool on_string(json::string_view, std::size_t, json::error_code &) { return true; }
    bool on_number_part(json::string_view s, json::error_code &) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t, json::string_view s, json::error_code &) { return end_number(s); }
    bool on_uint64(std::uint64_t, json::string_view s, json::error_code &) { return end_number(s); }
    bool on_double(double, json::string_view s, json::error_code &) { return end_number(s); }
    bool on_bool(bool, json::error_code &) { return true; }
    bool on_null(json::error_code &) { return true; }
    bool on_comment_part(json::string_view, json::error_code &) { return true; }
    bool on_comment(json::string_view, json::error_code &) { return true; }

    bool end_number(json::string_view last_part) {
        number.append(last_part.data(), last_part.size());
        if (depth == 1 && in_wanted)
            found = number;
        number.clear();
        return true;
    }
};

} // namespace

std::optional<std::string> top_level_number(std::string_view json_text, std::string_view key) {
    json::basic_parser<NumberFinder> parser(json::parse_options{}, key);
    json::error_code ec;
    parser.write_some(false, json_text.data(), json_text.size(), ec);
    if (ec)
        return std::nullopt;
    return parser.handler().found;
}

} // namespace sbx::host
