"""The user's variables for %who and the variables panel: name, type, shape, dtype and size of the
Python values in __main__ and of Python objects TS variables hold. Knows Python only."""
import inspect
import sys


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
    for name, value in sys.modules["__main__"].__dict__.items():
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
