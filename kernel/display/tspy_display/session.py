"""The kernel's entry points into the display package: install the publisher and hooks at start, and
the end-of-cell step."""
import builtins
import json
import sys

from .figures import show_figures
from .hooks import HOOKS, PostImportFinder
from .protocol import clear_output, display, update_display
from .publishing import flush_pending, json_default, outbox, shown_figures


def install(publish):
    """Makes `publish(msg_type, content_json)` (a TS function) the way display messages reach the
    kernel, puts `display`, `update_display` and `clear_output` in builtins, and hooks IPython's
    display functions, `matplotlib.pyplot.show` and `keras.Model.fit` (now if they are imported,
    otherwise when they are)."""
    outbox.install(lambda msg_type, content: publish(msg_type, json.dumps(content, default=json_default)))
    builtins.display = display
    builtins.update_display = update_display
    builtins.clear_output = clear_output
    for name, hook in HOOKS.items():
        if name in sys.modules:
            hook(sys.modules[name])
    if not any(isinstance(f, PostImportFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, PostImportFinder())


def after_cell():
    """Run by the executor after every cell (TS or Python): sends queued messages, then shows every
    open matplotlib figure as image/png and closes it (the inline backend's rule)."""
    flush_pending()
    show_figures()
    shown_figures.clear()
