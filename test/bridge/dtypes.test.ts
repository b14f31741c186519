// The dtype <-> TypedArray table (kernel/contracts/dtypes.ts) against the addon's C++ both ways
// (including float16 bits and interleaved complex),
// views that stay views, and read-only buffers that JS cannot write into.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bufferAddress, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { DTYPE_TABLE, dtypeOfTypedArray, dtypeRow, dtypeRowOfFormat, formatOfTypedArray, type TypedArrayKind } from "../../kernel/contracts/dtypes.js";
import { useBridge } from "./helpers.js";

const py = useBridge();
tspy.exec("import numpy as np");

/** A TypedArray of `kind` and `length` elements, made from the constructor the name names. */
function typedArrayOf(kind: TypedArrayKind, length: number): ArrayBufferView & { length: number } {
  const ctor = (globalThis as unknown as Record<TypedArrayKind, new (n: number) => ArrayBufferView & { length: number }>)[kind];
  return new ctor(length);
}

test("every_python_dtype_of_the_table_is_read_as_its_typed_array_kind", () => {
  // numpy's own exporters: whatever format numpy writes for the dtype, the C++ reads the table's row.
  const rows = DTYPE_TABLE.filter((r) => r.direction !== "ts-to-python");
  assert.ok(rows.length >= 14, "the table lists numpy's numeric dtypes");
  for (const row of rows) {
    const a = tspy.eval(`np.arange(3).astype('${row.dtype}')`);
    const buf = tspy.getBuffer(a);
    assert.equal(buf.dtype, row.dtype, row.dtype);
    assert.equal(buf.data.constructor.name, row.kind, row.dtype);
    assert.equal(buf.itemsize, row.itemsize, row.dtype);
    assert.equal(dtypeRowOfFormat(buf.format, buf.itemsize), row, `${row.dtype}: numpy's format ${buf.format} is read as the row`);
    assert.equal(buf.copied, false);
    const perItem = row.itemsize / buf.data.BYTES_PER_ELEMENT;
    assert.equal(buf.data.length, 3 * perItem, `${row.dtype}: ${perItem} element(s) per item`);
    assert.equal(dtypeRow(row.dtype), row, "dtypeRow finds the row");
    buf.release();
    tspy.destroy(a);
  }
});

test("the_cpp_reads_exactly_the_formats_of_the_table", () => {
  // Every single-character native format memoryview.cast can make, plus numpy-only ones: the
  // addon reads a buffer exactly when its (format, itemsize) is a row of the table.
  const exporters = tspy.eval(
    "[(f, memoryview(bytearray(32)).cast(f)) for f in 'cbB?hHiIlLqQnNfdP'] + " +
      "[(f'@{f}', memoryview(bytearray(32)).cast(f'@{f}')) for f in 'bhf'] + " +
      "[(np.dtype(d).char, np.zeros(2, d)) for d in ('float16', 'complex64', 'complex128', 'longdouble', 'clongdouble', '>f4')]",
  );
  const describe = tspy.eval("lambda o: (memoryview(o).format, memoryview(o).itemsize)");
  let read = 0;
  for (const pair of exporters) {
    const [format, obj] = [tspy.getItem(pair, 0) as string, tspy.getItem(pair, 1) as PyProxy];
    const [exported, itemsize] = tspy.toJS(describe(obj)) as [string, number];
    const row = dtypeRowOfFormat(exported, itemsize);
    if (row) {
      const buf = tspy.getBuffer(obj);
      assert.equal(buf.dtype, row.dtype, `format ${exported}`);
      assert.equal(buf.data.constructor.name, row.kind, `format ${exported}`);
      buf.release();
      read++;
    } else {
      assert.throws(
        () => tspy.getBuffer(obj),
        (e: unknown) => e instanceof TypeError && e.message.includes("unsupported buffer format"),
        `format ${exported} (${format}) is in no row, so getBuffer refuses it`,
      );
    }
    tspy.destroy(obj);
    tspy.destroy(pair);
  }
  assert.ok(read >= 15, `most exporters are read (${read})`);
  tspy.destroy(exporters);
  tspy.destroy(describe);
});

test("every_typed_array_kind_reaches_python_with_the_format_and_dtype_of_the_table", () => {
  const seen = tspy.eval("lambda v: (memoryview(v).format, memoryview(v).itemsize, np.asarray(v).dtype.name)");
  const rows = DTYPE_TABLE.filter((r) => r.direction !== "python-to-ts");
  for (const row of rows) {
    const v = typedArrayOf(row.kind, 3);
    assert.deepEqual(tspy.toJS(seen(v)), [row.formats[0], row.itemsize, row.dtype], row.kind);
    assert.equal(formatOfTypedArray(row.kind), row.formats[0]);
    assert.equal(dtypeOfTypedArray(row.kind), row.dtype);
  }
  // Every TypedArray constructor this Node has is a row: a new kind must be added to the table (and the C++).
  const kinds = Object.getOwnPropertyNames(globalThis).filter((n) => /^(Big)?(Int|Uint|Float)\d+(Clamped)?Array$/.test(n));
  assert.deepEqual(
    kinds.filter((k) => dtypeOfTypedArray(k) === undefined),
    [],
    "TypedArray kinds missing from the table",
  );
  assert.equal(dtypeOfTypedArray("constructor"), undefined, "an own-property lookup");
  tspy.destroy(seen);
});

test("a_typed_array_round_trips_as_the_same_kind_and_memory", () => {
  const ident = tspy.eval("lambda v: np.asarray(v)");
  for (const row of DTYPE_TABLE.filter((r) => r.direction === "both")) {
    const v = typedArrayOf(row.kind, 4);
    const a = ident(v);
    const buf = tspy.getBuffer(a);
    assert.equal(buf.data.constructor.name, row.kind, `${row.kind} -> ${row.dtype} -> ${row.kind}`);
    assert.equal(bufferAddress(buf.data), bufferAddress(v), `${row.kind}: the same memory`);
    buf.release();
    tspy.destroy(a);
  }
  tspy.destroy(ident);
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
