// Zero-copy buffers both ways: numpy -> getBuffer().data and TypedArray -> np.asarray share one
// memory, and the memory lives while either side holds it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PythonError, tspy } from "../../bridge/lib/index.js";
import { settle, useBridge } from "./helpers.js";

const py = useBridge();

test("numpy_array_buffer_is_a_typed_array_over_the_same_memory", () => {
  tspy.exec("import numpy as np\na = np.arange(6, dtype=np.float64).reshape(2, 3)");
  const a = py.a;
  const buf = tspy.getBuffer(a);
  assert.ok(buf.data instanceof Float64Array);
  assert.deepEqual([...buf.data], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(buf.shape, [2, 3]);
  assert.deepEqual(buf.strides, [24, 8]);
  assert.equal(buf.dtype, "float64");
  assert.equal(buf.itemsize, 8);
  assert.equal(buf.readonly, false);
  assert.equal(buf.offset, 0);
  buf.data[4] = 40; // JS write, numpy sees it
  assert.equal(tspy.eval("a[1, 1]"), 40);
  tspy.exec("a[0, 2] = -7"); // numpy write, JS sees it
  assert.equal(buf.data[2], -7);
  buf.release();
  assert.equal(buf.data.length, 0, "released data is detached");
  buf.release();
  tspy.destroy(a);
  tspy.exec("del a");
});

test("typed_array_memory_outlives_the_numpy_array", async () => {
  tspy.exec("b = np.full(4, 3, dtype=np.float32)");
  const b = py.b;
  const buf = tspy.getBuffer(b);
  tspy.destroy(b);
  tspy.exec("del b");
  await settle();
  tspy.exec("junk = [np.zeros(4, dtype=np.float32) + 9 for _ in range(100)]\ndel junk");
  assert.ok(buf.data instanceof Float32Array);
  assert.deepEqual([...buf.data], [3, 3, 3, 3], "the Py_buffer keeps the array's memory alive");
  buf.release();
});

test("dtype_table_maps_formats_to_typed_arrays", () => {
  const cases: Array<[string, string, string]> = [
    ["np.int8", "int8", "Int8Array"],
    ["np.uint8", "uint8", "Uint8Array"],
    ["np.int16", "int16", "Int16Array"],
    ["np.uint16", "uint16", "Uint16Array"],
    ["np.int32", "int32", "Int32Array"],
    ["np.uint32", "uint32", "Uint32Array"],
    ["np.int64", "int64", "BigInt64Array"],
    ["np.uint64", "uint64", "BigUint64Array"],
    ["np.float16", "float16", "Uint16Array"],
    ["np.float32", "float32", "Float32Array"],
    ["np.float64", "float64", "Float64Array"],
    ["np.bool_", "bool", "Uint8Array"],
  ];
  for (const [ctor, dtype, kind] of cases) {
    const arr = tspy.eval(`np.ones(3, dtype=${ctor})`);
    const buf = tspy.getBuffer(arr);
    assert.equal(buf.dtype, dtype, ctor);
    assert.equal(buf.data.constructor.name, kind, ctor);
    assert.equal(buf.data.length, 3);
    buf.release();
    tspy.destroy(arr);
  }
  const bytes = tspy.eval("b'abc'");
  const bb = tspy.getBuffer(bytes);
  assert.equal(bb.readonly, true);
  assert.deepEqual([...bb.data], [97, 98, 99]);
  bb.release();
  tspy.destroy(bytes);
  const cplx = tspy.eval("np.ones(2, dtype='>f8')"); // big-endian: not in the table
  assert.throws(
    () => tspy.getBuffer(cplx),
    (e: unknown) => e instanceof TypeError && /unsupported buffer format/.test(e.message),
  );
  tspy.destroy(cplx);
  const notBuffer = tspy.eval("object()");
  assert.throws(
    () => tspy.getBuffer(notBuffer),
    (e: unknown) => e instanceof PythonError && e.type === "TypeError",
  );
  tspy.destroy(notBuffer);
});

test("non_contiguous_views_report_strides_over_the_spanned_memory", () => {
  const v = tspy.eval("np.arange(10, dtype=np.int32)[::3]"); // 0 3 6 9
  const buf = tspy.getBuffer(v);
  assert.deepEqual(buf.shape, [4]);
  assert.deepEqual(buf.strides, [12]);
  const at = (i: number) => buf.data[(buf.offset + i * buf.strides[0]) / buf.itemsize];
  assert.deepEqual([0, 1, 2, 3].map(at), [0, 3, 6, 9]);
  buf.release();
  tspy.destroy(v);
  const r = tspy.eval("np.arange(4, dtype=np.float64)[::-1]"); // 3 2 1 0
  const rb = tspy.getBuffer(r);
  assert.deepEqual(rb.strides, [-8]);
  assert.equal(rb.offset, 24);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => rb.data[(rb.offset + i * rb.strides[0]) / rb.itemsize]),
    [3, 2, 1, 0],
  );
  rb.release();
  tspy.destroy(r);
  const t = tspy.eval("np.arange(6, dtype=np.float64).reshape(2, 3).T");
  const tb = tspy.getBuffer(t);
  assert.deepEqual(tb.shape, [3, 2]);
  assert.deepEqual(tb.strides, [8, 24]);
  tb.release();
  tspy.destroy(t);
});

test("typed_array_passed_to_python_is_shared_not_copied", () => {
  const x = new Float64Array([1, 2, 3]);
  py.x = x;
  tspy.exec("xa = np.asarray(x)");
  assert.equal(tspy.eval("xa.dtype.name"), "float64");
  assert.deepEqual(tspy.toJS(tspy.eval("xa.shape")), [3]);
  assert.equal(tspy.eval("np.shares_memory(xa, np.asarray(x))"), true);
  tspy.exec("xa[1] = 20"); // numpy write, JS sees it
  assert.equal(x[1], 20);
  x[2] = 30; // JS write, numpy sees it
  assert.equal(tspy.eval("float(xa[2])"), 30);
  assert.equal(tspy.eval("x"), x, "the JsBuffer converts back to the same TypedArray");
  const kinds: Array<[ArrayBufferView | ArrayBuffer, string]> = [
    [new Int8Array(2), "int8"],
    [new Uint8Array(2), "uint8"],
    [new Uint8ClampedArray(2), "uint8"],
    [new Int16Array(2), "int16"],
    [new Uint16Array(2), "uint16"],
    [new Int32Array(2), "int32"],
    [new Uint32Array(2), "uint32"],
    [new Float32Array(2), "float32"],
    [new BigInt64Array(2), "int64"],
    [new BigUint64Array(2), "uint64"],
    [new ArrayBuffer(2), "uint8"],
    [new DataView(new ArrayBuffer(4), 1, 2), "uint8"],
  ];
  const dtypeOf = tspy.eval("lambda v: np.asarray(v).dtype.name");
  for (const [v, name] of kinds) assert.equal(dtypeOf(v), name, v.constructor.name);
  tspy.destroy(dtypeOf);
  const sub = new Float32Array(new ArrayBuffer(32), 8, 2);
  py.sub = sub;
  tspy.exec("np.asarray(sub)[:] = [5, 6]");
  assert.deepEqual([...new Float32Array(sub.buffer)], [0, 0, 5, 6, 0, 0, 0, 0], "a view at an offset writes in place");
  tspy.exec("del x, xa, sub");
});

test("numpy_keeps_js_memory_alive_after_js_drops_it", async () => {
  (() => {
    tspy.exec("keep = None");
    py.keep = new Int32Array([7, 8, 9]);
    tspy.exec("kept = np.asarray(keep)\ndel keep");
  })();
  await settle();
  (globalThis as { gc?: () => void }).gc?.();
  assert.deepEqual(tspy.toJS(tspy.eval("kept.tolist()")), [7, 8, 9]);
  tspy.exec("del kept");
});

test("large_buffer_views_are_not_counted_as_v8_memory", () => {
  // Issue 4: V8 counted an 80 MB view of numpy memory as its own external memory, so each
  // handoff of a large array started GC work. The memory is Python's: V8's count must not move.
  const a = tspy.eval("__import__('numpy').zeros(10 * 1024 * 1024)"); // 80 MB
  const before = process.memoryUsage().external;
  const buf = tspy.getBuffer(a);
  const grew = process.memoryUsage().external - before;
  assert.equal(buf.data.length, 10 * 1024 * 1024);
  assert.ok(grew < 8 * 1024 * 1024, `V8 external memory grew by ${grew} bytes for a view of Python memory`);
  buf.release();
  assert.equal(buf.data.length, 0, "release() still detaches the view");
  tspy.destroy(a);
});

test("transferred_buffer_view_keeps_python_memory_alive", async () => {
  // postMessage can move a view's memory to another holder: the Py_buffer is released only when
  // that holder lets go too, so the memory stays valid after release() and the array's death.
  const a = tspy.eval("__import__('numpy').arange(4.0)");
  const buf = tspy.getBuffer(a);
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<Float64Array>((resolve) => port2.once("message", resolve));
  port1.postMessage(buf.data, [buf.data.buffer as ArrayBuffer]);
  let moved: Float64Array | undefined = await received;
  port1.close();
  port2.close();
  assert.equal(buf.data.length, 0, "the sender's view is detached by the transfer");
  buf.release();
  tspy.destroy(a);
  tspy.exec("import gc; gc.collect()");
  assert.deepEqual([...moved], [0, 1, 2, 3], "the moved view still reads Python's memory");
  moved = undefined;
});

test("get_buffer_of_an_expected_kind_is_typed_as_it_and_another_dtype_is_a_clear_error", () => {
  tspy.exec("import numpy as np\nk32 = np.arange(4, dtype=np.float32)\nk64 = np.arange(4, dtype=np.int64)");
  // The digits example's idiom: a float32 array's data is a Float32Array, typed so (no union with
  // BigInt64Array), so Math.max and /= type-check and run.
  const buf = tspy.getBuffer(py.k32, { kind: Float32Array });
  const typed: Float32Array = buf.data;
  let max = 0;
  for (const v of typed) max = Math.max(max, v);
  for (let i = 0; i < typed.length; i++) typed[i] /= max;
  assert.deepEqual(tspy.toJS(tspy.eval("k32.tolist()")), [0, 1 / 3, 2 / 3, 1].map(Math.fround));
  buf.release();
  // Asked for Float32Array, an int64 array throws naming both kinds; the Py_buffer is released
  // (a bytearray cannot grow while an export of it is held).
  assert.throws(() => tspy.getBuffer(py.k64, { kind: Float32Array }), {
    name: "TypeError",
    message: "getBuffer: the buffer's dtype int64 is read as a BigInt64Array, not the Float32Array asked for",
  });
  tspy.exec("ba = bytearray(b'abcd')");
  assert.throws(() => tspy.getBuffer(py.ba, { kind: Float64Array }), /dtype uint8 is read as a Uint8Array, not the Float64Array/);
  tspy.exec("ba.extend(b'x')");
  assert.equal(tspy.eval("len(ba)"), 5);
  // @ts-expect-error kind is a TypedArray class, not a dtype name
  assert.throws(() => tspy.getBuffer(py.k32, { kind: "float32" }), /kind must be a TypedArray class/);
  tspy.exec("del k32, k64, ba");
});
