// Writing a job's files into its working directory.
#pragma once

#include "protocol/wire.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace sbx::init {

// The job's working directory the plugin always sends, and what collect
// reads unless init's --workspace names another (tests).
inline constexpr const char *default_workspace = "/workspace";

struct WorkspaceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Writes each file under `workdir`, creating parent directories (0755).
// The plugin validated the paths already; this checks again, because user
// code of an earlier job in the same container may have planted symlinks:
// absolute paths, `..` and symlinked components are refused. Throws
// WorkspaceError with the reason.
void write_files(const std::string &workdir, const std::vector<wire::File> &files);

} // namespace sbx::init
