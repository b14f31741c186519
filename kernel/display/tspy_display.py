"""MIME bundles and the display protocol inside the embedded interpreter: IPython's `_repr_*_`
protocol, `display`/`update_display`/`clear_output`, matplotlib inline, Keras model summaries,
tensor views and live training charts. Publishes through one TS callback; knows nothing of
sockets or of the messaging spec beyond the content of display_data, update_display_data and
clear_output (Jupyter messaging spec, "Display Data", "Update Display Data", "Clear output")."""
import base64
import builtins
import html
import importlib.abc
import importlib.util
import io
import json
import math
import sys
import threading
import uuid

#: Set to False (from Python, or from TS: `display.livePlot = false`) to stop attaching the live
#: training chart to `keras.Model.fit`.
live_plot = True

#: Tensors with more elements than this have their statistics computed over a strided sample.
STATS_SAMPLE_LIMIT = 1_000_000
#: Tensors with at most this many elements (and at most 2 dimensions, 32 per side) show every value as a table.
TABLE_LIMIT = 256
#: Image grids show at most this many images of a batch (the first ones).
GRID_LIMIT = 64

class ExecutorOutbox:
    """Delivers calls to a TS function on the executor thread without ever blocking another
    Python thread: calls made on the executor thread go straight through (after anything queued);
    calls from other threads (TensorFlow's, a data loader's) are queued and delivered at the next
    executor-thread call or flush(). Used for display messages here and for stream output by
    tspy_cell.py."""

    def __init__(self):
        self.send = None
        self.thread = None
        self._pending = []
        self._lock = threading.Lock()

    def install(self, send):
        """Delivers through `send(*args)` from now on; the calling thread is the executor."""
        self.send = send
        self.thread = threading.get_ident()

    def post(self, *args):
        """send(*args) now on the executor thread, else queued."""
        if self.send is not None and threading.get_ident() == self.thread:
            self.flush()
            self.send(*args)
        else:
            with self._lock:
                self._pending.append(args)

    def flush(self):
        """Delivers what other threads queued; does nothing off the executor thread."""
        if self.send is None or threading.get_ident() != self.thread:
            return
        with self._lock:
            items = list(self._pending)
            self._pending.clear()
        for args in items:
            self.send(*args)


_outbox = ExecutorOutbox()  # display messages: (msg_type, content) to the TS publisher
_shown_figures = set()  # ids of pyplot figures already displayed explicitly during this cell


# ---- publishing ------------------------------------------------------------------------------

def install(publish):
    """Makes `publish(msg_type, content_json)` (a TS function) the way display messages reach the
    kernel, puts `display`, `update_display` and `clear_output` in builtins, and hooks IPython's
    display functions, `matplotlib.pyplot.show` and `keras.Model.fit` (now if they are imported,
    otherwise when they are)."""
    _outbox.install(lambda msg_type, content: publish(msg_type, json.dumps(content, default=_json_default)))
    builtins.display = display
    builtins.update_display = update_display
    builtins.clear_output = clear_output
    for name, hook in _HOOKS.items():
        if name in sys.modules:
            hook(sys.modules[name])
    if not any(isinstance(f, _PostImportFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _PostImportFinder())


def publish(msg_type, content):
    """Sends one iopub message of `msg_type` ("display_data", "update_display_data" or
    "clear_output") with `content` (a JSON-serialisable dict; numpy scalars become numbers).
    From a thread other than the executor's the message is queued and sent at the next publish
    or at the end of the cell. Raises RuntimeError when the kernel has not installed a publisher."""
    if _outbox.send is None:
        raise RuntimeError("tspy_display: no publisher installed (not running inside the tspy kernel)")
    _outbox.post(msg_type, content)


def flush_pending():
    """Sends display messages queued by other threads; call on the executor thread."""
    _outbox.flush()


def _json_default(value):
    try:
        import numpy as np
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:
        pass
    return str(value)


def after_cell():
    """Run by the executor after every cell (TS or Python): sends queued messages, then shows every
    open matplotlib figure as image/png and closes it (the inline backend's rule)."""
    flush_pending()
    show_figures()
    _shown_figures.clear()


# ---- the display protocol ------------------------------------------------------------------

class DisplayHandle:
    """A handle on one display output, as IPython's: `update(obj)` replaces it in place."""

    def __init__(self, display_id=None):
        self.display_id = display_id or uuid.uuid4().hex

    def __repr__(self):
        return f"<DisplayHandle display_id={self.display_id}>"

    def display(self, obj, **kwargs):
        """Shows `obj` as a new output bound to this handle's display_id."""
        display(obj, display_id=self.display_id, **kwargs)

    def update(self, obj, **kwargs):
        """Replaces every output bound to this display_id with `obj`."""
        update_display(obj, display_id=self.display_id, **kwargs)


def display(*objs, include=None, exclude=None, metadata=None, transient=None, display_id=None,
            raw=False, clear=False, update=False, **kwargs):
    """IPython's `display()`: publishes each object's MIME bundle as display_data.

    `display_id=True` makes a new id; a string binds the output to that id so `update_display`
    can replace it. `raw=True` takes the objects as MIME bundles (dict MIME type -> data).
    `include`/`exclude` filter MIME types. `clear=True` clears the output first (wait=True).
    `update=True` publishes update_display_data (then `display_id` is required).
    Returns a DisplayHandle when a display_id was given, else None.
    Raises TypeError for `update=True` without a display_id."""
    if update and not display_id:
        raise TypeError("display_id required for update_display")
    transient = dict(transient or {})
    if display_id is True:
        display_id = uuid.uuid4().hex
    if display_id:
        transient["display_id"] = display_id
    if not objs and display_id:
        objs, raw = ({},), True
    if clear:
        clear_output(wait=True)
    msg_type = "update_display_data" if update else "display_data"
    for obj in objs:
        data = dict(obj) if raw else mime_bundle(obj, include=include, exclude=exclude)
        if not data:
            continue
        content = {"data": data, "metadata": dict(metadata or {})}
        if transient:
            content["transient"] = transient
        publish(msg_type, content)
        if _is_pyplot_figure(obj):
            _shown_figures.add(id(obj))
    return DisplayHandle(display_id) if display_id else None


def update_display(obj, *, display_id, **kwargs):
    """Replaces the outputs bound to `display_id` with `obj` (update_display_data)."""
    kwargs["update"] = True
    display(obj, display_id=display_id, **kwargs)


def clear_output(wait=False):
    """Clears the cell's output; with `wait=True` only when the next output arrives."""
    publish("clear_output", {"wait": bool(wait)})


def mime_bundle(obj, include=None, exclude=None):
    """The MIME bundle of `obj`: dict MIME type -> str (base64 for images) or JSON.

    Order: tspy's own views (Keras models and histories, torch modules, numpy/TensorFlow/torch
    tensors, matplotlib figures), then IPython's protocol (`_repr_mimebundle_`, then `_repr_html_`,
    `_repr_markdown_`, `_repr_svg_`, `_repr_png_`, `_repr_jpeg_`, `_repr_latex_`, `_repr_json_`).
    text/plain is always there (repr() unless a view gives its own). A failing `_repr_*_` is
    skipped. `include`/`exclude` are iterables of MIME types kept/dropped (text/plain stays)."""
    data = None
    if not isinstance(obj, type):
        for view in (_keras_view, _torch_view, _tensor_view, _figure_view):
            data = view(obj)
            if data is not None:
                break
    if data is None:
        data = _repr_bundle(obj)
    if include is not None:
        data = {k: v for k, v in data.items() if k in include or k == "text/plain"}
    if exclude is not None:
        data = {k: v for k, v in data.items() if k not in exclude or k == "text/plain"}
    return data


def mime_bundle_json(obj):
    """`mime_bundle(obj)` as a JSON string (what the TS side parses)."""
    return json.dumps(mime_bundle(obj), default=_json_default)


_REPR_METHODS = (("text/html", "_repr_html_"), ("text/markdown", "_repr_markdown_"),
                 ("image/svg+xml", "_repr_svg_"), ("image/png", "_repr_png_"),
                 ("image/jpeg", "_repr_jpeg_"), ("text/latex", "_repr_latex_"),
                 ("application/json", "_repr_json_"))


def _repr_bundle(obj):
    data = {}
    if isinstance(obj, type):
        return {"text/plain": repr(obj)}
    method = getattr(obj, "_repr_mimebundle_", None)
    if callable(method):
        try:
            got = method()
            if isinstance(got, tuple):
                got = got[0]
            if isinstance(got, dict):
                data.update(got)
        except Exception:
            pass
    for mime, name in _REPR_METHODS:
        if mime in data:
            continue
        method = getattr(obj, name, None)
        if not callable(method):
            continue
        try:
            got = method()
        except Exception:
            continue
        if isinstance(got, tuple):
            got = got[0]
        if got is None:
            continue
        if isinstance(got, bytes):
            got = base64.b64encode(got).decode("ascii")
        data[mime] = got
    for mime, value in list(data.items()):
        if isinstance(value, bytes):
            data[mime] = base64.b64encode(value).decode("ascii")
    if "text/plain" not in data:
        data["text/plain"] = repr(obj)
    return data


# ---- import hooks ----------------------------------------------------------------------------

class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Runs a hook right after a watched module's body has run (IPython, pyplot, keras)."""

    def __init__(self):
        self._busy = set()

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _HOOKS or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _HookedLoader(spec.loader, _HOOKS[fullname])
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
    """Wraps `keras.Model.fit` so that every fit gets a LivePlot callback while `live_plot` is True."""
    model_cls = keras.Model
    fit = model_cls.fit
    if getattr(fit, "_tspy", False):
        return

    def fit_with_live_plot(self, *args, **kwargs):
        if live_plot:
            callbacks = list(kwargs.get("callbacks") or [])
            if not any(type(c).__name__ == "LivePlot" for c in callbacks):
                callbacks.append(live_plot_callback())
            kwargs["callbacks"] = callbacks
        return fit(self, *args, **kwargs)

    fit_with_live_plot._tspy = True
    fit_with_live_plot.__wrapped__ = fit
    fit_with_live_plot.__doc__ = fit.__doc__
    model_cls.fit = fit_with_live_plot


_HOOKS = {
    "IPython": _patch_ipython,
    "IPython.core.display_functions": _patch_ipython,
    "IPython.core.display": _patch_ipython,
    "IPython.display": _patch_ipython,
    "matplotlib.pyplot": _patch_pyplot,
    "keras": _patch_keras,
}


# ---- matplotlib ------------------------------------------------------------------------------

def _is_pyplot_figure(obj):
    figure = sys.modules.get("matplotlib.figure")
    return figure is not None and isinstance(obj, figure.Figure)


def _figure_png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure_view(obj):
    if not _is_pyplot_figure(obj):
        return None
    return {"image/png": _figure_png(obj), "text/plain": repr(obj)}


def show_figures():
    """Publishes every open pyplot figure not yet displayed this cell as image/png, then closes
    them all. Does nothing when matplotlib.pyplot was never imported."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None or _outbox.send is None:
        return
    for num in pyplot.get_fignums():
        fig = pyplot.figure(num)
        if id(fig) not in _shown_figures:
            publish("display_data", {"data": _figure_view(fig), "metadata": {}})
    pyplot.close("all")


# ---- Keras models ----------------------------------------------------------------------------

def _keras_view(obj):
    keras = sys.modules.get("keras")
    if keras is None:
        return None
    if isinstance(obj, keras.Model):
        return model_summary_bundle(obj)
    if isinstance(obj, keras.callbacks.History) and getattr(obj, "history", None):
        return training_chart_bundle(obj.epoch, obj.history, title="Training history")
    return None


def _plain_markup(text):
    """Keras' summary helpers return rich markup ("[color(34)]3[/]"); this is its plain text."""
    try:
        import rich.text
        return rich.text.Text.from_markup(text).plain
    except Exception:
        return text


def _readable_bytes(n):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} TB"


def _weights_count_and_bytes(weights):
    """(number of parameters, bytes) of a list of Keras variables, each variable counted once."""
    import numpy as np
    unique = {id(w): w for w in weights}.values()
    count = 0
    nbytes = 0
    for w in unique:
        size = int(math.prod(w.shape))
        count += size
        try:
            nbytes += size * np.dtype(str(w.dtype)).itemsize
        except TypeError:
            nbytes += size * 4
    return count, nbytes


def model_layers(model):
    """One dict per layer of a Keras model, in Keras' summary order: name, type (class name),
    output_shape (text, "?" when unknown), params (int, 0 when unbuilt), built (bool) and
    connections (list of "layer[node][tensor]" strings; empty for Sequential and subclassed
    models, whose layers form a chain)."""
    keras = sys.modules["keras"]
    functional = isinstance(model, keras.src.models.Functional) and not isinstance(model, keras.Sequential)
    layers = list(model._operations) if functional else list(model.layers)
    relevant = []
    if functional:
        for nodes in model._nodes_by_depth.values():
            relevant += nodes
    rows = []
    for layer in layers:
        try:
            from keras.src.utils import summary_utils
            shape = _plain_markup(summary_utils.format_layer_shape(layer))
        except Exception:
            shape = "?"
        built = bool(getattr(layer, "built", False))
        params = int(layer.count_params()) if built else 0
        connections = []
        if functional:
            for node in getattr(layer, "_inbound_nodes", []):
                if relevant and node not in relevant:
                    continue
                for tensor in node.input_tensors:
                    history = tensor._keras_history
                    connections.append(f"{history.operation.name}[{history.node_index}][{history.tensor_index}]")
        rows.append({"name": layer.name, "type": type(layer).__name__, "output_shape": shape,
                     "params": params, "built": built, "connections": connections})
    return rows, functional


def model_totals(model):
    """Parameter counts and their memory (bytes) of a Keras model: dict with trainable,
    non_trainable, total, optimizer (0 when there is no built optimizer) and *_bytes of each."""
    trainable, trainable_bytes = _weights_count_and_bytes(model.trainable_weights)
    frozen, frozen_bytes = _weights_count_and_bytes(model.non_trainable_weights)
    optimizer, optimizer_bytes = 0, 0
    opt = getattr(model, "optimizer", None)
    if opt is not None and getattr(opt, "built", False):
        optimizer, optimizer_bytes = _weights_count_and_bytes(opt.variables)
    return {"trainable": trainable, "trainable_bytes": trainable_bytes,
            "non_trainable": frozen, "non_trainable_bytes": frozen_bytes,
            "total": trainable + frozen, "total_bytes": trainable_bytes + frozen_bytes,
            "optimizer": optimizer, "optimizer_bytes": optimizer_bytes}


def model_summary_text(model):
    """Keras' own `model.summary()` as one string (no colour codes)."""
    parts = []
    model.summary(print_fn=lambda text, **_: parts.append(text))
    return "".join(parts).rstrip("\n")


_TABLE_STYLE = ("border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px;"
                "margin:2px 0")
_CELL = "border:1px solid #ccc;padding:2px 8px;"


def model_summary_bundle(model):
    """A Keras model (Sequential, functional or subclassed) as a MIME bundle: text/html is a table
    of its layers (name, type, output shape, parameters, and "Connected to" for functional models)
    with trainable / non-trainable / total parameters and their memory; text/plain is Keras' own
    summary text."""
    rows, functional = model_layers(model)
    totals = model_totals(model)
    head = ["Layer", "Type", "Output shape", "Params"] + (["Connected to"] if functional else [])
    out = [f'<div class="tspy-model-summary"><div style="font-weight:bold">Model: '
           f'{html.escape(model.name)} <span style="font-weight:normal">({html.escape(type(model).__name__)})</span></div>',
           f'<table style="{_TABLE_STYLE}"><thead><tr>']
    out += [f'<th style="{_CELL}text-align:left">{h}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        params = f"{r['params']:,}" if r["built"] else "0 (unbuilt)"
        cells = [html.escape(r["name"]), html.escape(r["type"]), html.escape(r["output_shape"])]
        out.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells)
                   + f'<td style="{_CELL}text-align:right" class="params">{params}</td>')
        if functional:
            out.append(f'<td style="{_CELL}">{html.escape(", ".join(r["connections"]) or "-")}</td>')
        out.append("</tr>")
    out.append(f'</tbody></table><table style="{_TABLE_STYLE}">')
    lines = [("Total params", totals["total"], totals["total_bytes"]),
             ("Trainable params", totals["trainable"], totals["trainable_bytes"]),
             ("Non-trainable params", totals["non_trainable"], totals["non_trainable_bytes"])]
    if totals["optimizer"]:
        lines.append(("Optimizer params", totals["optimizer"], totals["optimizer_bytes"]))
    for label, count, nbytes in lines:
        key = label.lower().replace(" ", "-").replace("-params", "")
        out.append(f'<tr><th style="{_CELL}text-align:left">{label}</th>'
                   f'<td style="{_CELL}text-align:right" class="{key}">{count:,}</td>'
                   f'<td style="{_CELL}text-align:right">{_readable_bytes(nbytes)}</td></tr>')
    out.append("</table></div>")
    try:
        text = model_summary_text(model)
    except Exception:
        text = repr(model)
    return {"text/html": "".join(out), "text/plain": text}


# ---- PyTorch modules -------------------------------------------------------------------------

class TorchSummary:
    """A torch `nn.Module` with an example input: displays as the module's summary table with the
    output shape of every submodule, found by running `module(*example_inputs)` once (see
    `torch_module_rows`). Made by `torch_summary(module, *example_inputs)`."""

    def __init__(self, module, example_inputs):
        self.module = module
        self.example_inputs = tuple(example_inputs)

    def __repr__(self):
        return repr(self.module)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return torch_module_bundle(self.module, self.example_inputs)


def torch_summary(module, *example_inputs):
    """A displayable summary of torch module `module`; with `example_inputs` (tensors, passed to
    `module(*example_inputs)` once, in eval mode and without gradients) the table has each
    submodule's output shape. A module with an `example_input_array` attribute (PyTorch
    Lightning's convention) gets output shapes when displayed directly too."""
    return TorchSummary(module, example_inputs)


def _torch_view(obj):
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(obj, torch.nn.Module):
        return None
    example = getattr(obj, "example_input_array", None)
    if example is None:
        example = ()
    elif not isinstance(example, (tuple, list)):
        example = (example,)
    return torch_module_bundle(obj, tuple(example))


def _torch_count(tensors):
    """(elements, bytes, unbuilt) of torch tensors, each counted once; lazy (uninitialized)
    parameters count 0 and set unbuilt."""
    import torch
    count = nbytes = 0
    unbuilt = False
    seen = set()
    for t in tensors:
        if t is None or id(t) in seen:
            continue
        seen.add(id(t))
        if isinstance(t, torch.nn.parameter.UninitializedTensorMixin):
            unbuilt = True
            continue
        count += t.numel()
        nbytes += t.numel() * t.element_size()
    return count, nbytes, unbuilt


def _torch_shape_text(value):
    import torch
    if isinstance(value, torch.Tensor):
        return "(" + ", ".join(str(n) for n in value.shape) + ("," if value.dim() == 1 else "") + ")"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_torch_shape_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_torch_shape_text(v)}" for k, v in value.items()) + "}"
    return type(value).__name__


def _torch_output_shapes(module, example_inputs):
    """Output shape text per submodule (dict module id -> text) from one forward pass of
    `module(*example_inputs)` with forward hooks, in eval mode and under `torch.no_grad()`; the
    training flags are restored afterwards. Returns (shapes, error text or None)."""
    import torch
    shapes = {}
    handles = []
    modes = {id(m): m.training for m in module.modules()}

    def hook(mod, _inputs, output):
        shapes.setdefault(id(mod), _torch_shape_text(output))

    try:
        for sub in module.modules():
            handles.append(sub.register_forward_hook(hook))
        module.eval()
        with torch.no_grad():
            module(*example_inputs)
        return shapes, None
    except Exception as exc:
        return shapes, f"{type(exc).__name__}: {exc}"
    finally:
        for handle in handles:
            handle.remove()
        for sub in module.modules():
            sub.training = modes.get(id(sub), sub.training)


def torch_module_rows(module, example_inputs=()):
    """One dict per submodule of a torch module (the module itself excluded), in registration
    order: name (qualified, "features.0"), type (class name), depth (1 for direct children),
    output_shape (text, "?" without an example input), params (parameters of the submodule and
    its children, each counted once), trainable (bool: any parameter requires grad) and built
    (False for lazy modules with uninitialized parameters). Also returns the error text of the
    example forward pass (None when it ran or there was none)."""
    shapes, error = _torch_output_shapes(module, example_inputs) if example_inputs else ({}, None)
    rows = []
    for name, sub in module.named_modules():
        if sub is module:
            continue
        params = list(sub.parameters())
        count, _, unbuilt = _torch_count(params)
        rows.append({"name": name, "type": type(sub).__name__, "depth": name.count(".") + 1,
                     "output_shape": shapes.get(id(sub), "?"), "params": count,
                     "trainable": any(p.requires_grad for p in params), "built": not unbuilt})
    root_shape = shapes.get(id(module))
    return rows, root_shape, error


def torch_module_totals(module):
    """Parameter counts and their memory (bytes) of a torch module: trainable (parameters that
    require grad), non_trainable (frozen parameters and buffers, e.g. BatchNorm's running
    statistics, as Keras counts them), total, *_bytes of each, and unbuilt (lazy parameters)."""
    params = list(module.parameters())
    trainable, trainable_bytes, unbuilt = _torch_count(p for p in params if p.requires_grad)
    frozen, frozen_bytes, unbuilt2 = _torch_count([p for p in params if not p.requires_grad] + list(module.buffers()))
    return {"trainable": trainable, "trainable_bytes": trainable_bytes,
            "non_trainable": frozen, "non_trainable_bytes": frozen_bytes,
            "total": trainable + frozen, "total_bytes": trainable_bytes + frozen_bytes,
            "unbuilt": unbuilt or unbuilt2}


def torch_module_bundle(module, example_inputs=()):
    """A torch `nn.Module` as a MIME bundle: text/html is the same kind of table as a Keras model's
    summary (submodule name indented by depth, type, output shape when `example_inputs` were given,
    parameters) with trainable / non-trainable / total parameters and their memory; text/plain is
    `repr(module)`."""
    rows, root_shape, error = torch_module_rows(module, example_inputs)
    totals = torch_module_totals(module)
    title = f"Module: {type(module).__name__}"
    out = [f'<div class="tspy-model-summary tspy-torch-summary"><div style="font-weight:bold">{html.escape(title)} '
           f'<span style="font-weight:normal">(torch.nn.Module'
           + (f", output {html.escape(root_shape)}" if root_shape else "") + ")</span></div>",
           f'<table style="{_TABLE_STYLE}"><thead><tr>']
    out += [f'<th style="{_CELL}text-align:left">{h}</th>' for h in ("Layer", "Type", "Output shape", "Params")]
    out.append("</tr></thead><tbody>")
    for r in rows:
        params = f"{r['params']:,}" if r["built"] else "0 (unbuilt)"
        indent = "&nbsp;&nbsp;" * (r["depth"] - 1)
        out.append(f'<tr><td style="{_CELL}">{indent}{html.escape(r["name"])}</td>'
                   f'<td style="{_CELL}">{html.escape(r["type"])}</td>'
                   f'<td style="{_CELL}">{html.escape(r["output_shape"])}</td>'
                   f'<td style="{_CELL}text-align:right" class="params">{params}</td></tr>')
    out.append(f'</tbody></table><table style="{_TABLE_STYLE}">')
    for label, count, nbytes in (("Total params", totals["total"], totals["total_bytes"]),
                                 ("Trainable params", totals["trainable"], totals["trainable_bytes"]),
                                 ("Non-trainable params", totals["non_trainable"], totals["non_trainable_bytes"])):
        key = label.lower().replace(" ", "-").replace("-params", "")
        out.append(f'<tr><th style="{_CELL}text-align:left">{label}</th>'
                   f'<td style="{_CELL}text-align:right" class="{key}">{count:,}</td>'
                   f'<td style="{_CELL}text-align:right">{_readable_bytes(nbytes)}</td></tr>')
    out.append("</table>")
    notes = []
    if not example_inputs:
        notes.append("output shapes: display tspy_display.torch_summary(module, example_input)")
    if error:
        notes.append(f"example forward pass failed: {error}")
    if totals["unbuilt"]:
        notes.append("lazy modules are not initialized yet")
    for note in notes:
        out.append(f'<div class="tspy-note" style="font-size:11px;color:#666">{html.escape(note)}</div>')
    out.append("</div>")
    return {"text/html": "".join(out), "text/plain": repr(module)}


# ---- tensors ---------------------------------------------------------------------------------

class _Tensor:
    """What the tensor view needs of an array-like: kind, shape, dtype, device and a way to take a
    strided sample as a numpy array without converting the whole tensor."""

    def __init__(self, kind, shape, dtype, device, take):
        self.kind = kind
        self.shape = tuple(int(n) for n in shape)
        self.dtype = dtype
        self.device = device
        self._take = take  # (tuple of slices) -> numpy array

    @property
    def size(self):
        return int(math.prod(self.shape))

    def sample(self, limit, first=None):
        """A numpy array of at most ~`limit` elements: every k-th element along each axis (the
        axes with the most elements are thinned first); `first` keeps only the first `first`
        entries of axis 0 before thinning. Returns (array, sampled: bool)."""
        shape = list(self.shape)
        head = slice(None)
        if first is not None and shape and shape[0] > first:
            shape[0] = first
            head = slice(0, first)
        steps = [1] * len(shape)
        counts = list(shape)
        while math.prod(counts) > limit and any(c > 1 for c in counts):
            axis = max(range(len(counts)), key=lambda i: counts[i])
            steps[axis] *= 2
            counts[axis] = -(-shape[axis] // steps[axis])
        slices = tuple(slice(head.start, head.stop, steps[0]) if i == 0 else slice(None, None, steps[i])
                       for i in range(len(shape)))
        sampled = any(s > 1 for s in steps)
        return self._take(slices), sampled


def _as_tensor(obj):
    """A `_Tensor` for numpy arrays, TensorFlow eager tensors/variables and torch tensors; None
    for anything else (torch is only looked at when the program imported it)."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray) and obj.ndim >= 1 and obj.dtype.kind in "biuf":
        return _Tensor("ndarray", obj.shape, str(obj.dtype), "cpu", lambda s: obj[s])
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(obj, (tf.Tensor, tf.Variable)) and hasattr(obj, "numpy"):
        dtype = obj.dtype
        if len(obj.shape) >= 1 and (dtype.is_floating or dtype.is_integer or dtype.is_bool):
            device = getattr(obj, "device", "") or "cpu"
            return _Tensor(type(obj).__name__, obj.shape, dtype.name, device,
                           lambda s: obj[s].numpy() if isinstance(obj, tf.Tensor) else obj.value()[s].numpy())
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor) and obj.dim() >= 1 and not obj.is_complex():
        def take(s):
            part = obj.detach()[s]
            if part.dtype == torch.bfloat16 or part.dtype == torch.float16:
                part = part.float()
            return part.cpu().numpy()
        return _Tensor("Tensor", tuple(obj.shape), str(obj.dtype).replace("torch.", ""), str(obj.device), take)
    return None


def tensor_stats(values):
    """Statistics of a numpy array (any shape, bool/int/float): dict with count, nan, inf (counts)
    and min, max, mean, std over the finite values (None when there are none)."""
    import numpy as np
    flat = np.asarray(values).reshape(-1)
    stats = {"count": int(flat.size), "nan": 0, "inf": 0, "min": None, "max": None, "mean": None, "std": None}
    if flat.dtype.kind == "f":
        nan = np.isnan(flat)
        inf = np.isinf(flat)
        stats["nan"], stats["inf"] = int(nan.sum()), int(inf.sum())
        flat = flat[~(nan | inf)]
    if flat.size:
        as_float = flat.astype(np.float64)
        stats.update(min=float(as_float.min()), max=float(as_float.max()),
                     mean=float(as_float.mean()), std=float(as_float.std()))
    return stats


def _fmt(x):
    if x is None:
        return "–"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _image_layout(shape):
    """How a tensor of `shape` is drawn: "grid" (N,H,W or N,H,W,C with C in 1/3/4), "image"
    (H,W,C with C in 3/4), "heatmap" (2-D) or None."""
    if len(shape) == 4 and shape[-1] in (1, 3, 4) and shape[1] >= 2 and shape[2] >= 2:
        return "grid"
    if len(shape) == 3 and shape[-1] in (3, 4) and shape[0] >= 8 and shape[1] >= 8:
        return "image"
    if len(shape) == 3 and shape[1] >= 4 and shape[2] >= 4:
        return "grid"
    if len(shape) == 2 and shape[0] >= 2 and shape[1] >= 2:
        return "heatmap"
    return None


def _to_uint8(images):
    """Scales pixel values to 0..255: uint8 as is, floats within [0, 1] times 255, anything
    else min-max over the given pixels (NaN -> 0)."""
    import numpy as np
    a = np.asarray(images)
    if a.dtype == np.uint8:
        return a
    a = a.astype(np.float64)
    a = np.where(np.isfinite(a), a, np.nan)
    lo, hi = (np.nanmin(a), np.nanmax(a)) if np.isfinite(a).any() else (0.0, 1.0)
    if a.dtype.kind == "f" and lo >= 0 and hi <= 1:
        lo, hi = 0.0, 1.0
    scaled = (a - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(a)
    return np.nan_to_num(scaled, nan=0.0).clip(0, 255).astype(np.uint8)


def _png(array):
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _upscale(array, target=48, cap=512):
    """Nearest-neighbour enlargement by a whole factor so that the longer side reaches at least
    `target` px, without passing `cap` px."""
    import numpy as np
    h, w = array.shape[:2]
    k = max(1, min(-(-target // max(h, w)), cap // max(h, w)))
    return np.repeat(np.repeat(array, k, axis=0), k, axis=1) if k > 1 else array


def image_grid_png(batch):
    """A batch of images (numpy, N×H×W or N×H×W×C with C 1, 3 or 4) as one PNG (base64): a grid
    of ceil(sqrt(N)) columns, each image enlarged to at least 48 px, 2 px apart."""
    import numpy as np
    pixels = _to_uint8(batch)
    if pixels.ndim == 4 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    n, h, w = pixels.shape[:3]
    tiles = [_upscale(p) for p in pixels]
    th, tw = tiles[0].shape[:2]
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    gap = 2
    shape = (rows * (th + gap) - gap, cols * (tw + gap) - gap) + tiles[0].shape[2:]
    grid = np.full(shape, 255, dtype=np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[r * (th + gap): r * (th + gap) + th, c * (tw + gap): c * (tw + gap) + tw] = tile
    return _png(grid)


def heatmap_png(matrix):
    """A 2-D numpy array as a PNG (base64) through matplotlib's viridis colormap, min-max scaled
    over the finite values (NaN and ±Inf grey), enlarged so the longer side is about 256 px."""
    import numpy as np
    import matplotlib
    a = np.asarray(matrix, dtype=np.float64)
    finite = np.isfinite(a)
    lo, hi = (a[finite].min(), a[finite].max()) if finite.any() else (0.0, 1.0)
    norm = np.where(finite, (a - lo) / (hi - lo) if hi > lo else 0.5, 0.0)
    rgba = matplotlib.colormaps["viridis"](norm, bytes=True)
    rgba[~finite] = (128, 128, 128, 255)
    return _png(_upscale(rgba[..., :3].copy(), target=256, cap=768))


def _values_table(values):
    import numpy as np
    a = np.asarray(values)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    cells = []
    for row in a:
        cells.append("<tr>" + "".join(f'<td style="{_CELL}text-align:right">{html.escape(_value_text(v))}</td>'
                                      for v in row) + "</tr>")
    return f'<table class="tspy-values" style="{_TABLE_STYLE}">{"".join(cells)}</table>'


def _value_text(v):
    if isinstance(v, (bool,)) or getattr(v, "dtype", None) is not None and v.dtype.kind == "b":
        return str(bool(v))
    if getattr(v, "dtype", None) is not None and v.dtype.kind in "iu":
        return str(int(v))
    return f"{float(v):.4g}"


def _tensor_view(obj):
    tensor = _as_tensor(obj)
    return None if tensor is None else tensor_bundle(tensor, plain=repr(obj) if tensor.kind == "ndarray" else None)


def tensor_bundle(tensor, plain=None):
    """The tensor view of a `_Tensor` as a MIME bundle.

    text/plain: a header (kind, shape, dtype, device), the statistics, then `plain` (numpy's own
    repr, which summarises large arrays) or the values of a small tensor.
    text/html: a table of shape, dtype, device, min, max, mean, std, NaN and Inf counts (computed
    over a strided sample of at most STATS_SAMPLE_LIMIT elements for larger tensors, which the view
    says), then every value for tensors of at most TABLE_LIMIT elements and 2 dimensions, or a
    picture: an image grid for (N,H,W[,C]) batches (the first GRID_LIMIT images), an image for
    (H,W,3|4), a heatmap for 2-D tensors (strided to at most 512×512).
    image/png: the picture, when there is one. Never converts the whole of a large tensor."""
    sample, sampled = tensor.sample(STATS_SAMPLE_LIMIT)
    stats = tensor_stats(sample)
    shape_text = "(" + ", ".join(str(n) for n in tensor.shape) + ("," if len(tensor.shape) == 1 else "") + ")"
    note = (f"statistics over a strided sample of {stats['count']:,} of {tensor.size:,} elements"
            if sampled else "")
    header = f"{tensor.kind} shape={shape_text} dtype={tensor.dtype} device={tensor.device}"
    stat_line = (f"min={_fmt(stats['min'])} max={_fmt(stats['max'])} mean={_fmt(stats['mean'])} "
                 f"std={_fmt(stats['std'])} nan={stats['nan']} inf={stats['inf']}" + (f" ({note})" if note else ""))
    small = tensor.size <= TABLE_LIMIT and len(tensor.shape) <= 2 and max(tensor.shape) <= 32
    if plain is None:
        plain = repr(sample) if small else ""
    data = {"text/plain": "\n".join(part for part in (header, stat_line, plain) if part)}
    layout = _image_layout(tensor.shape)
    picture = None
    if not small and layout == "grid":
        batch, _ = tensor.sample(GRID_LIMIT * 128 * 128 * 3, first=GRID_LIMIT)
        picture = image_grid_png(batch)
    elif not small and layout == "image":
        image, _ = tensor.sample(1024 * 1024 * 4)
        picture = _png(_upscale(_to_uint8(image)))
    elif not small and layout == "heatmap":
        matrix, _ = tensor.sample(512 * 512)
        picture = heatmap_png(matrix)
    rows = [("shape", shape_text), ("dtype", tensor.dtype), ("device", tensor.device),
            ("min", _fmt(stats["min"])), ("max", _fmt(stats["max"])), ("mean", _fmt(stats["mean"])),
            ("std", _fmt(stats["std"])), ("NaN", str(stats["nan"])), ("Inf", str(stats["inf"]))]
    out = [f'<div class="tspy-tensor"><table style="{_TABLE_STYLE}"><tr>']
    out += [f'<th style="{_CELL}">{k}</th>' for k, _ in rows]
    out.append("</tr><tr>")
    out += [f'<td style="{_CELL}" class="{k.lower()}">{html.escape(v)}</td>' for k, v in rows]
    out.append("</tr></table>")
    out.append(f'<div style="font-size:11px;color:#666">{html.escape(tensor.kind)}'
               + (f"; {html.escape(note)}" if note else "") + "</div>")
    if small:
        out.append(_values_table(sample))
    if picture is not None:
        data["image/png"] = picture
        out.append(f'<img src="data:image/png;base64,{picture}" alt="{html.escape(layout)} of {shape_text}"/>')
    out.append("</div>")
    data["text/html"] = "".join(out)
    return data


def array_bundle_json(buffer):
    """The tensor view of a 1-D buffer (a TS TypedArray seen from Python) as JSON text; the array
    shares the buffer's memory (np.asarray copies nothing)."""
    import numpy as np
    return json.dumps(mime_bundle(np.asarray(buffer)), default=_json_default)


# ---- training charts ---------------------------------------------------------------------------

def _series(history):
    """(metric, split, values) per Keras history key: "val_x" is x's validation series."""
    out = []
    for key, values in history.items():
        if key == "learning_rate":
            continue
        split = "validation" if key.startswith("val_") else "training"
        metric = key[4:] if split == "validation" else key
        out.append((metric, split, [float(v) for v in values]))
    return out


def training_chart_vegalite(epochs, history, title="Training"):
    """A Vega-Lite v5 spec (dict) of Keras history: one panel per metric (loss first), a line per
    split (training, validation), x = epoch (1-based), y = value, one point per epoch."""
    values = [{"epoch": int(e) + 1, "metric": metric, "split": split, "value": v}
              for metric, split, series in _series(history) for e, v in zip(epochs, series)
              if math.isfinite(v)]
    metrics = sorted({d["metric"] for d in values}, key=lambda m: (m != "loss", m))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "data": {"values": values},
        "facet": {"column": {"field": "metric", "type": "nominal", "sort": metrics, "title": None}},
        "spec": {
            "width": 240, "height": 160,
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "epoch", "type": "quantitative", "axis": {"tickMinStep": 1}},
                "y": {"field": "value", "type": "quantitative", "scale": {"zero": False}},
                "color": {"field": "split", "type": "nominal", "title": None},
            },
        },
        "resolve": {"scale": {"y": "independent"}},
    }


def training_chart_svg(epochs, history, title="Training"):
    """The same chart as `training_chart_vegalite`, drawn with matplotlib's SVG backend (text kept
    as text); returns the SVG document as a string."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    import matplotlib
    series = _series(history)
    metrics = sorted({m for m, _, _ in series}, key=lambda m: (m != "loss", m)) or ["loss"]
    fig = Figure(figsize=(3.4 * len(metrics), 2.6), layout="constrained")
    FigureCanvasSVG(fig)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    x = [int(e) + 1 for e in epochs]
    for ax, metric in zip(axes, metrics):
        for m, split, values in series:
            if m == metric:
                ax.plot(x[: len(values)], values, marker="o", markersize=3, label=split)
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tspy"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def training_chart_bundle(epochs, history, title="Training"):
    """Keras history (epochs: 0-based ints; history: dict name -> per-epoch values) as a bundle:
    application/vnd.vegalite.v5+json, image/svg+xml of the same chart, and text/plain (the last
    epoch's values)."""
    last = ", ".join(f"{k}={float(v[-1]):.4g}" for k, v in history.items() if v)
    return {
        "application/vnd.vegalite.v5+json": training_chart_vegalite(epochs, history, title),
        "image/svg+xml": training_chart_svg(epochs, history, title),
        "text/plain": f"{title}: {len(epochs)} epoch{'s' if len(epochs) != 1 else ''}" + (f"; {last}" if last else ""),
    }


def live_plot_callback():
    """A new Keras callback that shows the training chart after the first epoch (display_data with
    a display_id) and replaces it after every later epoch (update_display_data), during `fit`."""
    keras = sys.modules.get("keras") or importlib.import_module("keras")

    class LivePlot(keras.callbacks.Callback):
        """Live training chart of loss and metrics per epoch (see tspy_display.live_plot)."""

        def on_train_begin(self, logs=None):
            self.display_id = f"tspy-fit-{uuid.uuid4().hex}"
            self.epochs = []
            self.history = {}
            self.failed = False

        def on_epoch_end(self, epoch, logs=None):
            if self.failed:
                return
            self.epochs.append(epoch)
            for key, value in (logs or {}).items():
                self.history.setdefault(key, []).append(float(value))
            try:
                data = training_chart_bundle(self.epochs, self.history, title="Training")
                content = {"data": data, "metadata": {}, "transient": {"display_id": self.display_id}}
                publish("display_data" if len(self.epochs) == 1 else "update_display_data", content)
            except Exception as exc:  # the chart must never stop training
                self.failed = True
                sys.stderr.write(f"tspy: live training chart disabled for this fit: {exc!r}\n")

    return LivePlot()
