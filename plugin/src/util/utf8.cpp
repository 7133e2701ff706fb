#include "util/utf8.hpp"

namespace sbx::util {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Length of the valid sequence starting at `i`, or 0 if invalid. When
// invalid, `*bad` is the length of the maximal invalid subpart (at least 1).
size_t valid_sequence(std::string_view s, size_t i, size_t *bad) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    *bad = 1;
    if (lead < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; // range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        if (lead == 0xE0)
            lo = 0xA0; // overlong
        if (lead == 0xED)
            hi = 0x9F; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        if (lead == 0xF0)
            lo = 0x90; // overlong
        if (lead == 0xF4)
            hi = 0x8F; // past U+10FFFF
    } else {
        return 0;
    }
    for (size_t k = 1; k < need; ++k) {
        if (i + k >= s.size())
            return 0;
        const unsigned char c = byte(i + k);
        const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
        if (!ok)
            return 0;
        *bad = k + 1;
    }
    return need;
}

} // namespace

bool is_valid_utf8(std::string_view bytes) {
    size_t bad = 0;
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = valid_sequence(bytes, i, &bad);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string repair_utf8(std::string_view bytes) {
    if (is_valid_utf8(bytes))
        return std::string(bytes);
    std::string out;
    out.reserve(bytes.size() + 16);
    size_t bad = 0;
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = valid_sequence(bytes, i, &bad);
        if (n == 0) {
            out.append(replacement);
            i += bad;
        } else {
            out.append(bytes.substr(i, n));
            i += n;
        }
    }
    return out;
}

} // namespace sbx::util
