"""examples/distributed-dask.ipynb, executed by nbclient with the tspy kernel as a user runs it: its
first cell installs Dask through tspy.pyInstall (the project's extras step), the Monte Carlo tasks
of a %%python cell run in Dask's worker processes (not the kernel's) and return to TypeScript, and
a chunked array's column means come back from Dask's threads as a Float64Array."""
import pathlib
import re

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _stdout(nb, source_start):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert len(cells) == 1, source_start
    return "".join(o.get("text", "") for o in cells[0].outputs if o["output_type"] == "stream" and o["name"] == "stdout")


def test_distributed_notebook_runs_python_tasks_in_worker_processes_and_returns_results_to_ts():
    path = ROOT / "examples" / "distributed-dask.ipynb"
    nb = nbformat.read(path, as_version=4)
    # pip may install Dask in the first cell (the local index; minutes on a loaded machine).
    NotebookClient(nb, kernel_name="tspy", timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == [], errors

    tasks = _stdout(nb, 'const dask = tspy.import("dask")')
    m = re.search(r"(\d+) tasks ran in (\d+) worker process\(es\); the kernel \(pid \d+\) ran (\w+)", tasks)
    assert m, tasks
    # Eight tasks, on two workers at most, none of them in the kernel's own process.
    assert m.group(1) == "8" and 1 <= int(m.group(2)) <= 2 and m.group(3) == "none", tasks
    pi = float(re.search(r"pi ≈ ([0-9.]+)", tasks).group(1))
    assert abs(pi - 3.1416) < 0.02, tasks  # 1.6 M points: the standard error is ~0.0013

    array = _stdout(nb, 'const da = tspy.import("dask.array")')
    m = re.search(r"(\d+) chunks; (\d+) column means, each ≈ 0.5: min ([0-9.]+), max ([0-9.]+)", array)
    assert m, array
    assert m.group(1) == "16" and m.group(2) == "4000", array
    assert 0.45 < float(m.group(3)) <= float(m.group(4)) < 0.55, array
