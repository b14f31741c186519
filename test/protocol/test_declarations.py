"""Generated declarations of Python modules (kernel/executor/tspy_stubs.py) through jupyter_client:
real parameter names and types, checked keyword arguments, closed class interfaces, ready for the
cell right after the import under Run All (cells sent back to back), cached across kernels."""
import os
import pathlib
import tempfile
import time

from jupyter_client.manager import start_new_kernel

from conftest import TIMEOUT, Run

IMPORT = 'const keras = tspy.import("keras");\nconst np = tspy.import("numpy");'
# (cell, what its type check must report (the misspelt name), or None when it must run without error)
CELLS = [
    ('const model = keras.Sequential([keras.Input(tspy.kwargs({ shape: [3] })),'
     ' keras.layers.Dense(32, tspy.kwargs({ activation: "relu", name: "hidden" })), keras.layers.Dense(1)]);\n'
     'model.compile(tspy.kwargs({ optimizer: "adam", loss: "mse" }));', None),
    ("model.fitt(np.zeros([8, 3]));", "fitt"),
    ('keras.layers.Dense(32, tspy.kwargs({ activaton: "relu" }));', "activaton"),
    ("const x = np.zeros([8, 3]);\nconst y = np.arange(8).reshape(8, 1);\n"
     "model.fit(x, y, tspy.kwargs({ epochs: 2, batch_size: 8, verbose: 0 }));", None),
    ("model.fit(x, y, tspy.kwargs({ epocs: 2 }));", "epocs"),
    ("const dense = keras.layers.Dense(4);\nconst units: number = dense.units + 1;\n"
     "const grid = np.zeros([2, 3]);\nconst shaped = np.arange(6).reshape(2, 3);\nshaped.shape;", None),
    # units is documented as "Positive integer": a string is a type error.
    ('keras.layers.Dense("many");', "'string' is not assignable to parameter of type 'number"),
]


def _run_all(kc, cells):
    """Sends every cell without waiting (as Run All does; stop_on_error off, so the cells after an
    expected type error run), then collects each one's reply and
    iopub messages; returns ([Run], [seconds from the first send to each reply])."""
    sent = time.monotonic()
    ids = [kc.execute(code, stop_on_error=False) for code in cells]
    replies, messages, at = {}, {i: [] for i in ids}, {}
    deadline = time.monotonic() + 4 * TIMEOUT
    idle = set()
    while len(replies) < len(ids) or len(idle) < len(ids):
        left = max(0.1, deadline - time.monotonic())
        if len(replies) < len(ids):
            try:
                reply = kc.get_shell_msg(timeout=0.05)
                parent = reply["parent_header"].get("msg_id")
                if parent in messages:
                    replies[parent] = reply
                    at[parent] = time.monotonic() - sent
            except Exception:  # noqa: BLE001 - queue.Empty: read iopub meanwhile
                pass
        try:
            msg = kc.get_iopub_msg(timeout=min(0.05, left))
        except Exception:  # noqa: BLE001 - queue.Empty
            if time.monotonic() > deadline:
                raise TimeoutError("cells did not finish")
            continue
        parent = msg["parent_header"].get("msg_id")
        if parent not in messages:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            idle.add(parent)
        elif msg["msg_type"] != "status":
            messages[parent].append(msg)
    return [Run(replies[i], messages[i]) for i in ids], [at[i] for i in ids]


def _check(runs):
    """Asserts each checked cell's outcome; returns the type-check tracebacks, joined per cell."""
    texts = []
    for run, (code, misspelt) in zip(runs, CELLS):
        err = run.error
        text = "\n".join(err["traceback"]) if err else ""
        texts.append(text)
        if misspelt is None:
            assert err is None, f"{code!r} failed:\n{text}"
        else:
            assert err is not None and err["ename"] == "TypeScriptError", f"{code!r} was not a type error: {err}"
            assert misspelt in text, text
    return texts


def _session(cache):
    """One kernel (declarations cache in `cache`) running the strict-mode cells back to back; returns
    (tracebacks per cell, seconds from the import cell's reply to the next cell's reply)."""
    env = {**os.environ, "TSPY_STUBS_CACHE": str(cache)}
    km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, env=env)
    try:
        runs, at = _run_all(kc, ["%typecheck strict", IMPORT] + [code for code, _ in CELLS])
        assert runs[0].error is None and runs[1].error is None, runs[1].error
        return _check(runs[2:]), at[2] - at[1]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_misspelt_methods_and_keywords_fail_the_check_of_the_cell_after_the_import_under_run_all():
    with tempfile.TemporaryDirectory() as tmp:
        cache = pathlib.Path(tmp)
        cold_texts, cold = _session(cache)
        assert any(cache.glob("keras-*.json")) and any(cache.glob("numpy-*.json"))
        warm_texts, warm = _session(cache)
        print(f"declarations of keras and numpy before the next cell: {cold:.2f} s cold, {warm:.2f} s from the cache")
        assert warm_texts == cold_texts  # the cache gives the same declarations
        assert warm < cold
        # The messages name the callee's real keywords.
        assert "activation" in cold_texts[2] and "epochs" in cold_texts[4]
