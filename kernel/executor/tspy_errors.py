"""The one place Python's side builds Jupyter error content ({"ename", "evalue", "traceback"}:
messaging spec 5.3, "Execution errors"), the record the TS side reads with
error-content.ts's pythonErrorContent. Imports only the standard library, so it also serves an
embedded Python without IPython."""
import traceback as _traceback


def named_error(ename, evalue, traceback=None):
    """Error content with a name and message chosen by the kernel: {"ename": str, "evalue": str,
    "traceback": [str]}; `traceback` defaults to the one line `ename: evalue`, as Python prints an
    exception without frames (error-content.ts's namedError has the same rule)."""
    ename, evalue = str(ename), str(evalue)
    lines = [f"{ename}: {evalue}"] if traceback is None else [str(line) for line in traceback]
    return {"ename": ename, "evalue": evalue, "traceback": lines}


def exception_error(exc, hide_frames_under=None, brief=False):
    """Error content of an exception raised by user code: ename is its class's name, evalue
    `str(exc)`, the traceback Python's own format (`File "cell-N.py", line L, in f`, the form the
    kernel's TS errors take too) split into lines.
    `hide_frames_under`: a folder (ending in os.sep) whose leading frames are machinery, not the
    user's (IPython's run_cell); they are left out up to the first frame outside it.
    `brief`: the traceback is the one line `ename: evalue` (a UsageError: a mistake in how a magic
    was called, not in code). A SyntaxError always shows only its line and caret, no frames."""
    if brief:
        return named_error(type(exc).__name__, exc)
    if isinstance(exc, SyntaxError):
        lines = _traceback.format_exception_only(type(exc), exc)
    else:
        tb = exc.__traceback__
        while hide_frames_under and tb is not None and tb.tb_frame.f_code.co_filename.startswith(hide_frames_under):
            tb = tb.tb_next
        lines = _traceback.format_exception(type(exc), exc, tb)
    return named_error(type(exc).__name__, exc, "".join(lines).rstrip("\n").split("\n"))


def error_reply(error):
    """A failed cell's answer to the TS side: {"status": "error"} and the error content `error`."""
    return {"status": "error", **error}
