"""The PyTorch module view: the same kind of summary table as a Keras model's, with output shapes
from one example forward pass."""
import html
import sys

from .markup import CELL_STYLE, TABLE_STYLE, readable_bytes


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


def torch_view(obj):
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
           f'<table style="{TABLE_STYLE}"><thead><tr>']
    out += [f'<th style="{CELL_STYLE}text-align:left">{h}</th>' for h in ("Layer", "Type", "Output shape", "Params")]
    out.append("</tr></thead><tbody>")
    for r in rows:
        params = f"{r['params']:,}" if r["built"] else "0 (unbuilt)"
        indent = "&nbsp;&nbsp;" * (r["depth"] - 1)
        out.append(f'<tr><td style="{CELL_STYLE}">{indent}{html.escape(r["name"])}</td>'
                   f'<td style="{CELL_STYLE}">{html.escape(r["type"])}</td>'
                   f'<td style="{CELL_STYLE}">{html.escape(r["output_shape"])}</td>'
                   f'<td style="{CELL_STYLE}text-align:right" class="params">{params}</td></tr>')
    out.append(f'</tbody></table><table style="{TABLE_STYLE}">')
    for label, count, nbytes in (("Total params", totals["total"], totals["total_bytes"]),
                                 ("Trainable params", totals["trainable"], totals["trainable_bytes"]),
                                 ("Non-trainable params", totals["non_trainable"], totals["non_trainable_bytes"])):
        key = label.lower().replace(" ", "-").replace("-params", "")
        out.append(f'<tr><th style="{CELL_STYLE}text-align:left">{label}</th>'
                   f'<td style="{CELL_STYLE}text-align:right" class="{key}">{count:,}</td>'
                   f'<td style="{CELL_STYLE}text-align:right">{readable_bytes(nbytes)}</td></tr>')
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
