// DLPack both ways without copies: CPU TensorFlow and torch tensors become TypedArrays over the
// tensor's memory (getBuffer through numpy.from_dlpack), and TS TypedArrays become tensors over
// the TypedArray's memory (py.toDLPack / JsBuffer.__dlpack__); lifetimes are tied both ways.
import assert from "node:assert/strict";
import { test } from "node:test";
import { alignedArray, bufferAddress, type PyProxy } from "../../bridge/lib/index.js";
import { settle, useBridge } from "./helpers.js";

const py = useBridge();
py.exec("import numpy as np, tensorflow as tf, torch");

/** The address numpy sees for a DLPack producer's memory (np.from_dlpack(x).ctypes.data). */
function pyAddress(expr: string): bigint {
  return BigInt(py.eval(`np.from_dlpack(${expr}).ctypes.data`) as number);
}

test("tensorflow_tensor_to_typed_array_shares_memory", () => {
  py.exec("t = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))");
  const t = py.t as PyProxy;
  // An EagerTensor exports its own (read-only) buffer protocol over the tensor's memory, which
  // getBuffer prefers to DLPack; both are the same memory.
  const copy = t.getBuffer();
  assert.equal(copy.readonly, true, "TensorFlow exports its tensors read-only");
  assert.equal(copy.copied, true, "so the default view is a copy");
  copy.release();

  const buf = t.getBuffer({ readOnly: "share" });
  assert.equal(buf.copied, false);
  assert.equal(buf.dtype, "float32");
  assert.deepEqual(buf.shape, [2, 3]);
  assert.deepEqual(buf.strides, [12, 4]);
  assert.ok(buf.data instanceof Float32Array);
  assert.deepEqual(Array.from(buf.data), [0, 1, 2, 3, 4, 5]);
  assert.equal(bufferAddress(buf.data), pyAddress("t"), "the TypedArray is the tensor's memory (np.from_dlpack(t) sees the same address)");
  buf.data[5] = 50; // memory no TF op is reading: the write is seen by the tensor
  assert.equal(py.eval("float(tf.reduce_sum(t))"), 0 + 1 + 2 + 3 + 4 + 50);
  buf.release();
  t.destroy();
  py.exec("del t");
});

test("tensorflow_int_and_bool_tensors_keep_their_dtypes", () => {
  py.exec("ti = tf.constant([[1, -2], [3, 4]], dtype=tf.int64)");
  const b = (py.ti as PyProxy).getBuffer({ readOnly: "share" });
  assert.equal(b.dtype, "int64");
  assert.ok(b.data instanceof BigInt64Array);
  assert.deepEqual(Array.from(b.data), [1n, -2n, 3n, 4n]);
  b.release();
  py.exec("del ti");
});

test("torch_tensor_to_typed_array_shares_memory_both_ways", () => {
  py.exec("tt = torch.arange(6, dtype=torch.float32).reshape(2, 3)");
  const tt = py.tt as PyProxy;
  const buf = tt.getBuffer();
  assert.equal(buf.dlpack, true);
  assert.equal(buf.readonly, false);
  assert.equal(buf.copied, false);
  assert.deepEqual(buf.shape, [2, 3]);
  assert.equal(bufferAddress(buf.data), BigInt(py.eval("tt.data_ptr()") as number));
  buf.data[1] = 99;
  assert.equal(py.eval("tt[0, 1].item()"), 99, "a TS write is seen by torch");
  py.exec("tt.mul_(2)");
  assert.equal(buf.data[1], 198, "a torch in-place op is seen by TS");
  buf.release();

  // A strided torch view stays a view.
  py.exec("tv = tt.t()");
  const v = (py.tv as PyProxy).getBuffer();
  assert.deepEqual(v.shape, [3, 2]);
  assert.deepEqual(v.strides, [4, 12]);
  assert.equal(v.data[(v.offset + 1 * v.strides[0] + 0 * v.strides[1]) / 4], 198, "tv[1, 0] is tt[0, 1]");
  v.release();
  tt.destroy();
  py.exec("del tt, tv");
});

test("typed_array_to_torch_tensor_without_copy", () => {
  const f = new Float32Array([1, 2, 3, 4, 5, 6]);
  const torch = py.import("torch");
  const t1 = torch.from_dlpack(f) as PyProxy; // a TypedArray is a DLPack producer itself
  assert.equal(BigInt(t1.data_ptr() as number), bufferAddress(f));
  assert.equal(t1.dtype.toString(), "torch.float32");
  const t2 = torch.from_dlpack(py.toDLPack(f, { shape: [2, 3] })) as PyProxy;
  assert.deepEqual((py.eval("list")(t2.shape) as PyProxy).toJS(), [2, 3]);
  f[0] = 10;
  assert.equal(t2.sum().item(), 10 + 2 + 3 + 4 + 5 + 6, "a TS write is seen by the tensor");
  t2.mul_(2);
  assert.deepEqual(Array.from(f), [20, 4, 6, 8, 10, 12], "a torch in-place op is seen by TS");
  const i64 = new BigInt64Array([5n, -6n]);
  const t3 = torch.from_dlpack(i64) as PyProxy;
  assert.equal(t3.dtype.toString(), "torch.int64");
  assert.equal(t3.sum().item(), -1);
  for (const t of [t1, t2, t3]) t.destroy();
  torch.destroy();
});

test("typed_array_to_tensorflow_tensor_without_copy", () => {
  const a = alignedArray(Float32Array, 6);
  assert.equal(bufferAddress(a) % 64n, 0n, "TensorFlow needs 64-byte aligned memory");
  a.set([1, 2, 3, 4, 5, 6]);
  py.cap = py.toDLPack(a, { shape: [2, 3] });
  py.exec("tft = tf.experimental.dlpack.from_dlpack(cap)\ndel cap");
  assert.deepEqual((py.eval("tft.shape.as_list()") as PyProxy).toJS(), [2, 3]);
  assert.equal(pyAddress("tft"), bufferAddress(a), "the tensor is the TypedArray's memory");
  assert.equal(py.eval("float(tf.reduce_sum(tft))"), 21);
  a[0] = 101;
  assert.equal(py.eval("float(tf.reduce_sum(tft))"), 121, "a TS write is seen by TensorFlow");
  assert.deepEqual((py.eval("tf.matmul(tft, tf.ones((3, 1))).numpy().ravel().tolist()") as PyProxy).toJS(), [106, 15]);
  py.exec("del tft");
});

test("tensor_keeps_the_typed_array_memory_alive", async () => {
  (() => {
    const a = alignedArray(Float64Array, 1000);
    a.fill(0.5);
    py.cap = py.toDLPack(a);
    py.exec("kept = torch.from_dlpack(cap)\ndel cap");
  })();
  await settle(); // the TypedArray is unreachable from JS now; the tensor still holds it
  assert.equal(py.eval("kept.sum().item()"), 500);
  py.exec("del kept");
});

test("to_dlpack_rejects_bad_arguments", () => {
  assert.throws(() => py.toDLPack([1, 2] as unknown as Float32Array), TypeError);
  assert.throws(() => py.toDLPack(new Float32Array(4), { shape: [2, -2] }), TypeError);
  assert.throws(
    () => py.toDLPack(new Float32Array(4), { shape: [3] }),
    (e: unknown) => e instanceof Error && e.name === "PythonError",
  );
  assert.throws(() => alignedArray(Float64Array, 2, 4), RangeError);
});
