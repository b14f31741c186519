"""The tensor view of numpy arrays, TensorFlow tensors and torch tensors: statistics over a strided
sample, every value of small tensors, a picture (image grid, image, heatmap) of large ones."""
import base64
import html
import io
import json
import math
import pathlib
import sys

from .markup import CELL_STYLE, TABLE_STYLE


#: The tensor view's limits, shared with the TS view of TypedArrays (kernel/display/display.ts):
#: defined once, in tensor_limits.json next to this file.
_LIMITS = json.loads(pathlib.Path(__file__).with_name("tensor_limits.json").read_text(encoding="utf-8"))

#: Tensors with more elements than this have their statistics computed over a strided sample.
STATS_SAMPLE_LIMIT = int(_LIMITS["stats_sample_limit"])

#: Tensors with at most this many elements (and at most 2 dimensions, TABLE_SIDE_LIMIT per side)
#: show every value as a table (`shows_every_value`).
TABLE_LIMIT = int(_LIMITS["table_limit"])

#: The most elements along any one axis of a tensor that shows every value.
TABLE_SIDE_LIMIT = int(_LIMITS["table_side_limit"])

#: Image grids show at most this many images of a batch (the first ones).
GRID_LIMIT = int(_LIMITS["grid_limit"])


def shows_every_value(shape):
    """Whether the tensor view of a tensor of `shape` (elements per axis) lists every value: at
    most TABLE_LIMIT elements, at most 2 dimensions, at most TABLE_SIDE_LIMIT along each."""
    return math.prod(shape) <= TABLE_LIMIT and len(shape) <= 2 and max(shape, default=0) <= TABLE_SIDE_LIMIT


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
        cells.append("<tr>" + "".join(f'<td style="{CELL_STYLE}text-align:right">{html.escape(_value_text(v))}</td>'
                                      for v in row) + "</tr>")
    return f'<table class="tspy-values" style="{TABLE_STYLE}">{"".join(cells)}</table>'


def _value_text(v):
    if isinstance(v, (bool,)) or getattr(v, "dtype", None) is not None and v.dtype.kind == "b":
        return str(bool(v))
    if getattr(v, "dtype", None) is not None and v.dtype.kind in "iu":
        return str(int(v))
    return f"{float(v):.4g}"


def tensor_view(obj):
    tensor = _as_tensor(obj)
    return None if tensor is None else tensor_bundle(tensor, plain=repr(obj) if tensor.kind == "ndarray" else None)


def tensor_bundle(tensor, plain=None):
    """The tensor view of a `_Tensor` as a MIME bundle.

    text/plain: a header (kind, shape, dtype, device), the statistics, then `plain` (numpy's own
    repr, which summarises large arrays) or the values of a small tensor.
    text/html: a table of shape, dtype, device, min, max, mean, std, NaN and Inf counts (computed
    over a strided sample of at most STATS_SAMPLE_LIMIT elements for larger tensors, which the view
    says), then every value when `shows_every_value(shape)`, or a
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
    small = shows_every_value(tensor.shape)
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
    out = [f'<div class="tspy-tensor"><table style="{TABLE_STYLE}"><tr>']
    out += [f'<th style="{CELL_STYLE}">{k}</th>' for k, _ in rows]
    out.append("</tr><tr>")
    out += [f'<td style="{CELL_STYLE}" class="{k.lower()}">{html.escape(v)}</td>' for k, v in rows]
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
