"""Output benchmark: lines per second of a 1,000,000-line print loop through jupyter_client, for
tspy's `%%python` and TypeScript cells and ipykernel's Python (the default environment's `python3`
kernelspec) in the same run. Timed from execute_request to the request's iopub `idle`; every line is
received and checked (all of them, in order), and the `stream` messages are counted.

Run: npm run bench:kernel  (or python-env/.venv/bin/python bench/kernel/output.py [--lines N] [--runs N])."""
import argparse
import statistics
import sys
import time

from bench import start, stop

#: (label, kernelspec, cell source with {n} for the number of lines)
CASES = [
    ("tspy %%python", "tspy", "%%python\nfor i in range({n}): print(i)"),
    ("tspy TypeScript", "tspy", "for (let i = 0; i < {n}; i++) console.log(i)"),
    ("ipykernel python3", "python3", "for i in range({n}): print(i)"),
]


def flood(kc, code, n):
    """Runs `code` and reads its iopub messages until the request's idle. Returns (seconds from
    execute_request to idle, number of `stream` messages).
    @raises AssertionError when stdout is not exactly the lines 0..n-1 in order, when anything went
    to stderr, or when the reply is not ok."""
    chunks = []
    messages = 0
    other = []
    t = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        m = kc.get_iopub_msg(timeout=300)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        kind = m["msg_type"]
        if kind == "stream":
            messages += 1
            if m["content"]["name"] == "stdout":
                chunks.append(m["content"]["text"])
            else:
                other.append(m["content"]["text"])
        elif kind == "status" and m["content"]["execution_state"] == "idle":
            break
        elif kind == "error":
            other.append("\n".join(m["content"]["traceback"]))
    elapsed = time.perf_counter() - t
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "ok", reply["content"]
    assert not other, f"unexpected stderr/error output: {''.join(other)[:500]!r}"
    text = "".join(chunks)
    expected = "".join(f"{i}\n" for i in range(n))
    if text != expected:
        got = text.split("\n")
        first = next((i for i, (a, b) in enumerate(zip(got, map(str, range(n)))) if a != b), min(len(got), n))
        raise AssertionError(f"{len(got) - 1} lines arrived, expected {n}; first difference at line {first}")
    return elapsed, messages


def main():
    """Runs every case on its kernel (one kernel started per kernelspec) and prints the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.lines
    rows = {}
    for kernel_name in dict.fromkeys(spec for _, spec, _ in CASES):
        km, kc, _ = start(kernel_name, None)
        try:
            for label, spec, code in CASES:
                if spec != kernel_name:
                    continue
                source = code.format(n=n)
                flood(kc, code.format(n=10), 10)  # warm-up (first cell of a language: compiler, imports)
                runs = [flood(kc, source, n) for _ in range(args.runs)]
                rows[label] = runs
        finally:
            stop(km, kc)

    base = statistics.median(n / s for s, _ in rows["ipykernel python3"])
    print(f"output benchmark: {n:,} printed lines, median of {args.runs} runs, execute_request -> idle through jupyter_client")
    print(f"{'cell':20} {'lines/s':>12} {'seconds':>8} {'stream msgs':>12} {'ratio':>7}")
    for label, runs in rows.items():
        rate = statistics.median(n / s for s, _ in runs)
        seconds = statistics.median(s for s, _ in runs)
        msgs = "/".join(str(m) for _, m in runs)
        print(f"{label:20} {rate:>12,.0f} {seconds:>8.2f} {msgs:>12} {rate / base:>7.2f}")
    print("ratio = lines/s / ipykernel's lines/s (above 1: faster than ipykernel); every line arrived, in order, in every run.")


if __name__ == "__main__":
    sys.exit(main())
