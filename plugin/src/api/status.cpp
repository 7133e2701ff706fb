#include <sbx/sbx.h>

extern "C" SBX_API const char *sbx_status_name(sbx_status status) {
    switch (status) {
    case SBX_OK: return "SBX_OK";
    case SBX_E_INVALID_ARGUMENT: return "SBX_E_INVALID_ARGUMENT";
    case SBX_E_INVALID_JSON: return "SBX_E_INVALID_JSON";
    case SBX_E_INVALID_REQUEST: return "SBX_E_INVALID_REQUEST";
    case SBX_E_UNKNOWN_LANGUAGE: return "SBX_E_UNKNOWN_LANGUAGE";
    case SBX_E_LIMIT_EXCEEDED: return "SBX_E_LIMIT_EXCEEDED";
    case SBX_E_ABI_MISMATCH: return "SBX_E_ABI_MISMATCH";
    case SBX_E_INVALID_CONFIG: return "SBX_E_INVALID_CONFIG";
    case SBX_E_ENGINE_UNAVAILABLE: return "SBX_E_ENGINE_UNAVAILABLE";
    case SBX_E_UNKNOWN_TOOL: return "SBX_E_UNKNOWN_TOOL";
    case SBX_E_UNKNOWN_DIALECT: return "SBX_E_UNKNOWN_DIALECT";
    case SBX_E_OUT_OF_MEMORY: return "SBX_E_OUT_OF_MEMORY";
    case SBX_E_INTERNAL: return "SBX_E_INTERNAL";
    case SBX_E_UNKNOWN_SESSION: return "SBX_E_UNKNOWN_SESSION";
    case SBX_E_SESSION_LIMIT: return "SBX_E_SESSION_LIMIT";
    }
    return "SBX_E_UNKNOWN_STATUS";
}
