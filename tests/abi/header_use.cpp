// Uses <sbx/sbx.h> as a C++ host does: the structs are plain C data and every
// function has its exact type. Compiled (never linked) as C++11 and C++20
// with -pedantic -Werror (CMakeLists.txt).
#include <sbx/sbx.h>

#include <type_traits>

static_assert(SBX_ABI_MAJOR(SBX_ABI_VERSION) == SBX_ABI_VERSION_MAJOR &&
                  SBX_ABI_MINOR(SBX_ABI_VERSION) == SBX_ABI_VERSION_MINOR,
              "version macros");
static_assert(std::is_same<sbx_status, int32_t>::value, "sbx_status is int32_t");
static_assert(std::is_trivial<sbx_host>::value && std::is_standard_layout<sbx_host>::value,
              "sbx_host is a C struct");
static_assert(std::is_trivial<sbx_exec_options>::value &&
                  std::is_standard_layout<sbx_exec_options>::value,
              "sbx_exec_options is a C struct");

#define SBX_SIGNATURE(function, type)                                                         \
    static_assert(std::is_same<decltype(&function), type>::value, #function)
SBX_SIGNATURE(sbx_negotiate_abi, sbx_status (*)(uint32_t *));
SBX_SIGNATURE(sbx_plugin_info, const char *(*)());
SBX_SIGNATURE(sbx_create, sbx_status (*)(sbx_sandbox **, const char *, const sbx_host *, char **));
SBX_SIGNATURE(sbx_destroy, void (*)(sbx_sandbox *));
SBX_SIGNATURE(sbx_execute, sbx_status (*)(char **, sbx_sandbox *, const char *,
                                          const sbx_exec_options *, char **));
SBX_SIGNATURE(sbx_languages, sbx_status (*)(char **, sbx_sandbox *, char **));
SBX_SIGNATURE(sbx_tools, sbx_status (*)(char **, sbx_sandbox *, const char *, char **));
SBX_SIGNATURE(sbx_call_tool, sbx_status (*)(char **, sbx_sandbox *, const char *, const char *,
                                            const sbx_exec_options *, char **));
SBX_SIGNATURE(sbx_health, sbx_status (*)(char **, sbx_sandbox *, char **));
SBX_SIGNATURE(sbx_string_free, void (*)(char *));
SBX_SIGNATURE(sbx_status_name, const char *(*)(sbx_status));
SBX_SIGNATURE(sbx_session_open, sbx_status (*)(char **, sbx_sandbox *, const char *, char **));
SBX_SIGNATURE(sbx_session_close, sbx_status (*)(sbx_sandbox *, const char *));

// Aggregate initialisation as C++ hosts write it.
sbx_host header_use_host();
sbx_host header_use_host() {
    const sbx_host host = {static_cast<uint32_t>(sizeof(sbx_host)), nullptr, nullptr};
    return host;
}
