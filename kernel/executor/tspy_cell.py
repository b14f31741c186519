"""The %%python cell runner inside the embedded interpreter: runs a cell in __main__ with
IPython's last-expression rule, streams sys.stdout/sys.stderr live through a TS callback and
builds MIME bundles. Knows Python and the executor's callbacks; nothing of sockets."""
import ast
import linecache
import sys
import traceback
import types

from tspy_display import ExecutorOutbox

_outbox = ExecutorOutbox()  # stream output: (name, text) to the TS emitter


class StreamWriter:
    """A text file object whose writes become Jupyter `stream` messages as they happen.

    Writes from the executor thread go straight to the kernel; writes from other Python threads
    (TensorFlow's, a data loader's) are queued and sent at the next executor-thread write or at
    the end of the cell."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name):
        self.name = name

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        _outbox.post(self.name, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        _outbox.flush()

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("tspy's stream has no file descriptor")


def flush_pending():
    """Sends output queued by non-executor threads; call on the executor thread."""
    _outbox.flush()


def install(emit):
    """Routes sys.stdout and sys.stderr to `emit(name, text)` (a TS function) from now on."""
    _outbox.install(emit)
    sys.stdout = StreamWriter("stdout")
    sys.stderr = StreamWriter("stderr")


def mime_bundle(obj):
    """The MIME bundle of a cell's value: tspy_display.mime_bundle (IPython's display protocol
    plus tspy's views of models, tensors, figures and training histories)."""
    import tspy_display
    return tspy_display.mime_bundle(obj)


def _error(exc, skip_frames):
    tb = exc.__traceback__
    for _ in range(skip_frames):
        if tb is not None:
            tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb)
    text = "".join(lines).rstrip("\n").split("\n")
    return {"status": "error", "ename": type(exc).__name__, "evalue": str(exc), "traceback": text}


def run_cell(source, filename):
    """Runs `source` in __main__: every statement, then the last one's value if it is an
    expression (IPython's rule). Returns {"status": "ok", "data": bundle or None} or
    {"status": "error", "ename", "evalue", "traceback"}; never raises (KeyboardInterrupt and
    SystemExit included), so the kernel survives whatever the cell does."""
    main = sys.modules["__main__"]
    g = main.__dict__
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        tree = ast.parse(source, filename, "exec")
    except SyntaxError as exc:
        return _error(exc, 10_000)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    try:
        flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        code = compile(tree, filename, "exec", flags=flags)
        result = _run(code, g)
        value = _run(compile(last, filename, "eval", flags=flags), g) if last is not None else None
    except BaseException as exc:  # noqa: BLE001 - the cell's error is the user's report
        return _error(exc, 2)
    finally:
        flush_pending()
    if value is None:
        return {"status": "ok", "data": None}
    g["_"] = value
    try:
        return {"status": "ok", "data": mime_bundle(value)}
    except BaseException as exc:  # noqa: BLE001
        return _error(exc, 1)


def _run(code, g):
    """Evaluates a code object; a top-level await makes it a coroutine, run to completion."""
    result = eval(code, g)
    if code.co_flags & 0x80 and isinstance(result, types.CoroutineType):  # CO_COROUTINE
        import asyncio
        result = asyncio.run(result)
    return result


def is_complete(source):
    """is_complete_request for a Python cell: ("complete"|"incomplete"|"invalid", indent)."""
    import codeop
    try:
        code = codeop.compile_command(source, "<cell>", "exec")
    except (SyntaxError, OverflowError, ValueError):
        return ["invalid", ""]
    if code is None:
        last = source.rstrip("\n").split("\n")[-1]
        indent = last[: len(last) - len(last.lstrip())]
        if last.rstrip().endswith(":"):
            indent += "    "
        return ["incomplete", indent]
    return ["complete", ""]
