// The PyProxy object model beyond attributes and calls: dir/len/has, identity, slices and tuples,
// numpy fancy indexing, toJS/toPy options, isinstance/type, context managers, awaiting
// coroutines and iterating async iterators from TS, and JS Promises awaited by Python.
import assert from "node:assert/strict";
import { test } from "node:test";
import { awaitPython, isPyProxy, PythonError, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("has_len_and_dir_follow_python", () => {
  tspy.exec(
    "class Bag:\n    def __init__(self):\n        self.items = [1, 2, 3]\n    def __len__(self):\n        return len(self.items)\n    def __contains__(self, x):\n        return x in self.items\nbag = Bag()",
  );
  const bag = py.bag;
  assert.equal(tspy.len(bag), 3);
  assert.equal(tspy.hasItem(bag, 2), true);
  assert.equal(tspy.hasItem(bag, 9), false);
  const names = tspy.dir(bag);
  assert.ok(names.includes("items") && names.includes("__len__"), "dir() lists instance and class attributes");
  const o = tspy.eval("object()");
  assert.throws(
    () => tspy.len(o),
    (e: unknown) => e instanceof PythonError && e.type === "TypeError",
  );
  for (const p of [bag, o]) tspy.destroy(p);
  tspy.exec("del bag, Bag");
});

test("the_same_live_python_object_is_the_same_proxy", () => {
  tspy.exec("shared = [1, 2]");
  const a = py.shared;
  const b = tspy.eval("shared");
  assert.equal(a, b, "one proxy per live object");
  const holder = tspy.eval("{'x': shared}");
  assert.equal(tspy.getItem(holder, "x"), a);
  tspy.destroy(a);
  assert.throws(() => tspy.len(b), /destroyed/, "destroy() releases it for every holder");
  const c = py.shared;
  assert.notEqual(c, a, "after destroy a new proxy is made");
  assert.deepEqual(tspy.toJS(c), [1, 2]);
  const gen = tspy.eval("(i for i in range(3))");
  assert.deepEqual([...gen], [0, 1, 2]);
  assert.equal(tspy.type(gen).__name__, "generator", "iterating a generator (iter(g) is g) leaves its proxy usable");
  for (const p of [c, holder, gen]) tspy.destroy(p);
  tspy.exec("del shared");
});

test("identity_survives_gc_of_the_proxy", async () => {
  tspy.exec("kept = {'k': 1}");
  const first = new WeakRef(py.kept as object);
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setImmediate(r));
  }
  const again = py.kept;
  assert.equal(tspy.getItem(again, "k"), 1, "a collected proxy is replaced by a fresh one");
  assert.equal(first.deref(), undefined);
  tspy.destroy(again);
  tspy.exec("del kept");
});

test("item_access_with_slices_and_tuples", () => {
  const l = tspy.eval("list(range(10))");
  const evens = tspy.getItem(l, tspy.slice(null, null, 2));
  assert.deepEqual(tspy.toJS(evens), [0, 2, 4, 6, 8]);
  const tail = tspy.getItem(l, tspy.slice(-3, null));
  assert.deepEqual(tspy.toJS(tail), [7, 8, 9], "slice(-3, None, None) is l[-3:]");
  const rev = tspy.getItem(l, tspy.slice(undefined, undefined, -3));
  assert.deepEqual(tspy.toJS(rev), [9, 6, 3, 0]);
  tspy.setItem(l, tspy.slice(0, 8), []);
  assert.deepEqual(tspy.toJS(l), [8, 9], "slice assignment");
  assert.equal(tspy.toJS(tspy.eval("lambda s: (s.start, s.stop, s.step)")(tspy.slice(1, 5n, 2))).join(), "1,5,2");
  assert.throws(() => tspy.slice("a" as unknown as number, null), TypeError);
  const np = tspy.import("numpy");
  const m = np.arange(12).reshape(3, 4);
  const col = tspy.getItem(m, tspy.tuple(tspy.slice(null), 1));
  assert.deepEqual(tspy.toJS(col.tolist()), [1, 5, 9], "a[:, 1]");
  const block = tspy.getItem(m, tspy.tuple(tspy.slice(1, null), tspy.slice(null, null, 2)));
  assert.deepEqual(
    tspy.toJS(block.tolist()),
    [
      [4, 6],
      [8, 10],
    ],
    "a[1:, ::2]",
  );
  for (const p of [l, evens, tail, rev, np, m, col, block]) tspy.destroy(p);
});

test("numpy_fancy_indexing_through_get", () => {
  const np = tspy.import("numpy");
  const a = np.arange(10).__mul__(10);
  const picked = tspy.getItem(a, [1, 3, 5]);
  assert.deepEqual(tspy.toJS(picked.tolist()), [10, 30, 50], "integer array index");
  const mask = a.__gt__(60);
  const big = tspy.getItem(a, mask);
  assert.deepEqual(tspy.toJS(big.tolist()), [70, 80, 90], "boolean mask");
  const m = np.arange(9).reshape(3, 3);
  const diag = tspy.getItem(m, tspy.tuple([0, 1, 2], [0, 1, 2]));
  assert.deepEqual(tspy.toJS(diag.tolist()), [0, 4, 8], "a[[0,1,2],[0,1,2]]");
  const rows = tspy.getItem(m, np.array([2, 0]));
  assert.deepEqual(tspy.toJS(rows.tolist()), [
    [6, 7, 8],
    [0, 1, 2],
  ]);
  tspy.setItem(a, mask, 0);
  assert.deepEqual(tspy.toJS(a.tolist()), [0, 10, 20, 30, 40, 50, 60, 0, 0, 0], "masked assignment");
  for (const p of [np, a, picked, mask, big, m, diag, rows]) tspy.destroy(p);
});

test("to_js_options_depth_and_dict_as_map", () => {
  const v = tspy.eval("{'a': [1, {'b': 2}], 1: 'one', '1': 'string one', (2, 3): 'tuple'}");
  const asMap = tspy.toJS(v, { dict: "map" });
  assert.ok(asMap instanceof Map);
  assert.equal(asMap.get(1), "one");
  assert.equal(asMap.get("1"), "string one", "keys keep their types in a Map");
  assert.ok(asMap.get("a")[1] instanceof Map);
  const tupleKey = [...asMap.keys()].find((k) => isPyProxy(k));
  assert.ok(tupleKey, "a tuple key stays a proxy");
  assert.equal(asMap.get(tupleKey), "tuple");
  tspy.destroy(tupleKey);
  const obj = tspy.toJS(v);
  assert.equal(obj["(2, 3)"], "tuple", "object keys are str(key)");
  const zero = tspy.toJS(v, { depth: 0 });
  assert.equal(zero, v, "depth 0 converts nothing");
  const one = tspy.toJS(v, { depth: 1 });
  assert.ok(isPyProxy(one.a));
  tspy.destroy(one.a);
  assert.throws(() => tspy.toJS(v, { dict: "set" as "map" }), TypeError);
  assert.throws(() => tspy.toJS(v, { depth: Number.NaN }), TypeError);
  tspy.destroy(v);
});

test("to_py_converts_maps_sets_and_nested_values", () => {
  const m = new Map<unknown, unknown>([
    [1, "a"],
    ["k", new Set([1, 2])],
    ["nested", { list: [new Map([["x", 1]])] }],
  ]);
  const d = tspy.toPy(m);
  assert.equal(tspy.type(d).__name__, "dict");
  assert.equal(tspy.toJS(tspy.eval("lambda d: (d[1], sorted(d['k']), type(d['k']).__name__, d['nested']['list'][0]['x'])")(d)).join(), "a,1,2,set,1");
  const shallow = tspy.toPy(m, { depth: 1 });
  assert.equal(tspy.eval("lambda d: type(d['k']).__name__")(shallow), "JsObject", "below depth a Set stays a JS object");
  const n = tspy.toPy(5);
  assert.ok(isPyProxy(n), "scalars come back as proxies");
  assert.equal(tspy.repr(n), "5");
  for (const p of [d, shallow, n]) tspy.destroy(p);
});

test("isinstance_and_type_helpers", () => {
  const np = tspy.import("numpy");
  const a = np.zeros(2);
  assert.equal(tspy.isinstance(a, np.ndarray), true);
  const builtins = tspy.import("builtins");
  assert.equal(tspy.isinstance(a, builtins.dict), false);
  assert.equal(tspy.isinstance(a, tspy.tuple(builtins.dict, np.ndarray)), true, "a tuple of classes");
  assert.equal(tspy.isinstance(3, builtins.int), true, "JS values are converted first");
  const t = tspy.type(a);
  assert.equal(t, np.ndarray, "type(a) is numpy.ndarray (same proxy)");
  assert.equal(tspy.type("s").__name__, "str");
  assert.throws(
    () => tspy.isinstance(a, 3),
    (e: unknown) => e instanceof PythonError && e.type === "TypeError",
  );
  for (const p of [np, a, builtins, t]) tspy.destroy(p);
});

test("context_manager_with_using_calls_exit", () => {
  tspy.exec(
    "log = []\nclass CM:\n    def __enter__(self):\n        log.append('enter')\n        return 42\n    def __exit__(self, t, v, tb):\n        log.append(('exit', None if t is None else t.__name__))\n        return isinstance(v, KeyError)\ncm = CM()",
  );
  const cm = py.cm;
  {
    using ctx = tspy.with(cm);
    assert.equal(ctx.value, 42);
    assert.deepEqual(tspy.toJS(py.log), ["enter"]);
  }
  assert.deepEqual(tspy.toJS(py.log), ["enter", ["exit", null]]);
  tspy.exec("log.clear()");
  assert.equal(
    tspy.with(cm, (v: number) => v + 1),
    43,
  );
  const suppressed = tspy.with(cm, () => tspy.eval("{}['missing_key']") ?? tspy.exec("raise KeyError('k')"));
  assert.equal(suppressed, undefined, "__exit__ returning True suppresses the exception");
  assert.throws(
    () =>
      tspy.with(cm, () => {
        throw new RangeError("ts failure");
      }),
    RangeError,
  );
  assert.deepEqual(tspy.toJS(py.log), ["enter", ["exit", null], "enter", ["exit", "KeyError"], "enter", ["exit", "JSError"]]);
  const f = tspy.eval("open(__import__('os').devnull)");
  tspy.with(f, (fh: PyProxy) => assert.equal(fh.read(), ""));
  assert.equal(f.closed, true, "a file is closed by __exit__");
  const plain = tspy.eval("object()");
  assert.throws(() => tspy.with(plain), TypeError);
  for (const p of [cm, f, plain]) tspy.destroy(p);
  tspy.exec("del log, CM, cm");
});

test("awaiting_a_coroutine_returns_its_result", async () => {
  tspy.exec(
    "import asyncio\nasync def slow_add(a, b):\n    await asyncio.sleep(0.02)\n    return a + b\nasync def fails():\n    await asyncio.sleep(0)\n    raise ValueError('bad')",
  );
  const t0 = Date.now();
  assert.equal(await py.slow_add(2, 3), 5);
  assert.ok(Date.now() - t0 >= 15, "asyncio.sleep really waited");
  await assert.rejects(awaitPython(py.fails()), (e: unknown) => e instanceof PythonError && e.type === "ValueError" && e.value === "bad");
  const both = await Promise.all([py.slow_add(1, 1), py.slow_add(2, 2)]);
  assert.deepEqual(both, [2, 4], "tasks run concurrently on the bridge loop");
  const fut = tspy.eval("asyncio.gather(slow_add(1, 2), slow_add(3, 4))");
  const gathered = await fut;
  assert.deepEqual(tspy.toJS(gathered), [3, 7], "an asyncio Future (gather) is awaitable too");
  assert.throws(() => awaitPython(tspy.eval("[1]")), TypeError);
  const plain = tspy.eval("[1]");
  assert.equal(await plain, plain, "a non-awaitable proxy awaits to itself");
  for (const p of [fut, gathered, plain]) tspy.destroy(p);
  tspy.exec("del slow_add, fails");
});

test("for_await_iterates_a_python_async_iterator", async () => {
  tspy.exec("async def ticks(n):\n    for i in range(n):\n        await asyncio.sleep(0.001)\n        yield i * 10");
  const out: number[] = [];
  for await (const v of py.ticks(4)) out.push(v);
  assert.deepEqual(out, [0, 10, 20, 30]);
  tspy.exec("async def broken():\n    yield 1\n    raise OSError('disk')");
  const seen: number[] = [];
  await assert.rejects(
    async () => {
      for await (const v of py.broken()) seen.push(v);
    },
    (e: unknown) => e instanceof PythonError && e.type === "OSError",
  );
  assert.deepEqual(seen, [1]);
  tspy.exec("del ticks, broken");
});

test("python_awaits_a_js_promise", async () => {
  py.delayed = (v: number) => new Promise((resolve) => setTimeout(() => resolve(v * 2), 10));
  py.rejected = () => Promise.reject(new TypeError("no luck"));
  tspy.exec(
    "import tspy\nasync def use_js():\n    a = await delayed(4)\n    try:\n        await rejected()\n    except tspy.JSError as e:\n        return a, e.message\n",
  );
  const r = await py.use_js();
  assert.deepEqual(tspy.toJS(r), [8, "TypeError: no luck"]);
  tspy.destroy(r);
  assert.throws(
    () => tspy.exec("asyncio.run(use_js())"),
    (e: unknown) => e instanceof PythonError && e.type === "RuntimeError" && /only be awaited by a coroutine that TypeScript awaits/.test(e.value),
    "awaiting a JS Promise under another event loop is an error, not a hang",
  );
  tspy.exec("del delayed, rejected, use_js");
});
