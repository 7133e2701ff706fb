// libsbx.so as an outsider sees it: opened with dlopen, its functions found
// with dlsym. The abi suite never links the library.
#pragma once

#include <sbx/sbx.h>

#include <string>
#include <string_view>
#include <vector>

namespace sbx::abi_test {

// Every function of sbx.h, without the sbx_ prefix.
#define SBX_ABI_FUNCTIONS(X)                                                                  \
    X(negotiate_abi) X(plugin_info) X(create) X(destroy) X(execute) X(languages) X(tools)    \
        X(call_tool) X(health) X(string_free) X(status_name) X(cancel_token_new)            \
            X(cancel_token_cancel) X(cancel_token_free) X(session_open) X(session_close)

struct Api {
#define SBX_ABI_FIELD(name) decltype(&::sbx_##name) name;
    SBX_ABI_FUNCTIONS(SBX_ABI_FIELD)
#undef SBX_ABI_FIELD
};

// Opens SBX_PLUGIN_PATH once (RTLD_NOW | RTLD_LOCAL) and resolves every
// function. Throws std::runtime_error naming what failed.
const Api &api();

// The version the plugin speaks, read from sbx_plugin_info's "abi".
uint32_t plugin_abi_version();

// A `char **out_*` of the plugin; frees what it received with sbx_string_free.
class Out {
public:
    Out() = default;
    Out(const Out &) = delete;
    Out &operator=(const Out &) = delete;
    ~Out() { api().string_free(s_); }

    char **ptr() { return &s_; }
    const char *get() const { return s_; }
    std::string str() const { return s_ ? s_ : ""; }

private:
    char *s_ = nullptr;
};

// A config whose engine address leads nowhere: the abi suite neither needs
// nor touches a running engine.
inline constexpr const char *unreachable_engine_config =
    R"({"docker_host": "unix:///nonexistent/sbx-abi-test.sock"})";

// A sandbox created with unreachable_engine_config, destroyed at scope exit.
// Throws std::runtime_error with the plugin's message if sbx_create fails.
class Sandbox {
public:
    Sandbox();
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;
    ~Sandbox() { api().destroy(sb_); }

    sbx_sandbox *get() const { return sb_; }

private:
    sbx_sandbox *sb_ = nullptr;
};

// The violations of abi/schemas/<schema_file> by the JSON text `doc`, or a
// single message when `doc` is NULL or does not parse. Empty means valid.
std::vector<std::string> schema_errors(std::string_view schema_file, const char *doc);

} // namespace sbx::abi_test
