"""Completion and inspection for the embedded interpreter: jedi over the live __main__ for %%python
cells, inspect for Python objects seen from TypeScript. The executor imports this one module; the
other jobs live in their own (tspy_variables: %who; tspy_stdin: input(); tspy_comms: comms) and are
re-exported here under the names the executor calls. Knows Python only; nothing of sockets."""
import functools
import inspect
import sys
import types


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
        if type(obj) is types.ModuleType and not name.startswith("__") and name in obj.__dict__:
            # A plain module's members live in its own dict, and no descriptor of ModuleType has a name
            # outside dunders: the same answer as getattr_static, ~3x faster (numpy has ~500 members).
            value = obj.__dict__[name]
        else:
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


def member_names(obj, prefix):
    """The names of dir(obj), sorted, for completing `proxy.` in TypeScript; names starting with "_"
    only when `prefix` does. Which of them match `prefix` (case-insensitively, anywhere in the name)
    is the TS side's rule (completion-match.ts), so no name is filtered by it here; the TS side then
    asks member_kinds for the matching ones only. Nothing is evaluated; a failing dir() gives []."""
    try:
        names = sorted(dir(obj))
    except Exception:  # noqa: BLE001
        return []
    return [n for n in names if prefix.startswith("_") or not n.startswith("_")]


def member_kinds(obj, names):
    """The kind (as _member_kind: IPython's jedi types) of obj.<name> for each of `names`, in order."""
    return [_member_kind(obj, n) for n in names]


from tspy_comms import KernelShim, comm_incoming, comm_list, install_comms  # noqa: E402,F401
from tspy_stdin import StdinNotImplementedError, install_stdin  # noqa: E402,F401
from tspy_variables import describe_value, who  # noqa: E402,F401
