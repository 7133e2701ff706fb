// The plugin's logger: to the host's callback when it gave one, else to
// stderr. Never stdout: many hosts speak their protocol there.
#pragma once

#include <sbx/sbx.h>

#include <spdlog/logger.h>

#include <memory>
#include <string_view>

namespace sbx {

std::shared_ptr<spdlog::logger> make_logger(const sbx_host *host, std::string_view level);

} // namespace sbx
