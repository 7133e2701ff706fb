// Who owns a container: this host and this process, told apart from a later
// process that reuses the pid by the process's start time.
#pragma once

#include <string>
#include <string_view>

namespace sbx {

// "host:pid:starttime" for the calling process.
std::string current_owner();

// Whether the owner named by a label value is a process that no longer runs
// on this host. Unknown formats and other hosts are never "dead".
bool owner_is_dead(std::string_view owner);

} // namespace sbx
