// The direct call path (issue 4): a callable PyProxy calls straight into the addon (no JS trap),
// `tspy.fn(callable)` gives a plain function over the same path, and the executor keeps the GIL
// lazily between bridge calls without starving Python threads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isPyProxy, PythonError, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("direct_call_converts_scalars_both_ways", () => {
  tspy.exec("def echo(*a):\n    return [type(x).__name__ for x in a], a");
  const echo = py.echo;
  const r = echo(2, 2.5, "s", true, null, undefined, 10n ** 20n, tspy.float(3));
  const [types, values] = tspy.toJS(r);
  assert.deepEqual(types, ["int", "float", "str", "bool", "NoneType", "NoneType", "int", "float"]);
  assert.deepEqual(values, [2, 2.5, "s", true, null, null, 10n ** 20n, 3]);
  assert.equal(tspy.eval("abs")(-4), 4);
  assert.equal(tspy.eval("str.upper")("ab"), "AB");
  assert.equal(tspy.eval("lambda: None")(), null);
  for (const p of [r, echo]) tspy.destroy(p);
  tspy.exec("del echo");
});

test("direct_call_passes_more_than_eight_arguments_and_kwargs", () => {
  tspy.exec("def many(*a, **k):\n    return sum(a), sorted(k.items())");
  const many = py.many;
  const args = Array.from({ length: 20 }, (_, i) => i);
  const r = many(...args, tspy.kwargs({ b: 2, a: [1] }));
  assert.deepEqual(tspy.toJS(r), [
    190,
    [
      ["a", [1]],
      ["b", 2],
    ],
  ]);
  const r2 = many(tspy.kwargs({ only: true }));
  assert.deepEqual(tspy.toJS(r2), [0, [["only", true]]]);
  for (const p of [r, r2, many]) tspy.destroy(p);
  tspy.exec("del many");
});

test("direct_call_raises_python_errors_and_rejects_bad_arguments", () => {
  const div = tspy.eval("lambda a, b: a / b");
  assert.throws(
    () => div(1, 0),
    (e: unknown) => e instanceof PythonError && e.type === "ZeroDivisionError",
  );
  assert.throws(() => div(Symbol("x"), 1), /symbol/);
  assert.throws(() => div(tspy.kwargs({ a: 1 }), 2), /last argument/, "kwargs marker only last");
  assert.equal(div(6, 3), 2, "usable after errors");
  tspy.destroy(div);
  assert.throws(() => div(1, 1), /destroyed/);
});

test("callable_proxy_keeps_proxy_semantics", () => {
  tspy.exec("def f(x):\n    return x\nf.tag = 'hi'");
  const f = py.f;
  assert.ok(isPyProxy(f));
  assert.equal(typeof f, "function");
  assert.equal(f.tag, "hi", "attributes still reach Python");
  assert.equal(f, py.f, "identity kept");
  assert.equal("tag" in f, true);
  assert.equal("prototype" in f, false, "no JS prototype leaks into `in`");
  assert.throws(() => new (f as unknown as new () => unknown)(), TypeError, "not a constructor");
  assert.equal(tspy.eval("lambda g: g is f")(f), true, "passed back to Python it is the same object");
  const notCallable = tspy.eval("[1]");
  assert.throws(
    () => notCallable(),
    (e: unknown) => e instanceof PythonError && e.type === "TypeError",
  );
  for (const p of [f, notCallable]) tspy.destroy(p);
  tspy.exec("del f");
});

test("py_fn_calls_the_callable_and_shares_its_reference", () => {
  const math = tspy.import("math");
  const sqrt = math.sqrt as PyProxy;
  const fast = tspy.fn(sqrt);
  assert.equal(isPyProxy(fast), false, "a plain function");
  assert.equal(fast(16), 4);
  assert.equal(fast(tspy.float(2.25)), 1.5);
  assert.equal(tspy.eval("lambda g: g is __import__('math').sqrt")(fast), true, "converts back to the callable");
  const fmt = tspy.fn(tspy.eval("lambda x, *, sep: sep.join(x)"));
  assert.equal(fmt(["a", "b"], tspy.kwargs({ sep: "-" })), "a-b");
  assert.throws(() => tspy.fn(tspy.eval("[1]")), /not callable/);
  assert.throws(() => tspy.fn((() => 1) as unknown as PyProxy), TypeError);
  tspy.destroy(sqrt);
  assert.throws(() => fast(4), /destroyed/, "shares the proxy's reference");
  tspy.destroy(math);
  tspy.exec("import gc; gc.collect()");
});

test("py_fn_keeps_the_python_object_alive_after_the_proxy_is_collected", async () => {
  tspy.exec("class Counter:\n    n = 0\n    def __call__(self):\n        Counter.n += 1\n        return Counter.n");
  let fast: ((...a: unknown[]) => unknown) | undefined = tspy.fn(tspy.eval("Counter()"));
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(fast(), 1);
  assert.equal(fast(), 2);
  fast = undefined;
  tspy.exec("del Counter");
});

test("python_thread_runs_during_a_hot_loop_of_bridge_calls", () => {
  // The executor keeps the GIL between calls but yields it every few dozen calls.
  tspy.exec(
    "import threading, time\nhot_ticks = [0]\nhot_stop = threading.Event()\ndef hot_spin():\n    while not hot_stop.is_set():\n        hot_ticks[0] += 1\n        time.sleep(0.0005)\nhot_th = threading.Thread(target=hot_spin)\nhot_th.start()\n",
  );
  const abs = tspy.fn(tspy.eval("abs"));
  // Liveness, not rate: loop until the thread has ticked 20 times or 20 s passed (a loaded
  // machine slows the thread down; a starved thread never gets there).
  // The counter is read with getItem (no bytecode runs, so Python's own switch interval cannot
  // hand the GIL over here: only the executor's yield can).
  const ticks = tspy.eval("hot_ticks") as PyProxy;
  const before = tspy.getItem(ticks, 0) as number;
  const until = Date.now() + 20_000;
  let calls = 0;
  let after = before;
  while (Date.now() < until && after - before <= 20) {
    for (let k = 0; k < 1000; k++) abs(-1);
    calls += 1000;
    after = tspy.getItem(ticks, 0) as number;
  }
  tspy.destroy(ticks);
  tspy.exec("hot_stop.set(); hot_th.join(); del hot_ticks, hot_stop, hot_spin, hot_th");
  assert.ok(calls >= 1000, `the loop made calls (${calls})`);
  assert.ok(after - before > 20, `the Python thread ran between calls (${after - before} ticks in ${calls} calls)`);
});

test("python_thread_waiting_for_the_gil_runs_while_ts_awaits", async () => {
  // A lazily held GIL goes back before the event loop waits: a thread blocked on the GIL proceeds.
  tspy.exec("import threading\nwait_done = threading.Event()\nwait_th = threading.Thread(target=wait_done.set)");
  tspy.exec("wait_th.start()");
  const deadline = Date.now() + 10_000;
  while (!(tspy.eval("wait_done.is_set()") as boolean) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.equal(tspy.eval("wait_done.is_set()"), true);
  tspy.exec("wait_th.join(); del wait_done, wait_th");
});
