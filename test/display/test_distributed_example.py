"""The distributed examples, executed by nbclient with the tspy kernel as a user runs them; each first
cell installs its engine through tspy.pyInstall (the project's extras step).
- examples/distributed-dask.ipynb: the Monte Carlo tasks of a %%python cell run in Dask's worker
  processes (not the kernel's) and return to TypeScript; a chunked array's column means come back
  from Dask's threads as a Float64Array.
- examples/distributed-ray.ipynb: a local Ray instance started from a TS cell runs the same tasks in
  Ray's workers and an actor keeps state across calls submitted from TypeScript; nothing of Ray is
  left running afterwards."""
import pathlib
import re
import time

import psutil

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _stdout(nb, source_start):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)]
    assert len(cells) == 1, source_start
    return "".join(o.get("text", "") for o in cells[0].outputs if o["output_type"] == "stream" and o["name"] == "stdout")


def _run(name):
    """Executes examples/<name> as nbclient does and returns it; fails naming any error output."""
    path = ROOT / "examples" / name
    nb = nbformat.read(path, as_version=4)
    # pip may install the engine in the first cell (the local index; minutes on a loaded machine).
    NotebookClient(nb, kernel_name="tspy", timeout=900, resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == [], errors
    return nb


def test_distributed_notebook_runs_python_tasks_in_worker_processes_and_returns_results_to_ts():
    nb = _run("distributed-dask.ipynb")

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


def _ray_processes():
    """Ray's own daemons now running on this machine (its control store and raylets)."""
    found = []
    for p in psutil.process_iter(["name", "cmdline"]):
        words = " ".join(p.info["cmdline"] or []) + " " + (p.info["name"] or "")
        if "gcs_server" in words or "/raylet " in words + " ":
            found.append(p)
    return found


def test_ray_notebook_runs_tasks_and_an_actor_in_ray_workers_and_leaves_nothing_running():
    before = {p.pid for p in _ray_processes()}
    nb = _run("distributed-ray.ipynb")

    started = _stdout(nb, 'const ray = tspy.import("ray")')
    assert re.search(r"Ray \d+\.\d+\.\d+ is running with 2 CPUs", started), started

    tasks = _stdout(nb, "const refs = ")
    m = re.search(r"(\d+) tasks ran in (\d+) worker process\(es\); the kernel \(pid \d+\) ran (\w+)", tasks)
    assert m, tasks
    assert m.group(1) == "8" and 1 <= int(m.group(2)) <= 2 and m.group(3) == "none", tasks

    actor = _stdout(nb, "const tally = ")
    m = re.search(r"the actor \(pid \d+, ([\w ]+)\) counted ([\d ]+); pi ≈ ([0-9.]+)", actor)
    assert m, actor
    # The actor's calls ran in order in one worker: its state grew by one per call.
    assert m.group(1) == "a worker" and m.group(2).split() == [str(i) for i in range(1, 9)], actor
    assert abs(float(m.group(3)) - 3.1416) < 0.02, actor  # 1.6 M points: the standard error is ~0.0013

    assert "Ray stopped: not running" in _stdout(nb, "ray.shutdown()")
    deadline = time.time() + 60
    while (left := [p for p in _ray_processes() if p.pid not in before]) and time.time() < deadline:
        time.sleep(0.5)
    assert left == [], [p.info for p in left]
