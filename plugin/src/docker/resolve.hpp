// Host name resolution bounded by a deadline (getaddrinfo itself has none).
#pragma once

#include "docker/engine.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <vector>

namespace sbx::docker::detail {

// The addresses of host:port. A numeric host is converted without any
// lookup. Throws EngineUnavailable (naming `what`) when the name does not
// resolve or the deadline passes first.
std::vector<boost::asio::ip::tcp::endpoint> resolve(const std::string &host,
                                                    const std::string &port,
                                                    Clock::time_point deadline,
                                                    const std::string &what);

} // namespace sbx::docker::detail
