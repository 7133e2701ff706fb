// The exact text of a number in a JSON document. Boost.JSON turns 1.0 or
// 123456789012345678901234567890 into a double that prints as "1E0" or
// "1.2345678901234568E29"; a JSON-RPC id must come back as it was sent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sbx::host {

// The text of the number that is the value of `key` in the top-level object
// of `json_text` (the last one, if the key repeats); nullopt when there is
// none or `json_text` does not parse.
std::optional<std::string> top_level_number(std::string_view json_text, std::string_view key);

} // namespace sbx::host
