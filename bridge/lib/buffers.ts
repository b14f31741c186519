// Memory shared with Python: buffer-protocol views of Python objects (PyBuffer, getBuffer) and
// JS memory for Python (bufferAddress, alignedArray). Knows nothing of how proxies are made.
import { loadBridge } from "./lifetime.js";
import { recordBuffer, recordBufferRelease } from "./proxy-debug.js";
import { type NativeModule, type PyHandle, requireNative } from "./state.js";
import type { BufferTypedArray } from "../../kernel/contracts/dtypes.js";

/** TypedArray kinds that {@link Tspy.getBuffer} returns: the Python -> TS kinds of the dtype table (kernel/contracts/dtypes.ts). */
export type BufferData = BufferTypedArray;

/**
 * A view of a Python object's buffer (buffer protocol) sharing its memory.
 *
 * The buffer's struct format and itemsize give its dtype and the kind of `data` by `DTYPE_TABLE`
 * (kernel/contracts/dtypes.ts, the one definition; e.g. float32 is a Float32Array, int64 a
 * BigInt64Array, bool 0/1 bytes, float16 raw IEEE half bits in a Uint16Array, complex (re, im)
 * interleaved). A format outside the table (big-endian, structured, object, longdouble) throws
 * TypeError. The other way, a TypedArray handed to Python has its kind's format from the same table.
 *
 * Layout: `data` spans the memory from the lowest- to the highest-addressed element (for a
 * contiguous C-order array that is exactly the array). Element [i0, i1, ...] is
 * `data[(offset + i0*strides[0] + i1*strides[1] + ...) / itemsize]`; for complex dtypes divide by
 * `itemsize / 2` instead and read the real part there, the imaginary part at the next index.
 * For a C-contiguous buffer `offset` is 0 and `data` is the flat array; a strided view (e.g.
 * `a[::2]`, `a.T`) stays a view: `data` also spans the elements skipped over, and writes through
 * it reach the viewed array. Negative strides give a positive `offset`.
 *
 * DLPack: an object without the buffer protocol but with `__dlpack__` (a CPU TensorFlow or torch
 * tensor) is read through `numpy.from_dlpack(obj)`, which shares the tensor's memory (`dlpack:
 * true`); the view keeps the tensor alive. TensorFlow marks its tensors read-only, so their
 * `data` is a copy unless `readOnly: "share"` (then writes do reach the tensor's memory, which
 * TensorFlow assumes immutable: only for memory no other TF op is reading). torch tensors are
 * writable and shared. Tensors on other devices (GPU) or needing grad raise a PythonError.
 *
 * Read-only exporters (`bytes`, an array with `flags.writeable = False`, `np.frombuffer(bytes)`):
 * JS cannot make an ArrayBuffer read-only, so by default `data` is a COPY of the spanned memory
 * (`copied: true`), and writes to it never reach Python. `getBuffer({ readOnly: "share" })`
 * shares the memory anyway (zero copy) — then writing to `data` is undefined behaviour.
 */
export interface PyBuffer<T extends BufferData = BufferData> {
  /** TypedArray over the same memory (or a copy, see `copied`). Detached (length 0) after release() of a shared view. */
  readonly data: T;
  /** Elements per dimension ([] for a 0-d buffer). */
  readonly shape: number[];
  /** Bytes between neighbouring elements per dimension (may be negative). */
  readonly strides: number[];
  /** Byte offset of element [0, ..., 0] from the start of `data`. */
  readonly offset: number;
  /** numpy's dtype name, by the dtype table (see above). */
  readonly dtype: string;
  /** The struct-module format string the exporter gave (e.g. "<f"). */
  readonly format: string;
  /** Bytes per element (per complex number for complex dtypes). */
  readonly itemsize: number;
  /** True when the exporter's memory is read-only. */
  readonly readonly: boolean;
  /** True when `data` is a private copy (a read-only exporter without `readOnly: "share"`). */
  readonly copied: boolean;
  /** True when the object was read through DLPack (`numpy.from_dlpack`), not its own buffer protocol. */
  readonly dlpack: boolean;
  /** Releases the Py_buffer now and detaches `data` (a copy stays usable). Idempotent; otherwise done when `data` is collected. */
  release(): void;
}

/** A TypedArray class of the dtype table, e.g. `Float32Array` (what `kind` names in {@link GetBufferOptions}). */
export type BufferKind<T extends BufferData> = new (length: number) => T;

/** Options of {@link Tspy.getBuffer}. */
export interface GetBufferOptions<T extends BufferData = BufferData> {
  /**
   * For a read-only exporter: "copy" (default) gives `data` as a private copy so JS cannot write
   * into read-only memory; "share" gives the shared memory (writes are undefined behaviour).
   */
  readOnly?: "copy" | "share";
  /**
   * The TypedArray class the caller expects `data` to be, e.g. `Float32Array` for a float32 array:
   * `data` is then typed as that class (not the union of every kind), and a buffer of another dtype
   * throws a TypeError naming both instead of being read as the wrong numbers.
   */
  kind?: BufferKind<T>;
}

/**
 * The buffer view of the object of `h` (see {@link PyBuffer}); a read-only exporter's memory is
 * copied unless `options.readOnly` is "share".
 * @throws TypeError for a bad `readOnly` or `kind`, or a buffer whose TypedArray kind is not
 *   `options.kind` (the Py_buffer is released first); PythonError when the object has no buffer.
 */
export function getBuffer<T extends BufferData = BufferData>(n: NativeModule, h: PyHandle, options?: GetBufferOptions<T>): PyBuffer<T> {
  const mode = options?.readOnly ?? "copy";
  if (mode !== "copy" && mode !== "share") throw new TypeError('getBuffer: readOnly must be "copy" or "share"');
  const kind = options?.kind;
  if (kind !== undefined && typeof kind !== "function")
    throw new TypeError(`getBuffer: kind must be a TypedArray class such as Float32Array, not ${typeof kind}`);
  const raw = n.getBuffer(h);
  if (kind !== undefined && !(raw.data instanceof kind)) {
    if (raw.token) n.releaseBuffer(raw.token, raw.data.buffer);
    throw new TypeError(`getBuffer: the buffer's dtype ${raw.dtype} is read as a ${raw.data.constructor.name}, not the ${kind.name} asked for`);
  }
  let token = raw.token;
  let data = raw.data;
  const copied = raw.readonly && mode === "copy";
  if (copied) {
    data = data.slice() as BufferData;
    if (token) n.releaseBuffer(token, raw.data.buffer);
    token = undefined;
  }
  if (token) recordBuffer(data);
  return {
    copied,
    data: data as T,
    shape: raw.shape,
    strides: raw.strides,
    offset: raw.offset,
    dtype: raw.dtype,
    format: raw.format,
    itemsize: raw.itemsize,
    readonly: raw.readonly,
    dlpack: raw.dlpack,
    release(): void {
      if (token) n.releaseBuffer(token, data.buffer);
      recordBufferRelease(data);
    },
  };
}

/** Memory that can be shared with Python: a TypedArray, DataView or ArrayBuffer. */
export type SharedMemory = ArrayBufferView | ArrayBuffer;

/** True for a TypedArray, DataView or ArrayBuffer. */
export function isSharedMemory(v: unknown): v is SharedMemory {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

/**
 * The address of the first byte of `view`'s memory (for checking alignment or that two views
 * share memory; e.g. equal to `np.asarray(x).ctypes.data` of the same memory in Python).
 * @param view a TypedArray, DataView or ArrayBuffer.
 * @returns the address as a bigint (0n for an empty buffer without memory).
 * @throws TypeError for other values; Error when the addon cannot be loaded (see loadBridge).
 */
export function bufferAddress(view: SharedMemory): bigint {
  if (!isSharedMemory(view)) throw new TypeError("bufferAddress: expected a TypedArray, DataView or ArrayBuffer");
  loadBridge();
  return requireNative().address(view);
}

/** A TypedArray class (Float32Array, Int32Array, BigInt64Array, ...). */
export interface TypedArrayConstructor<T extends ArrayBufferView> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A zero-filled TypedArray whose first element lies at an address that is a multiple of
 * `alignment` bytes (it views a slightly larger ArrayBuffer). TensorFlow requires 64-byte aligned
 * CPU memory to wrap it without a copy — `tf.experimental.dlpack.from_dlpack` on misaligned memory
 * aborts the process (TF's `IsAligned()` check) — so allocate memory meant for TF with this.
 * @param ctor the TypedArray class, e.g. Float32Array.
 * @param length elements.
 * @param alignment bytes, a power of two of at least ctor.BYTES_PER_ELEMENT; default 64.
 * @returns a TypedArray of `length` elements, `bufferAddress(result) % alignment === 0n`.
 * @throws RangeError for a negative/non-integer length or a bad alignment.
 */
export function alignedArray<T extends ArrayBufferView>(ctor: TypedArrayConstructor<T>, length: number, alignment = 64): T {
  const bpe = ctor.BYTES_PER_ELEMENT;
  if (!Number.isInteger(length) || length < 0) throw new RangeError("alignedArray: length must be a non-negative integer");
  if (!Number.isInteger(alignment) || alignment < bpe || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError("alignedArray: alignment must be a power of two, at least the element size");
  }
  const buffer = new ArrayBuffer(length * bpe + alignment);
  const a = BigInt(alignment);
  const skip = Number((a - (bufferAddress(buffer) % a)) % a);
  if (skip % bpe !== 0) throw new RangeError("alignedArray: the ArrayBuffer's memory is not aligned to the element size");
  return new ctor(buffer, skip, length);
}

/** Options of {@link Tspy.toDLPack}. */
export interface ToDLPackOptions {
  /** Elements per dimension (C order); their product must be the element count. Default: 1-D. */
  shape?: number[];
}
