"""What the live training chart costs: the same small Keras fit (scikit-learn's digits, a 64-32-10
MLP, 20 epochs, batch 32, verbose=0) run in tspy with the live chart on and off, and in ipykernel
(plain Python, no chart), alternating, all through jupyter_client in one run. Prints the median
seconds per fit and the ratios (issue 14: chart on within 5 % of chart off and of ipykernel).

Run: python-env/.venv/bin/python bench/kernel/fit_chart.py [--runs N]"""
import argparse
import statistics
import time

from jupyter_client.manager import start_new_kernel

SETUP = """import time, numpy as np, keras
from sklearn.datasets import load_digits
digits = load_digits()
x = (digits.data / 16.0).astype("float32")
y = digits.target.astype("int32")
def timed_fit():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x, y, epochs=20, batch_size=32, verbose=0, validation_split=0.2)
    return time.perf_counter() - start
"""


def run(kc, code):
    """Executes `code`; returns the text/plain of its result (waits for reply and idle)."""
    msg_id = kc.execute(code)
    result = None
    while True:
        msg = kc.get_iopub_msg(timeout=600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            result = msg["content"]["data"]["text/plain"]
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tspy_km, tspy = start_new_kernel(kernel_name="tspy", startup_timeout=120)
    py_km, py = start_new_kernel(kernel_name="python3", startup_timeout=120)
    try:
        run(tspy, "%%python\n" + SETUP)
        run(py, SETUP)
        cases = {
            "tspy, chart on": (tspy, "%%python\nimport tspy_display\ntspy_display.live_plot = True\ntimed_fit()"),
            "tspy, chart off": (tspy, "%%python\nimport tspy_display\ntspy_display.live_plot = False\ntimed_fit()"),
            "ipykernel": (py, "timed_fit()"),
        }
        for kc, code in cases.values():  # warm-up: graph tracing, first imports
            run(kc, code)
        times = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (kc, code) in cases.items():
                times[name].append(float(run(kc, code)))
        med = {name: statistics.median(values) for name, values in times.items()}
        print(f"fit with the live chart, medians of {args.runs} alternating runs (digits MLP, 20 epochs)")
        for name, value in med.items():
            print(f"  {name:18} {value:8.3f} s   on/this = {med['tspy, chart on'] / value:5.3f}")
    finally:
        for km, kc in ((tspy_km, tspy), (py_km, py)):
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    started = time.time()
    main()
    print(f"(bench took {time.time() - started:.0f} s)")
