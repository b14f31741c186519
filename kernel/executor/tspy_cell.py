"""The %%python cell runner inside the embedded interpreter: runs a cell in __main__ with
IPython's last-expression rule and builds MIME bundles (sys.stdout/sys.stderr: tspy_streams.py). Knows Python and the executor's callbacks; nothing of sockets."""
from tspy_errors import error_reply, named_error


def _start_shell():
    """Creates the IPython shell now, so `get_ipython()` also answers Python code that a TS cell
    calls before the first %%python cell. Returns why it could not be created, or None."""
    try:
        tspy_shell.shell()
    except Exception as exc:  # noqa: BLE001 - TS cells must keep working without IPython
        return (f"%%python cells run through IPython's InteractiveShell, which could not start in the "
                f"embedded Python ({type(exc).__name__}: {exc}); install ipython into it")
    return None


try:
    import tspy_shell
except ImportError as _exc:  # an embedded Python without IPython (TSPY_PYTHON)
    tspy_shell = None
    _shell_problem = (f"%%python cells run through IPython's InteractiveShell, which the embedded Python "
                      f"lacks ({_exc}); install ipython into it")
else:
    _shell_problem = _start_shell()


def mime_bundle(obj):
    """The MIME bundle of a cell's value: tspy_display.mime_bundle (IPython's display protocol
    plus tspy's views of models, tensors, figures and training histories)."""
    import tspy_display
    return tspy_display.mime_bundle(obj)


def run_cell(source, filename, execution_count=None):
    """Runs `source` in __main__ through IPython's InteractiveShell (tspy_shell.py): magics,
    `!cmd`, `get_ipython()`, top-level await, and the last expression's value through the shell's
    displayhook (a trailing `;` hides it). `filename` names the code in tracebacks;
    `execution_count` (the kernel's) numbers `Out`/`_N`. Returns {"status": "ok", "data": bundle
    or None} or {"status": "error", "ename", "evalue", "traceback"}; never raises
    (KeyboardInterrupt and SystemExit included), so the kernel survives whatever the cell does."""
    if _shell_problem is not None:
        return error_reply(named_error("IPythonUnavailable", _shell_problem, [_shell_problem]))
    return tspy_shell.run_cell(source, filename, execution_count)


def is_complete(source):
    """is_complete_request for a Python block (the cell without its %%python line), by IPython's
    rules: ["complete"|"incomplete"|"invalid", indent]; an empty block is incomplete."""
    if _shell_problem is not None:
        return ["unknown", ""]
    return tspy_shell.is_complete(source)
