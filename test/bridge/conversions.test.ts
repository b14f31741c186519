// Conversions between Python and JS values, PyProxy attribute/item/call/iteration behaviour and
// py's access to __main__ globals, against the real CPython.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as util from "node:util";
import { isPyProxy, PythonError } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("python_scalars_convert_to_js_values", () => {
  assert.equal(py.eval("None"), null);
  assert.equal(py.eval("True"), true);
  assert.equal(py.eval("False"), false);
  assert.equal(py.eval("42"), 42);
  assert.equal(py.eval("2**53 - 1"), Number.MAX_SAFE_INTEGER);
  assert.equal(py.eval("-(2**53)"), -(2n ** 53n), "past Number.MAX_SAFE_INTEGER an int is a bigint");
  assert.equal(py.eval("2**53 + 1"), 2n ** 53n + 1n);
  assert.equal(py.eval("-(2**70)"), -(2n ** 70n));
  assert.equal(py.eval("1.5"), 1.5);
  assert.equal(py.eval("'héllo ✓'"), "héllo ✓");
  const np = py.import("numpy");
  assert.equal(np.float64(2.5), 2.5, "a float subclass (numpy.float64) converts to number");
  assert.equal(np.float32(0.5), 0.5, "numpy scalars convert through .item()");
  assert.equal(np.int64(7), 7);
  assert.equal(np.uint64(2n ** 63n), 2n ** 63n);
  assert.equal(np.bool_(true), true);
  const c = np.complex128(1);
  assert.ok(isPyProxy(c), "a complex scalar stays a proxy");
  c.destroy();
  np.destroy();
});

test("js_scalars_convert_to_python_values", () => {
  const types = py.eval("lambda *a: [type(x).__name__ for x in a]");
  assert.deepEqual(types(null, undefined, true, 3, 3.5, 2n ** 64n, "s", py.float(2)).toJS(), [
    "NoneType",
    "NoneType",
    "bool",
    "int",
    "float",
    "int",
    "str",
    "float",
  ]);
  types.destroy();
  const echo = py.eval("lambda x: x");
  assert.equal(echo(2n ** 64n), 2n ** 64n, "bigint past 2^53 round-trips");
  assert.equal(echo(-(2n ** 60n)), -(2n ** 60n));
  assert.equal(echo(9007199254740993n), 9007199254740993n);
  assert.equal(py.eval("repr")(py.float(2)), "2.0");
  assert.equal(echo("日本語"), "日本語");
  echo.destroy();
});

test("arrays_and_plain_objects_become_lists_and_dicts", () => {
  const f = py.eval("lambda x: (type(x).__name__, x)");
  const [name, value] = f([1, "a", [2, null]]).toJS();
  assert.equal(name, "list");
  assert.deepEqual(value, [1, "a", [2, null]]);
  const [dname, dvalue] = f({ a: 1, b: { c: [true] } }).toJS();
  assert.equal(dname, "dict");
  assert.deepEqual(dvalue, { a: 1, b: { c: [true] } });
  f.destroy();
});

test("kwargs_marker_passes_keyword_arguments", () => {
  const builtins = py.import("builtins");
  const sorted = builtins.sorted([3, 1, 2], py.kwargs({ reverse: true }));
  assert.deepEqual(sorted.toJS(), [3, 2, 1]);
  sorted.destroy();
  assert.throws(() => builtins.sorted(py.kwargs({ reverse: true }), [1]), /only valid as the last argument/);
  builtins.destroy();
});

test("attributes_read_and_write_through_the_proxy", () => {
  py.exec("class Thing:\n    def __init__(self):\n        self.x = 1\n    def double(self):\n        return self.x * 2\nthing = Thing()");
  const thing = py.thing;
  assert.ok(isPyProxy(thing));
  assert.equal(thing.x, 1);
  thing.x = 21;
  assert.equal(thing.double(), 42);
  assert.equal(py.eval("thing.x"), 21);
  assert.equal(thing.missing, undefined, "AttributeError reads as undefined");
  assert.ok("x" in thing);
  assert.ok(!("missing" in thing));
  delete thing.x;
  assert.equal(py.eval("hasattr(thing, 'x')"), false);
  assert.equal(thing.type, "Thing");
  assert.equal(thing.then, undefined, "then is undefined so awaiting does not hang");
  thing.destroy();
  py.exec("del thing, Thing");
});

test("method_names_win_and_dollar_prefix_reaches_python_attributes", () => {
  const d = py.eval("{'a': 1}");
  assert.equal(d.get("a"), 1, "PyProxy.get is item access");
  assert.equal(d.get("zz"), undefined, "KeyError reads as undefined");
  assert.equal(d.$get("zz", 7), 7, "$get is dict.get");
  d.destroy();
});

test("item_access_get_set_has_delete_and_len", () => {
  const d = py.eval("{}");
  d.set("k", [1, 2]);
  assert.ok(d.has("k"));
  assert.equal(d.len(), 1);
  const inner = d.get("k");
  assert.deepEqual(inner.toJS(), [1, 2]);
  inner.destroy();
  d.delete("k");
  assert.ok(!d.has("k"));
  d.destroy();
  const np = py.import("numpy");
  const a = np.arange(6).reshape(2, 3);
  assert.equal(a.get(py.tuple(1, 2)), 5);
  a.set(py.tuple(0, 0), 100);
  assert.equal(a.get(py.tuple(0, 0)), 100);
  const l = py.eval("[1, 2]");
  assert.throws(
    () => l.get(5),
    (e: unknown) => e instanceof PythonError && e.type === "IndexError",
  );
  for (const p of [np, a, l]) p.destroy();
});

test("iteration_yields_converted_values", () => {
  const r = py.eval("range(4)");
  assert.deepEqual([...r], [0, 1, 2, 3]);
  const gen = py.eval("(x * x for x in range(3))");
  const out: number[] = [];
  for (const v of gen) out.push(v);
  assert.deepEqual(out, [0, 1, 4]);
  r.destroy();
  gen.destroy();
});

test("string_conversion_is_python_str_and_inspect_is_repr", () => {
  const np = py.import("numpy");
  const a = np.array([1.5, 2]);
  assert.equal(String(a), "[1.5 2. ]");
  assert.equal(`${a}`, "[1.5 2. ]");
  assert.equal(a.repr(), "array([1.5, 2. ])");
  assert.equal(util.inspect(a), "array([1.5, 2. ])");
  a.destroy();
  np.destroy();
});

test("py_reads_and_writes_main_globals", () => {
  py.answer = 41;
  assert.equal(py.eval("answer + 1"), 42);
  py.exec("greeting = 'hi'");
  assert.equal(py.greeting, "hi");
  assert.equal(py.no_such_global, undefined);
  assert.ok("greeting" in py);
  delete py.greeting;
  delete py.answer;
  assert.ok(!("greeting" in py));
  const g = py.globals;
  g.set("z", 3);
  assert.equal(py.z, 3);
  g.destroy();
  delete py.z;
});

test("to_js_converts_deeply_down_to_depth", () => {
  const v = py.eval("{'a': [1, (2, 3)], 'b': {'c': None}, 1: 'int key'}");
  assert.deepEqual(v.toJS(), { a: [1, [2, 3]], b: { c: null }, 1: "int key" });
  const shallow = v.toJS({ depth: 1 });
  assert.ok(isPyProxy(shallow.a), "below depth stays a proxy");
  assert.deepEqual(shallow.a.toJS(), [1, [2, 3]]);
  shallow.a.destroy();
  shallow.b.destroy();
  v.destroy();
});

test("destroyed_proxy_throws_and_gc_releases_references", async () => {
  const l = py.eval("[1]");
  l.destroy();
  l.destroy();
  assert.throws(() => l.len(), /destroyed/);
  // Dropped without destroy(): the finalizer backstop releases the reference (checked by afterEach).
  for (let i = 0; i < 100; i++) py.eval("object()");
});

test("js_objects_and_functions_reach_python_as_proxies", () => {
  class Counter {
    n = 2;
    scale(x: number): number {
      return x * this.n;
    }
  }
  const f = py.eval("lambda o: (o.n, o.scale(21), type(o).__name__, o['n'])");
  assert.deepEqual(f(new Counter()).toJS(), [2, 42, "JsObject", 2], "methods keep their this");
  f.destroy();
  const typeOf = py.eval("lambda o: type(o).__name__");
  assert.equal(typeOf({ a: 1 }), "dict");
  assert.equal(typeOf(new Map()), "JsObject");
  assert.equal(
    typeOf(() => 1),
    "JsFunction",
  );
  assert.equal(typeOf(new Float32Array(2)), "JsBuffer");
  typeOf.destroy();
  const setter = py.eval("lambda o: setattr(o, 'x', [1, 2])");
  const box = new Counter() as Counter & { x?: unknown };
  setter(box);
  assert.ok(isPyProxy(box.x), "a Python list set on a JS object arrives as a PyProxy");
  assert.deepEqual((box.x as { toJS(): unknown }).toJS(), [1, 2]);
  (box.x as { destroy(): void }).destroy();
  setter.destroy();
  const ident = py.eval("lambda o: o");
  const c = new Counter();
  assert.equal(ident(c), c, "a JS object comes back as itself");
  const fn = () => 0;
  assert.equal(ident(fn), fn);
  ident.destroy();
  assert.throws(
    () => py.eval("lambda o: o")(Symbol("s")),
    (e: unknown) => e instanceof Error && /symbol/.test(e.message),
  );
});
