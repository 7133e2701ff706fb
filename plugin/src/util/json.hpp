// Reading JSON documents with errors that name the field and the reason.
#pragma once

#include "util/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sbx::util {

// Parses a whole document; a syntax error becomes ApiError(SBX_E_INVALID_JSON)
// saying what was being read ("request", "config") and where it broke.
boost::json::value parse_json(std::string_view text, std::string_view what);

// "string", "number", "object", ... as a reader of the message would say it.
std::string_view type_name(const boost::json::value &v);

// Reads fields of one object. `path` prefixes field names in messages
// ("limits.time_s"). A field that is absent or null reads as nullopt. Errors
// are ApiError with the code given at construction.
class FieldReader {
public:
    FieldReader(const boost::json::object &object, std::string path, sbx_status code);

    std::string field(std::string_view key) const; // "path.key"

    std::optional<std::string> string(std::string_view key, size_t max_bytes,
                                      bool allow_nul = false) const;
    std::optional<double> number(std::string_view key, double min, double max) const;
    std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max) const;
    std::optional<bool> boolean(std::string_view key) const;
    const boost::json::object *object(std::string_view key) const;
    const boost::json::array *array(std::string_view key) const;

    [[noreturn]] void fail(std::string_view key, const std::string &reason) const;

private:
    const boost::json::value *find(std::string_view key) const;
    const boost::json::object &object_;
    std::string path_;
    sbx_status code_;
};

// Reads one string element (of an array) with the same checks as above.
std::string string_element(const boost::json::value &v, const std::string &field,
                           size_t max_bytes, sbx_status code);

std::string serialize(const boost::json::value &v);

// Text from a request, quoted for a message: a JSON string (control
// characters and NUL escaped, so that a message never ends early at a C
// boundary), cut at `max_bytes` with "..." after the closing quote.
std::string quote(std::string_view text, size_t max_bytes = 128);

} // namespace sbx::util
