// The extern "C" entry points: thin, noexcept, each through one guard.
#include "api/guard.hpp"
#include "sandbox/config.hpp"
#include "sandbox/sandbox.hpp"
#include "tools/tools.hpp"
#include "util/json.hpp"

#include <sbx/sbx.h>

#include <boost/json.hpp>

#include <cstdlib>

struct sbx_sandbox {
    sbx_sandbox(sbx::Config config, const sbx_host *host) : impl(std::move(config), host) {}
    sbx::Sandbox impl;
};

namespace {

using sbx::api::give;
using sbx::api::guarded;

sbx_status null_argument(char **out_error, const char *name) {
    return sbx::api::fail(out_error, SBX_E_INVALID_ARGUMENT,
                          std::string(name) + ": must not be NULL");
}

#define SBX_REQUIRE(out_error, arg)                                                                \
    do {                                                                                           \
        if (!(arg))                                                                                \
            return null_argument(out_error, #arg);                                                 \
    } while (0)

// NULL means the defaults; otherwise the struct must be one we can read.
sbx_status check_options(char **out_error, const sbx_exec_options *opts) {
    if (opts && opts->struct_size < sizeof(uint32_t))
        return sbx::api::fail(out_error, SBX_E_INVALID_ARGUMENT, "opts: struct_size is too small");
    return SBX_OK;
}

constexpr const char plugin_info[] =
    R"({"schema":"sbx.plugin_info/1","name":"sbx","version":")" SBX_VERSION
    R"(","abi":{"major":1,"minor":0},"build":{"compiler":"gcc )" __VERSION__
    R"(","type":")" SBX_BUILD_TYPE R"("}})";

} // namespace

extern "C" {

SBX_API sbx_status sbx_negotiate_abi(uint32_t *inout_version) {
    if (!inout_version)
        return SBX_E_INVALID_ARGUMENT;
    const uint32_t host = *inout_version;
    if (SBX_ABI_MAJOR(host) != SBX_ABI_VERSION_MAJOR) {
        *inout_version = SBX_ABI_VERSION;
        return SBX_E_ABI_MISMATCH;
    }
    if (SBX_ABI_MINOR(host) > SBX_ABI_VERSION_MINOR)
        *inout_version = SBX_ABI_VERSION;
    return SBX_OK;
}

SBX_API const char *sbx_plugin_info(void) { return plugin_info; }

SBX_API sbx_status sbx_create(sbx_sandbox **out_sb, const char *config_json, const sbx_host *host,
                              char **out_error) {
    if (out_sb)
        *out_sb = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_sb);
        if (host && host->struct_size < sizeof(uint32_t))
            return sbx::api::fail(out_error, SBX_E_INVALID_ARGUMENT,
                                  "host: struct_size is too small");
        sbx::Config config = config_json ? sbx::parse_config(config_json) : sbx::Config{};
        *out_sb = new sbx_sandbox(std::move(config), host);
        return SBX_OK;
    });
}

SBX_API void sbx_destroy(sbx_sandbox *sb) {
    try {
        delete sb;
    } catch (...) {
        // A destructor that throws would end the host; nothing to report to.
    }
}

SBX_API sbx_status sbx_execute(char **out_result_json, sbx_sandbox *sb, const char *request_json,
                               const sbx_exec_options *opts, char **out_error) {
    if (out_result_json)
        *out_result_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_result_json);
        SBX_REQUIRE(out_error, sb);
        SBX_REQUIRE(out_error, request_json);
        if (sbx_status s = check_options(out_error, opts))
            return s;
        return give(out_result_json, sbx::util::serialize(sb->impl.execute(std::string_view(request_json))));
    });
}

SBX_API sbx_status sbx_languages(char **out_json, sbx_sandbox *sb, char **out_error) {
    if (out_json)
        *out_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_json);
        SBX_REQUIRE(out_error, sb);
        return give(out_json, sbx::util::serialize(sb->impl.registry().to_json()));
    });
}

SBX_API sbx_status sbx_tools(char **out_json, sbx_sandbox *sb, const char *dialect,
                             char **out_error) {
    if (out_json)
        *out_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_json);
        SBX_REQUIRE(out_error, sb);
        SBX_REQUIRE(out_error, dialect);
        return give(out_json, sbx::util::serialize(sbx::tools::definitions(sb->impl, dialect)));
    });
}

SBX_API sbx_status sbx_call_tool(char **out_result_json, sbx_sandbox *sb, const char *name,
                                 const char *arguments_json, const sbx_exec_options *opts,
                                 char **out_error) {
    if (out_result_json)
        *out_result_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_result_json);
        SBX_REQUIRE(out_error, sb);
        SBX_REQUIRE(out_error, name);
        SBX_REQUIRE(out_error, arguments_json);
        if (sbx_status s = check_options(out_error, opts))
            return s;
        return give(out_result_json,
                    sbx::util::serialize(sbx::tools::call(sb->impl, name, arguments_json)));
    });
}

SBX_API sbx_status sbx_health(char **out_json, sbx_sandbox *sb, char **out_error) {
    if (out_json)
        *out_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_json);
        SBX_REQUIRE(out_error, sb);
        bool reachable = false;
        const boost::json::value health = sb->impl.health(reachable);
        give(out_json, sbx::util::serialize(health));
        if (!reachable)
            return sbx::api::fail(out_error, SBX_E_ENGINE_UNAVAILABLE,
                                  "the engine does not answer: " +
                                      std::string(health.at("engine").at("error").as_string()));
        return SBX_OK;
    });
}

SBX_API void sbx_string_free(char *s) { std::free(s); }

} // extern "C"
