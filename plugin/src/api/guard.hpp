// The one guard every extern "C" entry point goes through: it turns every
// exception into a status code and a message, and never lets one out.
#pragma once

#include "util/error.hpp"

#include <sbx/sbx.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace sbx::api {

// A malloc'd copy, freed by sbx_string_free. NULL when out of memory.
inline char *copy_string(std::string_view s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p) {
        std::memcpy(p, s.data(), s.size());
        p[s.size()] = '\0';
    }
    return p;
}

inline sbx_status fail(char **out_error, sbx_status code, std::string_view message) {
    if (out_error)
        *out_error = copy_string(message);
    return code;
}

template <class Body> sbx_status guarded(char **out_error, Body &&body) noexcept {
    if (out_error)
        *out_error = nullptr;
    try {
        return body();
    } catch (const ApiError &e) {
        return fail(out_error, e.code, e.what());
    } catch (const std::bad_alloc &) {
        return fail(out_error, SBX_E_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception &e) {
        return fail(out_error, SBX_E_INTERNAL, std::string("internal error: ") + e.what());
    } catch (...) {
        return fail(out_error, SBX_E_INTERNAL, "internal error: unknown exception");
    }
}

// Stores a result string; a failed allocation is reported as such.
inline sbx_status give(char **out, std::string_view text) {
    *out = copy_string(text);
    if (!*out)
        throw std::bad_alloc();
    return SBX_OK;
}

} // namespace sbx::api
