// Answering collect: reading workspace files back between jobs.
#pragma once

#include "protocol/wire.hpp"

#include <string>

namespace sbx::init {

// Lists the regular files below `workspace` whose relative path matches one
// of the request's patterns (glob_match), in path order, at most
// max_entries of them, with the content of each while the total stays
// within max_total_bytes (a file that does not fit is listed with returned
// false and no content; a later, smaller one may still fit). No symlink is
// followed and nothing but regular files and directories is opened; the
// walk stops at a depth of 64 directories and after 100000 entries.
// `error` names the first problem: the workspace could not be opened (no
// file listed), or part of it could not be walked (the files found
// elsewhere are still listed). The answer always fits in one frame.
wire::FileList collect_files(const std::string &workspace, const wire::Collect &request);

} // namespace sbx::init
