// JSON-RPC 2.0 over lines: reading one request or notification, and writing
// responses that carry the request's id exactly as the client wrote it.
#pragma once

#include <boost/json/value.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sbx::host::jsonrpc {

enum Code : int {
    parse_error = -32700,
    invalid_request = -32600,
    method_not_found = -32601,
    invalid_params = -32602,
    internal_error = -32603,
};

// A failure answered with a JSON-RPC error. `id_token` is the id to answer
// with when the message itself could not be read ("null" when unknown).
struct Error : std::runtime_error {
    Error(int code, const std::string &message, std::string id_token = "null")
        : std::runtime_error(message), code(code), id_token(std::move(id_token)) {}
    int code;
    std::string id_token;
};

struct Message {
    std::string method;
    boost::json::value params; // null when absent
    boost::json::value id;     // to match ids by value (a cancellation names one)
    std::string id_token;      // the id as the client wrote it; empty for a notification
    bool is_notification() const { return id_token.empty(); }
};

// Throws Error for a parse error (-32700) or an invalid request (-32600).
// Batches (arrays) are invalid: MCP dropped them in 2025-06-18.
Message read(std::string_view line);

std::string result(std::string_view id_token, const boost::json::value &result);
std::string error(std::string_view id_token, int code, std::string_view message);

} // namespace sbx::host::jsonrpc
