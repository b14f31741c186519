// The dtype <-> TypedArray table: which numpy dtype a buffer-protocol format is, which TypedArray
// kind carries it in JS, and which format a TypedArray handed to Python gets. The one definition
// the bridge (getBuffer, JsBuffer), tspy/tf, the display and the app derive theirs from; the
// addon's C++ (bridge/src/buffer.cc, jsproxy.cc) is checked against it by test/bridge/dtypes.test.ts.
// Imports nothing, so the browser bundle can take it as it is.

/** The TypedArray type of each kind name (the constructor's `name`): the kinds the table uses. */
export interface TypedArrays {
  Int8Array: Int8Array;
  Uint8Array: Uint8Array;
  Uint8ClampedArray: Uint8ClampedArray;
  Int16Array: Int16Array;
  Uint16Array: Uint16Array;
  Int32Array: Int32Array;
  Uint32Array: Uint32Array;
  Float32Array: Float32Array;
  Float64Array: Float64Array;
  BigInt64Array: BigInt64Array;
  BigUint64Array: BigUint64Array;
}

/** A TypedArray constructor name: "Float32Array", "BigInt64Array", ... */
export type TypedArrayKind = keyof TypedArrays;

/**
 * Which way a row of {@link DTYPE_TABLE} holds:
 * - "both": a buffer of this dtype is a TypedArray of `kind` in JS, and a TypedArray of `kind`
 *   handed to Python is a buffer of this dtype (format `formats[0]`);
 * - "python-to-ts": only Python -> JS; `kind` carries the values in another encoding (bool as
 *   0/1 bytes, float16 as raw IEEE half bits, complex as interleaved re, im pairs);
 * - "ts-to-python": only JS -> Python (Uint8ClampedArray is uint8; uint8 comes back a Uint8Array).
 */
export type DtypeDirection = "both" | "python-to-ts" | "ts-to-python";

/** One row of {@link DTYPE_TABLE}. */
export interface DtypeRow {
  /** numpy's dtype name (`np.dtype(...).name`), also the `dtype` of `tspy.getBuffer(...)`. */
  readonly dtype: string;
  /** The TypedArray kind that carries the values in JS. */
  readonly kind: TypedArrayKind;
  /** Bytes per item (per complex number for complex dtypes). */
  readonly itemsize: number;
  /**
   * The struct-module format characters (PEP 3118) of this dtype at this itemsize, each with an
   * optional "@", "=" or "<" prefix (little-endian machines). `formats[0]` is what a TypedArray of
   * `kind` exports to Python; the others are read too (numpy's int64 is "l" on Linux, "q" on
   * Windows; "l"/"L" of 4 bytes, where C's long is 4 bytes, are int32/uint32).
   */
  readonly formats: readonly string[];
  /** Which way the row holds. */
  readonly direction: DtypeDirection;
}

/**
 * The dtype table. A buffer whose format (and itemsize) is in no row — big-endian, structured,
 * object, `c`, `P`, longdouble `g`, complex256 `Zg` — is a TypeError from `tspy.getBuffer`;
 * ArrayBuffer and DataView (not in the table) reach Python as bytes, format "B".
 */
export const DTYPE_TABLE = [
  { dtype: "int8", kind: "Int8Array", itemsize: 1, formats: ["b"], direction: "both" },
  { dtype: "uint8", kind: "Uint8Array", itemsize: 1, formats: ["B"], direction: "both" },
  { dtype: "uint8", kind: "Uint8ClampedArray", itemsize: 1, formats: ["B"], direction: "ts-to-python" },
  { dtype: "bool", kind: "Uint8Array", itemsize: 1, formats: ["?"], direction: "python-to-ts" },
  { dtype: "int16", kind: "Int16Array", itemsize: 2, formats: ["h"], direction: "both" },
  { dtype: "uint16", kind: "Uint16Array", itemsize: 2, formats: ["H"], direction: "both" },
  { dtype: "int32", kind: "Int32Array", itemsize: 4, formats: ["i", "l"], direction: "both" },
  { dtype: "uint32", kind: "Uint32Array", itemsize: 4, formats: ["I", "L"], direction: "both" },
  { dtype: "int64", kind: "BigInt64Array", itemsize: 8, formats: ["q", "l", "n"], direction: "both" },
  { dtype: "uint64", kind: "BigUint64Array", itemsize: 8, formats: ["Q", "L", "N"], direction: "both" },
  { dtype: "float16", kind: "Uint16Array", itemsize: 2, formats: ["e"], direction: "python-to-ts" },
  { dtype: "float32", kind: "Float32Array", itemsize: 4, formats: ["f"], direction: "both" },
  { dtype: "float64", kind: "Float64Array", itemsize: 8, formats: ["d"], direction: "both" },
  { dtype: "complex64", kind: "Float32Array", itemsize: 8, formats: ["Zf"], direction: "python-to-ts" },
  { dtype: "complex128", kind: "Float64Array", itemsize: 16, formats: ["Zd"], direction: "python-to-ts" },
] as const satisfies readonly DtypeRow[];

type Row = (typeof DTYPE_TABLE)[number];
type PythonRow = Extract<Row, { direction: "both" | "python-to-ts" }>;

/** A dtype that a Python buffer may have and `tspy.getBuffer` reads ("float32", "int64", "bool", ...). */
export type BufferDtype = PythonRow["dtype"];

/** The TypedArray that carries a buffer of dtype `D` in JS (`TypedArrayOfDtype<"int64">` is BigInt64Array). */
export type TypedArrayOfDtype<D extends BufferDtype> = TypedArrays[Extract<PythonRow, { dtype: D }>["kind"]];

/** Every TypedArray kind that `tspy.getBuffer(...).data` may be. */
export type BufferTypedArray = TypedArrays[PythonRow["kind"]];

const fromPython = new Map<string, DtypeRow>(DTYPE_TABLE.filter((r) => r.direction !== "ts-to-python").map((r) => [r.dtype, r]));
const fromTs = new Map<string, DtypeRow>(DTYPE_TABLE.filter((r) => r.direction !== "python-to-ts").map((r) => [r.kind, r]));

/**
 * The row of a Python buffer's dtype (what `getBuffer` gives for it), or undefined for a dtype
 * outside the table. A Map lookup: "constructor" finds nothing.
 * @param dtype numpy's dtype name, e.g. "float16".
 */
export function dtypeRow(dtype: string): DtypeRow | undefined {
  return fromPython.get(dtype);
}

/**
 * The row a Python buffer of struct `format` and `itemsize` bytes per item is read as (what the
 * addon's getBuffer does): an optional "@", "=" or "<" prefix is dropped, then the row that names
 * the format at that itemsize; undefined when none does (getBuffer throws TypeError).
 * @param format the buffer's format, e.g. "<f", "Zd", "l".
 * @param itemsize bytes per item.
 */
export function dtypeRowOfFormat(format: string, itemsize: number): DtypeRow | undefined {
  const bare = /^[@=<]/.test(format) ? format.slice(1) : format;
  return [...fromPython.values()].find((r) => r.itemsize === itemsize && r.formats.includes(bare));
}

/**
 * The numpy dtype name a TypedArray of `kind` has in Python ("Float32Array" -> "float32",
 * "Uint8ClampedArray" -> "uint8"), or undefined for another name ("DataView", "constructor").
 * @param kind a TypedArray constructor name.
 */
export function dtypeOfTypedArray(kind: string): string | undefined {
  return fromTs.get(kind)?.dtype;
}

/**
 * The struct format a TypedArray of `kind` exports to Python ("Float32Array" -> "f",
 * "BigInt64Array" -> "q"), or undefined for another name.
 * @param kind a TypedArray constructor name.
 */
export function formatOfTypedArray(kind: string): string | undefined {
  return fromTs.get(kind)?.formats[0];
}
