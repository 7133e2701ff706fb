// Private helpers shared by request() and attach(): how sbx talks HTTP to
// the engine (API version prefix, common headers, limits, error texts).
#pragma once

#include "docker/engine.hpp"

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace sbx::docker::detail {

// Every target is sent as kApiPrefix + target: 1.41 is the API of Docker
// 20.10, the oldest engine sbx supports; newer engines serve it unchanged.
inline constexpr std::string_view kApiPrefix = "/v1.41";

// Answers larger than this are refused (the connection is dropped).
inline constexpr std::size_t kMaxBodyBytes = std::size_t{64} << 20;
inline constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

// kApiPrefix + target. Throws std::invalid_argument unless the target is an
// unversioned absolute path (with optional query) without spaces or controls.
std::string versioned_target(std::string_view target);

// now + timeout. Throws std::invalid_argument for a timeout <= 0.
Clock::time_point deadline_after(std::chrono::milliseconds timeout);

// Host and User-Agent.
void set_common_fields(boost::beast::http::fields &fields);

// The engine's error text from an error body: the JSON "message" field, else
// the raw body (trimmed), else "HTTP <status>".
std::string engine_message(unsigned status, std::string_view body);

} // namespace sbx::docker::detail
