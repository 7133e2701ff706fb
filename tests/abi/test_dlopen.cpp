// The built library loads as hosts load it, exports every function of sbx.h
// and describes itself.
#include "plugin.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <dlfcn.h>

namespace {
using namespace sbx::abi_test;

TEST(Dlopen, ResolvesEveryFunctionOfTheHeader) {
    void *library = dlopen(SBX_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(library, nullptr) << dlerror();
#define SBX_ABI_NAME(name) "sbx_" #name,
    for (const char *name : {SBX_ABI_FUNCTIONS(SBX_ABI_NAME)})
        EXPECT_NE(dlsym(library, name), nullptr) << name;
#undef SBX_ABI_NAME
    EXPECT_EQ(dlclose(library), 0) << dlerror();
}

TEST(Dlopen, PluginInfoMatchesItsSchema) {
    EXPECT_EQ(schema_errors("plugin_info.json", api().plugin_info()), std::vector<std::string>{});
}

TEST(Dlopen, PluginInfoIsStatic) {
    EXPECT_EQ(api().plugin_info(), api().plugin_info());
}

TEST(Dlopen, PluginSpeaksTheHeadersAbi) {
    EXPECT_EQ(plugin_abi_version(), static_cast<uint32_t>(SBX_ABI_VERSION));
}

} // namespace
