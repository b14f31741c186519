// The dtype <-> TypedArray table both ways (including float16 bits and interleaved complex),
// views that stay views, and read-only buffers that JS cannot write into.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();
tspy.exec("import numpy as np");

test("every_dtype_of_the_table_maps_to_its_typed_array_and_back", () => {
  const table: Array<[string, string, string, number]> = [
    ["int8", "int8", "Int8Array", 1],
    ["uint8", "uint8", "Uint8Array", 1],
    ["bool", "bool", "Uint8Array", 1],
    ["int16", "int16", "Int16Array", 2],
    ["uint16", "uint16", "Uint16Array", 2],
    ["int32", "int32", "Int32Array", 4],
    ["uint32", "uint32", "Uint32Array", 4],
    ["int64", "int64", "BigInt64Array", 8],
    ["uint64", "uint64", "BigUint64Array", 8],
    ["float16", "float16", "Uint16Array", 2],
    ["float32", "float32", "Float32Array", 4],
    ["float64", "float64", "Float64Array", 8],
    ["complex64", "complex64", "Float32Array", 8],
    ["complex128", "complex128", "Float64Array", 16],
  ];
  const back = tspy.eval("lambda v: np.asarray(v).dtype.name");
  for (const [np, dtype, kind, itemsize] of table) {
    const a = tspy.eval(`np.arange(3).astype('${np}')`);
    const buf = tspy.getBuffer(a);
    assert.equal(buf.dtype, dtype, np);
    assert.equal(buf.data.constructor.name, kind, np);
    assert.equal(buf.itemsize, itemsize, np);
    assert.equal(buf.copied, false);
    const expectedLength = dtype.startsWith("complex") ? 6 : 3;
    assert.equal(buf.data.length, expectedLength, `${np}: elements`);
    if (!["bool", "float16", "complex64", "complex128"].includes(dtype)) {
      // The same TypedArray kind handed to Python comes back as the same dtype.
      assert.equal(back(buf.data), dtype === "int64" || dtype === "uint64" ? dtype : dtype, np);
    }
    buf.release();
    tspy.destroy(a);
  }
  tspy.destroy(back);
});

test("float16_is_raw_half_bits_and_complex_is_interleaved", () => {
  const h = tspy.eval("np.array([1.0, -2.0, 0.5], dtype=np.float16)");
  const hb = tspy.getBuffer(h);
  assert.deepEqual([...hb.data], [0x3c00, 0xc000, 0x3800], "IEEE half bit patterns");
  (hb.data as Uint16Array)[2] = 0x4200; // 3.0
  assert.equal(tspy.eval("lambda a: float(a[2])")(h), 3);
  hb.release();
  const c = tspy.eval("np.array([1+2j, 3-4j], dtype=np.complex128)");
  const cb = tspy.getBuffer(c);
  assert.deepEqual([...cb.data], [1, 2, 3, -4], "re, im interleaved");
  cb.data[3] = 40;
  assert.equal(tspy.eval("lambda a: a[1].imag")(c), 40, "writes reach numpy");
  cb.release();
  const c64 = tspy.eval("np.array([1+2j, 3-4j], dtype=np.complex64)[::-1]");
  const c64b = tspy.getBuffer(c64);
  const re = (i: number) => c64b.data[(c64b.offset + i * c64b.strides[0]) / (c64b.itemsize / 2)];
  const im = (i: number) => c64b.data[(c64b.offset + i * c64b.strides[0]) / (c64b.itemsize / 2) + 1];
  assert.deepEqual([re(0), im(0), re(1), im(1)], [3, -4, 1, 2], "a reversed complex view indexes by itemsize / 2");
  c64b.release();
  for (const p of [h, c, c64]) tspy.destroy(p);
});

test("a_strided_view_stays_a_view_both_ways", () => {
  tspy.exec("base = np.zeros((4, 6), dtype=np.float32)\nview = base[1::2, ::3]");
  const view = py.view;
  const buf = tspy.getBuffer(view);
  assert.deepEqual(buf.shape, [2, 2]);
  assert.deepEqual(buf.strides, [48, 12]);
  const at = (i: number, j: number) => (buf.offset + i * buf.strides[0] + j * buf.strides[1]) / buf.itemsize;
  buf.data[at(1, 1)] = 7;
  assert.equal(tspy.eval("float(base[3, 3])"), 7, "a JS write through the view reaches the base array");
  tspy.exec("view[0, 1] = 5");
  assert.equal(buf.data[at(0, 1)], 5, "a numpy write through the view is seen by JS");
  assert.equal(tspy.eval("np.shares_memory(view, base)"), true, "nothing was copied");
  buf.release();
  tspy.destroy(view);
  tspy.exec("del base, view");
});

test("read_only_buffers_are_copied_unless_sharing_is_asked_for", () => {
  tspy.exec("ro = np.arange(4, dtype=np.float64)\nro.flags.writeable = False");
  const ro = py.ro;
  const copy = tspy.getBuffer(ro);
  assert.equal(copy.readonly, true);
  assert.equal(copy.copied, true);
  copy.data[0] = 99;
  assert.equal(tspy.eval("float(ro[0])"), 0, "a write to the copy never reaches the read-only array");
  copy.release();
  assert.equal(copy.data.length, 4, "a copy stays usable after release()");
  const shared = tspy.getBuffer(ro, { readOnly: "share" });
  assert.equal(shared.copied, false);
  assert.equal(shared.readonly, true);
  tspy.exec("ro.flags.writeable = True\nro[1] = 11");
  assert.equal(shared.data[1], 11, "a shared read-only view is the same memory");
  shared.release();
  const fromBytes = tspy.eval("np.frombuffer(b'\\x01\\x02\\x03', dtype=np.uint8)");
  const fb = tspy.getBuffer(fromBytes);
  assert.equal(fb.copied, true);
  assert.deepEqual([...fb.data], [1, 2, 3]);
  fb.release();
  assert.throws(() => tspy.getBuffer(ro, { readOnly: "never" as "copy" }), TypeError);
  for (const p of [ro, fromBytes]) tspy.destroy(p);
  tspy.exec("del ro");
});
