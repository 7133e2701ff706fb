# The driver of a resident Python interpreter: sbx-init starts it as
# `python3 -u -c <this text>` and sends it cells (see init/resident.hpp):
#   in, on fd 0:  u32 LE length + code, u32 LE length + stdin bytes
#   out, on fd 3: the cell's exit code, int32 LE, once its output is flushed
# Cells share one __main__ namespace; EOF on fd 0 ends the interpreter.
import ast
import builtins
import fcntl
import io
import os
import struct
import sys
import traceback
import types

_FILENAME = "<cell>"


def _move_high(fd):
    """A close-on-exec copy of fd at 100 or above, out of user code's way."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)


def _read_exact(fd, n):
    parts = []
    while n:
        part = os.read(fd, min(n, 1 << 20))
        if not part:
            return None
        parts.append(part)
        n -= len(part)
    return b"".join(parts)


def _read_blob(fd):
    head = _read_exact(fd, 4)
    return None if head is None else _read_exact(fd, struct.unpack("<I", head)[0])


def _write_stderr(text):
    try:
        sys.stderr.write(text)
    except Exception:  # user code replaced or closed sys.stderr
        os.write(2, text.encode("utf-8", "replace"))


def _exit_code(code):
    """What SystemExit(code) makes the process exit with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    _write_stderr("%s\n" % (code,))
    return 1


def _compile(code):
    """The cell's body, and its last statement apart when that is an
    expression, whose value is echoed like in a notebook."""
    tree = ast.parse(code, _FILENAME, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
        last = compile(last, _FILENAME, "eval", dont_inherit=True)
    return compile(tree, _FILENAME, "exec", dont_inherit=True), last


def _run(code, stdin, namespace):
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape")
    try:
        body, last = _compile(code)
    except (SyntaxError, ValueError) as e:  # ValueError: a NUL byte, before 3.12
        _write_stderr("".join(traceback.format_exception_only(type(e), e)))
        return 1
    try:
        exec(body, namespace)
        if last is not None:
            sys.displayhook(eval(last, namespace))
    except SystemExit as e:
        return _exit_code(e.code)
    except BaseException as e:
        # The first entry is this frame: the user's start below it.
        tb = e.__traceback__.tb_next
        _write_stderr("".join(traceback.format_exception(type(e), e, tb)))
        return 1
    return 0


def _flush():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass


def _main():
    cells = _move_high(0)
    status = _move_high(3)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.close(3)

    # A module of its own, so that pickle and friends find user definitions
    # in sys.modules["__main__"].
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    sys.argv[:] = [""]
    driver = os.getpid()
    while True:
        code = _read_blob(cells)
        stdin = None if code is None else _read_blob(cells)
        if stdin is None:
            os._exit(0)
        result = _run(code, stdin, main.__dict__)
        _flush()
        if os.getpid() != driver:
            os._exit(result)  # a fork of user code ended the cell: not its to answer
        os.write(status, struct.pack("<i", result))


_main()
