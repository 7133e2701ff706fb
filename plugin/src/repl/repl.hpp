// The interpreters a REPL session keeps alive between runs: the argv that
// starts one per language, its driver embedded at build time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::repl {

// The argv of the resident interpreter of `language_name`, or nullopt when
// the language has no REPL.
std::optional<std::vector<std::string>> interpreter_argv(std::string_view language_name);

} // namespace sbx::repl
