/* Uses every declaration of <sbx/sbx.h> as a C host does, with exact types:
 * a changed signature, layout or status value breaks the build. Compiled
 * (never linked) as C89 and C11 with -pedantic -Werror (CMakeLists.txt). */
#include <sbx/sbx.h>

#include <stddef.h>

/* C89 has no static_assert: a negative array size stops the compile. */
#define CHECK(name, condition) typedef char check_##name[(condition) ? 1 : -1]

CHECK(version_macros, SBX_ABI_MAJOR(SBX_ABI_VERSION) == SBX_ABI_VERSION_MAJOR &&
                          SBX_ABI_MINOR(SBX_ABI_VERSION) == SBX_ABI_VERSION_MINOR);
CHECK(major, SBX_ABI_VERSION_MAJOR == 1);
CHECK(status_width, sizeof(sbx_status) == 4);
CHECK(status_values,
      SBX_OK == 0 && SBX_E_INVALID_ARGUMENT == -1 && SBX_E_INVALID_JSON == -2 &&
          SBX_E_INVALID_REQUEST == -3 && SBX_E_UNKNOWN_LANGUAGE == -4 &&
          SBX_E_LIMIT_EXCEEDED == -5 && SBX_E_ABI_MISMATCH == -6 && SBX_E_INVALID_CONFIG == -7 &&
          SBX_E_ENGINE_UNAVAILABLE == -8 && SBX_E_UNKNOWN_TOOL == -9 &&
          SBX_E_UNKNOWN_DIALECT == -10 && SBX_E_OUT_OF_MEMORY == -11 && SBX_E_INTERNAL == -12 &&
          SBX_E_UNKNOWN_SESSION == -13 && SBX_E_SESSION_LIMIT == -14);
CHECK(log_levels, SBX_LOG_TRACE == 0 && SBX_LOG_DEBUG == 1 && SBX_LOG_INFO == 2 &&
                      SBX_LOG_WARN == 3 && SBX_LOG_ERROR == 4);
CHECK(host_layout, offsetof(sbx_host, struct_size) == 0 &&
                       offsetof(sbx_host, log) >= sizeof(uint32_t) &&
                       offsetof(sbx_host, user_data) > offsetof(sbx_host, log));
CHECK(options_layout, offsetof(sbx_exec_options, struct_size) == 0 &&
                          offsetof(sbx_exec_options, reserved) == 4 &&
                          offsetof(sbx_exec_options, cancel) >= 8 &&
                          offsetof(sbx_exec_options, on_output) > offsetof(sbx_exec_options, cancel) &&
                          offsetof(sbx_exec_options, payload) > offsetof(sbx_exec_options, on_output));
CHECK(minor_1_2, SBX_ABI_VERSION_MINOR >= 2);
CHECK(streams, SBX_STREAM_STDOUT == 1 && SBX_STREAM_STDERR == 2 && SBX_STREAM_COMPILE_STDOUT == 3 &&
                   SBX_STREAM_COMPILE_STDERR == 4);

/* Every function through a pointer of its exact type. */
struct sbx_functions {
    sbx_status (*negotiate_abi)(uint32_t *);
    const char *(*plugin_info)(void);
    sbx_status (*create)(sbx_sandbox **, const char *, const sbx_host *, char **);
    void (*destroy)(sbx_sandbox *);
    sbx_status (*execute)(char **, sbx_sandbox *, const char *, const sbx_exec_options *,
                          char **);
    sbx_status (*languages)(char **, sbx_sandbox *, char **);
    sbx_status (*tools)(char **, sbx_sandbox *, const char *, char **);
    sbx_status (*call_tool)(char **, sbx_sandbox *, const char *, const char *,
                            const sbx_exec_options *, char **);
    sbx_status (*health)(char **, sbx_sandbox *, char **);
    void (*string_free)(char *);
    const char *(*status_name)(sbx_status);
    sbx_status (*cancel_token_new)(sbx_cancel_token **);
    void (*cancel_token_cancel)(sbx_cancel_token *);
    void (*cancel_token_free)(sbx_cancel_token *);
    sbx_status (*session_open)(char **, sbx_sandbox *, const char *, char **);
    sbx_status (*session_close)(sbx_sandbox *, const char *);
};

static int32_t on_output(int32_t stream, const char *data, size_t len, void *payload) {
    (void)stream;
    (void)data;
    (void)len;
    (void)payload;
    return 0;
}

static void on_log(void *user_data, int32_t level, const char *message) {
    (void)user_data;
    (void)level;
    (void)message;
}

void header_use(struct sbx_functions *f, sbx_host *host, sbx_exec_options *options);

void header_use(struct sbx_functions *f, sbx_host *host, sbx_exec_options *options) {
    f->negotiate_abi = sbx_negotiate_abi;
    f->plugin_info = sbx_plugin_info;
    f->create = sbx_create;
    f->destroy = sbx_destroy;
    f->execute = sbx_execute;
    f->languages = sbx_languages;
    f->tools = sbx_tools;
    f->call_tool = sbx_call_tool;
    f->health = sbx_health;
    f->string_free = sbx_string_free;
    f->status_name = sbx_status_name;
    f->cancel_token_new = sbx_cancel_token_new;
    f->cancel_token_cancel = sbx_cancel_token_cancel;
    f->cancel_token_free = sbx_cancel_token_free;
    f->session_open = sbx_session_open;
    f->session_close = sbx_session_close;
    host->struct_size = (uint32_t)sizeof *host;
    host->log = on_log;
    host->user_data = NULL;
    options->struct_size = (uint32_t)sizeof *options;
    options->reserved = 0;
    options->cancel = NULL;
    options->on_output = on_output;
    options->payload = NULL;
}
