#include "plugin.hpp"

#include <boost/dll/runtime_symbol_info.hpp>

#include <cstdlib>

namespace sbx::host {
namespace fs = std::filesystem;

std::filesystem::path Plugin::locate(const std::string &option) {
    if (!option.empty())
        return option;
    if (const char *env = std::getenv("SBX_PLUGIN"); env && *env)
        return env;
    const fs::path here = boost::dll::program_location().parent_path();
    for (const fs::path &candidate : {here / ".." / "lib" / "libsbx.so", here / "libsbx.so"})
        if (fs::exists(candidate))
            return fs::weakly_canonical(candidate);
    return here / ".." / "lib" / "libsbx.so";
}

std::shared_ptr<Plugin> Plugin::load(const fs::path &path) {
    if (!fs::exists(path))
        throw std::runtime_error("the sbx plugin is not at " + path.string() +
                                 " (build it, or give --plugin PATH or SBX_PLUGIN)");
    auto p = std::make_shared<Plugin>();
    std::error_code ec;
    p->library_.load(path.string(), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                     ec);
    if (ec)
        throw std::runtime_error("cannot load " + path.string() + ": " + ec.message());
    if (!p->library_.has("sbx_negotiate_abi"))
        throw std::runtime_error(path.string() + " is not an sbx plugin (no sbx_negotiate_abi)");
    uint32_t version = SBX_ABI_VERSION;
    const sbx_status s = p->library_.get<sbx_status(uint32_t *)>("sbx_negotiate_abi")(&version);
    if (s != SBX_OK)
        throw std::runtime_error(
            path.string() + " speaks sbx ABI " + std::to_string(SBX_ABI_MAJOR(version)) + "." +
            std::to_string(SBX_ABI_MINOR(version)) + "; this host speaks " +
            std::to_string(SBX_ABI_VERSION_MAJOR) + "." + std::to_string(SBX_ABI_VERSION_MINOR));
    p->abi_ = version;
    auto &lib = p->library_;
    p->plugin_info_ = &lib.get<const char *()>("sbx_plugin_info");
    p->create = &lib.get<std::remove_pointer_t<decltype(&sbx_create)>>("sbx_create");
    p->destroy = &lib.get<std::remove_pointer_t<decltype(&sbx_destroy)>>("sbx_destroy");
    p->execute = &lib.get<std::remove_pointer_t<decltype(&sbx_execute)>>("sbx_execute");
    p->languages = &lib.get<std::remove_pointer_t<decltype(&sbx_languages)>>("sbx_languages");
    p->tools = &lib.get<std::remove_pointer_t<decltype(&sbx_tools)>>("sbx_tools");
    p->call_tool = &lib.get<std::remove_pointer_t<decltype(&sbx_call_tool)>>("sbx_call_tool");
    p->health = &lib.get<std::remove_pointer_t<decltype(&sbx_health)>>("sbx_health");
    p->string_free = &lib.get<std::remove_pointer_t<decltype(&sbx_string_free)>>("sbx_string_free");
    if (SBX_ABI_MINOR(p->abi_) >= 1) {
        p->cancel_token_new = &lib.get<std::remove_pointer_t<decltype(&sbx_cancel_token_new)>>(
            "sbx_cancel_token_new");
        p->cancel_token_cancel =
            &lib.get<std::remove_pointer_t<decltype(&sbx_cancel_token_cancel)>>(
                "sbx_cancel_token_cancel");
        p->cancel_token_free = &lib.get<std::remove_pointer_t<decltype(&sbx_cancel_token_free)>>(
            "sbx_cancel_token_free");
    }
    return p;
}

Sandbox::Sandbox(std::shared_ptr<Plugin> plugin, const std::string &config_json)
    : plugin_(std::move(plugin)) {
    char *error = nullptr;
    const sbx_status s = plugin_->create(&sb_, config_json.empty() ? nullptr : config_json.c_str(),
                                         nullptr, &error);
    take(s, nullptr, error);
}

Sandbox::~Sandbox() { plugin_->destroy(sb_); }

std::string Sandbox::take(sbx_status status, char *out, char *error) {
    std::string text = out ? out : "";
    std::string message = error ? error : "";
    plugin_->string_free(out);
    plugin_->string_free(error);
    if (status != SBX_OK)
        throw CallError(status, message.empty() ? "call failed" : message);
    return text;
}

namespace {

int32_t relay_output(int32_t stream, const char *data, size_t len, void *payload) {
    const auto *options = static_cast<const CallOptions *>(payload);
    try {
        return options->on_output(stream, std::string_view(data, len)) ? 0 : 1;
    } catch (...) {
        return 1; // nothing may unwind through the plugin
    }
}

// The C options of `options`; nullptr for none, or when the plugin speaks 1.0
// (which then neither streams nor cancels).
const sbx_exec_options *c_options(const Plugin &plugin, const CallOptions *options,
                                  sbx_exec_options &into) {
    if (!options || SBX_ABI_MINOR(plugin.abi()) < 1)
        return nullptr;
    into = sbx_exec_options{};
    into.struct_size = sizeof into;
    into.cancel = options->cancel ? options->cancel->get() : nullptr;
    if (options->on_output) {
        into.on_output = relay_output;
        into.payload = const_cast<CallOptions *>(options);
    }
    return &into;
}

} // namespace

CancelToken::CancelToken(std::shared_ptr<Plugin> plugin) : plugin_(std::move(plugin)) {
    if (!plugin_->cancel_token_new)
        throw std::runtime_error("the plugin speaks ABI 1.0: it cannot cancel a run");
    if (plugin_->cancel_token_new(&token_) != SBX_OK)
        throw std::runtime_error("sbx_cancel_token_new failed");
}

CancelToken::~CancelToken() { plugin_->cancel_token_free(token_); }

void CancelToken::cancel() { plugin_->cancel_token_cancel(token_); }

std::string Sandbox::execute(const std::string &request_json, const CallOptions *options) {
    char *out = nullptr, *error = nullptr;
    sbx_exec_options c{};
    const sbx_status s = plugin_->execute(&out, sb_, request_json.c_str(),
                                          c_options(*plugin_, options, c), &error);
    return take(s, out, error);
}

std::string Sandbox::languages() {
    char *out = nullptr, *error = nullptr;
    const sbx_status s = plugin_->languages(&out, sb_, &error);
    return take(s, out, error);
}

std::string Sandbox::tools(const std::string &dialect) {
    char *out = nullptr, *error = nullptr;
    const sbx_status s = plugin_->tools(&out, sb_, dialect.c_str(), &error);
    return take(s, out, error);
}

std::string Sandbox::call_tool(const std::string &name, const std::string &arguments_json,
                               const CallOptions *options) {
    char *out = nullptr, *error = nullptr;
    sbx_exec_options c{};
    const sbx_status s = plugin_->call_tool(&out, sb_, name.c_str(), arguments_json.c_str(),
                                            c_options(*plugin_, options, c), &error);
    return take(s, out, error);
}

std::string Sandbox::health() {
    char *out = nullptr, *error = nullptr;
    const sbx_status s = plugin_->health(&out, sb_, &error);
    return take(s, out, error);
}

} // namespace sbx::host
