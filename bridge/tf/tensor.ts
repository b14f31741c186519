// tfjs-core's Tensor API (tensor creation, the chainable Tensor class, tidy/dispose) over Python
// TensorFlow eager tensors. Knows the bridge API and tf's Python functions; nothing of Keras models.
import * as util from "node:util";
import { alignedArray, type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";

/** tfjs's dtypes, plus the TensorFlow dtypes a Python tensor may have (`float64`, `int64`, ...). */
export type DataType =
  "float32" | "int32" | "bool" | "complex64" | "string" | "float16" | "float64" | "int8" | "int16" | "int64" | "uint8" | "uint16" | "uint32" | "uint64";
/** tfjs's numeric dtypes: the default of `dataSync<D>()` (ask for another, e.g. `dataSync<"int64">()`, for TensorFlow's others). */
export type NumericDataType = "float32" | "int32" | "bool" | "complex64";
/** What {@link Tensor.dataSync} returns per dtype (tfjs's `DataTypeMap`, extended for TensorFlow's dtypes). */
export interface DataTypeMap {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
  complex64: Float32Array;
  string: string[];
  float16: Uint16Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
}
/** tfjs's TypedArray union. */
export type TypedArray = Float32Array | Int32Array | Uint8Array;
/** Nested arrays of `T` (tfjs's `RecursiveArray`). */
export interface RecursiveArray<T> {
  [index: number]: T | RecursiveArray<T>;
}
/** What tf.tensor accepts as values (tfjs's `TensorLike`), plus a Python object (numpy array, tf.Tensor) as a PyProxy. */
export type TensorLike =
  | TypedArray
  | number
  | boolean
  | string
  | RecursiveArray<number | number[] | TypedArray>
  | RecursiveArray<boolean>
  | RecursiveArray<string>
  | Uint8Array[]
  | PyProxy;
/** A shape: elements per dimension (`null` for an unknown dimension of a symbolic tensor). */
export type Shape = number[];

/** Tensors made in the innermost running {@link tidy}; disposed when it ends unless returned or kept. */
const scopes: Set<Tensor>[] = [];
const kept = new WeakSet<Tensor>();

/**
 * A tfjs `Tensor` over a Python `tf.Tensor` (or `tf.Variable` for {@link Variable}): immutable,
 * chainable (`a.matMul(b).add(c).relu()`), each method one TensorFlow op run eagerly. Made by
 * {@link tensor} and the other creation functions, by ops and by `model.predict`; the constructor
 * is for wrapping a Python tensor you already have (`new Tensor(py.t)`). Follows
 * https://js.tensorflow.org/api/latest/#class:Tensor; where a tfjs method takes `Tensor|TensorLike`,
 * a number or array operand is converted to this tensor's dtype (TensorFlow's rule for `t + 1`).
 */
export class Tensor {
  /** The Python `tf.Tensor` (or `tf.Variable`); give it to `%%python` cells with `py.t = t.py`. */
  readonly py: PyProxy;
  private shapeCache: Shape | undefined;
  private dtypeCache: DataType | undefined;
  private disposedFlag = false;

  /**
   * @param pyTensor a PyProxy of a `tf.Tensor` / `tf.Variable` (anything else is converted with `tf.convert_to_tensor`).
   * @throws PythonError when the value cannot be converted to a tensor.
   */
  constructor(pyTensor: PyProxy) {
    const { tf, fn } = py();
    this.py = tspy.isinstance(pyTensor, tf.Tensor) || tspy.isinstance(pyTensor, tf.Variable) ? pyTensor : fn.toTensor(pyTensor);
    scopes.at(-1)?.add(this);
  }

  /** Elements per dimension, e.g. `[2, 3]` (cached: a tensor's shape never changes). */
  get shape(): Shape {
    this.assertLive();
    this.shapeCache ??= tspy.toJS(this.py.shape.as_list()) as Shape;
    return this.shapeCache.slice();
  }
  /** The dtype name, e.g. "float32" (TensorFlow's name; tfjs's for tfjs's five dtypes). */
  get dtype(): DataType {
    this.assertLive();
    this.dtypeCache ??= this.py.dtype.name as DataType;
    return this.dtypeCache;
  }
  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }
  /** Number of elements (product of the shape; 1 for a scalar). */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** True after {@link dispose}. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  private assertLive(): void {
    if (this.disposedFlag) throw new Error("Tensor is disposed.");
  }

  /** The Python operand for `b`: a Tensor's tensor, else the JS value converted to this tensor's dtype. */
  protected operand(b: Tensor | TensorLike): unknown {
    this.assertLive();
    if (b instanceof Tensor) return b.py;
    if (tspy.isProxy(b)) return b;
    return tensor(b, undefined, this.dtype).py;
  }

  private op(name: "neg" | "abs" | "square" | "sqrt" | "exp" | "log" | "relu" | "sigmoid" | "tanh"): Tensor {
    this.assertLive();
    return new Tensor(py().fn[name](this.py));
  }

  /** Element-wise `this + b` (broadcasting). @throws PythonError (InvalidArgumentError) on incompatible shapes or dtypes. */
  add(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().fn.add(this.py, this.operand(b)));
  }
  /** Element-wise `this - b` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  sub(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().fn.sub(this.py, this.operand(b)));
  }
  /** Element-wise `this * b` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  mul(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().fn.mul(this.py, this.operand(b)));
  }
  /** Element-wise `this / b` (broadcasting; an int32 division gives float64 as in TensorFlow). @throws PythonError on incompatible shapes. */
  div(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().fn.div(this.py, this.operand(b)));
  }
  /** Element-wise `this ** exp` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  pow(exp: Tensor | TensorLike): Tensor {
    return new Tensor(py().fn.pow(this.py, this.operand(exp)));
  }
  /** Element-wise `-this`. */
  neg(): Tensor {
    return this.op("neg");
  }
  /** Element-wise `|this|`. */
  abs(): Tensor {
    return this.op("abs");
  }
  /** Element-wise `this * this`. */
  square(): Tensor {
    return this.op("square");
  }
  /** Element-wise square root. */
  sqrt(): Tensor {
    return this.op("sqrt");
  }
  /** Element-wise `e ** this`. */
  exp(): Tensor {
    return this.op("exp");
  }
  /** Element-wise natural logarithm. */
  log(): Tensor {
    return this.op("log");
  }
  /** Element-wise `max(this, 0)`. */
  relu(): Tensor {
    return this.op("relu");
  }
  /** Element-wise `1 / (1 + e ** -this)`. */
  sigmoid(): Tensor {
    return this.op("sigmoid");
  }
  /** Element-wise hyperbolic tangent. */
  tanh(): Tensor {
    return this.op("tanh");
  }
  /** Softmax along `dim` (default -1, the last axis). */
  softmax(dim = -1): Tensor {
    this.assertLive();
    return new Tensor(py().tf.nn.softmax(this.py, tspy.kwargs({ axis: dim })));
  }
  /**
   * Matrix product `this @ b` (rank ≥ 2, batched over leading dimensions).
   * @throws PythonError (InvalidArgumentError) when the inner dimensions differ.
   */
  matMul(b: Tensor | TensorLike, transposeA = false, transposeB = false): Tensor {
    return new Tensor(py().fn.matMul(this.py, this.operand(b), tspy.kwargs({ transpose_a: transposeA, transpose_b: transposeB })));
  }
  /** Permutes the dimensions (`perm` default: reversed). @throws PythonError for a bad permutation. */
  transpose(perm?: number[]): Tensor {
    this.assertLive();
    return new Tensor(py().tf.transpose(this.py, tspy.kwargs({ perm: perm ?? null })));
  }
  /** The same elements in `shape` (one entry may be -1: inferred). @throws PythonError when the sizes differ. */
  reshape(shape: number[]): Tensor {
    this.assertLive();
    return new Tensor(py().tf.reshape(this.py, tspy.tuple(...checkInts("reshape", "shape", shape))));
  }
  /** Inserts a dimension of size 1 at `axis` (default 0). */
  expandDims(axis = 0): Tensor {
    this.assertLive();
    return new Tensor(py().tf.expand_dims(this.py, axis));
  }
  /** Removes dimensions of size 1 (only those in `axis` when given). @throws PythonError when a listed dimension is not 1. */
  squeeze(axis?: number[]): Tensor {
    this.assertLive();
    return new Tensor(py().tf.squeeze(this.py, tspy.kwargs({ axis: axis ?? null })));
  }
  /**
   * A slice starting at `begin` of `size` elements per dimension (tfjs: a number applies to the
   * first axis; missing trailing entries start at 0; a size of -1 or a missing size runs to the end).
   * @throws PythonError when the slice leaves the tensor.
   */
  slice(begin: number | number[], size?: number | number[]): Tensor {
    const rank = this.rank;
    const b = typeof begin === "number" ? [begin] : begin.slice();
    while (b.length < rank) b.push(0);
    const s = size === undefined ? [] : typeof size === "number" ? [size] : size.slice();
    while (s.length < rank) s.push(-1);
    return new Tensor(py().tf.slice(this.py, b, s));
  }
  /** Elements of `indices` (int32) along `axis` (default 0), tfjs's `gather(indices, axis, batchDims)`. */
  gather(indices: Tensor | TensorLike, axis = 0, batchDims = 0): Tensor {
    this.assertLive();
    const idx = indices instanceof Tensor ? indices.py : tensor(indices as TensorLike, undefined, "int32").py;
    return new Tensor(py().tf.gather(this.py, idx, tspy.kwargs({ axis, batch_dims: batchDims })));
  }
  /** `tf.concat([this, ...x], axis)`: joins along `axis` (default 0). @throws PythonError when other dimensions differ. */
  concat(x: Tensor | Tensor[], axis = 0): Tensor {
    return concat([this, ...(Array.isArray(x) ? x : [x])], axis);
  }
  /** Sum over `axis` (all axes by default); `keepDims` keeps reduced axes with size 1. */
  sum(axis?: number | number[], keepDims = false): Tensor {
    return this.reduce("reduce_sum", axis, keepDims);
  }
  /** Mean over `axis` (all axes by default). */
  mean(axis?: number | number[], keepDims = false): Tensor {
    return this.reduce("reduce_mean", axis, keepDims);
  }
  /** Maximum over `axis` (all axes by default). */
  max(axis?: number | number[], keepDims = false): Tensor {
    return this.reduce("reduce_max", axis, keepDims);
  }
  /** Minimum over `axis` (all axes by default). */
  min(axis?: number | number[], keepDims = false): Tensor {
    return this.reduce("reduce_min", axis, keepDims);
  }
  private reduce(fnName: string, axis: number | number[] | undefined, keepDims: boolean): Tensor {
    this.assertLive();
    return new Tensor(py().tf.math[fnName](this.py, tspy.kwargs({ axis: axis ?? null, keepdims: keepDims })));
  }
  /** Index of the maximum along `axis` (default 0, as tfjs), an int32 tensor. */
  argMax(axis = 0): Tensor {
    this.assertLive();
    return new Tensor(py().tf.math.argmax(this.py, tspy.kwargs({ axis, output_type: "int32" })));
  }
  /** Index of the minimum along `axis` (default 0, as tfjs), an int32 tensor. */
  argMin(axis = 0): Tensor {
    this.assertLive();
    return new Tensor(py().tf.math.argmin(this.py, tspy.kwargs({ axis, output_type: "int32" })));
  }
  /** Element-wise `this == b`, a bool tensor. */
  equal(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().tf.math.equal(this.py, this.operand(b)));
  }
  /** Element-wise `this > b`, a bool tensor. */
  greater(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().tf.math.greater(this.py, this.operand(b)));
  }
  /** Element-wise `this < b`, a bool tensor. */
  less(b: Tensor | TensorLike): Tensor {
    return new Tensor(py().tf.math.less(this.py, this.operand(b)));
  }
  /** The values converted to `dtype`. */
  cast(dtype: DataType): Tensor {
    this.assertLive();
    return new Tensor(py().fn.cast(this.py, dtype));
  }
  /** A new tensor with the same values (`tf.identity`; a Variable's clone is its current value). */
  clone(): Tensor {
    this.assertLive();
    return new Tensor(py().tf.identity(this.py));
  }

  /**
   * The values, flat in row-major order, as tfjs's TypedArray of the dtype (float32 ->
   * Float32Array, int32 -> Int32Array, bool -> Uint8Array; int64 -> BigInt64Array; string ->
   * string[]). For a CPU tensor this is a view over TensorFlow's own memory (no copy): do not write
   * to it. A Variable gives a view of its current value.
   */
  dataSync<D extends DataType = NumericDataType>(): DataTypeMap[D] {
    this.assertLive();
    if (this.dtype === "string") return this.arraySync().flat(Infinity as 1) as unknown as DataTypeMap[D];
    const src = tspy.isinstance(this.py, py().tf.Variable) ? py().fn.toTensor(this.py) : this.py;
    try {
      return tspy.getBuffer(src, { readOnly: "share" }).data as unknown as DataTypeMap[D];
    } catch {
      const nd = py().np.asarray(src);
      try {
        return tspy.getBuffer(nd).data as unknown as DataTypeMap[D];
      } finally {
        tspy.destroy(nd);
      }
    }
  }
  /** {@link dataSync} as a Promise (tfjs's asynchronous read; here the values are ready at once). */
  async data<D extends DataType = NumericDataType>(): Promise<DataTypeMap[D]> {
    return this.dataSync<D>();
  }
  /**
   * The values as nested arrays of the shape (a number for a scalar); bool as booleans, strings
   * decoded as UTF-8. Typed `any` where tfjs has `ArrayMap[R]`: this Tensor is not generic in its rank.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  arraySync(): any {
    this.assertLive();
    const nd = py().np.asarray(this.py);
    try {
      if (this.dtype === "string") {
        const decoded = py().np.char.decode(nd.astype("S"), "utf-8");
        try {
          return tspy.toJS(decoded);
        } finally {
          tspy.destroy(decoded);
        }
      }
      return tspy.toJS(nd);
    } finally {
      tspy.destroy(nd);
    }
  }
  /** {@link arraySync} as a Promise. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async array(): Promise<any> {
    return this.arraySync();
  }
  /** Releases the Python tensor now (later use throws Error "Tensor is disposed."). Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    tspy.destroy(this.py);
  }
  /** Prints {@link toString} (tfjs's `print(verbose)`) to stdout. */
  print(verbose = false): void {
    console.log(this.toString(verbose));
  }
  /** "Tensor\n    [1, 2, 3]" (numpy's layout of the values); verbose adds dtype, rank and shape, as tfjs. */
  toString(verbose = false): string {
    if (this.disposedFlag) return "Tensor (disposed)";
    const values = String(py().np.array2string(py().np.asarray(this.py), tspy.kwargs({ separator: ", " })))
      .split("\n")
      .map((l) => `    ${l}`)
      .join("\n");
    const head = verbose ? `Tensor\n  dtype: ${this.dtype}\n  rank: ${this.rank}\n  shape: [${this.shape.join(",")}]\n  values:\n` : "Tensor\n";
    return head + values;
  }
  /** A one-element tensor's value for `Number(t)`, `+t`, `t > 0.5` (NaN for other sizes); its {@link toString} for string hints. */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    if (this.size !== 1) return NaN;
    const v = this.dataSync()[0];
    return typeof v === "bigint" ? Number(v) : Number(v);
  }
  /** console.log / the notebook's display show {@link toString}. */
  [util.inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A mutable tensor over a Python `tf.Variable` (tfjs's `Variable`): read by every op like a Tensor,
 * changed by {@link assign} and by optimizers (`optimizer.minimize`), watched by gradient tapes.
 */
export class Variable extends Tensor {
  /** Whether optimizers update it (tfjs's `trainable`). */
  get trainable(): boolean {
    return this.py.trainable as boolean;
  }
  /** The variable's name as given to {@link variable} (TensorFlow's name without its ":0" output suffix). */
  get name(): string {
    return variableName(this.py);
  }
  /** Sets the value (same shape and dtype). @throws PythonError (ValueError) on a different shape. */
  assign(newValue: Tensor): void {
    this.py.assign(newValue.py);
  }
}

function checkInts(owner: string, what: string, xs: number[]): number[] {
  for (const x of xs) if (!Number.isInteger(x)) throw new TypeError(`${owner}: ${what} must hold integers; got ${x}`);
  return xs;
}

/** Flattens nested arrays, returning the flat values and the inferred shape. @throws Error on ragged arrays. */
function flatten(values: unknown): { flat: unknown[]; shape: number[] } {
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level) || ArrayBuffer.isView(level)) {
    const n = (level as ArrayLike<unknown>).length;
    shape.push(n);
    if (n === 0) break;
    level = (level as ArrayLike<unknown>)[0];
  }
  const flat: unknown[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new Error(`Element arr[${flat.length}] should be a primitive, but is an array`);
      flat.push(v);
      return;
    }
    if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || (v as ArrayLike<unknown>).length !== shape[depth]) {
      throw new Error(`Element arr${depth} should have ${shape[depth]} elements (a ragged array is not a tensor)`);
    }
    for (const x of Array.from(v as ArrayLike<unknown>)) walk(x, depth + 1);
  };
  walk(values, 0);
  return { flat, shape };
}

function inferDtype(values: unknown, flat: unknown[]): DataType {
  if (values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint8ClampedArray) return "int32";
  if (typeof flat[0] === "boolean") return "bool";
  if (typeof flat[0] === "string") return "string";
  return "float32";
}

/**
 * Creates a tensor (tfjs's `tf.tensor(values, shape?, dtype?)`): numbers are float32 by default
 * (whatever JS number they hold), booleans bool, strings string, an Int32Array/Uint8Array int32.
 * A PyProxy (numpy array, tf.Tensor) becomes a tensor of its own dtype (float64 becomes float32
 * unless `dtype` says otherwise, as tfjs has no float64).
 * @param values a number, boolean, string, nested arrays of them, a TypedArray (flat: give `shape`) or a PyProxy.
 * @param shape elements per dimension; default: the nesting of `values`.
 * @throws Error when `shape`'s size differs from the number of values (tfjs's message), on ragged arrays.
 */
export function tensor(values: TensorLike | Tensor, shape?: Shape, dtype?: DataType): Tensor {
  const { helpers, fn } = py();
  if (values instanceof Tensor) {
    const t = dtype && dtype !== values.dtype ? values.cast(dtype) : values.clone();
    return shape ? t.reshape(shape) : t;
  }
  if (tspy.isProxy(values)) {
    let t = new Tensor(fn.toTensor(values));
    if (dtype ? t.dtype !== dtype : t.dtype === "float64") t = new Tensor(fn.cast(t.py, dtype ?? "float32"));
    return shape ? t.reshape(shape) : t;
  }
  const { flat, shape: inferred } = flatten(values);
  const finalShape = shape ?? inferred;
  checkInts("tf.tensor", "shape", finalShape);
  const size = finalShape.reduce((a, b) => a * b, 1);
  if (size !== flat.length) {
    throw new Error(`Based on the provided shape, [${finalShape.join(",")}], the tensor should have ${size} values but has ${flat.length}`);
  }
  const dt = dtype ?? inferDtype(values, flat);
  if (dt === "string") return new Tensor(helpers.from_strings(flat.map(String), finalShape));
  const ctor = dt === "int32" ? Int32Array : dt === "bool" || dt === "uint8" ? Uint8Array : dt === "float32" ? Float32Array : Float64Array;
  const buf = alignedArray(ctor as Float64ArrayConstructor, Math.max(flat.length, 1));
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    buf[i] = typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
  }
  return new Tensor(helpers.from_buffer(buf.subarray(0, flat.length), finalShape, dt));
}

function ranked(name: string, rank: number, values: TensorLike, shape: Shape | undefined, dtype: DataType | undefined): Tensor {
  if (shape !== undefined && shape.length !== rank) throw new Error(`${name}() requires shape to have ${rank} numbers`);
  const t = tensor(values, shape, dtype);
  if (t.rank !== rank) {
    t.dispose();
    throw new Error(`${name}() requires values to be a rank-${rank} array or a flat array with a shape`);
  }
  return t;
}

/** A rank-0 tensor (tfjs's `tf.scalar(value, dtype?)`; float32 for a number). @throws Error for an array. */
export function scalar(value: number | boolean | string, dtype?: DataType): Tensor {
  if (typeof value === "object") throw new Error("The value passed to scalar() should be a primitive");
  return tensor(value, [], dtype);
}
/** A rank-1 tensor (tfjs's `tf.tensor1d(values, dtype?)`). @throws Error when `values` is not flat. */
export function tensor1d(values: TensorLike, dtype?: DataType): Tensor {
  return ranked("tensor1d", 1, values, undefined, dtype);
}
/** A rank-2 tensor (tfjs's `tf.tensor2d(values, shape?, dtype?)`: nested arrays, or flat values with a shape of 2 numbers). @throws Error otherwise. */
export function tensor2d(values: TensorLike, shape?: [number, number], dtype?: DataType): Tensor {
  return ranked("tensor2d", 2, values, shape, dtype);
}
/** A rank-3 tensor (tfjs's `tf.tensor3d`). @throws Error for another rank. */
export function tensor3d(values: TensorLike, shape?: [number, number, number], dtype?: DataType): Tensor {
  return ranked("tensor3d", 3, values, shape, dtype);
}
/** A rank-4 tensor (tfjs's `tf.tensor4d`). @throws Error for another rank. */
export function tensor4d(values: TensorLike, shape?: [number, number, number, number], dtype?: DataType): Tensor {
  return ranked("tensor4d", 4, values, shape, dtype);
}
/** Zeros of `shape` (tfjs's `tf.zeros(shape, dtype = "float32")`). */
export function zeros(shape: Shape, dtype: DataType = "float32"): Tensor {
  return new Tensor(py().tf.zeros(tspy.tuple(...checkInts("tf.zeros", "shape", shape)), dtype));
}
/** Ones of `shape` (tfjs's `tf.ones(shape, dtype = "float32")`). */
export function ones(shape: Shape, dtype: DataType = "float32"): Tensor {
  return new Tensor(py().tf.ones(tspy.tuple(...checkInts("tf.ones", "shape", shape)), dtype));
}
/** `shape` filled with `value` (tfjs's `tf.fill(shape, value, dtype?)`; float32 for a number, string for a string). */
export function fill(shape: Shape, value: number | string, dtype?: DataType): Tensor {
  return new Tensor(py().tf.fill(tspy.tuple(...checkInts("tf.fill", "shape", shape)), scalar(value, dtype).py));
}
/** `[start, start + step, ...)` below `stop` (tfjs's `tf.range(start, stop, step = 1, dtype = "float32")`). */
export function range(start: number, stop: number, step = 1, dtype: "float32" | "int32" = "float32"): Tensor {
  const f = (n: number) => (dtype === "float32" ? tspy.float(n) : n);
  return new Tensor(py().tf.range(f(start), f(stop), f(step), tspy.kwargs({ dtype })));
}
/** `num` evenly spaced float32 values from `start` to `stop` inclusive (tfjs's `tf.linspace`). */
export function linspace(start: number, stop: number, num: number): Tensor {
  checkInts("tf.linspace", "num", [num]);
  return new Tensor(py().tf.linspace(tspy.float(start), tspy.float(stop), num));
}
/** Normally distributed values (tfjs's `tf.randomNormal(shape, mean = 0, stdDev = 1, dtype = "float32", seed?)`). */
export function randomNormal(shape: Shape, mean = 0, stdDev = 1, dtype: "float32" | "int32" = "float32", seed?: number): Tensor {
  const t = py().tf.random.normal(
    tspy.tuple(...shape),
    tspy.kwargs({ mean: tspy.float(mean), stddev: tspy.float(stdDev), dtype: "float32", seed: seed ?? null }),
  );
  return new Tensor(dtype === "float32" ? t : py().fn.cast(t, dtype));
}
/** Uniformly distributed values in `[minval, maxval)` (tfjs's `tf.randomUniform(shape, minval = 0, maxval = 1, dtype = "float32", seed?)`). */
export function randomUniform(shape: Shape, minval = 0, maxval = 1, dtype: "float32" | "int32" = "float32", seed?: number): Tensor {
  const f = (n: number) => (dtype === "float32" ? tspy.float(n) : n);
  return new Tensor(py().tf.random.uniform(tspy.tuple(...shape), tspy.kwargs({ minval: f(minval), maxval: f(maxval), dtype, seed: seed ?? null })));
}
/**
 * One-hot vectors of `depth` for int32 `indices` (tfjs's `tf.oneHot(indices, depth, onValue = 1,
 * offValue = 0, dtype = "int32")`): shape `[...indices.shape, depth]`.
 */
export function oneHot(indices: Tensor | TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DataType = "int32"): Tensor {
  checkInts("tf.oneHot", "depth", [depth]);
  const idx = indices instanceof Tensor ? indices.cast("int32") : tensor(indices as TensorLike, undefined, "int32");
  return new Tensor(py().tf.one_hot(idx.py, depth, tspy.kwargs({ on_value: onValue, off_value: offValue, dtype })));
}
/** A {@link Variable} holding `initialValue` (tfjs's `tf.variable(initialValue, trainable = true, name?, dtype?)`). */
export function variable(initialValue: Tensor, trainable = true, name?: string, dtype?: DataType): Variable {
  const init = dtype && dtype !== initialValue.dtype ? initialValue.cast(dtype) : initialValue;
  return new Variable(py().tf.Variable(init.py, tspy.kwargs({ trainable, name: name ?? null })));
}
/** A Python variable's name without TensorFlow's ":0" output suffix (the name tfjs code gave it). */
export function variableName(v: PyProxy): string {
  return String(v.name).replace(/:0$/, "");
}
/** Zeros of `x`'s shape and dtype (tfjs's `tf.zerosLike`). */
export function zerosLike(x: Tensor): Tensor {
  return new Tensor(py().tf.zeros_like(x.py));
}
/** Ones of `x`'s shape and dtype (tfjs's `tf.onesLike`). */
export function onesLike(x: Tensor): Tensor {
  return new Tensor(py().tf.ones_like(x.py));
}
/** `tf.concat(tensors, axis = 0)`: joins tensors along `axis`. @throws PythonError when other dimensions differ. */
export function concat(tensors: Tensor[], axis = 0): Tensor {
  return new Tensor(
    py().tf.concat(
      tensors.map((t) => t.py),
      axis,
    ),
  );
}
/** `tf.stack(tensors, axis = 0)`: stacks same-shape tensors along a new axis. */
export function stack(tensors: Tensor[], axis = 0): Tensor {
  return new Tensor(
    py().tf.stack(
      tensors.map((t) => t.py),
      tspy.kwargs({ axis }),
    ),
  );
}

function asTensor(x: Tensor | TensorLike): Tensor {
  return x instanceof Tensor ? x : tensor(x);
}
/** `a + b` element-wise (tfjs's `tf.add`). */
export const add = (a: Tensor | TensorLike, b: Tensor | TensorLike): Tensor => asTensor(a).add(b);
/** `a - b` element-wise (tfjs's `tf.sub`). */
export const sub = (a: Tensor | TensorLike, b: Tensor | TensorLike): Tensor => asTensor(a).sub(b);
/** `a * b` element-wise (tfjs's `tf.mul`). */
export const mul = (a: Tensor | TensorLike, b: Tensor | TensorLike): Tensor => asTensor(a).mul(b);
/** `a / b` element-wise (tfjs's `tf.div`). */
export const div = (a: Tensor | TensorLike, b: Tensor | TensorLike): Tensor => asTensor(a).div(b);
/** `base ** exp` element-wise (tfjs's `tf.pow`). */
export const pow = (base: Tensor | TensorLike, exp: Tensor | TensorLike): Tensor => asTensor(base).pow(exp);
/** Matrix product (tfjs's `tf.matMul(a, b, transposeA?, transposeB?)`). */
export const matMul = (a: Tensor | TensorLike, b: Tensor | TensorLike, transposeA = false, transposeB = false): Tensor =>
  asTensor(a).matMul(b, transposeA, transposeB);
/** `-x` (tfjs's `tf.neg`). */
export const neg = (x: Tensor | TensorLike): Tensor => asTensor(x).neg();
/** `x * x` (tfjs's `tf.square`). */
export const square = (x: Tensor | TensorLike): Tensor => asTensor(x).square();
/** Square root (tfjs's `tf.sqrt`). */
export const sqrt = (x: Tensor | TensorLike): Tensor => asTensor(x).sqrt();
/** `e ** x` (tfjs's `tf.exp`). */
export const exp = (x: Tensor | TensorLike): Tensor => asTensor(x).exp();
/** Natural logarithm (tfjs's `tf.log`). */
export const log = (x: Tensor | TensorLike): Tensor => asTensor(x).log();
/** `|x|` (tfjs's `tf.abs`). */
export const abs = (x: Tensor | TensorLike): Tensor => asTensor(x).abs();
/** `max(x, 0)` (tfjs's `tf.relu`). */
export const relu = (x: Tensor | TensorLike): Tensor => asTensor(x).relu();
/** Logistic sigmoid (tfjs's `tf.sigmoid`). */
export const sigmoid = (x: Tensor | TensorLike): Tensor => asTensor(x).sigmoid();
/** Hyperbolic tangent (tfjs's `tf.tanh`). */
export const tanh = (x: Tensor | TensorLike): Tensor => asTensor(x).tanh();
/** Softmax along `dim` (tfjs's `tf.softmax(logits, dim = -1)`). */
export const softmax = (logits: Tensor | TensorLike, dim = -1): Tensor => asTensor(logits).softmax(dim);
/** Sum (tfjs's `tf.sum(x, axis?, keepDims?)`). */
export const sum = (x: Tensor | TensorLike, axis?: number | number[], keepDims = false): Tensor => asTensor(x).sum(axis, keepDims);
/** Mean (tfjs's `tf.mean(x, axis?, keepDims?)`). */
export const mean = (x: Tensor | TensorLike, axis?: number | number[], keepDims = false): Tensor => asTensor(x).mean(axis, keepDims);
/** Maximum (tfjs's `tf.max(x, axis?, keepDims?)`). */
export const max = (x: Tensor | TensorLike, axis?: number | number[], keepDims = false): Tensor => asTensor(x).max(axis, keepDims);
/** Minimum (tfjs's `tf.min(x, axis?, keepDims?)`). */
export const min = (x: Tensor | TensorLike, axis?: number | number[], keepDims = false): Tensor => asTensor(x).min(axis, keepDims);
/** Index of the maximum along `axis` (tfjs's `tf.argMax(x, axis = 0)`). */
export const argMax = (x: Tensor | TensorLike, axis = 0): Tensor => asTensor(x).argMax(axis);
/** Index of the minimum along `axis` (tfjs's `tf.argMin(x, axis = 0)`). */
export const argMin = (x: Tensor | TensorLike, axis = 0): Tensor => asTensor(x).argMin(axis);
/** The dimensions permuted (tfjs's `tf.transpose(x, perm?)`). */
export const transpose = (x: Tensor | TensorLike, perm?: number[]): Tensor => asTensor(x).transpose(perm);
/** The values in another shape (tfjs's `tf.reshape(x, shape)`). */
export const reshape = (x: Tensor | TensorLike, shape: number[]): Tensor => asTensor(x).reshape(shape);
/** The values as another dtype (tfjs's `tf.cast(x, dtype)`). */
export const cast = (x: Tensor | TensorLike, dtype: DataType): Tensor => asTensor(x).cast(dtype);

/** A tensor or a container of tensors (tfjs's `TensorContainer`). */
export type TensorContainer =
  void | Tensor | string | number | boolean | TensorContainer[] | { [key: string]: TensorContainer } | Float32Array | Int32Array | Uint8Array;

function collect(container: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (container instanceof Tensor) {
    out.add(container);
    return;
  }
  if (container === null || typeof container !== "object" || seen.has(container) || ArrayBuffer.isView(container)) return;
  seen.add(container);
  for (const v of Array.isArray(container) ? container : Object.values(container)) collect(v, out, seen);
}

/**
 * Runs `fn` and disposes every tensor made during it except those it returns (inside arrays or
 * plain objects too) and those passed to {@link keep} (tfjs's `tf.tidy(nameOrFn, fn?)`).
 * @throws Error when `fn` returns a Promise (as tfjs: "Cannot return a Promise inside of tidy.").
 */
export function tidy<T extends TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T {
  const body = typeof nameOrFn === "function" ? nameOrFn : fn;
  if (!body) throw new Error("tf.tidy() takes a function");
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = body();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) throw new Error("Cannot return a Promise inside of tidy.");
  const keepers = new Set<Tensor>();
  collect(result, keepers);
  const outer = scopes.at(-1);
  for (const t of scope) {
    if (keepers.has(t) || kept.has(t)) outer?.add(t);
    else t.dispose();
  }
  return result;
}

/** Disposes every tensor in `container` (tfjs's `tf.dispose`). */
export function dispose(container: TensorContainer): void {
  const found = new Set<Tensor>();
  collect(container, found);
  for (const t of found) t.dispose();
}

/** Keeps `result` alive past the enclosing {@link tidy} (tfjs's `tf.keep`). @returns `result`. */
export function keep<T extends Tensor>(result: T): T {
  kept.add(result);
  return result;
}
