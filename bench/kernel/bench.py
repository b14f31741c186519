"""Kernel benchmark: tspy side by side with ipykernel (the default environment's) and tslab (a
benchmark peer of bench/package.json, installed by `npm run bench:deps`), all driven through
jupyter_client in one run. Prints medians and each peer's ratio to tspy: start -> kernel_info_reply,
a trivial execute round trip, complete_request latency, idle RSS, and interrupt latency (SIGINT ->
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

import psutil
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = pathlib.Path(__file__).resolve().parents[2]


def tslab_spec_manager(tmp):
    """A KernelSpecManager that also knows tslab (from bench/node_modules), or None when it is absent."""
    main = ROOT / "bench" / "node_modules" / "tslab" / "bin" / "tslab"
    if not main.exists():
        return None
    d = pathlib.Path(tmp) / "kernels" / "tslab"
    d.mkdir(parents=True)
    (d / "kernel.json").write_text(json.dumps({
        "argv": [shutil.which("node") or "node", str(main), "kernel", "--config-path", "{connection_file}"],
        "display_name": "tslab", "language": "typescript"}))
    ksm = KernelSpecManager()
    ksm.kernel_dirs = [str(pathlib.Path(tmp) / "kernels"), *ksm.kernel_dirs]
    return ksm


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
    fixed 0.2 s to every kernel."""
    km = KernelManager(kernel_name=name, kernel_spec_manager=ksm) if ksm else KernelManager(kernel_name=name)
    t = time.perf_counter()
    km.start_kernel(stderr=open(os.devnull, "w"))
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
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
    tslab = tslab_spec_manager(tmp)
    kernels = [("tspy", tspy_spec_manager(tmp)), ("python3", None)] + ([("tslab", tslab)] if tslab else [])
    rows = {}
    for name, ksm in kernels:
        starts = []
        for _ in range(args.runs):
            km, kc, elapsed = start(name, ksm)
            starts.append(elapsed)
            stop(km, kc)
        km, kc, _ = start(name, ksm)
        r = {"start_s": statistics.median(starts)}
        if name == "tspy":
            r["first_execute_ms"] = round_trip(kc, "const warm = 1;")  # the first cell after start (one sample)
            r["execute_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
            r["execute_python_ms"] = median(lambda: round_trip(kc, "%%python\n1"), args.runs)
            round_trip(kc, "%typecheck off")
            r["execute_untyped_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
            round_trip(kc, "const np = tspy.import('numpy');")
            r["complete_ms"] = median(lambda: complete(kc, "[1, 2].ma"), args.runs)
            r["complete_python_member_ms"] = median(lambda: complete(kc, "np.ara"), args.runs)
            runs = max(3, args.runs // 5)
            r["interrupt_python_sleep_ms"] = median(lambda: interrupt_ms(km, kc, "%%python\nimport time\ntime.sleep(600)"), runs)
            r["interrupt_ts_loop_ms"] = median(lambda: interrupt_ms(km, kc, "while (true) {}"), runs)
            r["interrupt_ts_foreach_ms"] = median(lambda: interrupt_ms(
                km, kc, "const ys = Array.from({ length: 100000 }, (_, i) => i);\nys.forEach((i) => ys.forEach((j) => i ^ j));"), runs)
        elif name == "python3":
            r["execute_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
            r["complete_ms"] = median(lambda: complete(kc, "import os\nos.pa"), args.runs)
            r["interrupt_python_sleep_ms"] = median(lambda: interrupt_ms(km, kc, "import time\ntime.sleep(600)"), max(3, args.runs // 5))
        else:
            r["execute_ms"] = median(lambda: round_trip(kc, "1"), args.runs)
            r["complete_ms"] = median(lambda: complete(kc, "[1, 2].ma"), args.runs)
        time.sleep(1)
        proc = psutil.Process(km.provisioner.process.pid)
        r["idle_rss_mb"] = sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20
        stop(km, kc)
        rows[name] = r
    shutil.rmtree(tmp, ignore_errors=True)

    base = rows["tspy"]
    print(f"kernel benchmark, medians of {args.runs} runs (through jupyter_client; ratio = peer / tspy)")
    print(f"{'metric':34} {'tspy':>10} " + " ".join(f"{n:>10} {'ratio':>7}" for n, _ in kernels[1:]))
    for metric in ["start_s", "first_execute_ms", "execute_ms", "execute_untyped_ms", "execute_python_ms", "complete_ms", "complete_python_member_ms",
                   "interrupt_python_sleep_ms", "interrupt_ts_loop_ms", "interrupt_ts_foreach_ms", "idle_rss_mb"]:
        line = f"{metric:34} {base.get(metric, float('nan')):>10.3f} "
        for n, _ in kernels[1:]:
            v = rows[n].get(metric)
            line += f"{v:>10.3f} {v / base[metric]:>7.2f} " if v is not None and metric in base else f"{'-':>10} {'-':>7} "
        print(line.rstrip())
    print("execute_ms for tspy type-checks the cell (%typecheck warn, the default); execute_untyped_ms is %typecheck off.")


if __name__ == "__main__":
    sys.exit(main())
