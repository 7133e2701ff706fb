// The one exception type that carries a C ABI status out of the core. The
// api layer turns it (and anything else) into a status code and a message.
#pragma once

#include <sbx/sbx.h>

#include <stdexcept>
#include <string>

namespace sbx {

struct ApiError : std::runtime_error {
    ApiError(sbx_status code, const std::string &message)
        : std::runtime_error(message), code(code) {}
    sbx_status code;
};

// A request field with a wrong type, value or size: names the field.
inline ApiError invalid_field(const std::string &field, const std::string &reason) {
    return ApiError(SBX_E_INVALID_REQUEST, field + ": " + reason);
}

} // namespace sbx
