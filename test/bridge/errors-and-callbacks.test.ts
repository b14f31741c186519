// PythonError's fields and traceback, TS functions called from Python, and JS exceptions crossing
// into Python (tspy.JSError) and back (the original JS error is rethrown).
import assert from "node:assert/strict";
import { test } from "node:test";
import { PythonError } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("python_exception_becomes_python_error_with_traceback", () => {
  py.exec("def divide(a, b):\n    x = a + 1\n    return a / b\n");
  let caught: unknown;
  try {
    py.divide(1, 0);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PythonError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "PythonError");
  assert.equal(caught.type, "ZeroDivisionError");
  assert.equal(caught.value, "division by zero");
  assert.equal(caught.message, "ZeroDivisionError: division by zero");
  const tb = caught.traceback.join("");
  assert.match(tb, /line 3, in divide/);
  assert.match(tb, /return a \/ b/, "the def's source line is shown");
  assert.match(caught.stack ?? "", /line 3, in divide[\s\S]*\n\s+at /, "stack: Python traceback, then JS frames");
  py.exec("del divide");
});

test("syntax_and_import_errors_are_python_errors", () => {
  assert.throws(
    () => py.exec("def ("),
    (e: unknown) => e instanceof PythonError && e.type === "SyntaxError",
  );
  assert.throws(
    () => py.import("no_such_module_xyz"),
    (e: unknown) => e instanceof PythonError && e.type === "ModuleNotFoundError",
  );
});

test("ts_function_called_from_python_converts_args_and_result", () => {
  const calls: unknown[][] = [];
  const add = (a: number, b: number) => {
    calls.push([a, b]);
    return a + b;
  };
  py.add = add;
  assert.equal(py.eval("add(2, 3) * 10"), 50);
  assert.deepEqual(calls, [[2, 3]]);
  const map = py.eval("lambda f, xs: list(map(f, xs))");
  assert.deepEqual(map((x: number) => x * 2, [1, 2, 3]).toJS(), [2, 4, 6]);
  map.destroy();
  const kw = py.eval("lambda f: f(1, scale=3)");
  assert.deepEqual(kw((a: number, opts: { scale: number }) => [a, opts.scale]).toJS(), [1, 3], "kwargs arrive as a trailing object");
  kw.destroy();
  delete py.add;
});

test("js_throw_in_callback_surfaces_in_python_as_jserror", () => {
  py.boom = () => {
    throw new RangeError("too far");
  };
  py.exec("import tspy\ntry:\n    boom()\n    caught = None\nexcept tspy.JSError as e:\n    caught = (type(e).__name__, e.message, 'too far' in e.stack)\n");
  assert.deepEqual(py.caught.toJS(), ["JSError", "RangeError: too far", true]);
  py.exec("del boom, caught");
});

test("uncaught_js_error_is_rethrown_as_the_original_object", () => {
  const err = new TypeError("original");
  py.fail = () => {
    throw err;
  };
  py.exec("def outer():\n    return fail()\n");
  let caught: unknown;
  try {
    py.outer();
  } catch (e) {
    caught = e;
  }
  assert.equal(caught, err);
  py.exec("del fail, outer");
});

test("python_error_inside_a_callback_chain_reaches_ts", () => {
  py.callback = () => py.eval("1 / 0");
  assert.throws(
    () => py.exec("callback()"),
    (e: unknown) => e instanceof Error && /ZeroDivisionError/.test(e.message),
  );
  py.exec("del callback");
});

test("python_threads_run_while_typescript_runs", () => {
  // A Python thread counts while control is in JS: the GIL is released between bridge calls.
  py.exec(
    "import threading, time\nticks = [0]\nstop = threading.Event()\ndef spin():\n    while not stop.is_set():\n        ticks[0] += 1\n        time.sleep(0.001)\nth = threading.Thread(target=spin)\nth.start()\n",
  );
  const before = py.eval("ticks[0]");
  const until = Date.now() + 200;
  while (Date.now() < until) {
    /* busy JS, no bridge call */
  }
  const after = py.eval("ticks[0]");
  py.exec("stop.set(); th.join(); del ticks, stop, spin, th");
  assert.ok(after - before > 10, `Python thread made progress while JS ran (${after - before} ticks)`);
});

test("python_error_thrown_back_through_a_ts_callback_is_the_original_exception", () => {
  py.exec("class Custom(Exception):\n    pass\ndef raiser():\n    err = Custom('payload')\n    err.tag = 7\n    raise err\n");
  let seen: PythonError | undefined;
  py.relay = () => {
    try {
      py.raiser();
    } catch (e) {
      seen = e as PythonError;
      throw e;
    }
  };
  py.exec(
    "try:\n    relay()\nexcept Custom as e:\n    caught = (type(e).__name__, e.tag, str(e), 'raiser' in ''.join(__import__('traceback').format_tb(e.__traceback__)))\n",
  );
  assert.deepEqual(py.caught.toJS(), ["Custom", 7, "payload", true], "Python catches its own exception class, attributes and traceback intact");
  assert.ok(seen instanceof PythonError && seen.exception !== undefined);
  assert.equal(py.eval("lambda e: e.tag")(seen.exception), 7, "PythonError.exception is the exception object");
  let outer: unknown;
  try {
    py.eval("relay()");
  } catch (e) {
    outer = e;
  }
  assert.ok(outer instanceof PythonError && outer.type === "Custom", "uncaught, it reaches TS as a PythonError of the same type");
  assert.equal(outer.exception, seen.exception, "the very same exception object (one proxy)");
  seen = undefined;
  py.exec("del Custom, raiser, relay, caught");
});

test("system_exit_and_keyboard_interrupt_from_user_code_do_not_end_the_process", async () => {
  assert.throws(
    () => py.exec("raise SystemExit(3)"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit" && e.value === "3",
  );
  assert.throws(
    () => py.exec("import sys\nsys.exit('bye')"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
  );
  assert.throws(
    () => py.exec("raise KeyboardInterrupt"),
    (e: unknown) => e instanceof PythonError && e.type === "KeyboardInterrupt",
  );
  py.quit_from_ts = () => py.exec("raise SystemExit(0)");
  assert.throws(
    () => py.exec("quit_from_ts()"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
    "through a TS callback too",
  );
  py.exec("async def exits():\n    raise SystemExit(5)\n");
  await assert.rejects(
    async () => await py.exits(),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
  );
  assert.equal(py.eval("1 + 1"), 2, "Python still runs afterwards");
  py.exec("async def fine():\n    return 'ok'\n");
  assert.equal(await py.fine(), "ok", "and the bridge's event loop still steps");
  py.exec("del quit_from_ts, exits, fine");
});
