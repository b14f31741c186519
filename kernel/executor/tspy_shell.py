"""IPython's InteractiveShell inside the embedded interpreter, as ipykernel's ZMQInteractiveShell and
xeus-python have it: %%python cells get magics, `!cmd`, `get_ipython()`, display hooks, `;` and
top-level await. Results and errors come back to tspy_cell.run_cell; displays go out through
tspy_display. Knows IPython and tspy_display; nothing of sockets, TypeScript or stream plumbing."""
import builtins
import codeop
import contextlib
import os
import sys

import IPython
from IPython.core import page
from IPython.core.compilerop import CachingCompiler
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import UsageError
from IPython.core.formatters import DisplayFormatter
from IPython.core.inputtransformer2 import TransformerManager, leading_empty_lines
from IPython.core.interactiveshell import InteractiveShell
from traitlets import Type
from traitlets.config import Config

import tspy_display
from tspy_errors import error_reply, exception_error

_IPYTHON_DIR = os.path.dirname(IPython.__file__) + os.sep


class CellCompiler(CachingCompiler):
    """IPython's compiler, but a cell's code is named after the kernel's cell (`cell-N.py`, the
    name TS cells' errors use too) instead of `<ipython-input-N-hash>`."""

    def __init__(self):
        super().__init__()
        #: The name the next cached cell gets (used once); None: IPython's own name.
        self.next_name = None

    def get_code_name(self, raw_code, transformed_code, number):
        """The code name (filename in tracebacks and linecache) of the cell being cached."""
        name, self.next_name = self.next_name, None
        return name or super().get_code_name(raw_code, transformed_code, number)


class ResultHook(DisplayHook):
    """The shell's displayhook: keeps the cell's value as a MIME bundle for run_cell to return
    (the TS side sends it as execute_result) instead of printing it. `_`, `__`, `Out` and a trailing
    `;` work as in IPython (the base class)."""

    def start_displayhook(self):
        """Marks the hook active (IPython's contract); no prompt is written."""
        self._is_active = True

    def write_output_prompt(self):
        """No `Out[N]:` prompt: the frontend shows the execution count."""

    def write_format_data(self, format_dict, md_dict=None):
        """Keeps the bundle ({MIME type: data}) and its metadata for run_cell."""
        self.shell.last_result = {"data": format_dict, "metadata": md_dict or {}}

    def finish_displayhook(self):
        """Marks the hook inactive; writes nothing to sys.stdout."""
        self._is_active = False


class Publisher(DisplayPublisher):
    """The shell's display publisher: IPython's `publish_display_data` (and everything built on
    it) sends display_data/update_display_data through tspy_display.publish, the one path every
    display of the kernel takes."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        """Publishes one bundle; `update=True` replaces the outputs of transient's display_id."""
        self._validate_data(data, metadata)
        content = {"data": dict(data), "metadata": dict(metadata or {})}
        if transient:
            content["transient"] = dict(transient)
        self._is_publishing = True
        try:
            tspy_display.publish("update_display_data" if update else "display_data", content)
        finally:
            self._is_publishing = False

    def clear_output(self, wait=False):
        """clear_output through tspy_display."""
        tspy_display.clear_output(wait=wait)


class Formatter(DisplayFormatter):
    """The shell's display formatter: tspy_display.mime_bundle (tspy's views of models, tensors
    and figures, then IPython's `_repr_*_` protocol), so the displayhook, IPython's display() and
    tspy's display() give one object the same bundle. `_ipython_display_` objects show themselves."""

    def format(self, obj, include=None, exclude=None):
        """(bundle, metadata) of `obj`; ({}, {}) when it displayed itself."""
        if self.ipython_display_formatter(obj):
            return {}, {}
        return tspy_display.mime_bundle(obj, include=include, exclude=exclude), {}


class TspyShell(InteractiveShell):
    """The InteractiveShell of %%python cells; its user namespace is `__main__`'s, which TS reads
    through `py.x`. Errors are captured for run_cell (`last_error`), results too (`last_result`)."""

    compiler_class = Type(CellCompiler)
    displayhook_class = Type(ResultHook)
    display_pub_class = Type(Publisher)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        #: Error content of the running cell: {"ename", "evalue", "traceback"} or None.
        self.last_error = None
        #: Result of the running cell: {"data", "metadata"} or None.
        self.last_result = None
        # The kernel's cell keeps its magic lines as empty lines so line numbers stay the cell's;
        # IPython would drop leading empty lines (run_cell handles cell magics itself).
        cleanup = self.input_transformer_manager.cleanup_transforms
        if leading_empty_lines in cleanup:
            cleanup.remove(leading_empty_lines)
        self.set_hook("show_in_pager", page.as_hook(self._page), 99)

    def init_display_formatter(self):
        """Installs tspy's Formatter as the shell's display_formatter."""
        self.display_formatter = Formatter(parent=self)
        self.configurables.append(self.display_formatter)

    def init_builtins(self):
        """IPython's builtins, with tspy_display.display as `display` (it also records figures
        shown explicitly, so after_cell does not show them again)."""
        super().init_builtins()
        builtins.display = tspy_display.display

    def init_virtualenv(self):
        """No virtualenv detection: the kernel runs the environment it was started with."""

    def init_environment(self):
        """Subprocesses started by `!cmd` must not wait on a pager."""
        os.environ["PAGER"] = "cat"
        os.environ["GIT_PAGER"] = "cat"

    @contextlib.contextmanager
    def _tee(self, channel):
        """IPython 9 patches `sys.stdout.write` to keep stream output in its history; tspy keeps no
        output history of streams and sys.stdout may be an object whose `write` cannot be set."""
        yield

    def enable_gui(self, gui=None):
        """No GUI event loop runs in the kernel: `%matplotlib inline` (gui None) is accepted, any
        other GUI is a UsageError."""
        if gui not in (None, "inline"):
            raise UsageError(f"tspy runs no {gui} event loop; use %matplotlib inline")

    def ask_exit(self):
        """`exit()`/`quit()` in a cell: the kernel keeps running (shut it down from the frontend)."""
        print("tspy: exit() does not stop the kernel; shut it down or restart it from the frontend",
              file=sys.stderr)

    def _page(self, strng, start=0, screen_lines=0, pager_cmd=None):
        """The pager (`obj?`, `%magic?`): its text becomes a display_data of the cell."""
        data = strng if isinstance(strng, dict) else {"text/plain": strng}
        tspy_display.publish("display_data", {"data": data, "metadata": {}})

    def show_usage_error(self, exc):
        """A UsageError (an unknown magic, bad magic arguments) is the cell's error."""
        self.last_error = exception_error(exc, brief=True)

    def showtraceback(self, exc_tuple=None, filename=None, tb_offset=None, exception_only=False,
                      running_compiled_code=False):
        """An exception that user code shows and handles itself (ipywidgets' `Output.__exit__`
        calls `get_ipython().showtraceback(exc_info)` and suppresses it) is published at once as
        an `error` output of the running cell, which goes on (ipykernel's behaviour); an
        exception that ends the cell is captured as the cell's error (`_showtraceback`)."""
        if exc_tuple is not None and not running_compiled_code and exc_tuple[1] is not None:
            tspy_display.publish("error", error_content(exc_tuple[1]))
            return
        super().showtraceback(exc_tuple, filename, tb_offset, exception_only, running_compiled_code)

    def _showtraceback(self, etype, evalue, stb):
        """Captures the error instead of printing IPython's rendering (`stb`): Python's own
        traceback format over the cell's frames (`File "cell-N.py", line L, in f`), the form of
        tspy's other errors."""
        self.last_error = error_content(evalue)


def error_content(exc):
    """Error content of an exception raised in a cell (tspy_errors.exception_error): the frames of
    IPython's machinery before the cell's first frame are left out."""
    return exception_error(exc, hide_frames_under=_IPYTHON_DIR)


def shell():
    """The kernel's one TspyShell (created on first use, `InteractiveShell.instance()` style), its
    user namespace `__main__.__dict__`. Its history of inputs is kept in memory only (the kernel's
    history_request has its own file)."""
    if TspyShell.initialized():
        return TspyShell.instance()
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    return TspyShell.instance(config=config, user_module=sys.modules["__main__"])


def run_cell(source, filename, execution_count=None):
    """Runs a %%python cell's code through the shell (magics, `!cmd`, displayhook, top-level
    await) with its code named `filename`; `execution_count` (the kernel's) numbers `Out` and `_N`.
    Returns {"status": "ok", "data": bundle or None} or {"status": "error", "ename", "evalue",
    "traceback"}; never raises, KeyboardInterrupt and SystemExit included."""
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if first < len(lines) and lines[first].startswith("%%"):
        # A cell magic must be the cell's first line; its body has no line numbers of its own.
        source = "\n".join(lines[first:])
    try:
        sh = shell()
        if execution_count is not None:
            sh.execution_count = int(execution_count)
        sh.last_error = sh.last_result = None
        sh.compile.next_name = filename
        try:
            result = sh.run_cell(source, store_history=True)
        finally:
            sh.compile.next_name = None
    except BaseException as exc:  # noqa: BLE001 - the kernel survives whatever the cell does
        return error_reply(error_content(exc))
    if sh.last_error is not None:
        return error_reply(sh.last_error)
    failure = result.error_before_exec or result.error_in_exec
    if failure is not None:
        return error_reply(error_content(failure))
    return {"status": "ok", "data": sh.last_result["data"] if sh.last_result else None}


_completeness = TransformerManager()


def is_complete(source):
    """is_complete_request for a Python block (without its %%python line), by IPython's
    TransformerManager.check_complete: ["complete"|"incomplete"|"invalid", indent]. An empty block
    (`%%python` alone) is incomplete: the block is still to come. IPython calls any open bracket
    incomplete; a block Python's own compiler already rejects (`def f(:`) is invalid."""
    if not source.strip():
        return ["incomplete", ""]
    status, indent = _completeness.check_complete(source)
    if status == "incomplete" and _rejected_by_python(source):
        return ["invalid", ""]
    return [status, " " * indent if status == "incomplete" and indent else ""]


def _rejected_by_python(source):
    """Whether codeop (the REPL's compiler) raises on the block with IPython's syntax turned into
    Python; False when it compiles or waits for more."""
    try:
        python = _completeness.transform_cell(source)
    except Exception:  # noqa: BLE001 - then IPython's answer stands
        return False
    try:
        codeop.compile_command(python, "<cell>", "exec")
    except (SyntaxError, OverflowError, ValueError):
        return True
    return False
