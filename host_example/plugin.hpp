// The plugin as the host sees it: a library loaded with Boost.DLL, its ABI
// negotiated, and sandboxes that keep the library loaded while they live.
#pragma once

#include <sbx/sbx.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace sbx::host {

// A failed call: the status and the plugin's message.
struct CallError : std::runtime_error {
    CallError(sbx_status status, const std::string &message)
        : std::runtime_error(message), status(status) {}
    sbx_status status;
};

class Plugin {
public:
    // Loads and negotiates. Throws std::runtime_error saying what is wrong
    // (missing file, not an sbx plugin, incompatible ABI).
    static std::shared_ptr<Plugin> load(const std::filesystem::path &path);

    // --plugin, else $SBX_PLUGIN, else next to this executable
    // (../lib/libsbx.so, then ./libsbx.so).
    static std::filesystem::path locate(const std::string &option);

    uint32_t abi() const { return abi_; }
    std::string info() const { return plugin_info_(); }

    decltype(&sbx_create) create;
    decltype(&sbx_destroy) destroy;
    decltype(&sbx_execute) execute;
    decltype(&sbx_languages) languages;
    decltype(&sbx_tools) tools;
    decltype(&sbx_call_tool) call_tool;
    decltype(&sbx_health) health;
    decltype(&sbx_string_free) string_free;
    // ABI 1.1; null when the plugin speaks 1.0.
    decltype(&sbx_cancel_token_new) cancel_token_new = nullptr;
    decltype(&sbx_cancel_token_cancel) cancel_token_cancel = nullptr;
    decltype(&sbx_cancel_token_free) cancel_token_free = nullptr;

private:
    boost::dll::shared_library library_;
    decltype(&sbx_plugin_info) plugin_info_;
    uint32_t abi_ = 0;
};

// An sbx_cancel_token (ABI 1.1). Holds the plugin so the library outlives it.
class CancelToken {
public:
    // Throws std::runtime_error when the plugin speaks 1.0.
    explicit CancelToken(std::shared_ptr<Plugin> plugin);
    ~CancelToken();
    CancelToken(const CancelToken &) = delete;
    CancelToken &operator=(const CancelToken &) = delete;

    void cancel(); // any thread
    sbx_cancel_token *get() const { return token_; }

private:
    std::shared_ptr<Plugin> plugin_;
    sbx_cancel_token *token_ = nullptr;
};

// What a call may add (ABI 1.1): output as it arrives (false from it
// cancels the run) and a token that cancels it.
struct CallOptions {
    std::function<bool(int32_t stream, std::string_view data)> on_output;
    CancelToken *cancel = nullptr;
};

// One sbx_sandbox. Holds the plugin so the library outlives the handle.
class Sandbox {
public:
    Sandbox(std::shared_ptr<Plugin> plugin, const std::string &config_json);
    ~Sandbox();
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;

    std::string execute(const std::string &request_json, const CallOptions *options = nullptr);
    std::string languages();
    std::string tools(const std::string &dialect);
    std::string call_tool(const std::string &name, const std::string &arguments_json,
                          const CallOptions *options = nullptr);
    const std::shared_ptr<Plugin> &plugin() const { return plugin_; }
    // Throws CallError (SBX_E_ENGINE_UNAVAILABLE) when the engine does not answer.
    std::string health();

private:
    // Takes ownership of a plugin string; throws CallError on failure.
    std::string take(sbx_status status, char *out, char *error);
    std::shared_ptr<Plugin> plugin_;
    sbx_sandbox *sb_ = nullptr;
};

} // namespace sbx::host
