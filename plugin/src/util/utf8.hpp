// Program output is bytes; documents carry UTF-8. Repair never throws.
#pragma once

#include <string>
#include <string_view>

namespace sbx::util {

// Returns `bytes` with every invalid UTF-8 sequence (including overlongs,
// surrogates and code points past U+10FFFF) replaced by U+FFFD, one per
// maximal invalid subpart as Unicode recommends.
std::string repair_utf8(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

} // namespace sbx::util
