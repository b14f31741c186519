"""Per-cell cost over a long notebook: runs N TypeScript cells in a row in one tspy kernel (through
jupyter_client, type check on: `%typecheck warn`, the default) and prints the median round trip
(execute_request -> reply and idle) of the first 200 and the last 200 cells, and their ratio
(then the same with means).
Each cell declares a new name and uses the previous one (`const v7 = v6 + 1; v7`), so the notebook's
declarations grow as a real notebook's do. The kernel's `Out` must be each cell's value.

Run: python-env/.venv/bin/python bench/kernel/many_cells.py [--cells N] [--window W]
($TSPY_BENCH_MAIN: run the kernel at that main.js instead of the installed one, see bench.py)."""
import argparse
import statistics
import sys
import tempfile
import time

from bench import start, stop, tspy_spec_manager
from fit_chart import run


def run_cell(kc, code):
    """ms from execute_request to its reply and idle (fit_chart.run raises on an error); returns (ms, the result's text/plain)."""
    t = time.perf_counter()
    value = run(kc, code)
    return (time.perf_counter() - t) * 1000, value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--window", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        km, kc, _ = start("tspy", tspy_spec_manager(tmp))
        try:
            run_cell(kc, "const v0 = 0;")
            times = []
            for i in range(1, args.cells + 1):
                ms, value = run_cell(kc, f"const v{i} = v{i - 1} + 1;\nv{i}")
                assert value == str(i), (i, value)
                times.append(ms)
        finally:
            stop(km, kc)
    first = statistics.median(times[: args.window])
    last = statistics.median(times[-args.window :])
    print(f"{args.cells} TS cells (type-checked): median of the first {args.window} {first:.2f} ms, "
          f"of the last {args.window} {last:.2f} ms, last/first {last / first:.2f}")
    # The mean counts the cells that also freeze a block of older cells (one in 32, see
    # kernel/executor/notebook-cells.ts), which the median leaves out.
    mean_first = statistics.mean(times[: args.window])
    mean_last = statistics.mean(times[-args.window :])
    print(f"means: first {mean_first:.2f} ms, last {mean_last:.2f} ms, last/first {mean_last / mean_first:.2f}")


if __name__ == "__main__":
    sys.exit(main())
