"""MIME bundles and the display protocol inside the embedded interpreter: IPython's `_repr_*_`
protocol, `display`/`update_display`/`clear_output`, matplotlib inline, Keras model summaries,
PyTorch module summaries, tensor views and live training charts. Publishes through one TS callback;
knows nothing of sockets or of the messaging spec beyond the content of display_data,
update_display_data and clear_output (Jupyter messaging spec, "Display Data", "Update Display
Data", "Clear output").

One module per job: `publishing` (the way out, from any thread), `protocol` (display functions and
MIME bundles), `hooks` (IPython, pyplot and Keras patched on import), `session` (install and the
end-of-cell step), and one module per view: `figures`, `keras_view`, `torch_view`, `tensor_view`,
`charts`; `markup` holds the HTML styles the views share."""

#: Set to False (from Python, or from TS: `display.livePlot = false`) to stop attaching the live
#: training chart to `keras.Model.fit`. Read at every fit (hooks.py).
live_plot = True

from .charts import live_plot_callback, training_chart_bundle, training_chart_svg, training_chart_vegalite  # noqa: E402
from .figures import show_figures  # noqa: E402
from .keras_view import model_layers, model_summary_bundle, model_summary_text, model_totals  # noqa: E402
from .protocol import DisplayHandle, clear_output, display, mime_bundle, mime_bundle_json, update_display  # noqa: E402
from .publishing import ExecutorOutbox, flush_pending, publish  # noqa: E402
from .session import after_cell, install  # noqa: E402
from .tensor_view import (GRID_LIMIT, STATS_SAMPLE_LIMIT, TABLE_LIMIT, TABLE_SIDE_LIMIT, heatmap_png,  # noqa: E402
                          image_grid_png, shows_every_value, tensor_bundle, tensor_stats)
from .torch_view import TorchSummary, torch_module_bundle, torch_module_rows, torch_module_totals, torch_summary  # noqa: E402

__all__ = [
    "live_plot", "install", "after_cell", "publish", "flush_pending", "ExecutorOutbox",
    "display", "update_display", "clear_output", "DisplayHandle", "mime_bundle", "mime_bundle_json",
    "show_figures", "model_layers", "model_totals", "model_summary_text", "model_summary_bundle",
    "TorchSummary", "torch_summary", "torch_module_rows", "torch_module_totals", "torch_module_bundle",
    "STATS_SAMPLE_LIMIT", "TABLE_LIMIT", "TABLE_SIDE_LIMIT", "GRID_LIMIT", "shows_every_value",
    "tensor_stats", "tensor_bundle", "image_grid_png",
    "heatmap_png", "training_chart_vegalite", "training_chart_svg", "training_chart_bundle",
    "live_plot_callback",
]
