// Percent-encoding for the query strings of Engine API targets.
#pragma once

#include <string>
#include <string_view>

namespace sbx::util {

// `s` with every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - _ . ~)
// written as %XX, e.g. a JSON filter for "?filters=".
std::string url_encode(std::string_view s);

} // namespace sbx::util
