"""Kernel benchmark: tspy side by side with ipykernel (the default environment's), tslab and Deno's
kernel (benchmark peers of bench/package.json, installed by `npm run bench:deps`), all driven through
jupyter_client in one run. Prints medians and each peer's ratio to tspy: start -> kernel_info_reply,
the first cell, a trivial execute round trip, complete_request and inspect_request latency, RSS idle
and after those cells, and interrupt latency (SIGINT ->
the interrupted cell's reply; the tests only check that an interrupt ends a cell, these figures say
how fast).

Run: npm run bench:kernel  (or python-env/.venv/bin/python bench/kernel/bench.py [--runs N])."""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time
from queue import Empty

import psutil
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = pathlib.Path(__file__).resolve().parents[2]


def peer_kernels(tmp):
    """Kernelspecs of the TypeScript peers found in bench/node_modules (installed by `npm run bench:deps`):
    tslab (type-checks every cell, as tspy does by default) and Deno's kernel (no type check). Returns
    (KernelSpecManager or None, [names]); a peer that is not installed is left out."""
    node = shutil.which("node") or "node"
    tslab = ROOT / "bench" / "node_modules" / "tslab" / "bin" / "tslab"
    # The platform package of the `deno` npm package holds the binary (its bin.cjs shim would add a Node process).
    deno = next(iter(sorted((ROOT / "bench" / "node_modules" / "@deno").glob("*/deno"))), None) if (ROOT / "bench" / "node_modules" / "@deno").exists() else None
    specs = {}
    if tslab.exists():
        specs["tslab"] = {"argv": [node, str(tslab), "kernel", "--config-path", "{connection_file}"], "display_name": "tslab", "language": "typescript"}
    if deno is not None:
        specs["deno"] = {"argv": [str(deno), "jupyter", "--kernel", "--conn", "{connection_file}"], "display_name": "Deno", "language": "typescript"}
    if not specs:
        return None, []
    for name, spec in specs.items():
        d = pathlib.Path(tmp) / "kernels" / name
        d.mkdir(parents=True)
        (d / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager()
    ksm.kernel_dirs = [str(pathlib.Path(tmp) / "kernels"), *ksm.kernel_dirs]
    return ksm, list(specs)


def tspy_spec_manager(tmp):
    """A KernelSpecManager whose `tspy` runs the kernel at $TSPY_BENCH_MAIN (a main.js, e.g. a copy of
    dist/ built from other code, to compare two versions on the same machine), or None (the installed
    kernelspec) when that variable is not set."""
    main = os.environ.get("TSPY_BENCH_MAIN")
    if not main:
        return None
    installed = json.loads((pathlib.Path(KernelSpecManager().get_kernel_spec("tspy").resource_dir) / "kernel.json").read_text())
    d = pathlib.Path(tmp) / "tspy-kernels" / "tspy"
    d.mkdir(parents=True)
    (d / "kernel.json").write_text(json.dumps({**installed, "argv": [installed["argv"][0], main, *installed["argv"][2:]]}))
    ksm = KernelSpecManager()
    ksm.kernel_dirs = [str(d.parent), *ksm.kernel_dirs]
    return ksm


def start(name, ksm):
    """Starts a kernel; returns (manager, client, seconds from start_kernel to the first
    kernel_info_reply). Timed directly rather than with wait_for_ready(), whose iopub flush adds a
    fixed 0.2 s to every kernel. Raises queue.Empty when no kernel_info_reply comes in 120 s (the
    kernel is shut down first)."""
    km = KernelManager(kernel_name=name, kernel_spec_manager=ksm) if ksm else KernelManager(kernel_name=name)
    t = time.perf_counter()
    km.start_kernel(stderr=open(os.devnull, "w"))
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    try:
        while True:
            reply = kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
    except Empty:
        stop(km, kc)
        raise
    elapsed = time.perf_counter() - t
    kc.wait_for_ready(timeout=120)
    return km, kc, elapsed


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def reply_to(kc, msg_id):
    """The shell reply whose parent is msg_id (a slow starter may still be answering kernel_info)."""
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def round_trip(kc, code):
    """ms from execute_request to both its reply and its idle."""
    t = time.perf_counter()
    msg_id = kc.execute(code)
    reply_to(kc, msg_id)
    while True:
        m = kc.get_iopub_msg(timeout=60)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return (time.perf_counter() - t) * 1000


def complete(kc, code):
    t = time.perf_counter()
    reply = reply_to(kc, kc.complete(code, len(code)))
    elapsed = (time.perf_counter() - t) * 1000
    assert reply["content"]["matches"], f"no completion for {code!r}"
    return elapsed


def inspect(kc, code):
    """ms from inspect_request (cursor at the end of `code`) to its reply; asserts the kernel found something."""
    t = time.perf_counter()
    reply = reply_to(kc, kc.inspect(code, len(code)))
    elapsed = (time.perf_counter() - t) * 1000
    assert reply["content"].get("found"), f"nothing found for {code!r}: {reply['content']}"
    return elapsed


def rss_mb(km):
    """Resident memory of the kernel process and its children, MB (2**20 bytes)."""
    proc = psutil.Process(km.provisioner.process.pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def interrupt_ms(km, kc, code, settle=0.5):
    """ms from SIGINT (KernelManager.interrupt_kernel, as JupyterLab's Interrupt) to the reply of
    `code`, a cell that would otherwise run for ever; `settle` s after sending it."""
    msg_id = kc.execute(code)
    time.sleep(settle)
    t = time.perf_counter()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    elapsed = (time.perf_counter() - t) * 1000
    assert reply["content"].get("ename") == "KeyboardInterrupt", reply["content"]
    return elapsed


def median(fn, runs):
    for _ in range(3):  # warm-up
        fn()
    return statistics.median(fn() for _ in range(runs))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    peers_ksm, peers = peer_kernels(tmp)
    kernels = [("tspy", tspy_spec_manager(tmp)), ("python3", None)] + [(name, peers_ksm) for name in peers]
    rows = {}
    failed_starts = {}
    for name, ksm in kernels:
        starts = []
        failed_starts[name] = 0
        while len(starts) < args.runs:
            try:
                km, kc, elapsed = start(name, ksm)
            except Empty:  # counted and reported; a fourth failure ends the run
                failed_starts[name] += 1
                if failed_starts[name] > 3:
                    raise
                continue
            starts.append(elapsed)
            stop(km, kc)
        km, kc, _ = start(name, ksm)
        time.sleep(1)
        r = {"start_s": statistics.median(starts), "idle_rss_mb": rss_mb(km)}
        ts = name != "python3"
        if name == "tspy":
            r["first_execute_ms"] = round_trip(kc, "const warm = 1;")  # the first cell after start (one sample)
        r["execute_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
        r["complete_ms"] = median(lambda: complete(kc, "Math.ma" if ts else "import os\nos.pa"), args.runs)
        try:
            r["inspect_ms"] = median(lambda: inspect(kc, "Math.max" if ts else "len"), args.runs)
        except AssertionError:  # Deno's kernel answers every inspect_request with found: false
            pass
        time.sleep(1)
        r["rss_after_cells_mb"] = rss_mb(km)
        if name == "tspy":
            r["execute_python_ms"] = median(lambda: round_trip(kc, "%%python\n1"), args.runs)
            round_trip(kc, "const np = tspy.import('numpy');")
            r["complete_python_member_ms"] = median(lambda: complete(kc, "np.ara"), args.runs)
            r["inspect_python_member_ms"] = median(lambda: inspect(kc, "np.zeros"), args.runs)
            round_trip(kc, "%typecheck off")
            r["execute_untyped_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
            runs = max(3, args.runs // 5)
            r["interrupt_python_sleep_ms"] = median(lambda: interrupt_ms(km, kc, "%%python\nimport time\ntime.sleep(600)"), runs)
            r["interrupt_ts_loop_ms"] = median(lambda: interrupt_ms(km, kc, "while (true) {}"), runs)
            r["interrupt_ts_foreach_ms"] = median(lambda: interrupt_ms(
                km, kc, "const ys = Array.from({ length: 100000 }, (_, i) => i);\nys.forEach((i) => ys.forEach((j) => i ^ j));"), runs)
        elif name == "python3":
            r["interrupt_python_sleep_ms"] = median(lambda: interrupt_ms(km, kc, "import time\ntime.sleep(600)"), max(3, args.runs // 5))
        stop(km, kc)
        rows[name] = r
    shutil.rmtree(tmp, ignore_errors=True)

    base = rows["tspy"]
    print(f"kernel benchmark, medians of {args.runs} runs (through jupyter_client; ratio = peer / tspy, above 1: tspy is faster or smaller)")
    print(f"{'metric':34} {'tspy':>10} " + " ".join(f"{n:>10} {'ratio':>7}" for n, _ in kernels[1:]))
    for metric in ["start_s", "first_execute_ms", "execute_ms", "execute_untyped_ms", "execute_python_ms", "complete_ms", "complete_python_member_ms",
                   "inspect_ms", "inspect_python_member_ms", "interrupt_python_sleep_ms", "interrupt_ts_loop_ms", "interrupt_ts_foreach_ms",
                   "idle_rss_mb", "rss_after_cells_mb"]:
        line = f"{metric:34} {base.get(metric, float('nan')):>10.3f} "
        for n, _ in kernels[1:]:
            v = rows[n].get(metric)
            line += f"{v:>10.3f} {v / base[metric]:>7.2f} " if v is not None and metric in base else f"{'-':>10} {'-':>7} "
        print(line.rstrip())
    print("execute_ms: tspy and tslab type-check the cell (tspy's %typecheck warn, the default), Deno does not;")
    print("execute_untyped_ms is tspy with %typecheck off. complete/inspect: 'Math.ma' / 'Math.max' (TS kernels; '-': no inspection), 'os.pa' / 'len' (python3).")
    print("idle_rss_mb: after start and kernel_info, before any cell; rss_after_cells_mb: after the execute/complete/inspect rows.")
    print("starts that got no kernel_info_reply in 120 s (retried): " + ", ".join(f"{n} {c}" for n, c in failed_starts.items()))


if __name__ == "__main__":
    sys.exit(main())
