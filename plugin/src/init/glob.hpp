// The patterns of collect (see wire::Collect), matched against
// workspace-relative paths whose components are joined by '/'.
#pragma once

#include <string_view>

namespace sbx::init {

// Whether `path` matches `pattern`, all of it:
//   *   any run of characters but '/' (the empty one too)
//   ?   one character but '/'
//   **  any run of characters, '/' included; as a whole component followed
//       by '/' ("**/x", "a/**/x") it also matches no directory at all, so
//       "**/*.png" matches "a.png" and "x/y/a.png"
//   \c  the character c itself (a trailing lone '\' is itself)
// Anything else matches itself; no character is special in `path` (a
// leading '.' neither). Linear in pattern size times path size, whatever
// the pattern.
bool glob_match(std::string_view pattern, std::string_view path);

} // namespace sbx::init
