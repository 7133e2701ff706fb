"""Run untrusted code in locked-down containers, from Python.

A ctypes binding of libsbx.so (the C ABI of abi/include/sbx/sbx.h). One file,
standard library only, Python 3.9+: copy it next to your code or
``pip install bindings/python``.

    import sbx

    with sbx.Sandbox() as sb:
        result = sb.execute(language="python", code="print(6 * 7)")
        print(result["status"], result["stdout"])      # success 42

The plugin is found through the ``plugin`` argument, then ``$SBX_PLUGIN``,
then ``ctypes.util.find_library("sbx")``. Calls return the plugin's JSON
documents as dicts. A refused call (a negative status: an unknown language,
a limit out of range, ...) raises :class:`SbxError`; a program that fails,
times out or runs out of memory is a normal result whose ``"status"`` says so.

A :class:`Sandbox` may be shared by threads: every call may run concurrently
with the others (ctypes releases the GIL during the call), and :meth:`close`
waits for the running calls before it destroys the handle.

A :class:`Session` (``sb.open_session("python", repl=True)``, ABI 1.2) keeps
one container for many runs: files persist, and with ``repl=True`` python
variables too.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import json
import os
import threading
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Union

__all__ = [
    "ABI_VERSION",
    "Sandbox",
    "SbxError",
    "InvalidArgumentError",
    "InvalidJsonError",
    "InvalidRequestError",
    "UnknownLanguageError",
    "LimitExceededError",
    "AbiMismatchError",
    "InvalidConfigError",
    "EngineUnavailableError",
    "UnknownToolError",
    "UnknownDialectError",
    "OutOfMemoryError",
    "InternalError",
    "load",
    "plugin_info",
]

__version__ = "0.1.0"

#: The ABI version this binding speaks, as (major, minor).
ABI_VERSION = (1, 2)

# Status codes of sbx.h (stable, append-only).
SBX_OK = 0
SBX_E_INVALID_ARGUMENT = -1
SBX_E_INVALID_JSON = -2
SBX_E_INVALID_REQUEST = -3
SBX_E_UNKNOWN_LANGUAGE = -4
SBX_E_LIMIT_EXCEEDED = -5
SBX_E_ABI_MISMATCH = -6
SBX_E_INVALID_CONFIG = -7
SBX_E_ENGINE_UNAVAILABLE = -8
SBX_E_UNKNOWN_TOOL = -9
SBX_E_UNKNOWN_DIALECT = -10
SBX_E_OUT_OF_MEMORY = -11
SBX_E_INTERNAL = -12
SBX_E_UNKNOWN_SESSION = -13
SBX_E_SESSION_LIMIT = -14


# --------------------------------------------------------------------------
# Errors


class SbxError(Exception):
    """A call the plugin refused (a negative ``sbx_status``).

    ``status`` is the code (``SBX_E_*``), ``name`` its name
    (``"SBX_E_UNKNOWN_LANGUAGE"``) and ``message`` the plugin's message, which
    names the field at fault. ``str()`` gives ``"<name>: <message>"``.
    Subclasses exist for the codes of sbx.h; an unknown code raises SbxError.
    """

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(status, name, message)
        self.status = status
        self.name = name
        self.message = message

    def __str__(self) -> str:
        return "%s: %s" % (self.name, self.message)


class InvalidArgumentError(SbxError):
    """SBX_E_INVALID_ARGUMENT: a bad argument of the call (or a closed sandbox)."""


class InvalidJsonError(SbxError):
    """SBX_E_INVALID_JSON: a JSON document does not parse."""


class InvalidRequestError(SbxError):
    """SBX_E_INVALID_REQUEST: a field has a wrong type or value, or is missing."""


class UnknownLanguageError(SbxError):
    """SBX_E_UNKNOWN_LANGUAGE: the language is not in the table."""


class LimitExceededError(SbxError):
    """SBX_E_LIMIT_EXCEEDED: a limit is above the configured maximum."""


class AbiMismatchError(SbxError):
    """SBX_E_ABI_MISMATCH: the plugin speaks another major ABI version."""


class InvalidConfigError(SbxError):
    """SBX_E_INVALID_CONFIG: the sandbox config is invalid."""


class EngineUnavailableError(SbxError):
    """SBX_E_ENGINE_UNAVAILABLE: the container engine cannot be reached."""


class UnknownToolError(SbxError):
    """SBX_E_UNKNOWN_TOOL: call_tool with a tool name the plugin does not offer."""


class UnknownDialectError(SbxError):
    """SBX_E_UNKNOWN_DIALECT: tools() with a dialect the plugin does not speak."""


class OutOfMemoryError(SbxError):
    """SBX_E_OUT_OF_MEMORY: the plugin could not allocate."""


class InternalError(SbxError):
    """SBX_E_INTERNAL: a bug of the plugin; the message says more."""


class UnknownSessionError(SbxError):
    """SBX_E_UNKNOWN_SESSION: no open session has that id (closed, expired, ended or never
    opened; the message says which)."""


class SessionLimitError(SbxError):
    """SBX_E_SESSION_LIMIT: the configured maximum of sessions is open."""


_ERRORS = {
    SBX_E_INVALID_ARGUMENT: InvalidArgumentError,
    SBX_E_INVALID_JSON: InvalidJsonError,
    SBX_E_INVALID_REQUEST: InvalidRequestError,
    SBX_E_UNKNOWN_LANGUAGE: UnknownLanguageError,
    SBX_E_LIMIT_EXCEEDED: LimitExceededError,
    SBX_E_ABI_MISMATCH: AbiMismatchError,
    SBX_E_INVALID_CONFIG: InvalidConfigError,
    SBX_E_ENGINE_UNAVAILABLE: EngineUnavailableError,
    SBX_E_UNKNOWN_TOOL: UnknownToolError,
    SBX_E_UNKNOWN_DIALECT: UnknownDialectError,
    SBX_E_OUT_OF_MEMORY: OutOfMemoryError,
    SBX_E_INTERNAL: InternalError,
    SBX_E_UNKNOWN_SESSION: UnknownSessionError,
    SBX_E_SESSION_LIMIT: SessionLimitError,
}


def _error(status: int, name: str, message: str) -> SbxError:
    return _ERRORS.get(status, SbxError)(status, name, message)


# --------------------------------------------------------------------------
# The C ABI


class _SbxSandbox(ctypes.Structure):
    """sbx_sandbox: opaque."""


class _SbxHost(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("log", ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_char_p)),
        ("user_data", ctypes.c_void_p),
    ]


class _SbxCancelToken(ctypes.Structure):
    """sbx_cancel_token: opaque (ABI 1.1)."""


_OutputFn = ctypes.CFUNCTYPE(
    ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(ctypes.c_char), ctypes.c_size_t, ctypes.c_void_p
)


class _SbxExecOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_uint32),
        ("reserved", ctypes.c_uint32),
        # ABI 1.1
        ("cancel", ctypes.POINTER(_SbxCancelToken)),
        ("on_output", _OutputFn),
        ("payload", ctypes.c_void_p),
    ]


# SBX_STREAM_* by name.
STREAMS = {1: "stdout", 2: "stderr", 3: "compile_stdout", 4: "compile_stderr"}


_status = ctypes.c_int32
_handle = ctypes.POINTER(_SbxSandbox)
# A `char **out_*`: read as a void pointer so that the string can be given
# back to sbx_string_free (a c_char_p result would be copied and lost).
_out_string = ctypes.POINTER(ctypes.c_void_p)

_SIGNATURES = {
    "sbx_plugin_info": ([], ctypes.c_char_p),  # static, never freed
    "sbx_create": (
        [ctypes.POINTER(_handle), ctypes.c_char_p, ctypes.POINTER(_SbxHost), _out_string],
        _status,
    ),
    "sbx_destroy": ([_handle], None),
    "sbx_execute": (
        [_out_string, _handle, ctypes.c_char_p, ctypes.POINTER(_SbxExecOptions), _out_string],
        _status,
    ),
    "sbx_languages": ([_out_string, _handle, _out_string], _status),
    "sbx_tools": ([_out_string, _handle, ctypes.c_char_p, _out_string], _status),
    "sbx_call_tool": (
        [
            _out_string,
            _handle,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.POINTER(_SbxExecOptions),
            _out_string,
        ],
        _status,
    ),
    "sbx_health": ([_out_string, _handle, _out_string], _status),
    "sbx_string_free": ([ctypes.c_void_p], None),
    "sbx_status_name": ([_status], ctypes.c_char_p),  # static, never freed
}
# ABI 1.1, bound when the plugin speaks it.
_SIGNATURES_1_1 = {
    "sbx_cancel_token_new": ([ctypes.POINTER(ctypes.POINTER(_SbxCancelToken))], _status),
    "sbx_cancel_token_cancel": ([ctypes.POINTER(_SbxCancelToken)], None),
    "sbx_cancel_token_free": ([ctypes.POINTER(_SbxCancelToken)], None),
}

_SIGNATURES_1_2 = {
    "sbx_session_open": (
        [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(_SbxSandbox), ctypes.c_char_p,
         ctypes.POINTER(ctypes.c_void_p)],
        _status,
    ),
    "sbx_session_close": ([ctypes.POINTER(_SbxSandbox), ctypes.c_char_p], _status),
}


class _Library:
    """libsbx.so, loaded and negotiated, with exact ctypes signatures."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.dll = ctypes.CDLL(path)
        except OSError as e:
            raise OSError("sbx: cannot load the plugin %s: %s" % (path, e)) from e
        # Negotiation comes first: a plugin of another major may lack the rest.
        negotiate = self._function("sbx_negotiate_abi")
        negotiate.argtypes = [ctypes.POINTER(ctypes.c_uint32)]
        negotiate.restype = _status
        version = ctypes.c_uint32((ABI_VERSION[0] << 16) | ABI_VERSION[1])
        status = negotiate(ctypes.byref(version))
        major, minor = version.value >> 16, version.value & 0xFFFF
        if status == SBX_E_ABI_MISMATCH or (status == SBX_OK and major != ABI_VERSION[0]):
            raise AbiMismatchError(
                SBX_E_ABI_MISMATCH,
                "SBX_E_ABI_MISMATCH",
                "%s speaks ABI %d.%d, this binding speaks %d.%d (the major versions must match)"
                % (path, major, minor, ABI_VERSION[0], ABI_VERSION[1]),
            )
        if status != SBX_OK:
            raise SbxError(status, "status %d" % status, "sbx_negotiate_abi failed")
        self.abi = (major, minor)
        # Each sbx_<name> becomes self.<name>: self.execute, self.string_free, ...
        signatures = dict(_SIGNATURES)
        if self.abi >= (1, 1):
            signatures.update(_SIGNATURES_1_1)
        if self.abi >= (1, 2):
            signatures.update(_SIGNATURES_1_2)
        for name, (argtypes, restype) in signatures.items():
            function = self._function(name)
            function.argtypes = argtypes
            function.restype = restype
            setattr(self, name[len("sbx_"):], function)

    def _function(self, name: str) -> Any:
        try:
            return getattr(self.dll, name)
        except AttributeError:
            raise OSError("sbx: %s is not an sbx plugin: it has no %s" % (self.path, name)) from None

    def call(self, function: Any, *args: Any, allow: Sequence[int] = ()) -> Optional[str]:
        """Calls ``function(&out, *args, &error)``; returns out, raises on failure.

        A status in ``allow`` returns out (possibly None) instead of raising.
        Both strings are freed here, whatever happens.
        """
        out = ctypes.c_void_p()
        error = ctypes.c_void_p()
        try:
            status = function(ctypes.byref(out), *args, ctypes.byref(error))
            if status == SBX_OK or status in allow:
                return _text(out.value)
            name = self.status_name(status).decode("ascii", "replace")
            raise _error(status, name, _text(error.value) or "(no message)")
        finally:
            self.string_free(out)
            self.string_free(error)


class CancelToken:
    """A cancel token (ABI 1.1): pass it to ``execute(cancel=...)`` or
    ``call_tool(cancel=...)`` and call ``cancel()`` from any thread; the run
    ends with status "cancelled" within about a second."""

    def __init__(self, plugin: Optional[str] = None) -> None:
        self._lib = load(plugin)
        if self._lib.abi < (1, 1):
            raise SbxError(SBX_E_INVALID_ARGUMENT, "SBX_E_INVALID_ARGUMENT",
                           "the plugin speaks ABI %d.%d; cancel tokens need 1.1" % self._lib.abi)
        self._token = ctypes.POINTER(_SbxCancelToken)()
        status = self._lib.cancel_token_new(ctypes.byref(self._token))
        if status != SBX_OK:
            raise _error(status, self._lib.status_name(status).decode("ascii", "replace"),
                         "sbx_cancel_token_new failed")

    def cancel(self) -> None:
        """Fires the token. Idempotent; safe from any thread."""
        if self._token:
            self._lib.cancel_token_cancel(self._token)

    def __del__(self) -> None:
        token = getattr(self, "_token", None)
        if token:
            self._lib.cancel_token_free(token)
            self._token = None


def _text(pointer: Optional[int]) -> Optional[str]:
    if not pointer:
        return None
    return ctypes.string_at(pointer).decode("utf-8", "replace")


def _c_string(value: str, what: str) -> bytes:
    data = value.encode("utf-8")
    if b"\0" in data:
        raise ValueError("sbx: %s must not contain NUL characters" % what)
    return data


def _json(value: Any, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8")
    if isinstance(value, str):
        return _c_string(value, what)
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


_libraries: Dict[str, _Library] = {}
_libraries_lock = threading.Lock()


def _find(plugin: Optional[str]) -> str:
    path = plugin or os.environ.get("SBX_PLUGIN") or ctypes.util.find_library("sbx")
    if not path:
        raise FileNotFoundError(
            "sbx: libsbx.so not found: pass plugin=PATH, set SBX_PLUGIN, "
            "or install it where the dynamic linker looks"
        )
    return os.fspath(path)


def load(plugin: Optional[str] = None) -> _Library:
    """Loads and negotiates the plugin (once per path); raises on failure.

    Raises FileNotFoundError when no plugin is found, OSError when it does not
    load or is not an sbx plugin, AbiMismatchError when its major ABI differs.
    """
    path = _find(plugin)
    with _libraries_lock:
        library = _libraries.get(path)
        if library is None:
            library = _libraries[path] = _Library(path)
        return library


def plugin_info(plugin: Optional[str] = None) -> Dict[str, Any]:
    """The plugin's static build information (name, version, abi, build)."""
    return json.loads(load(plugin).plugin_info().decode("utf-8"))


# --------------------------------------------------------------------------
# Sandbox


class Sandbox:
    """A sandbox: a config, a connection to one engine and the containers it owns.

    ``config`` is an sbx.config document (a dict or JSON text; None means the
    defaults), e.g. ``{"defaults": {"time_s": 10}, "max_concurrency": 4}``.
    The engine is not contacted here: without one, runs report
    ``"setup_error"`` and :meth:`health` says why.

    Use it as a context manager, or call :meth:`close`; every method may be
    called from several threads at once.
    """

    def __init__(
        self,
        config: Union[Mapping[str, Any], str, None] = None,
        plugin: Optional[str] = None,
    ) -> None:
        self._lib = load(plugin)
        self._cond = threading.Condition()
        self._close_lock = threading.Lock()
        self._active = 0
        self._handle: Optional[Any] = None
        config_json = None if config is None else _json(config, "config")
        handle = _handle()
        error = ctypes.c_void_p()
        try:
            status = self._lib.create(ctypes.byref(handle), config_json, None, ctypes.byref(error))
            if status != SBX_OK:
                name = self._lib.status_name(status).decode("ascii", "replace")
                raise _error(status, name, _text(error.value) or "(no message)")
        finally:
            self._lib.string_free(error)
        self._handle = handle

    # -- lifetime

    def close(self) -> None:
        """Waits for the running calls, then destroys the sandbox and removes
        its containers. Idempotent; later calls raise InvalidArgumentError."""
        with self._close_lock:
            with self._cond:
                handle, self._handle = self._handle, None
                while self._active:
                    self._cond.wait()
            if handle is not None:
                self._lib.destroy(handle)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called."""
        return self._handle is None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # A forgotten sandbox still removes its containers. __init__ may have
        # failed before the attributes exist.
        if getattr(self, "_handle", None) is not None:
            self.close()

    @contextlib.contextmanager
    def _in_use(self) -> Iterator[Any]:
        """The handle, which close() does not destroy until this block ends."""
        with self._cond:
            handle = self._handle
            if handle is None:
                raise InvalidArgumentError(
                    SBX_E_INVALID_ARGUMENT, "SBX_E_INVALID_ARGUMENT", "sb: the sandbox is closed"
                )
            self._active += 1
        try:
            yield handle
        finally:
            with self._cond:
                self._active -= 1
                if not self._active:
                    self._cond.notify_all()

    def _call(self, function: Any, *args: Any, allow: Sequence[int] = ()) -> Optional[str]:
        with self._in_use() as handle:
            return self._lib.call(function, handle, *args, allow=allow)

    # -- calls

    def execute(
        self,
        language: str,
        code: str,
        *,
        stdin: Optional[str] = None,
        files: Union[Sequence[Mapping[str, Any]], Mapping[str, Union[str, bytes]], None] = None,
        args: Optional[Sequence[str]] = None,
        env: Optional[Mapping[str, str]] = None,
        limits: Optional[Mapping[str, Any]] = None,
        on_output: Optional[Callable[[str, bytes], Any]] = None,
        cancel: Optional[CancelToken] = None,
        **extra: Any,
    ) -> Dict[str, Any]:
        """Runs ``code`` and returns the sbx.execute.result document.

        ``files`` is a list of ``{"path", "content", "encoding"}`` or a dict
        ``{path: str or bytes}`` (bytes are sent as base64). ``limits`` may
        set time_s, compile_time_s, memory_mb, cpus, pids, max_output_bytes,
        disk_mb. ``extra`` adds other request fields (e.g. ``network=True``).
        Check ``result["status"]`` ("success", "timeout", ...); an invalid
        request raises SbxError and runs nothing.

        ``on_output(stream, data)`` receives the output while the program
        runs, on this thread: stream is "stdout", "stderr", "compile_stdout"
        or "compile_stderr", data the bytes as written. A true return value
        cancels the run (as does an exception, which is raised again once the
        run ended). ``cancel`` is a CancelToken another thread may fire.
        """
        request: Dict[str, Any] = {"language": language, "code": code}
        if stdin is not None:
            request["stdin"] = stdin
        if files is not None:
            request["files"] = _files(files)
        if args is not None:
            request["args"] = list(args)
        if env is not None:
            request["env"] = dict(env)
        if limits is not None:
            request["limits"] = dict(limits)
        request.update(extra)
        return self.execute_request(request, on_output=on_output, cancel=cancel)

    def execute_request(
        self,
        request: Union[Mapping[str, Any], str],
        *,
        on_output: Optional[Callable[[str, bytes], Any]] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Dict[str, Any]:
        """Runs a whole sbx.execute.request document (a dict or JSON text);
        ``on_output`` and ``cancel`` as in execute()."""
        with _Options(self._lib, on_output, cancel) as options:
            text = self._call(self._lib.execute, _json(request, "request"), options.pointer)
        return json.loads(text)

    def languages(self) -> List[Dict[str, Any]]:
        """The language table: a list of {name, aliases, display_name, version, ...}."""
        return json.loads(self._call(self._lib.languages))["languages"]

    def tools(self, dialect: str = "mcp") -> Dict[str, Any]:
        """Tool definitions as ``{"tools": [...]}`` in a dialect: "mcp", "openai" or
        "anthropic"."""
        return json.loads(self._call(self._lib.tools, _c_string(dialect, "dialect")))

    def call_tool(
        self,
        name: str,
        arguments: Union[Mapping[str, Any], str],
        *,
        on_output: Optional[Callable[[str, bytes], Any]] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Dict[str, Any]:
        """Calls a tool; returns an MCP CallToolResult (content, structuredContent, isError).

        Bad arguments come back with ``isError: True`` and a message for the
        model; only an unknown tool raises (UnknownToolError).
        """
        with _Options(self._lib, on_output, cancel) as options:
            text = self._call(
                self._lib.call_tool,
                _c_string(name, "name"),
                _json(arguments, "arguments"),
                options.pointer,
            )
        return json.loads(text)

    def open_session(
        self,
        language: str,
        *,
        repl: bool = False,
        limits: Optional[Mapping[str, Any]] = None,
        network: bool = False,
    ) -> "Session":
        """Opens a session (ABI 1.2): one container kept for many runs. Files
        persist between its runs; with ``repl=True`` (python) variables too.
        ``limits`` fixes memory_mb, cpus, pids and disk_mb for the session and
        gives the other limits' defaults. Use it as a context manager, or
        call close()."""
        if self._lib.abi < (1, 2):
            raise InvalidArgumentError(
                SBX_E_INVALID_ARGUMENT,
                "SBX_E_INVALID_ARGUMENT",
                "sessions need ABI 1.2; %s speaks %d.%d" % ((self._lib.path,) + self._lib.abi),
            )
        options: Dict[str, Any] = {"language": language, "repl": repl, "network": network}
        if limits is not None:
            options["limits"] = dict(limits)
        text = self._call(self._lib.session_open, _json(options, "options"))
        return Session(self, json.loads(text))

    def close_session(self, session_id: str) -> None:
        """Closes a session by id and removes its container; raises
        UnknownSessionError when no open session has that id."""
        with self._in_use() as handle:
            status = self._lib.session_close(handle, _c_string(session_id, "session_id"))
        if status != SBX_OK:
            name = self._lib.status_name(status).decode("ascii", "replace")
            raise _error(status, name, "session_id: %r is not an open session" % session_id)

    def health(self) -> Dict[str, Any]:
        """The sbx.health document. When the engine does not answer, the document
        is still returned, with ``"ok": False`` and the reason."""
        text = self._call(self._lib.health, allow=(SBX_E_ENGINE_UNAVAILABLE,))
        if text is None:  # not expected: the plugin fills the document
            raise EngineUnavailableError(
                SBX_E_ENGINE_UNAVAILABLE, "SBX_E_ENGINE_UNAVAILABLE", "no health document"
            )
        return json.loads(text)

    def plugin_info(self) -> Dict[str, Any]:
        """The plugin's static build information (name, version, abi, build)."""
        return json.loads(self._lib.plugin_info().decode("utf-8"))


class Session:
    """An open session of a Sandbox (see Sandbox.open_session)."""

    def __init__(self, sandbox: Sandbox, document: Dict[str, Any]) -> None:
        self.sandbox = sandbox
        self.document = document
        self.id: str = document["session_id"]
        self.language: str = document["language"]
        self._closed = False

    def execute(self, code: str, **kwargs: Any) -> Dict[str, Any]:
        """Runs ``code`` in the session; keyword arguments as in Sandbox.execute
        (``language`` defaults to the session's)."""
        language = kwargs.pop("language", self.language)
        return self.sandbox.execute(language, code, session_id=self.id, **kwargs)

    def write_file(self, path: str, content: Union[str, bytes]) -> None:
        """Writes a file into the session's workspace (bytes go as base64)."""
        arguments: Dict[str, Any] = {"session_id": self.id, "path": path}
        if isinstance(content, bytes):
            arguments.update(content=base64.b64encode(content).decode("ascii"), encoding="base64")
        else:
            arguments["content"] = content
        self._tool("write_file", arguments)

    def read_file(self, path: str) -> bytes:
        """The bytes of a file in the session's workspace."""
        file = self._tool("read_file", {"session_id": self.id, "path": path})
        if file["encoding"] == "base64":
            return base64.b64decode(file["content"])
        return file["content"].encode("utf-8")

    def list_files(self, pattern: str = "**") -> List[Dict[str, Any]]:
        """``[{path, size}]`` of the workspace files matching a glob."""
        return self._tool("list_files", {"session_id": self.id, "pattern": pattern})["files"]

    def close(self) -> None:
        """Closes the session and removes its container. Idempotent."""
        if not self._closed:
            self._closed = True
            self.sandbox.close_session(self.id)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _tool(self, name: str, arguments: Dict[str, Any]) -> Dict[str, Any]:
        result = self.sandbox.call_tool(name, arguments)
        if result.get("isError"):
            text = result["content"][0]["text"]
            if text.startswith("session_id: "):
                raise UnknownSessionError(SBX_E_UNKNOWN_SESSION, "SBX_E_UNKNOWN_SESSION", text)
            raise InvalidRequestError(SBX_E_INVALID_REQUEST, "SBX_E_INVALID_REQUEST", text)
        return result["structuredContent"]


class _Options:
    """The sbx_exec_options of one call: NULL without a callback or token;
    re-raises, after the call, an exception the callback raised."""

    def __init__(self, lib: _Library, on_output: Any, cancel: Optional[CancelToken]) -> None:
        self.pointer = None
        self.error: Optional[BaseException] = None
        if on_output is None and cancel is None:
            return
        if lib.abi < (1, 1):
            raise SbxError(SBX_E_INVALID_ARGUMENT, "SBX_E_INVALID_ARGUMENT",
                           "the plugin speaks ABI %d.%d; on_output and cancel need 1.1" % lib.abi)
        options = _SbxExecOptions()
        options.struct_size = ctypes.sizeof(_SbxExecOptions)
        if cancel is not None:
            options.cancel = cancel._token
        if on_output is not None:
            def relay(stream: int, data: Any, size: int, payload: Any) -> int:
                try:
                    stop = on_output(STREAMS.get(stream, str(stream)), ctypes.string_at(data, size))
                    return 1 if stop else 0
                except BaseException as e:  # noqa: B902 - raised again after the call
                    self.error = e
                    return 1
            self._relay = _OutputFn(relay)  # kept alive for the call
            options.on_output = self._relay
        self._options = options
        self.pointer = ctypes.byref(options)

    def __enter__(self) -> "_Options":
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None and self.error is not None:
            raise self.error


def _files(files: Any) -> List[Dict[str, Any]]:
    if not isinstance(files, Mapping):
        return [dict(f) for f in files]
    out = []
    for path, content in files.items():
        if isinstance(content, (bytes, bytearray)):
            out.append(
                {
                    "path": path,
                    "content": base64.b64encode(bytes(content)).decode("ascii"),
                    "encoding": "base64",
                }
            )
        else:
            out.append({"path": path, "content": content})
    return out
