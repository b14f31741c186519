// DLPack both ways without copies: CPU TensorFlow and torch tensors become TypedArrays over the
// tensor's memory (getBuffer through numpy.from_dlpack), and TS TypedArrays become tensors over
// the TypedArray's memory (tspy.toDLPack / JsBuffer.__dlpack__); lifetimes are tied both ways.
import assert from "node:assert/strict";
import { test } from "node:test";
import { alignedArray, bufferAddress, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { settle, useBridge } from "./helpers.js";

const py = useBridge();
tspy.exec("import numpy as np, tensorflow as tf, torch");

/** The address numpy sees for a DLPack producer's memory (np.from_dlpack(x).ctypes.data). */
function pyAddress(expr: string): bigint {
  return BigInt(tspy.eval(`np.from_dlpack(${expr}).ctypes.data`) as number);
}

test("tensorflow_tensor_to_typed_array_shares_memory", () => {
  tspy.exec("t = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))");
  const t = py.t as PyProxy;
  // An EagerTensor exports its own (read-only) buffer protocol over the tensor's memory, which
  // getBuffer prefers to DLPack; both are the same memory.
  const copy = tspy.getBuffer(t);
  assert.equal(copy.readonly, true, "TensorFlow exports its tensors read-only");
  assert.equal(copy.copied, true, "so the default view is a copy");
  copy.release();

  const buf = tspy.getBuffer(t, { readOnly: "share" });
  assert.equal(buf.copied, false);
  assert.equal(buf.dtype, "float32");
  assert.deepEqual(buf.shape, [2, 3]);
  assert.deepEqual(buf.strides, [12, 4]);
  assert.ok(buf.data instanceof Float32Array);
  assert.deepEqual(Array.from(buf.data), [0, 1, 2, 3, 4, 5]);
  assert.equal(bufferAddress(buf.data), pyAddress("t"), "the TypedArray is the tensor's memory (np.from_dlpack(t) sees the same address)");
  buf.data[5] = 50; // memory no TF op is reading: the write is seen by the tensor
  assert.equal(tspy.eval("float(tf.reduce_sum(t))"), 0 + 1 + 2 + 3 + 4 + 50);
  buf.release();
  tspy.destroy(t);
  tspy.exec("del t");
});

test("tensorflow_int_and_bool_tensors_keep_their_dtypes", () => {
  tspy.exec("ti = tf.constant([[1, -2], [3, 4]], dtype=tf.int64)");
  const b = tspy.getBuffer(py.ti as PyProxy, { readOnly: "share" });
  assert.equal(b.dtype, "int64");
  assert.ok(b.data instanceof BigInt64Array);
  assert.deepEqual(Array.from(b.data), [1n, -2n, 3n, 4n]);
  b.release();
  tspy.exec("del ti");
});

test("torch_tensor_to_typed_array_shares_memory_both_ways", () => {
  tspy.exec("tt = torch.arange(6, dtype=torch.float32).reshape(2, 3)");
  const tt = py.tt as PyProxy;
  const buf = tspy.getBuffer(tt);
  assert.equal(buf.dlpack, true);
  assert.equal(buf.readonly, false);
  assert.equal(buf.copied, false);
  assert.deepEqual(buf.shape, [2, 3]);
  assert.equal(bufferAddress(buf.data), BigInt(tspy.eval("tt.data_ptr()") as number));
  buf.data[1] = 99;
  assert.equal(tspy.eval("tt[0, 1].item()"), 99, "a TS write is seen by torch");
  tspy.exec("tt.mul_(2)");
  assert.equal(buf.data[1], 198, "a torch in-place op is seen by TS");
  buf.release();

  // A strided torch view stays a view.
  tspy.exec("tv = tt.t()");
  const v = tspy.getBuffer(py.tv as PyProxy);
  assert.deepEqual(v.shape, [3, 2]);
  assert.deepEqual(v.strides, [4, 12]);
  assert.equal(v.data[(v.offset + 1 * v.strides[0] + 0 * v.strides[1]) / 4], 198, "tv[1, 0] is tt[0, 1]");
  v.release();
  tspy.destroy(tt);
  tspy.exec("del tt, tv");
});

test("typed_array_to_torch_tensor_without_copy", () => {
  const f = new Float32Array([1, 2, 3, 4, 5, 6]);
  const torch = tspy.import("torch");
  const t1 = torch.from_dlpack(f) as PyProxy; // a TypedArray is a DLPack producer itself
  assert.equal(BigInt(t1.data_ptr() as number), bufferAddress(f));
  assert.equal(String(t1.dtype), "torch.float32");
  const t2 = torch.from_dlpack(tspy.toDLPack(f, { shape: [2, 3] })) as PyProxy;
  assert.deepEqual(tspy.toJS(tspy.eval("list")(t2.shape) as PyProxy), [2, 3]);
  f[0] = 10;
  assert.equal(t2.sum().item(), 10 + 2 + 3 + 4 + 5 + 6, "a TS write is seen by the tensor");
  t2.mul_(2);
  assert.deepEqual(Array.from(f), [20, 4, 6, 8, 10, 12], "a torch in-place op is seen by TS");
  const i64 = new BigInt64Array([5n, -6n]);
  const t3 = torch.from_dlpack(i64) as PyProxy;
  assert.equal(String(t3.dtype), "torch.int64");
  assert.equal(t3.sum().item(), -1);
  for (const t of [t1, t2, t3]) tspy.destroy(t);
  tspy.destroy(torch);
});

test("typed_array_to_tensorflow_tensor_without_copy", () => {
  const a = alignedArray(Float32Array, 6);
  assert.equal(bufferAddress(a) % 64n, 0n, "TensorFlow needs 64-byte aligned memory");
  a.set([1, 2, 3, 4, 5, 6]);
  py.cap = tspy.toDLPack(a, { shape: [2, 3] });
  tspy.exec("tft = tf.experimental.dlpack.from_dlpack(cap)\ndel cap");
  assert.deepEqual(tspy.toJS(tspy.eval("tft.shape.as_list()") as PyProxy), [2, 3]);
  assert.equal(pyAddress("tft"), bufferAddress(a), "the tensor is the TypedArray's memory");
  assert.equal(tspy.eval("float(tf.reduce_sum(tft))"), 21);
  a[0] = 101;
  assert.equal(tspy.eval("float(tf.reduce_sum(tft))"), 121, "a TS write is seen by TensorFlow");
  assert.deepEqual(tspy.toJS(tspy.eval("tf.matmul(tft, tf.ones((3, 1))).numpy().ravel().tolist()") as PyProxy), [106, 15]);
  tspy.exec("del tft");
});

test("tensor_keeps_the_typed_array_memory_alive", async () => {
  (() => {
    const a = alignedArray(Float64Array, 1000);
    a.fill(0.5);
    py.cap = tspy.toDLPack(a);
    tspy.exec("kept = torch.from_dlpack(cap)\ndel cap");
  })();
  await settle(); // the TypedArray is unreachable from JS now; the tensor still holds it
  assert.equal(tspy.eval("kept.sum().item()"), 500);
  tspy.exec("del kept");
});

test("to_dlpack_rejects_bad_arguments", () => {
  assert.throws(() => tspy.toDLPack([1, 2] as unknown as Float32Array), TypeError);
  assert.throws(() => tspy.toDLPack(new Float32Array(4), { shape: [2, -2] }), TypeError);
  assert.throws(
    () => tspy.toDLPack(new Float32Array(4), { shape: [3] }),
    (e: unknown) => e instanceof Error && e.name === "PythonError",
  );
  assert.throws(() => alignedArray(Float64Array, 2, 4), RangeError);
});
