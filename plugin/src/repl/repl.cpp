#include "repl/repl.hpp"

#include "repl/drivers.hpp"

namespace sbx::repl {

std::optional<std::vector<std::string>> interpreter_argv(std::string_view language_name) {
    if (language_name == "python")
        return std::vector<std::string>{"python3", "-u", "-c", std::string(python_driver)};
    return std::nullopt;
}

} // namespace sbx::repl
