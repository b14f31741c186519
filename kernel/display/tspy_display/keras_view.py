"""The Keras model view: a summary table (layers, shapes, parameters, memory) beside Keras' own text."""
import html
import math
import sys

from .charts import training_chart_bundle
from .markup import CELL_STYLE, TABLE_STYLE, readable_bytes


def keras_view(obj):
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
           f'<table style="{TABLE_STYLE}"><thead><tr>']
    out += [f'<th style="{CELL_STYLE}text-align:left">{h}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        params = f"{r['params']:,}" if r["built"] else "0 (unbuilt)"
        cells = [html.escape(r["name"]), html.escape(r["type"]), html.escape(r["output_shape"])]
        out.append("<tr>" + "".join(f'<td style="{CELL_STYLE}">{c}</td>' for c in cells)
                   + f'<td style="{CELL_STYLE}text-align:right" class="params">{params}</td>')
        if functional:
            out.append(f'<td style="{CELL_STYLE}">{html.escape(", ".join(r["connections"]) or "-")}</td>')
        out.append("</tr>")
    out.append(f'</tbody></table><table style="{TABLE_STYLE}">')
    lines = [("Total params", totals["total"], totals["total_bytes"]),
             ("Trainable params", totals["trainable"], totals["trainable_bytes"]),
             ("Non-trainable params", totals["non_trainable"], totals["non_trainable_bytes"])]
    if totals["optimizer"]:
        lines.append(("Optimizer params", totals["optimizer"], totals["optimizer_bytes"]))
    for label, count, nbytes in lines:
        key = label.lower().replace(" ", "-").replace("-params", "")
        out.append(f'<tr><th style="{CELL_STYLE}text-align:left">{label}</th>'
                   f'<td style="{CELL_STYLE}text-align:right" class="{key}">{count:,}</td>'
                   f'<td style="{CELL_STYLE}text-align:right">{readable_bytes(nbytes)}</td></tr>')
    out.append("</table></div>")
    try:
        text = model_summary_text(model)
    except Exception:
        text = repr(model)
    return {"text/html": "".join(out), "text/plain": text}
