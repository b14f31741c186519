// PythonError's fields and traceback, TS functions called from Python, and JS exceptions crossing
// into Python (tspy.JSError) and back (the original JS error is rethrown).
import assert from "node:assert/strict";
import { test } from "node:test";
import { PythonError, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("python_exception_becomes_python_error_with_traceback", () => {
  tspy.exec("def divide(a, b):\n    x = a + 1\n    return a / b\n");
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
  tspy.exec("del divide");
});

test("syntax_and_import_errors_are_python_errors", () => {
  assert.throws(
    () => tspy.exec("def ("),
    (e: unknown) => e instanceof PythonError && e.type === "SyntaxError",
  );
  assert.throws(
    () => tspy.import("no_such_module_xyz"),
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
  assert.equal(tspy.eval("add(2, 3) * 10"), 50);
  assert.deepEqual(calls, [[2, 3]]);
  const map = tspy.eval("lambda f, xs: list(map(f, xs))");
  assert.deepEqual(tspy.toJS(map((x: number) => x * 2, [1, 2, 3])), [2, 4, 6]);
  tspy.destroy(map);
  const kw = tspy.eval("lambda f: f(1, scale=3)");
  assert.deepEqual(tspy.toJS(kw((a: number, opts: { scale: number }) => [a, opts.scale])), [1, 3], "kwargs arrive as a trailing object");
  tspy.destroy(kw);
  delete py.add;
});

test("js_throw_in_callback_surfaces_in_python_as_jserror", () => {
  py.boom = () => {
    throw new RangeError("too far");
  };
  tspy.exec("import tspy\ntry:\n    boom()\n    caught = None\nexcept tspy.JSError as e:\n    caught = (type(e).__name__, e.message, 'too far' in e.stack)\n");
  assert.deepEqual(tspy.toJS(py.caught), ["JSError", "RangeError: too far", true]);
  tspy.exec("del boom, caught");
});

test("uncaught_js_error_is_rethrown_as_the_original_object", () => {
  const err = new TypeError("original");
  py.fail = () => {
    throw err;
  };
  tspy.exec("def outer():\n    return fail()\n");
  let caught: unknown;
  try {
    py.outer();
  } catch (e) {
    caught = e;
  }
  assert.equal(caught, err);
  tspy.exec("del fail, outer");
});

test("python_error_inside_a_callback_chain_reaches_ts", () => {
  py.callback = () => tspy.eval("1 / 0");
  assert.throws(
    () => tspy.exec("callback()"),
    (e: unknown) => e instanceof Error && /ZeroDivisionError/.test(e.message),
  );
  tspy.exec("del callback");
});

test("python_threads_run_while_typescript_runs", () => {
  // A Python thread counts while control is in JS: the GIL is released between bridge calls.
  tspy.exec(
    "import threading, time\nticks = [0]\nstop = threading.Event()\ndef spin():\n    while not stop.is_set():\n        ticks[0] += 1\n        time.sleep(0.001)\nth = threading.Thread(target=spin)\nth.start()\n",
  );
  const before = tspy.eval("ticks[0]");
  const until = Date.now() + 200;
  while (Date.now() < until) {
    /* busy JS, no bridge call */
  }
  const after = tspy.eval("ticks[0]");
  tspy.exec("stop.set(); th.join(); del ticks, stop, spin, th");
  assert.ok(after - before > 10, `Python thread made progress while JS ran (${after - before} ticks)`);
});

test("python_error_thrown_back_through_a_ts_callback_is_the_original_exception", () => {
  tspy.exec("class Custom(Exception):\n    pass\ndef raiser():\n    err = Custom('payload')\n    err.tag = 7\n    raise err\n");
  let seen: PythonError | undefined;
  py.relay = () => {
    try {
      py.raiser();
    } catch (e) {
      seen = e as PythonError;
      throw e;
    }
  };
  tspy.exec(
    "try:\n    relay()\nexcept Custom as e:\n    caught = (type(e).__name__, e.tag, str(e), 'raiser' in ''.join(__import__('traceback').format_tb(e.__traceback__)))\n",
  );
  assert.deepEqual(tspy.toJS(py.caught), ["Custom", 7, "payload", true], "Python catches its own exception class, attributes and traceback intact");
  assert.ok(seen instanceof PythonError && seen.exception !== undefined);
  assert.equal(tspy.eval("lambda e: e.tag")(seen.exception), 7, "PythonError.exception is the exception object");
  let outer: unknown;
  try {
    tspy.eval("relay()");
  } catch (e) {
    outer = e;
  }
  assert.ok(outer instanceof PythonError && outer.type === "Custom", "uncaught, it reaches TS as a PythonError of the same type");
  assert.equal(outer.exception, seen.exception, "the very same exception object (one proxy)");
  seen = undefined;
  tspy.exec("del Custom, raiser, relay, caught");
});

test("system_exit_and_keyboard_interrupt_from_user_code_do_not_end_the_process", async () => {
  assert.throws(
    () => tspy.exec("raise SystemExit(3)"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit" && e.value === "3",
  );
  assert.throws(
    () => tspy.exec("import sys\nsys.exit('bye')"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
  );
  assert.throws(
    () => tspy.exec("raise KeyboardInterrupt"),
    (e: unknown) => e instanceof PythonError && e.type === "KeyboardInterrupt",
  );
  py.quit_from_ts = () => tspy.exec("raise SystemExit(0)");
  assert.throws(
    () => tspy.exec("quit_from_ts()"),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
    "through a TS callback too",
  );
  tspy.exec("async def exits():\n    raise SystemExit(5)\n");
  await assert.rejects(
    async () => await py.exits(),
    (e: unknown) => e instanceof PythonError && e.type === "SystemExit",
  );
  assert.equal(tspy.eval("1 + 1"), 2, "Python still runs afterwards");
  tspy.exec("async def fine():\n    return 'ok'\n");
  assert.equal(await py.fine(), "ok", "and the bridge's event loop still steps");
  tspy.exec("del quit_from_ts, exits, fine");
});
