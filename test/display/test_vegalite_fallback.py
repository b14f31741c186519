"""Vega-Lite charts carry a static SVG rendered in the kernel (vega's headless renderer), so that
nbconvert's HTML, GitHub and VS Code show them; and what `nbconvert --to script` makes of a tspy
notebook with `%%python` cells."""
import base64
import pathlib
import re
import subprocess

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from display_helpers import displays, execute, ok

ROOT = pathlib.Path(__file__).resolve().parents[2]
JUPYTER = ROOT / "python-env" / ".venv" / "bin" / "jupyter"
VEGALITE = "application/vnd.vegalite.v5+json"

BAR_CHART = """display.vegalite({
  data: { values: [{ fruit: "apple", n: 28 }, { fruit: "banana", n: 55 }, { fruit: "cherry", n: 43 }] },
  mark: "bar",
  encoding: { x: { field: "fruit", type: "nominal" }, y: { field: "n", type: "quantitative" } },
});"""


def test_display_vegalite_carries_an_svg_of_the_same_chart(kc):
    run = ok(execute(kc, BAR_CHART))
    data = displays(run)[0]["data"]
    assert data[VEGALITE]["mark"] == "bar"
    svg = data["image/svg+xml"]
    assert svg.startswith("<svg")
    # One bar per row, and the categories as axis labels.
    assert len(re.findall(r'<path[^>]*aria-roledescription="bar"', svg)) == 3
    for fruit in ("apple", "banana", "cherry"):
        assert f">{fruit}</text>" in svg


def test_display_vegalite_of_a_broken_spec_is_a_cell_error(kc):
    run = execute(kc, 'display.vegalite({ mark: "bar", encoding: { x: { field: "a", type: "no-such-type" } } });')
    assert run.reply["content"]["status"] == "error"
    assert "Vega-Lite could not render the chart" in run.reply["content"]["evalue"]
    assert displays(run) == []


def _tspy_notebook(tmp_path, sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "tspy", "display_name": "TypeScript + Python", "language": "typescript"}
    path = tmp_path / "chart.ipynb"
    nbformat.write(nb, path)
    return path


def _nbconvert(path, *args):
    r = subprocess.run([str(JUPYTER), "nbconvert", *args, str(path)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r


def test_nbconvert_html_export_shows_the_chart_as_svg(tmp_path):
    path = _tspy_notebook(tmp_path, [BAR_CHART])
    _nbconvert(path, "--to", "html", "--execute", "--ExecutePreprocessor.timeout=300")
    html = (tmp_path / "chart.html").read_text()
    # nbconvert embeds an image/svg+xml output as an <img> of a data: URL of the <svg> document.
    images = re.findall(r'<img [^>]*src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(images) == 1, "the chart is an image in the export"
    svg = base64.b64decode(images[0]).decode()
    assert svg.startswith("<svg") and ">banana</text>" in svg
    assert "&lt;Vega-Lite chart&gt;" not in html


def test_nbconvert_to_script_writes_a_ts_file_that_keeps_python_cells_verbatim(tmp_path):
    path = _tspy_notebook(tmp_path, ['const n = 2;\nconsole.log(n);', '%%python\nprint("from python")'])
    # A notebook saved after a run holds the kernel's language_info (file_extension ".ts",
    # nbconvert_exporter "script"), one language for the whole notebook: the %%python cell lands in
    # the .ts file with its magic line, as the README says.
    _nbconvert(path, "--to", "notebook", "--execute", "--output", "saved")
    assert nbformat.read(tmp_path / "saved.ipynb", as_version=4).metadata.language_info.file_extension == ".ts"
    _nbconvert(tmp_path / "saved.ipynb", "--to", "script")
    script = (tmp_path / "saved.ts").read_text()
    assert "const n = 2;" in script
    assert '%%python\nprint("from python")' in script
