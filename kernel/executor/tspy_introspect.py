"""Completion, inspection, %who, stdin and comms for the embedded interpreter: jedi over the live
__main__ for %%python cells, inspect for Python objects seen from TypeScript, the `comm` package
wired to the kernel. Knows Python and the callbacks the executor gives it; nothing of sockets."""
import base64
import builtins
import functools
import getpass
import inspect
import json
import sys


def _main():
    return sys.modules["__main__"].__dict__


def complete(code, line, column):
    """Completions at (1-based line, 0-based column in code points) of a Python cell:
    a list of [name, type, prefix_length] from jedi over the live __main__."""
    import jedi

    try:
        completions = jedi.Interpreter(code, [_main()]).complete(line, column)
    except Exception:  # noqa: BLE001 - a completion failure is an empty answer, never an error
        return []
    return [[c.name, c.type, len(c.name) - len(c.complete)] for c in completions]


def inspect_code(code, line, column, detail_level):
    """Signature and docstring of what is at the cursor of a Python cell, or None."""
    import jedi

    try:
        script = jedi.Interpreter(code, [_main()])
        names = script.infer(line, column) or script.help(line, column)
    except Exception:  # noqa: BLE001
        return None
    if not names:
        return None
    name = names[0]
    text = name.docstring() or name.full_name or name.name
    if detail_level > 0 and name.full_name:
        text = f"{name.full_name}\n\n{text}"
    return text


def describe(obj, detail_level):
    """Plain-text help for a Python object seen from TypeScript: type, signature, docstring;
    detail_level 1 adds the source when Python can find it."""
    kind = type(obj)
    lines = [f"Type: {kind.__module__}.{kind.__qualname__}" if kind.__module__ != "builtins" else f"Type: {kind.__qualname__}"]
    if callable(obj):
        try:
            name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
            lines.append(f"Signature: {name}{inspect.signature(obj)}")
        except (TypeError, ValueError):
            pass
    else:
        text = repr(obj)
        lines.append("Value: " + (text if len(text) < 500 else text[:500] + "..."))
    doc = inspect.getdoc(obj)
    if doc:
        lines.append("Docstring:\n" + doc)
    if detail_level > 0:
        try:
            lines.append("Source:\n" + inspect.getsource(obj))
        except (OSError, TypeError):
            pass
    return "\n".join(lines)


def _member_kind(obj, name):
    """IPython's jedi type of obj.<name>, read with inspect.getattr_static so that no property,
    descriptor or __getattr__ runs: "property", "module", "class", "function" or "instance"."""
    try:
        value = inspect.getattr_static(obj, name)
    except Exception:  # noqa: BLE001 - dynamic (__getattr__) members are plain values to us
        return "instance"
    if isinstance(value, (property, functools.cached_property)) or inspect.isdatadescriptor(value):
        return "property"
    if inspect.ismodule(value):
        return "module"
    if isinstance(value, type):
        return "class"
    if isinstance(value, (staticmethod, classmethod)) or inspect.isroutine(value) or callable(value):
        return "function"
    return "instance"


def member_kinds(obj, prefix):
    """[name, kind] for the names of dir(obj), sorted, for completing `proxy.` in TypeScript; kind
    as in _member_kind. Names starting with "_" only when `prefix` does; which of the rest match
    `prefix` (case-insensitively, anywhere in the name) is the TS side's rule (completion-match.ts), so no
    name is filtered by it here. Nothing is evaluated; a failing dir() gives []."""
    try:
        names = sorted(dir(obj))
    except Exception:  # noqa: BLE001
        return []
    wanted = [n for n in names if prefix.startswith("_") or not n.startswith("_")]
    return [[n, _member_kind(obj, n)] for n in wanted]


def _shape_dtype_size(value):
    if inspect.ismodule(value) or isinstance(value, type) or callable(value):
        return "", "", None
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None) if shape is not None else None
    size = getattr(value, "nbytes", None)
    try:
        shape = "x".join(str(int(d)) if d is not None else "?" for d in shape) if shape is not None else ""
    except TypeError:
        shape = ""
    if size is None:
        try:
            size = sys.getsizeof(value)
        except TypeError:
            size = None
    return shape, (str(dtype) if dtype is not None else ""), size


def who():
    """The user's Python variables of __main__: [name, type, shape, dtype, size in bytes]. The
    names IPython's shell put there (In, Out, get_ipython, exit, quit, open: its user_ns_hidden)
    are left out while they still hold IPython's values."""
    out = []
    shell = sys.modules.get("IPython.core.interactiveshell")
    hidden = shell.InteractiveShell.instance().user_ns_hidden if shell and shell.InteractiveShell.initialized() else {}
    for name, value in _main().items():
        if name.startswith("_") or name in ("ts", "In", "Out", "exit", "quit", "get_ipython"):
            continue
        if name in hidden and hidden[name] is value:
            continue
        if inspect.ismodule(value):
            continue
        shape, dtype, size = _shape_dtype_size(value)
        out.append([name, type(value).__name__, shape, dtype, size])
    return out


def describe_value(value):
    """[type, shape, dtype, size] of one Python object (for %who of TS variables holding proxies)."""
    shape, dtype, size = _shape_dtype_size(value)
    return [type(value).__name__, shape, dtype, size]


class StdinNotImplementedError(RuntimeError):
    """Raised by input()/getpass() when the frontend does not accept input (allow_stdin false)."""


def install_stdin(request):
    """Routes input() and getpass.getpass() to `request(prompt, password)`, a TS function that asks
    the frontend (input_request) and returns [status, text]: "ok", "interrupted" or "unavailable"."""

    def ask(prompt, password):
        status, text = request(str(prompt), password)
        if status == "interrupted":
            raise KeyboardInterrupt
        if status != "ok":
            raise StdinNotImplementedError("input was requested, but this frontend does not support input requests")
        return text

    def _input(prompt=""):
        sys.stdout.flush()
        return ask(prompt, False)

    def _getpass(prompt="Password: ", stream=None):
        return ask(prompt, True)

    builtins.input = _input
    getpass.getpass = _getpass


# ---- comms (the `comm` package wired to the kernel) ----------------------------------------

_publish = None  # TS function (msg_type, content) -> None
_parent = None  # TS function () -> JSON of the current request's header, or ""

#: Content keys that carry a comm message's metadata and binary buffers (base64 strings) between
#: Python and the kernel's protocol layer, which moves them to the message's own metadata and
#: buffers frames (kernel/protocol/kernel.ts); they never reach the wire inside content.
COMM_METADATA_KEY = "_tspy_metadata"
COMM_BUFFERS_KEY = "_tspy_buffers"


class KernelShim:
    """What ipywidgets reads as `comm.kernel` (ipykernel's Kernel, the little of it they use): the
    request being served, and error messages on iopub. ipywidgets' Output widget captures the
    output whose parent is `get_parent()["header"]["msg_id"]` (`with out:`, `interact`)."""

    iopub_socket = "iopub"

    def get_parent(self):
        """The execute_request or comm_msg being handled, as {"header": {...}, ...}; {} when none."""
        text = _parent() if _parent is not None else ""
        header = json.loads(text) if text else None
        return {"header": header, "parent_header": {}, "metadata": {}, "content": {}} if header else {}

    def send_response(self, stream, msg_type, content, *args, **kwargs):
        """Publishes an `error` message (what ipywidgets sends for an exception inside `with out:`)
        with the current request as parent. Raises ValueError for other message types."""
        if msg_type != "error":
            raise ValueError(f"tspy's comm kernel publishes only error messages, not {msg_type}")
        _publish(msg_type, dict(content))


def install_comms(publish, parent=None):
    """Makes comm.create_comm / comm.get_comm_manager use the kernel: `publish(msg_type, content)`
    (a TS function) sends comm_open/comm_msg/comm_close (and error) on iopub; `parent()` (a TS
    function) gives the JSON header of the request being handled, for KernelShim.get_parent."""
    global _publish, _parent
    _publish = publish
    _parent = parent
    import comm
    from comm.base_comm import BaseComm, CommManager

    class KernelComm(BaseComm):
        """A comm whose messages go to the frontend through the tspy kernel."""

        kernel = KernelShim()

        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            content = {"data": {} if data is None else data, "comm_id": self.comm_id, **keys}
            if metadata:
                content[COMM_METADATA_KEY] = metadata
            if buffers:
                content[COMM_BUFFERS_KEY] = [base64.b64encode(bytes(b)).decode("ascii") for b in buffers]
            _publish(msg_type, content)

    manager = CommManager()
    comm.create_comm = lambda *args, **kwargs: KernelComm(*args, **kwargs)
    comm.get_comm_manager = lambda: manager
    return manager


def comm_incoming(msg_type, content):
    """Delivers a frontend's comm_open/comm_msg/comm_close to the Python comm manager; the
    message's metadata and buffers (base64) come in content under COMM_METADATA_KEY and
    COMM_BUFFERS_KEY. Returns True when Python knows the comm (or target), else False."""
    import comm

    manager = comm.get_comm_manager()
    content = dict(content)
    metadata = content.pop(COMM_METADATA_KEY, None) or {}
    buffers = [memoryview(base64.b64decode(b)) for b in content.pop(COMM_BUFFERS_KEY, None) or []]
    msg = {"content": content, "header": {"msg_type": msg_type}, "metadata": metadata, "buffers": buffers}
    if msg_type == "comm_open":
        target = content.get("target_name")
        if target not in manager.targets and str(target).startswith("jupyter.widget") and "ipywidgets" in sys.modules:
            # ipywidgets registers its targets only inside IPython; a frontend reconnecting to the
            # kernel opens jupyter.widget.control to fetch every widget's state.
            sys.modules["ipywidgets"].register_comm_target()
        if target not in manager.targets:
            return False
        manager.comm_open(None, None, msg)
        return True
    if content.get("comm_id") not in manager.comms:
        return False
    getattr(manager, msg_type)(None, None, msg)
    return True


def comm_list():
    """{comm_id: target_name} of the comms Python has open."""
    import comm

    return {cid: c.target_name for cid, c in comm.get_comm_manager().comms.items()}
