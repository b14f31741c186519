"""Training charts of Keras histories (Vega-Lite with an SVG fallback) and the live chart callback
attached to `keras.Model.fit`."""
import importlib
import io
import math
import sys
import uuid

from .publishing import publish


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


def training_chart_bundle(epochs, history, title="Training", svg=True):
    """Keras history (epochs: 0-based ints; history: dict name -> per-epoch values) as a bundle:
    application/vnd.vegalite.v5+json, image/svg+xml of the same chart (left out with `svg=False`:
    matplotlib's drawing costs tens of ms, more than a short epoch), and text/plain (the last
    epoch's values)."""
    last = ", ".join(f"{k}={float(v[-1]):.4g}" for k, v in history.items() if v)
    data = {"application/vnd.vegalite.v5+json": training_chart_vegalite(epochs, history, title)}
    if svg:
        data["image/svg+xml"] = training_chart_svg(epochs, history, title)
    data["text/plain"] = f"{title}: {len(epochs)} epoch{'s' if len(epochs) != 1 else ''}" + (f"; {last}" if last else "")
    return data


def live_plot_callback():
    """A new Keras callback that shows the training chart after the first epoch (display_data with
    a display_id) and replaces it after every later epoch (update_display_data), during `fit`.
    The updates during training carry the Vega-Lite chart only (cheap: a small dict per epoch); the
    last one (after the last epoch, or at the end of a fit stopped early) also has
    the SVG fallback, so a saved notebook shows the chart where Vega-Lite is not rendered."""
    keras = sys.modules.get("keras") or importlib.import_module("keras")

    class LivePlot(keras.callbacks.Callback):
        """Live training chart of loss and metrics per epoch (see tspy_display.live_plot)."""

        def on_train_begin(self, logs=None):
            self.display_id = f"tspy-fit-{uuid.uuid4().hex}"
            self.epochs = []
            self.history = {}
            self.failed = False
            self.shown = False  # display_data sent; later charts are update_display_data
            self.complete = True  # the last chart sent has the SVG fallback

        def _publish(self, final):
            try:
                data = training_chart_bundle(self.epochs, self.history, title="Training", svg=final)
                content = {"data": data, "metadata": {}, "transient": {"display_id": self.display_id}}
                publish("update_display_data" if self.shown else "display_data", content)
                self.shown = True
                self.complete = final
            except Exception as exc:  # the chart must never stop training
                self.failed = True
                sys.stderr.write(f"tspy: live training chart disabled for this fit: {exc!r}\n")

        def on_epoch_end(self, epoch, logs=None):
            if self.failed:
                return
            self.epochs.append(epoch)
            for key, value in (logs or {}).items():
                self.history.setdefault(key, []).append(float(value))
            last = (self.params or {}).get("epochs")
            self._publish(final=last is not None and epoch + 1 >= last)

        def on_train_end(self, logs=None):
            if not self.failed and self.epochs and not self.complete:
                self._publish(final=True)

    return LivePlot()
