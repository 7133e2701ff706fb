/*
 * sbx-c-host: the smallest complete host of libsbx.so, in plain C99.
 *
 * It does what any host in any language does, with dlopen and dlsym only (it
 * does not link libsbx): load the plugin, negotiate the ABI, create a sandbox,
 * run one Python program, print the result document on stdout, free every
 * string with sbx_string_free, destroy the sandbox and unload the plugin.
 *
 *   sbx-c-host [PLUGIN [CODE]]
 *
 * PLUGIN is the path of libsbx.so; when it is missing or empty, $SBX_PLUGIN.
 * CODE is the Python program (default: print("Hello from C")).
 *
 * Exit status: 0 when the program ran and its result's status is "success",
 * 1 when the call succeeded but the program did not, 2 on a usage, loading
 * or API error. Every error goes to stderr with the plugin's own message.
 */
#include <sbx/sbx.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST "sbx-c-host"

/* The functions this host uses, resolved with dlsym. */
struct sbx_api {
    void *library;
    sbx_status (*negotiate_abi)(uint32_t *inout_version);
    const char *(*plugin_info)(void);
    const char *(*status_name)(sbx_status status);
    sbx_status (*create)(sbx_sandbox **out_sb, const char *config_json, const sbx_host *host,
                         char **out_error);
    void (*destroy)(sbx_sandbox *sb);
    sbx_status (*execute)(char **out_result_json, sbx_sandbox *sb, const char *request_json,
                          const sbx_exec_options *opts, char **out_error);
    void (*string_free)(char *s);
};

/* ISO C has no conversion from void * to a function pointer; POSIX
 * guarantees that dlsym's result can be used as one, and memcpy says so
 * without a cast that -pedantic rejects. `size` is sizeof the function
 * pointer, which POSIX makes equal to sizeof(void *). */
static int resolve(void *library, const char *name, void *out_function, size_t size) {
    void *symbol;
    dlerror();
    symbol = dlsym(library, name);
    if (!symbol || size != sizeof symbol) {
        const char *why = dlerror();
        fprintf(stderr, HOST ": the library is not an sbx plugin: %s\n",
                why ? why : name);
        return 0;
    }
    memcpy(out_function, &symbol, size);
    return 1;
}

#define RESOLVE(api, field, name) resolve((api)->library, name, &(api)->field, sizeof (api)->field)

/* `text` as a JSON string literal (quotes included), or NULL when out of
 * memory. Bytes from 0x80 up are copied as they are: the code is UTF-8. */
static char *json_string(const char *text) {
    static const char hex[] = "0123456789abcdef";
    size_t length = strlen(text);
    char *out = malloc(length * 6 + 3), *p = out;
    const unsigned char *s;
    if (!out)
        return NULL;
    *p++ = '"';
    for (s = (const unsigned char *)text; *s; ++s) {
        switch (*s) {
        case '"': *p++ = '\\'; *p++ = '"'; break;
        case '\\': *p++ = '\\'; *p++ = '\\'; break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        default:
            if (*s < 0x20) {
                memcpy(p, "\\u00", 4);
                p[4] = hex[*s >> 4];
                p[5] = hex[*s & 0xF];
                p += 6;
            } else {
                *p++ = (char)*s;
            }
        }
    }
    *p++ = '"';
    *p = '\0';
    return out;
}

/* An sbx.execute.request document that runs `code` as Python. */
static char *python_request(const char *code) {
    static const char head[] = "{\"language\":\"python\",\"code\":";
    char *literal = json_string(code), *request;
    if (!literal)
        return NULL;
    request = malloc(sizeof head + strlen(literal) + 1);
    if (request)
        sprintf(request, "%s%s}", head, literal);
    free(literal);
    return request;
}

static void report(const struct sbx_api *api, const char *what, sbx_status status,
                   const char *message) {
    fprintf(stderr, HOST ": %s failed: %s: %s\n", what, api->status_name(status),
            message ? message : "(no message)");
}

/* Runs `code` on a new sandbox; returns the exit status of the program. */
static int run(const struct sbx_api *api, const char *code) {
    sbx_sandbox *sb = NULL;
    char *error = NULL, *result = NULL, *request;
    sbx_status status;
    int exit_code = 2;

    status = api->create(&sb, NULL, NULL, &error);
    if (status != SBX_OK) {
        report(api, "sbx_create", status, error);
        api->string_free(error);
        return 2;
    }

    request = python_request(code);
    if (!request) {
        fprintf(stderr, HOST ": out of memory\n");
        api->destroy(sb);
        return 2;
    }
    status = api->execute(&result, sb, request, NULL, &error);
    free(request);
    if (status == SBX_OK) {
        /* The program may have failed; the call did not. */
        puts(result);
        exit_code = strstr(result, "\"status\":\"success\"") ? 0 : 1;
    } else {
        report(api, "sbx_execute", status, error);
    }
    api->string_free(result);
    api->string_free(error);
    api->destroy(sb);
    return exit_code;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 && argv[1][0] ? argv[1] : getenv("SBX_PLUGIN");
    const char *code = argc > 2 ? argv[2] : "print(\"Hello from C\")";
    struct sbx_api api;
    uint32_t version = SBX_ABI_VERSION;
    sbx_status status;
    int exit_code;

    if (argc > 3 || (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(stderr, "usage: " HOST " [PLUGIN [CODE]]\n"
                        "  PLUGIN  path of libsbx.so (default: $SBX_PLUGIN)\n"
                        "  CODE    a Python program (default: print(\"Hello from C\"))\n");
        return 2;
    }
    if (!path || !path[0]) {
        fprintf(stderr, HOST ": no plugin: pass the path of libsbx.so or set SBX_PLUGIN\n");
        return 2;
    }

    memset(&api, 0, sizeof api);
    api.library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!api.library) {
        fprintf(stderr, HOST ": cannot load the plugin: %s\n", dlerror());
        return 2;
    }

    /* Negotiation comes first: a plugin of another major may not even have
     * the other functions. */
    if (!RESOLVE(&api, negotiate_abi, "sbx_negotiate_abi")) {
        dlclose(api.library);
        return 2;
    }
    status = api.negotiate_abi(&version);
    if (status != SBX_OK) {
        if (status == SBX_E_ABI_MISMATCH)
            fprintf(stderr,
                    HOST ": ABI mismatch: %s speaks ABI %u.%u, this host speaks %u.%u "
                         "(the major versions must match)\n",
                    path, (unsigned)SBX_ABI_MAJOR(version), (unsigned)SBX_ABI_MINOR(version),
                    (unsigned)SBX_ABI_VERSION_MAJOR, (unsigned)SBX_ABI_VERSION_MINOR);
        else
            fprintf(stderr, HOST ": sbx_negotiate_abi failed with status %d\n", (int)status);
        dlclose(api.library);
        return 2;
    }

    if (!RESOLVE(&api, plugin_info, "sbx_plugin_info") ||
        !RESOLVE(&api, status_name, "sbx_status_name") || !RESOLVE(&api, create, "sbx_create") ||
        !RESOLVE(&api, destroy, "sbx_destroy") || !RESOLVE(&api, execute, "sbx_execute") ||
        !RESOLVE(&api, string_free, "sbx_string_free")) {
        dlclose(api.library);
        return 2;
    }
    fprintf(stderr, HOST ": loaded %s (ABI %u.%u): %s\n", path, (unsigned)SBX_ABI_MAJOR(version),
            (unsigned)SBX_ABI_MINOR(version), api.plugin_info());

    exit_code = run(&api, code);
    dlclose(api.library);
    return exit_code;
}
