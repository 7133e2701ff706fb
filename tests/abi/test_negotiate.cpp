// sbx_negotiate_abi: same major, lowest minor; a different major fails.
#include "plugin.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace {
using namespace sbx::abi_test;

constexpr uint32_t version(uint32_t major, uint32_t minor) { return major << 16 | minor; }

TEST(Negotiate, HostOnTheFirstMinorGetsIt) {
    uint32_t v = version(1, 0);
    EXPECT_EQ(api().negotiate_abi(&v), SBX_OK);
    EXPECT_EQ(v, version(1, 0));
}

TEST(Negotiate, NewerHostMinorFallsBackToThePlugins) {
    uint32_t v = version(1, 5);
    EXPECT_EQ(api().negotiate_abi(&v), SBX_OK);
    EXPECT_EQ(v, version(1, std::min<uint32_t>(5, SBX_ABI_MINOR(plugin_abi_version()))));
}

TEST(Negotiate, NewerMajorIsAMismatch) {
    uint32_t v = version(2, 0);
    EXPECT_EQ(api().negotiate_abi(&v), SBX_E_ABI_MISMATCH);
    EXPECT_EQ(v, plugin_abi_version());
}

TEST(Negotiate, OlderMajorIsAMismatch) {
    uint32_t v = version(0, 9);
    EXPECT_EQ(api().negotiate_abi(&v), SBX_E_ABI_MISMATCH);
    EXPECT_EQ(v, plugin_abi_version());
}

TEST(Negotiate, NullIsAnInvalidArgument) {
    EXPECT_EQ(api().negotiate_abi(nullptr), SBX_E_INVALID_ARGUMENT);
}

} // namespace
