/* A library that claims to be sbx of ABI 2.3 and exports nothing else: every
 * host must refuse it at negotiation, with a message naming both versions. */
#include <sbx/sbx.h>

#define FAKE_VERSION ((2u << 16) | 3u)

SBX_API sbx_status sbx_negotiate_abi(uint32_t *inout_version) {
    if (!inout_version)
        return SBX_E_INVALID_ARGUMENT;
    if (SBX_ABI_MAJOR(*inout_version) != 2u) {
        *inout_version = FAKE_VERSION;
        return SBX_E_ABI_MISMATCH;
    }
    return SBX_OK;
}
