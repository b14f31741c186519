"""Post-import hooks: IPython's display functions, `matplotlib.pyplot.show` and `keras.Model.fit`
are pointed at tspy's display path right after their modules load (or at install, when loaded)."""
import importlib.abc
import importlib.util
import sys

from .charts import live_plot_callback
from .figures import show_figures
from .protocol import clear_output, display, update_display


class PostImportFinder(importlib.abc.MetaPathFinder):
    """Runs a hook right after a watched module's body has run (IPython, pyplot, keras)."""

    def __init__(self):
        self._busy = set()

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in HOOKS or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _HookedLoader(spec.loader, HOOKS[fullname])
        return spec


class _HookedLoader(importlib.abc.Loader):
    def __init__(self, loader, hook):
        self._loader = loader
        self._hook = hook

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            self._hook(module)
        except Exception as exc:  # a hook must never break the user's import
            sys.stderr.write(f"tspy: display hook for {module.__name__} failed: {exc!r}\n")

    def __getattr__(self, name):
        return getattr(self._loader, name)


def _patch_ipython(_module=None):
    """Points IPython's display/update_display/clear_output (in every IPython module that holds
    them) at tspy's, the one display path: tspy's display also records the figures it showed, so
    after_cell does not show them again. What still reaches IPython's own functions goes through
    the %%python shell's formatter and publisher (tspy_shell.py), that is mime_bundle and publish."""
    ours = {"display": display, "update_display": update_display, "clear_output": clear_output}
    for name in ("IPython.core.display_functions", "IPython.core.display", "IPython.display", "IPython"):
        module = sys.modules.get(name)
        if module is None:
            continue
        for attr, fn in ours.items():
            if hasattr(module, attr):
                setattr(module, attr, fn)


def _patch_pyplot(pyplot):
    """`plt.show()` shows the open figures inline (image/png) and closes them."""
    if getattr(pyplot.show, "_tspy", False):
        return

    def show(*args, **kwargs):
        show_figures()

    show._tspy = True
    show.__doc__ = "tspy: shows every open figure inline as image/png and closes it."
    pyplot.show = show


def _patch_keras(keras):
    """Wraps `keras.Model.fit` so that every fit gets a LivePlot callback while the package's
    `live_plot` is True (read at each fit, so a change takes effect at the next one)."""
    model_cls = keras.Model
    fit = model_cls.fit
    if getattr(fit, "_tspy", False):
        return

    def fit_with_live_plot(self, *args, **kwargs):
        if sys.modules[__package__].live_plot:
            callbacks = list(kwargs.get("callbacks") or [])
            if not any(type(c).__name__ == "LivePlot" for c in callbacks):
                callbacks.append(live_plot_callback())
            kwargs["callbacks"] = callbacks
        return fit(self, *args, **kwargs)

    fit_with_live_plot._tspy = True
    fit_with_live_plot.__wrapped__ = fit
    fit_with_live_plot.__doc__ = fit.__doc__
    model_cls.fit = fit_with_live_plot


HOOKS = {
    "IPython": _patch_ipython,
    "IPython.core.display_functions": _patch_ipython,
    "IPython.core.display": _patch_ipython,
    "IPython.display": _patch_ipython,
    "matplotlib.pyplot": _patch_pyplot,
    "keras": _patch_keras,
}
