// run.mjs: runs code in the sbx sandbox from Node.js. It loads libsbx.so
// through its C ABI with koffi, an FFI package from npm (prebuilt, no
// compiler needed), as any host in any language does: negotiate the ABI,
// create a sandbox, execute one request, print the result document, free
// every string the library returned with sbx_string_free, destroy the
// sandbox.
//
//   npm ci --prefix host_example/node            # once: installs koffi here
//   node host_example/node/run.mjs 'print(6*7)'  # Python by default
//   node host_example/node/run.mjs 'console.log(6*7)' javascript
//
// The plugin is $SBX_PLUGIN, else build/lib/libsbx.so of this checkout.
// Exit status: 0 when the program's status is "success", 1 when it ran but
// did not succeed, 2 on a loading or API error (its message on stderr).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// koffi is a CommonJS package: require() finds it in node_modules next to
// this file, or in a folder of $NODE_PATH.
const koffi = createRequire(import.meta.url)('koffi');

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginPath = process.env.SBX_PLUGIN || path.resolve(here, '../../build/lib/libsbx.so');
const code = process.argv[2] ?? 'print("Hello from Node")';
const language = process.argv[3] ?? 'python';

// The declarations of abi/include/sbx/sbx.h that this host uses. Every
// `char **out_*` is declared `void **` so that we receive the pointer itself:
// we read the string from it, then hand it back to sbx_string_free (koffi's
// own string conversion would copy it and drop the pointer, leaking it).
let sbx_negotiate_abi, sbx_status_name, sbx_create, sbx_destroy, sbx_execute, sbx_string_free;
try {
  const lib = koffi.load(pluginPath);
  koffi.opaque('sbx_sandbox');
  sbx_negotiate_abi = lib.func('int32_t sbx_negotiate_abi(_Inout_ uint32_t *inout_version)');
  sbx_status_name = lib.func('const char *sbx_status_name(int32_t status)');
  sbx_create = lib.func(
    'int32_t sbx_create(_Out_ sbx_sandbox **out_sb, const char *config_json, void *host, _Out_ void **out_error)',
  );
  sbx_destroy = lib.func('void sbx_destroy(sbx_sandbox *sb)');
  sbx_execute = lib.func(
    'int32_t sbx_execute(_Out_ void **out_result_json, sbx_sandbox *sb, const char *request_json, void *opts, _Out_ void **out_error)',
  );
  sbx_string_free = lib.func('void sbx_string_free(void *s)');
} catch (e) {
  console.error(`run.mjs: cannot use the plugin ${pluginPath} (set SBX_PLUGIN): ${e.message}`);
  process.exit(2);
}

const SBX_OK = 0;
const SBX_ABI_VERSION = (1 << 16) | 0; // major 1, minor 0: what this host speaks

// Takes a string the library returned (NULL allowed): its text, then frees it.
function take(pointer) {
  if (!pointer) return null;
  try {
    return koffi.decode(pointer, 'char', -1); // up to the NUL, as UTF-8
  } finally {
    sbx_string_free(pointer);
  }
}

// A failed call: its status name and the library's message, then exit 2.
function fail(what, status, errorPointer) {
  const message = take(errorPointer);
  console.error(`run.mjs: ${what} failed: ${sbx_status_name(status)}${message ? `: ${message}` : ''}`);
  process.exitCode = 2;
}

// 1. The ABI first: we say which version we speak, the plugin answers the one
//    both will use, and refuses only another major version.
const version = [SBX_ABI_VERSION];
const negotiated = sbx_negotiate_abi(version);
if (negotiated !== SBX_OK) {
  fail(`ABI negotiation (the plugin speaks ${version[0] >>> 16}.x, we speak 1.x)`, negotiated, null);
} else {
  // 2. A sandbox with the default config (NULL) and no host callbacks (NULL:
  //    the plugin logs to stderr, never to stdout).
  const sb = [null];
  const error = [null];
  const created = sbx_create(sb, null, null, error);
  if (created !== SBX_OK) {
    fail('sbx_create', created, error[0]);
  } else {
    // 3. One run. sbx_execute blocks until it ends; the result document says
    //    what the program did (status, exit_code, stdout, stderr, ...). An
    //    invalid request (say, an unknown language) fails the call instead.
    //    sbx_execute is thread-safe: a server would call it off the event
    //    loop with koffi's sbx_execute.async(..., callback).
    const request = JSON.stringify({ language, code });
    const result = [null];
    const executed = sbx_execute(result, sb[0], request, null, error);
    if (executed !== SBX_OK) {
      fail('sbx_execute', executed, error[0]);
    } else {
      const text = take(result[0]);
      console.log(text);
      process.exitCode = JSON.parse(text).status === 'success' ? 0 : 1;
    }
    // 4. Waits for the runs on this sandbox to end and removes its
    //    containers. Nothing may use `sb` afterwards.
    sbx_destroy(sb[0]);
  }
}
