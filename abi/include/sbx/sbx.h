/*
 * sbx — run untrusted code in locked-down containers, offered as a tool.
 *
 * This header is the whole public surface of libsbx.so. It is C89-clean and
 * is compiled in CI as C89, C11, C++11 and C++20 with -pedantic -Werror.
 *
 * Conventions
 *  - Every function returns an sbx_status (0 = SBX_OK, negative = failure)
 *    unless its comment says otherwise. Status values never change meaning;
 *    new ones are only appended.
 *  - Output parameters come first. Every `char **out_*` receives a
 *    NUL-terminated UTF-8 string that the caller owns and frees with
 *    sbx_string_free(). On failure the output is set to NULL.
 *  - `char **out_error` may be NULL. When it is not NULL and the call fails,
 *    it receives a message naming the field and the reason (caller frees);
 *    on success it is set to NULL.
 *  - An API failure (negative status) is not a program failure: a program that
 *    crashes, times out or runs out of memory is a successful call whose
 *    result document says so in its "status" field.
 *  - Public structs start with `uint32_t struct_size` (set it to
 *    sizeof(the struct) as your header knows it) and only ever grow at the end.
 *  - Thread tags: [thread-safe] any thread, concurrently, on the same handle;
 *    [any-thread] any thread, but not concurrently with sbx_destroy of the
 *    same handle; [no concurrent call on sb] no other call on that handle may
 *    run at the same time.
 *  - Nothing is ever written to stdout. Logs go to the host's log callback or,
 *    without one, to stderr.
 */
#ifndef SBX_SBX_H
#define SBX_SBX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SBX_API __attribute__((visibility("default")))
#else
#define SBX_API
#endif

/* A version is (major << 16) | minor. */
#define SBX_ABI_VERSION_MAJOR 1
#define SBX_ABI_VERSION_MINOR 2
#define SBX_ABI_VERSION ((SBX_ABI_VERSION_MAJOR << 16) | SBX_ABI_VERSION_MINOR)
#define SBX_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define SBX_ABI_MINOR(v) ((uint32_t)(v)&0xFFFFu)

/* Status codes: stable, append-only. */
typedef int32_t sbx_status;
#define SBX_OK 0
#define SBX_E_INVALID_ARGUMENT -1     /* a NULL or malformed argument of the call itself */
#define SBX_E_INVALID_JSON -2         /* a JSON document does not parse */
#define SBX_E_INVALID_REQUEST -3      /* a field has a wrong type, value or is missing */
#define SBX_E_UNKNOWN_LANGUAGE -4     /* the language is not in the table */
#define SBX_E_LIMIT_EXCEEDED -5       /* a limit is above the configured maximum */
#define SBX_E_ABI_MISMATCH -6         /* the host's ABI major differs from ours */
#define SBX_E_INVALID_CONFIG -7       /* the config document is invalid */
#define SBX_E_ENGINE_UNAVAILABLE -8   /* the container engine cannot be reached */
#define SBX_E_UNKNOWN_TOOL -9         /* sbx_call_tool with a name we do not offer */
#define SBX_E_UNKNOWN_DIALECT -10     /* sbx_tools with a dialect we do not speak */
#define SBX_E_OUT_OF_MEMORY -11       /* the plugin could not allocate */
#define SBX_E_INTERNAL -12            /* a bug of ours; the message says more */
#define SBX_E_UNKNOWN_SESSION -13     /* ABI 1.2: no open session has this id (never
                                         opened, closed, expired or ended) */
#define SBX_E_SESSION_LIMIT -14       /* ABI 1.2: sessions.max sessions are open */

/* Log levels passed to sbx_host.log. */
#define SBX_LOG_TRACE 0
#define SBX_LOG_DEBUG 1
#define SBX_LOG_INFO 2
#define SBX_LOG_WARN 3
#define SBX_LOG_ERROR 4

/* What the host offers the plugin. Pass NULL to sbx_create for the defaults
 * (logs to stderr). The struct is read during sbx_create and copied; it need
 * not outlive the call, but `user_data` must stay valid until sbx_destroy. */
typedef struct sbx_host {
    uint32_t struct_size; /* sizeof(sbx_host) */
    /* Receives every log line. Called from any thread the plugin uses,
     * possibly concurrently; `message` lives only during the call. May be NULL. */
    void (*log)(void *user_data, int32_t level, const char *message);
    void *user_data;
} sbx_host;

/* A cancel token (ABI 1.1): fire it from any thread to stop the runs that
 * were given it. Opaque; see sbx_cancel_token_new. */
typedef struct sbx_cancel_token sbx_cancel_token;

/* Output streams passed to sbx_exec_options.on_output (ABI 1.1). */
#define SBX_STREAM_STDOUT 1         /* the run stage's stdout */
#define SBX_STREAM_STDERR 2         /* the run stage's stderr */
#define SBX_STREAM_COMPILE_STDOUT 3 /* the compile stage's stdout */
#define SBX_STREAM_COMPILE_STDERR 4 /* the compile stage's stderr */

/* Receives a program's output while it runs (ABI 1.1). Called on the thread
 * that called sbx_execute or sbx_call_tool, in order within each stream,
 * with the bytes as the program wrote them (not UTF-8-repaired; the result
 * document holds the repaired, capped text). `data` lives only during the
 * call. Return 0 to go on; any other value cancels the run (its result then
 * says "cancelled"). It must not call sbx_destroy; other calls are allowed,
 * except that one using the session of its own run (ABI 1.2) fails with
 * SBX_E_INVALID_REQUEST instead of waiting for that run to end. */
typedef int32_t (*sbx_output_fn)(int32_t stream, const char *data, size_t len,
                                 void *payload);

/* Per-call options of sbx_execute and sbx_call_tool. NULL means defaults.
 * Read during the call only. Later versions append fields: set struct_size
 * to sizeof(sbx_exec_options) as your header knows it, and zero the rest. */
typedef struct sbx_exec_options {
    uint32_t struct_size; /* sizeof(sbx_exec_options) */
    uint32_t reserved;    /* must be 0 */
    /* ABI 1.1: */
    sbx_cancel_token *cancel; /* may be NULL; must outlive the call */
    sbx_output_fn on_output;  /* may be NULL */
    void *payload;            /* passed to on_output as is */
} sbx_exec_options;

/* An opaque sandbox: a config, a connection to one engine, and the
 * containers it owns. */
typedef struct sbx_sandbox sbx_sandbox;

/* First call. `*inout_version` holds the newest version the host speaks; on
 * return it holds the version both will use (same major, lowest minor).
 * Fails with SBX_E_ABI_MISMATCH, leaving *inout_version at the plugin's own
 * version, when the majors differ. [any-thread] */
SBX_API sbx_status sbx_negotiate_abi(uint32_t *inout_version);

/* Static JSON about this build: name, version, abi, build. The string is
 * owned by the plugin and lives until the library is unloaded; do not free
 * it. Never NULL. [any-thread] */
SBX_API const char *sbx_plugin_info(void);

/* Creates a sandbox. `config_json` may be NULL (all defaults) and is read
 * during the call only. `host` may be NULL. Removes containers that a dead
 * process using sbx left behind. Does not fail when the engine is down
 * (runs then report setup_error; see sbx_health). [thread-safe] */
SBX_API sbx_status sbx_create(sbx_sandbox **out_sb, const char *config_json,
                              const sbx_host *host, char **out_error);

/* Destroys a sandbox: waits for every run on it to end and removes every
 * container it owns. NULL is a no-op. No other call on `sb` may be running
 * or made afterwards. [no concurrent call on sb] */
SBX_API void sbx_destroy(sbx_sandbox *sb);

/* Runs one request (an sbx.execute.request document) and blocks until the
 * run ends. On SBX_OK `*out_result_json` holds an sbx.execute.result
 * document whatever the program did. An invalid request fails with a
 * negative status and no container is created. `opts` may be NULL.
 * [thread-safe] */
SBX_API sbx_status sbx_execute(char **out_result_json, sbx_sandbox *sb,
                               const char *request_json,
                               const sbx_exec_options *opts, char **out_error);

/* The language table as an sbx.languages document. [thread-safe] */
SBX_API sbx_status sbx_languages(char **out_json, sbx_sandbox *sb, char **out_error);

/* Tool definitions in a dialect: "mcp", "openai" or "anthropic".
 * [thread-safe] */
SBX_API sbx_status sbx_tools(char **out_json, sbx_sandbox *sb, const char *dialect,
                             char **out_error);

/* Calls a tool by name with its arguments (a JSON object). On SBX_OK
 * `*out_result_json` is an MCP CallToolResult (content, structuredContent,
 * isError); bad arguments come back there with isError true, so that a model
 * can read the message. Only an unknown tool or a NULL argument fails the
 * call itself. `opts` may be NULL. [thread-safe] */
SBX_API sbx_status sbx_call_tool(char **out_result_json, sbx_sandbox *sb,
                                 const char *name, const char *arguments_json,
                                 const sbx_exec_options *opts, char **out_error);

/* Engine and plugin state as an sbx.health document. Fails with
 * SBX_E_ENGINE_UNAVAILABLE (the JSON is still filled) when the engine does not
 * answer. [thread-safe] */
SBX_API sbx_status sbx_health(char **out_json, sbx_sandbox *sb, char **out_error);

/* Frees a string returned through a `char **out_*` of this library.
 * NULL is a no-op. [any-thread] */
SBX_API void sbx_string_free(char *s);

/* ABI 1.1: a new cancel token, not fired. Free it with
 * sbx_cancel_token_free once no call uses it. [any-thread] */
SBX_API sbx_status sbx_cancel_token_new(sbx_cancel_token **out_token);

/* ABI 1.1: fires the token. Every run given it that is still going ends
 * with status "cancelled" within about a second (its container is removed);
 * a run given it later is cancelled before it starts. Idempotent; NULL is a
 * no-op. Safe from any thread and from inside on_output. [any-thread] */
SBX_API void sbx_cancel_token_cancel(sbx_cancel_token *token);

/* ABI 1.1: frees the token. No call may still use it. NULL is a no-op.
 * [any-thread] */
SBX_API void sbx_cancel_token_free(sbx_cancel_token *token);

/* ABI 1.2: opens a session, one container kept for many runs: files in
 * its workspace persist from run to run, and with "repl": true a python
 * interpreter keeps its state too. `options_json` is an sbx.session.options
 * document, read during the call only:
 *   {"language": "python", "repl": false, "network": false,
 *    "limits": {"memory_mb": 256, "cpus": 0.5, "pids": 64, "disk_mb": 64, ...}}
 * Only "language" is required. On SBX_OK `*out_session_json` holds an
 * sbx.session document with its "session_id"; pass that id as the
 * "session_id" of sbx_execute requests (or of the execute_code, write_file,
 * read_file and list_files tools). Each run keeps its own time and output
 * limits; memory, cpus, pids, disk and network are the session's. Runs and
 * file calls on one session take turns (a run waiting for its turn holds no
 * concurrency slot, and its cancel token ends the wait). A session
 * idle for sessions.idle_ttl_s is closed; then, as after
 * sbx_session_close or sbx_destroy, its container is removed and its id
 * gets SBX_E_UNKNOWN_SESSION with a message saying why. Fails with
 * SBX_E_SESSION_LIMIT when sessions.max are open, and with
 * SBX_E_ENGINE_UNAVAILABLE when the container cannot be started.
 * [thread-safe] */
SBX_API sbx_status sbx_session_open(char **out_session_json, sbx_sandbox *sb,
                                    const char *options_json, char **out_error);

/* ABI 1.2: closes a session and removes its container. A run on it that is
 * still going finishes first (the container goes when it ends); calls made
 * later with its id fail with SBX_E_UNKNOWN_SESSION. Returns
 * SBX_E_UNKNOWN_SESSION when no open session has that id, and
 * SBX_E_INVALID_ARGUMENT when `sb` or `session_id` is NULL. `session_id` is
 * read during the call only. [thread-safe] */
SBX_API sbx_status sbx_session_close(sbx_sandbox *sb, const char *session_id);

/* A short English name of a status code ("SBX_E_INVALID_REQUEST"). Static,
 * never NULL, never freed. [any-thread] */
SBX_API const char *sbx_status_name(sbx_status status);

#ifdef __cplusplus
}
#endif

#endif /* SBX_SBX_H */
