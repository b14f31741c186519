"""matplotlib inline: figures as image/png, `plt.show()` and the end-of-cell rule of IPython's
inline backend."""
import base64
import io
import sys

from .publishing import outbox, publish, shown_figures


def is_pyplot_figure(obj):
    figure = sys.modules.get("matplotlib.figure")
    return figure is not None and isinstance(obj, figure.Figure)


def _figure_png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure_view(obj):
    if not is_pyplot_figure(obj):
        return None
    return {"image/png": _figure_png(obj), "text/plain": repr(obj)}


def show_figures():
    """Publishes every open pyplot figure not yet displayed this cell as image/png, then closes
    them all. Does nothing when matplotlib.pyplot was never imported."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None or outbox.send is None:
        return
    for num in pyplot.get_fignums():
        fig = pyplot.figure(num)
        if id(fig) not in shown_figures:
            publish("display_data", {"data": figure_view(fig), "metadata": {}})
    pyplot.close("all")
