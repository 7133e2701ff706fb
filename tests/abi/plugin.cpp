#include "plugin.hpp"

#include "support/json_schema.hpp"

#include <boost/json.hpp>

#include <dlfcn.h>

#include <stdexcept>

namespace sbx::abi_test {

const Api &api() {
    static const Api loaded = [] {
        void *library = dlopen(SBX_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        if (!library)
            throw std::runtime_error(std::string("dlopen: ") + dlerror());
        Api a{};
#define SBX_ABI_RESOLVE(name)                                                                \
    a.name = reinterpret_cast<decltype(a.name)>(dlsym(library, "sbx_" #name));              \
    if (!a.name)                                                                              \
        throw std::runtime_error("dlsym: sbx_" #name " is missing");
        SBX_ABI_FUNCTIONS(SBX_ABI_RESOLVE)
#undef SBX_ABI_RESOLVE
        return a;
    }();
    return loaded;
}

uint32_t plugin_abi_version() {
    const boost::json::value info = boost::json::parse(api().plugin_info());
    const boost::json::object &abi = info.at("abi").as_object();
    return static_cast<uint32_t>(abi.at("major").to_number<uint32_t>() << 16 |
                                 abi.at("minor").to_number<uint32_t>());
}

Sandbox::Sandbox() {
    Out error;
    const sbx_status status = api().create(&sb_, unreachable_engine_config, nullptr, error.ptr());
    if (status != SBX_OK)
        throw std::runtime_error(std::string("sbx_create: ") + api().status_name(status) + ": " +
                                 error.str());
}

std::vector<std::string> schema_errors(std::string_view schema_file, const char *doc) {
    if (!doc)
        return {"no document (NULL)"};
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(doc, ec);
    if (ec)
        return {"does not parse: " + ec.message() + ": " + doc};
    return test::validate(test::load_schema(schema_file), parsed);
}

} // namespace sbx::abi_test
