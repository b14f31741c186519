// One namespace rule (issue 12, items 1, 2 and 5), written as the user's code that used to fail:
// every string key of a PyProxy is a Python attribute and every `py.NAME` a global of `__main__`
// (the bridge's own API is `tspy`), a missing one raises, and conversions keep their promise.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isPyProxy, PythonError, QUIET_ATTRIBUTES, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

const isPythonError = (type: string, name: string) => (e: unknown) => e instanceof PythonError && e.type === type && e.value.includes(`'${name}'`);

test("builtins_type_is_pythons_type_issue_12", () => {
  const builtins = tspy.import("builtins");
  const int = builtins.type(3);
  assert.equal(int, builtins.int, "builtins.type(3) is int");
  assert.equal(tspy.type(3), int, "tspy.type is Python's type too");
  assert.equal(int.__name__, "int");
  tspy.destroy(builtins);
});

test("dict_get_keeps_its_default_issue_12", () => {
  const d = tspy.eval("{'a': 1}");
  assert.equal(d.get("k", 0), 0, "d.get('k', 0) is dict.get with its default");
  assert.equal(d.get("a"), 1);
  assert.equal(d.get("k"), null, "dict.get without a default is None");
  d.update({ k: 5 });
  assert.equal(tspy.getItem(d, "k"), 5);
  tspy.destroy(d);
});

test("os_environ_get_keeps_its_default_issue_12", () => {
  const os = tspy.import("os");
  assert.equal(os.environ.get("TSPY_SURELY_NOT_SET", "dflt"), "dflt");
  tspy.destroy(os);
});

test("queue_get_is_queue_get_issue_12", () => {
  const queue = tspy.import("queue");
  const q = queue.Queue();
  q.put(7);
  assert.equal(q.get(), 7, "queue.Queue().get() after a put");
  assert.equal(q.empty(), true);
  tspy.destroy(q);
  tspy.destroy(queue);
});

test("python_methods_named_like_the_old_proxy_methods_are_called_issue_12", () => {
  tspy.exec(
    "class Store:\n    def delete(self): return 'deleted'\n    def set(self, k, v): return f'{k}={v}'\n    def has(self, k): return k == 1\n    def len(self): return 'len'\n    def destroy(self): return 'boom'\n    def toJS(self): return 'mine'\nstore = Store()",
  );
  const store = py.store;
  assert.equal(store.delete(), "deleted", "obj.delete() calls Python's delete");
  assert.equal(store.set("a", 1), "a=1");
  assert.equal(store.has(1), true);
  assert.equal(store.len(), "len");
  assert.equal(store.destroy(), "boom", "a Python destroy() is not the proxy's release");
  assert.equal(store.toJS(), "mine");
  tspy.destroy(store);
  tspy.exec("del store, Store");
});

test("globals_named_like_the_bridge_api_are_reachable_issue_12", () => {
  const names = ["config", "kwargs", "eval", "tuple", "slice", "import", "type", "get", "toJS", "globals"];
  tspy.exec(names.map((n, i) => `globals()[${JSON.stringify(n)}] = ${i}`).join("\n"));
  names.forEach((n, i) => assert.equal(py[n], i, `py.${n} is the global ${n}`));
  py.config = { units: 3 };
  assert.equal(tspy.eval("config['units']"), 3, "py.config = v sets the global");
  assert.ok("kwargs" in py);
  for (const n of names) delete py[n];
  assert.ok(!("kwargs" in py));
});

test("missing_attribute_raises_attribute_error_naming_it_issue_12", () => {
  tspy.exec("class Dense:\n    def __init__(self, units): self.units = units\nlayer = Dense(32)");
  const layer = py.layer;
  assert.equal(layer.units, 32);
  assert.throws(() => layer.unitz, isPythonError("AttributeError", "unitz"));
  assert.throws(() => layer.fitt(1), isPythonError("AttributeError", "fitt"));
  assert.equal("units" in layer, true, "'name' in proxy is hasattr");
  assert.equal("unitz" in layer, false);
  assert.equal(tspy.hasAttr(layer, "unitz"), false);
  tspy.destroy(layer);
  tspy.exec("del layer, Dense");
});

test("missing_global_raises_name_error_naming_it_issue_12", () => {
  assert.throws(() => py.nonexistent, isPythonError("NameError", "nonexistent"));
  assert.throws(() => delete py.nonexistent, isPythonError("NameError", "nonexistent"));
  assert.equal("nonexistent" in py, false);
});

test("names_javascript_probes_read_as_undefined_issue_12", async () => {
  const o = tspy.eval("object()");
  for (const name of QUIET_ATTRIBUTES) assert.equal(o[name], undefined, `${name} reads as undefined`);
  assert.equal(await o, o, "await on a non-awaitable proxy gives the proxy");
  assert.equal(JSON.stringify(o), undefined, "JSON.stringify of a proxy does not throw");
  assert.equal(JSON.stringify({ o, n: 1 }), '{"n":1}');
  assert.equal(py.then, undefined, "py.then is undefined: `await py` does not hang");
  tspy.exec("class WithJson:\n    def toJSON(self, key=None): return 'wj'\nwj = WithJson()");
  const wj = py.wj;
  assert.equal(JSON.stringify([wj]), '["wj"]', "a Python toJSON attribute is used");
  tspy.destroy(wj);
  tspy.destroy(o);
  tspy.exec("del wj, WithJson");
  const coro = tspy.eval("__import__('asyncio').sleep(0, 'slept')");
  assert.equal(await coro, "slept", "an awaitable still awaits");
  tspy.destroy(coro);
});

test("string_conversion_is_str", () => {
  const l = tspy.eval("[1, 'a']");
  assert.equal(String(l), "[1, 'a']");
  assert.equal(`${l}!`, "[1, 'a']!");
  assert.equal(tspy.repr(tspy.eval("'a'")), "'a'");
  tspy.destroy(l);
});

test("tspy_has_no_python_names_and_rejects_unknown_members", () => {
  assert.throws(() => (tspy as unknown as Record<string, unknown>).nonexistent, /tspy has no member 'nonexistent'/);
  assert.equal((tspy as unknown as Record<string, unknown>).then, undefined, "await tspy does not hang");
  assert.equal(tspy.isProxy(tspy.globals), true);
  assert.equal(tspy.isProxy({}), false);
});

test("tspy_slice_follows_pythons_slice_issue_12", () => {
  const same = tspy.eval("lambda a, b: a == b");
  const slice = tspy.import("builtins").slice;
  assert.equal(same(tspy.slice(1), slice(1)), true, "tspy.slice(1) is slice(1), i.e. :1");
  assert.equal(same(tspy.slice(1, 3), slice(1, 3)), true);
  assert.equal(same(tspy.slice(null, null, -1), slice(null, null, -1)), true);
  const l = tspy.eval("list(range(5))");
  assert.deepEqual(tspy.toJS(tspy.getItem(l, tspy.slice(2))), [0, 1], "l[:2]");
  assert.deepEqual(tspy.toJS(tspy.getItem(l, tspy.slice(null, null, -1))), [4, 3, 2, 1, 0]);
  assert.throws(() => (tspy.slice as (...a: unknown[]) => unknown)(), TypeError, "slice() needs an argument, as in Python");
  for (const p of [same, slice, l]) tspy.destroy(p);
});

test("to_js_of_an_ndarray_is_nested_arrays_issue_12", () => {
  const np = tspy.import("numpy");
  const a = np.arange(6).reshape(2, 3);
  assert.deepEqual(tspy.toJS(a), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(tspy.toJS(np.array([0.5, 1.5], tspy.kwargs({ dtype: "float32" }))), [0.5, 1.5]);
  assert.equal(tspy.toJS(np.array(7)), 7, "a 0-d array is its scalar");
  assert.deepEqual(tspy.toJS(a, { depth: 1 }).length, 2);
  assert.equal(tspy.getBuffer(a).data instanceof BigInt64Array, true, "the typed form is tspy.getBuffer");
  tspy.destroy(a);
  tspy.destroy(np);
});

test("to_js_of_tuple_likes_is_an_array_issue_12", () => {
  tspy.exec(
    "class Shape:\n    def __init__(self, dims): self.dims = dims\n    def __len__(self): return len(self.dims)\n    def __getitem__(self, i): return self.dims[i]\nshape = Shape([2, None])\nimport collections, types\nmp = types.MappingProxyType({'a': (1, 2)})",
  );
  assert.deepEqual(tspy.toJS(py.shape), [2, null], "__len__ + __getitem__ is array-like");
  assert.deepEqual(tspy.toJS(tspy.eval("range(3)")), [0, 1, 2]);
  assert.deepEqual(tspy.toJS(tspy.eval("collections.deque([1, 2])")), [1, 2]);
  assert.deepEqual(tspy.toJS(tspy.eval("{3}")), [3]);
  assert.deepEqual(tspy.toJS(py.mp), { a: [1, 2] }, "a Mapping converts like a dict");
  assert.ok(isPyProxy(tspy.toJS(tspy.eval("b'ab'"))), "bytes stay a proxy (use tspy.getBuffer)");
  assert.equal(tspy.toJS(5), 5, "a JS value is returned as it is");
  tspy.exec("del shape, Shape, mp, collections, types");
});

test("to_js_of_a_tensorflow_tensor_shape_is_an_array_issue_12", () => {
  const tf = tspy.import("tensorflow");
  const shape = tf.TensorShape([2, null, 3]);
  assert.deepEqual(tspy.toJS(shape), [2, null, 3]);
  const t = tf.zeros([4, 5]);
  assert.deepEqual(tspy.toJS(t.shape), [4, 5]);
  for (const p of [shape, t, tf]) tspy.destroy(p);
});
