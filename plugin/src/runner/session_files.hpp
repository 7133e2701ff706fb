// Reading and writing the workspace of a session between its runs.
#pragma once

#include "protocol/wire.hpp"
#include "runner/execution.hpp"
#include "runner/sessions.hpp"

#include <vector>

namespace sbx::runner {

// Writes `files` (paths already checked) into the session's workspace,
// replacing files of the same name. Throws ApiError: SBX_E_INVALID_REQUEST
// naming "files" when sbx-init cannot write one (the disk is full),
// SBX_E_UNKNOWN_SESSION when the session ended, SBX_E_INTERNAL when its
// container failed (the session then ends).
void write_session_files(SessionLease &session, std::vector<wire::File> files);

// The workspace files matching `collect` (list.error tells what part of the
// workspace could not be read). Throws ApiError like write_session_files.
wire::FileList read_session_files(SessionLease &session, const wire::Collect &collect);

} // namespace sbx::runner
