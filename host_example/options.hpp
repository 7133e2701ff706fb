// Command-line parsing for sbx-host: subcommand, flags and positionals.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sbx::host {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string command;
    std::map<std::string, std::string> values; // --name VALUE (and -c VALUE)
    std::vector<std::string> positional;

    std::string get(const std::string &name, const std::string &fallback = "") const;
    bool has(const std::string &name) const { return values.count(name) != 0; }
};

// `flags` are the options that take a value (e.g. {"--language", "-c"}).
// Throws UsageError for an unknown option or a missing value.
Options parse_options(int argc, char **argv, const std::vector<std::string> &flags);

} // namespace sbx::host
