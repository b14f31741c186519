"""IPython's display protocol: `display`/`update_display`/`clear_output`, display handles, and the
MIME bundle of any object (tspy's views first, then the `_repr_*_` methods)."""
import base64
import json
import uuid

from .figures import figure_view, is_pyplot_figure
from .keras_view import keras_view
from .publishing import json_default, publish, shown_figures
from .tensor_view import tensor_view
from .torch_view import torch_view


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
        if is_pyplot_figure(obj):
            shown_figures.add(id(obj))
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
        for view in (keras_view, torch_view, tensor_view, figure_view):
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
    return json.dumps(mime_bundle(obj), default=json_default)


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
