"""The example notebook, executed by nbclient with the tspy kernel, trains Keras to >= 0.9."""
import pathlib
import re

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def test_digits_notebook_trains_to_90_percent_test_accuracy():
    path = ROOT / "examples" / "digits.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="tspy", timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
    texts = [_text(c) for c in nb.cells if c.cell_type == "code"]
    everything = "\n".join(texts)
    assert not any(o["output_type"] == "error" for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    # The notebook a teacher hands out type-checks clean: no warn-mode type errors on stderr.
    assert "error TS" not in everything, everything
    # Keras' own training log (verbose=2: a line per epoch) reached the notebook.
    assert len(re.findall(r"Epoch \d+/40", everything)) == 40
    assert "val_accuracy" in everything
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", everything).group(1))
    assert accuracy >= 0.9
    # The in-place scaling done in TypeScript is seen by Python.
    assert "min 0.0, max 1.0" in everything
    # Python read TypeScript's number; TypeScript read Python's dict.
    assert f"TypeScript measured a test accuracy of {accuracy:.3f}" in everything
    assert "best_val_accuracy" in texts[-1]
