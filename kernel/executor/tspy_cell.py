"""The %%python cell runner inside the embedded interpreter: runs a cell in __main__ with
IPython's last-expression rule and builds MIME bundles (sys.stdout/sys.stderr: tspy_streams.py). Knows Python and the executor's callbacks; nothing of sockets."""


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
    import tspy_shell
    return tspy_shell.run_cell(source, filename, execution_count)


def is_complete(source):
    """is_complete_request for a Python block (the cell without its %%python line), by IPython's
    rules: ["complete"|"incomplete"|"invalid", indent]; an empty block is incomplete."""
    import tspy_shell
    return tspy_shell.is_complete(source)
