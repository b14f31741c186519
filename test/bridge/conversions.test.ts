// Conversions between Python and JS values, PyProxy attribute/item/call/iteration behaviour and
// py's access to __main__ globals, against the real CPython.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as util from "node:util";
import { isPyProxy, PythonError, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("python_scalars_convert_to_js_values", () => {
  assert.equal(tspy.eval("None"), null);
  assert.equal(tspy.eval("True"), true);
  assert.equal(tspy.eval("False"), false);
  assert.equal(tspy.eval("42"), 42);
  assert.equal(tspy.eval("2**53 - 1"), Number.MAX_SAFE_INTEGER);
  assert.equal(tspy.eval("-(2**53)"), -(2n ** 53n), "past Number.MAX_SAFE_INTEGER an int is a bigint");
  assert.equal(tspy.eval("2**53 + 1"), 2n ** 53n + 1n);
  assert.equal(tspy.eval("-(2**70)"), -(2n ** 70n));
  assert.equal(tspy.eval("1.5"), 1.5);
  assert.equal(tspy.eval("'héllo ✓'"), "héllo ✓");
  const np = tspy.import("numpy");
  assert.equal(np.float64(2.5), 2.5, "a float subclass (numpy.float64) converts to number");
  assert.equal(np.float32(0.5), 0.5, "numpy scalars convert through .item()");
  assert.equal(np.int64(7), 7);
  assert.equal(np.uint64(2n ** 63n), 2n ** 63n);
  assert.equal(np.bool_(true), true);
  const c = np.complex128(1);
  assert.ok(isPyProxy(c), "a complex scalar stays a proxy");
  tspy.destroy(c);
  tspy.destroy(np);
});

test("js_scalars_convert_to_python_values", () => {
  const types = tspy.eval("lambda *a: [type(x).__name__ for x in a]");
  assert.deepEqual(tspy.toJS(types(null, undefined, true, 3, 3.5, 2n ** 64n, "s", tspy.float(2))), [
    "NoneType",
    "NoneType",
    "bool",
    "int",
    "float",
    "int",
    "str",
    "float",
  ]);
  tspy.destroy(types);
  const echo = tspy.eval("lambda x: x");
  assert.equal(echo(2n ** 64n), 2n ** 64n, "bigint past 2^53 round-trips");
  assert.equal(echo(-(2n ** 60n)), -(2n ** 60n));
  assert.equal(echo(9007199254740993n), 9007199254740993n);
  assert.equal(tspy.eval("repr")(tspy.float(2)), "2.0");
  assert.equal(echo("日本語"), "日本語");
  tspy.destroy(echo);
});

test("arrays_and_plain_objects_become_lists_and_dicts", () => {
  const f = tspy.eval("lambda x: (type(x).__name__, x)");
  const [name, value] = tspy.toJS(f([1, "a", [2, null]]));
  assert.equal(name, "list");
  assert.deepEqual(value, [1, "a", [2, null]]);
  const [dname, dvalue] = tspy.toJS(f({ a: 1, b: { c: [true] } }));
  assert.equal(dname, "dict");
  assert.deepEqual(dvalue, { a: 1, b: { c: [true] } });
  tspy.destroy(f);
});

test("kwargs_marker_passes_keyword_arguments", () => {
  const builtins = tspy.import("builtins");
  const sorted = builtins.sorted([3, 1, 2], tspy.kwargs({ reverse: true }));
  assert.deepEqual(tspy.toJS(sorted), [3, 2, 1]);
  tspy.destroy(sorted);
  assert.throws(() => builtins.sorted(tspy.kwargs({ reverse: true }), [1]), /only valid as the last argument/);
  tspy.destroy(builtins);
});

test("attributes_read_and_write_through_the_proxy", () => {
  tspy.exec("class Thing:\n    def __init__(self):\n        self.x = 1\n    def double(self):\n        return self.x * 2\nthing = Thing()");
  const thing = py.thing;
  assert.ok(isPyProxy(thing));
  assert.equal(thing.x, 1);
  thing.x = 21;
  assert.equal(thing.double(), 42);
  assert.equal(tspy.eval("thing.x"), 21);
  assert.throws(
    () => thing.missing,
    (e: unknown) => e instanceof PythonError && e.type === "AttributeError" && e.value.includes("'missing'"),
    "a missing attribute raises AttributeError naming it",
  );
  assert.ok("x" in thing);
  assert.ok(!("missing" in thing));
  delete thing.x;
  assert.equal(tspy.eval("hasattr(thing, 'x')"), false);
  assert.equal(tspy.type(thing).__name__, "Thing");
  assert.equal(thing.then, undefined, "then is undefined so awaiting does not hang");
  tspy.destroy(thing);
  tspy.exec("del thing, Thing");
});

test("items_go_through_tspy_getItem_and_get_is_dict_get", () => {
  const d = tspy.eval("{'a': 1}");
  assert.equal(tspy.getItem(d, "a"), 1, "tspy.getItem is item access");
  assert.throws(
    () => tspy.getItem(d, "zz"),
    (e: unknown) => e instanceof PythonError && e.type === "KeyError",
    "a missing key raises KeyError",
  );
  assert.equal(d.get("zz", 7), 7, "d.get is dict.get, with its default");
  tspy.destroy(d);
});

test("item_access_get_set_has_delete_and_len", () => {
  const d = tspy.eval("{}");
  tspy.setItem(d, "k", [1, 2]);
  assert.ok(tspy.hasItem(d, "k"));
  assert.equal(tspy.len(d), 1);
  const inner = tspy.getItem(d, "k");
  assert.deepEqual(tspy.toJS(inner), [1, 2]);
  tspy.destroy(inner);
  tspy.delItem(d, "k");
  assert.ok(!tspy.hasItem(d, "k"));
  tspy.destroy(d);
  const np = tspy.import("numpy");
  const a = np.arange(6).reshape(2, 3);
  assert.equal(tspy.getItem(a, tspy.tuple(1, 2)), 5);
  tspy.setItem(a, tspy.tuple(0, 0), 100);
  assert.equal(tspy.getItem(a, tspy.tuple(0, 0)), 100);
  const l = tspy.eval("[1, 2]");
  assert.throws(
    () => tspy.getItem(l, 5),
    (e: unknown) => e instanceof PythonError && e.type === "IndexError",
  );
  for (const p of [np, a, l]) tspy.destroy(p);
});

test("iteration_yields_converted_values", () => {
  const r = tspy.eval("range(4)");
  assert.deepEqual([...r], [0, 1, 2, 3]);
  const gen = tspy.eval("(x * x for x in range(3))");
  const out: number[] = [];
  for (const v of gen) out.push(v);
  assert.deepEqual(out, [0, 1, 4]);
  tspy.destroy(r);
  tspy.destroy(gen);
});

test("string_conversion_is_python_str_and_inspect_is_repr", () => {
  const np = tspy.import("numpy");
  const a = np.array([1.5, 2]);
  assert.equal(String(a), "[1.5 2. ]");
  assert.equal(`${a}`, "[1.5 2. ]");
  assert.equal(tspy.repr(a), "array([1.5, 2. ])");
  assert.equal(util.inspect(a), "array([1.5, 2. ])");
  tspy.destroy(a);
  tspy.destroy(np);
});

test("py_reads_and_writes_main_globals", () => {
  py.answer = 41;
  assert.equal(tspy.eval("answer + 1"), 42);
  tspy.exec("greeting = 'hi'");
  assert.equal(py.greeting, "hi");
  assert.throws(
    () => py.no_such_global,
    (e: unknown) => e instanceof PythonError && e.type === "NameError" && e.value === "name 'no_such_global' is not defined",
  );
  assert.ok("greeting" in py);
  delete py.greeting;
  delete py.answer;
  assert.ok(!("greeting" in py));
  const g = tspy.globals;
  tspy.setItem(g, "z", 3);
  assert.equal(py.z, 3);
  tspy.destroy(g);
  delete py.z;
});

test("to_js_converts_deeply_down_to_depth", () => {
  const v = tspy.eval("{'a': [1, (2, 3)], 'b': {'c': None}, 1: 'int key'}");
  assert.deepEqual(tspy.toJS(v), { a: [1, [2, 3]], b: { c: null }, 1: "int key" });
  const shallow = tspy.toJS(v, { depth: 1 });
  assert.ok(isPyProxy(shallow.a), "below depth stays a proxy");
  assert.deepEqual(tspy.toJS(shallow.a), [1, [2, 3]]);
  tspy.destroy(shallow.a);
  tspy.destroy(shallow.b);
  tspy.destroy(v);
});

test("destroyed_proxy_throws_and_gc_releases_references", async () => {
  const l = tspy.eval("[1]");
  tspy.destroy(l);
  tspy.destroy(l);
  assert.throws(() => tspy.len(l), /destroyed/);
  // Dropped without destroy(): the finalizer backstop releases the reference (checked by afterEach).
  for (let i = 0; i < 100; i++) tspy.eval("object()");
});

test("js_objects_and_functions_reach_python_as_proxies", () => {
  class Counter {
    n = 2;
    scale(x: number): number {
      return x * this.n;
    }
  }
  const f = tspy.eval("lambda o: (o.n, o.scale(21), type(o).__name__, o['n'])");
  assert.deepEqual(tspy.toJS(f(new Counter())), [2, 42, "JsObject", 2], "methods keep their this");
  tspy.destroy(f);
  const typeOf = tspy.eval("lambda o: type(o).__name__");
  assert.equal(typeOf({ a: 1 }), "dict");
  assert.equal(typeOf(new Map()), "JsObject");
  assert.equal(
    typeOf(() => 1),
    "JsFunction",
  );
  assert.equal(typeOf(new Float32Array(2)), "JsBuffer");
  tspy.destroy(typeOf);
  const setter = tspy.eval("lambda o: setattr(o, 'x', [1, 2])");
  const box = new Counter() as Counter & { x?: unknown };
  setter(box);
  assert.ok(isPyProxy(box.x), "a Python list set on a JS object arrives as a PyProxy");
  assert.deepEqual(tspy.toJS(box.x), [1, 2]);
  tspy.destroy(box.x as PyProxy);
  tspy.destroy(setter);
  const ident = tspy.eval("lambda o: o");
  const c = new Counter();
  assert.equal(ident(c), c, "a JS object comes back as itself");
  const fn = () => 0;
  assert.equal(ident(fn), fn);
  tspy.destroy(ident);
  assert.throws(
    () => tspy.eval("lambda o: o")(Symbol("s")),
    (e: unknown) => e instanceof Error && /symbol/.test(e.message),
  );
});
