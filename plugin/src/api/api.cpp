// The extern "C" entry points: thin, noexcept, each through one guard.
#include "api/guard.hpp"
#include "runner/control.hpp"
#include "sandbox/config.hpp"
#include "sandbox/sandbox.hpp"
#include "tools/tools.hpp"
#include "util/json.hpp"

#include <sbx/sbx.h>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdlib>

struct sbx_cancel_token {
    sbx::runner::CancelToken impl;
};

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

// The 1.1 fields of `opts`, read only when its struct_size covers them: a
// 1.0 host's smaller struct ends before them.
sbx::runner::RunControl run_control(const sbx_exec_options *opts) {
    sbx::runner::RunControl control;
    if (!opts || opts->struct_size < offsetof(sbx_exec_options, payload) + sizeof(void *))
        return control;
    if (opts->cancel)
        control.cancel = &opts->cancel->impl;
    if (sbx_output_fn fn = opts->on_output) {
        void *payload = opts->payload;
        control.on_output = [fn, payload](sbx::runner::Stream stream, std::string_view data) {
            return fn(static_cast<int32_t>(stream), data.data(), data.size(), payload) == 0;
        };
    }
    return control;
}

constexpr const char plugin_info[] =
    R"({"schema":"sbx.plugin_info/1","name":"sbx","version":")" SBX_VERSION
    R"(","abi":{"major":1,"minor":2},"build":{"compiler":"gcc )" __VERSION__
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
        return give(out_result_json, sbx::util::serialize(sb->impl.execute(
                                         std::string_view(request_json), run_control(opts))));
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
                    sbx::util::serialize(
                        sbx::tools::call(sb->impl, name, arguments_json, run_control(opts))));
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

SBX_API sbx_status sbx_session_open(char **out_session_json, sbx_sandbox *sb,
                                    const char *options_json, char **out_error) {
    if (out_session_json)
        *out_session_json = nullptr;
    return guarded(out_error, [&]() -> sbx_status {
        SBX_REQUIRE(out_error, out_session_json);
        SBX_REQUIRE(out_error, sb);
        SBX_REQUIRE(out_error, options_json);
        return give(out_session_json,
                    sbx::util::serialize(sb->impl.open_session(std::string_view(options_json))));
    });
}

SBX_API sbx_status sbx_session_close(sbx_sandbox *sb, const char *session_id) {
    return guarded(nullptr, [&]() -> sbx_status {
        if (!sb || !session_id)
            return SBX_E_INVALID_ARGUMENT;
        sb->impl.close_session(session_id);
        return SBX_OK;
    });
}

SBX_API void sbx_string_free(char *s) { std::free(s); }

SBX_API sbx_status sbx_cancel_token_new(sbx_cancel_token **out_token) {
    if (out_token)
        *out_token = nullptr;
    return guarded(nullptr, [&]() -> sbx_status {
        if (!out_token)
            return SBX_E_INVALID_ARGUMENT;
        *out_token = new sbx_cancel_token;
        return SBX_OK;
    });
}

SBX_API void sbx_cancel_token_cancel(sbx_cancel_token *token) {
    if (!token)
        return;
    try {
        token->impl.cancel();
    } catch (...) {
        // Waking a run cannot fail in a way the caller could act on.
    }
}

SBX_API void sbx_cancel_token_free(sbx_cancel_token *token) { delete token; }

} // extern "C"
