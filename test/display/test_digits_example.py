"""examples/digits.ipynb, executed by nbclient with the tspy kernel, shows its model summary, a
tensor view of a batch of digits as images and a live training chart; nbconvert's HTML export of
the executed notebook shows all three."""
import base64
import io
import pathlib
import re

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
VEGALITE = "application/vnd.vegalite.v5+json"


class RecordingClient(NotebookClient):
    """Records the iopub message types each cell received, in arrival order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received = {}

    def process_message(self, msg, cell, cell_index):
        self.received.setdefault(cell_index, []).append(msg["msg_type"])
        return super().process_message(msg, cell, cell_index)


def _outputs(nb, source_start):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert len(cells) == 1, source_start
    return cells[0].outputs


def test_digits_notebook_shows_summary_tensor_view_and_live_chart_also_in_html_export():
    path = ROOT / "examples" / "digits.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = RecordingClient(nb, kernel_name="tspy", timeout=900, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    assert not any(o["output_type"] == "error" for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))

    # The model summary: 64*64+64 + 64*32+32 + 32*10+10 parameters.
    summary = _outputs(nb, "model")[0]["data"]
    assert re.search(r'class="total">6,570<', summary["text/html"])
    assert "Total params: 6,570" in summary["text/plain"]

    # The tensor view of the digits as 8x8 images: 64 of them in an 8x8 grid of 48-px tiles.
    tensor = _outputs(nb, "images.reshape(-1, 8, 8)")[0]["data"]
    assert '>(1797, 8, 8)<' in tensor["text/html"] and 'class="max">1<' in tensor["text/html"]
    grid = Image.open(io.BytesIO(base64.b64decode(tensor["image/png"])))
    assert grid.size == (8 * 48 + 7 * 2, 8 * 48 + 7 * 2)

    # The live chart: shown at the first epoch, replaced in place after each of the 40 epochs,
    # and the notebook keeps one chart with 40 points per series (test_training_plot proves that
    # the updates are published during fit, not after it).
    fit_index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "model.fit(" in c.source)
    kinds = client.received[fit_index]
    assert kinds.count("display_data") == 1 and kinds.count("update_display_data") == 39
    assert kinds.index("display_data") < kinds.index("update_display_data")
    charts = [o for o in nb.cells[fit_index].outputs if o["output_type"] == "display_data" and VEGALITE in o["data"]]
    assert len(charts) == 1
    values = charts[0]["data"][VEGALITE]["data"]["values"]
    for metric in ("loss", "accuracy"):
        for split in ("training", "validation"):
            assert [v["epoch"] for v in values if v["metric"] == metric and v["split"] == split] == list(range(1, 41))
    assert len(re.findall(r"Epoch \d+/40", "".join(o.get("text", "") for o in nb.cells[fit_index].outputs))) == 40

    html, _ = HTMLExporter().from_notebook_node(nb)
    assert 'class="tspy-model-summary"' in html and ">6,570<" in html
    assert 'class="tspy-tensor"' in html and 'alt="grid of (1797, 8, 8)"' in html
    # The chart is exported as its SVG rendering (nbconvert embeds it as a base64 data URL).
    svgs = re.findall(r'data-mime-type="image/svg\+xml"[^>]*>\s*<img[^>]* src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(svgs) == 1
    svg = base64.b64decode(svgs[0]).decode()
    assert "<svg" in svg and ">validation<" in svg.replace("\n", "") and ">accuracy<" in svg.replace("\n", "")
