// tfjs-core's Tensor API (tensor creation, the chainable Tensor class, tidy/dispose) over Python
// TensorFlow eager tensors. Knows the bridge API and tf's Python functions; nothing of Keras models.
import * as util from "node:util";
import { dtypeRow, type TypedArrayOfDtype } from "../../kernel/contracts/dtypes.js";
import { alignedArray, type PyProxy, tspy } from "../lib/index.js";
import { type FastFn, fastCallables, py } from "./runtime.js";

/** tfjs's dtypes, plus the TensorFlow dtypes a Python tensor may have (`float64`, `int64`, ...). */
export type DataType =
  "float32" | "int32" | "bool" | "complex64" | "string" | "float16" | "float64" | "int8" | "int16" | "int64" | "uint8" | "uint16" | "uint32" | "uint64";
/** tfjs's numeric dtypes: the default of `dataSync<D>()` (ask for another, e.g. `dataSync<"int64">()`, for TensorFlow's others). */
export type NumericDataType = "float32" | "int32" | "bool" | "complex64";
/**
 * What {@link Tensor.dataSync} returns per dtype (tfjs's `DataTypeMap`, extended for TensorFlow's
 * dtypes): the TypedArray of the dtype table (kernel/contracts/dtypes.ts) — float32 Float32Array,
 * int64 BigInt64Array, bool Uint8Array, float16 Uint16Array of half bits, ... — and string[] for string.
 */
export type DataTypeMap = { [D in Exclude<DataType, "string">]: TypedArrayOfDtype<D> } & { string: string[] };
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

/**
 * tfjs's tensor ranks (`Rank.R0` scalar ... `Rank.R6`): the type argument of {@link Tensor}, so
 * `Tensor<Rank.R2>` (= {@link Tensor2D}) has a `[number, number]` shape and `number[][]` values.
 */
export enum Rank {
  R0 = "R0",
  R1 = "R1",
  R2 = "R2",
  R3 = "R3",
  R4 = "R4",
  R5 = "R5",
  R6 = "R6",
}
/** The shape type of each rank (tfjs's `ShapeMap`). */
export interface ShapeMap {
  R0: number[];
  R1: [number];
  R2: [number, number];
  R3: [number, number, number];
  R4: [number, number, number, number];
  R5: [number, number, number, number, number];
  R6: [number, number, number, number, number, number];
}
/** The nested-array type of each rank's values (tfjs's `ArrayMap`). */
export interface ArrayMap {
  R0: number;
  R1: number[];
  R2: number[][];
  R3: number[][][];
  R4: number[][][][];
  R5: number[][][][][];
  R6: number[][][][][][];
}
/**
 * What {@link Tensor.arraySync} returns for rank `R`: {@link ArrayMap}'s type for a known rank,
 * `any` for a tensor of unknown rank (`Tensor`, the result of most ops, as tfjs's `T extends Tensor`),
 * so `Number(t.sum().arraySync())`-free code such as `t.max().arraySync() < 1` keeps type-checking.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ArrayOf<R extends Rank> = [Rank] extends [R] ? any : ArrayMap[R];

/** Tensors made in the innermost running {@link tidy}; disposed when it ends unless returned or kept. */
const scopes: Set<Tensor>[] = [];
const kept = new WeakSet<Tensor>();

/**
 * The TensorFlow functions behind the ops, by dotted path under the `tensorflow` module; resolved
 * once into fast callables ({@link ops}). One table: a method names its op, never a path.
 */
const TF_OPS = {
  add: "math.add",
  sub: "math.subtract",
  mul: "math.multiply",
  div: "math.divide",
  pow: "math.pow",
  maximum: "math.maximum",
  minimum: "math.minimum",
  mod: "math.floormod",
  floorDiv: "math.floordiv",
  squaredDifference: "math.squared_difference",
  atan2: "math.atan2",
  equal: "math.equal",
  notEqual: "math.not_equal",
  greater: "math.greater",
  greaterEqual: "math.greater_equal",
  less: "math.less",
  lessEqual: "math.less_equal",
  logicalAnd: "math.logical_and",
  logicalOr: "math.logical_or",
  logicalXor: "math.logical_xor",
  neg: "math.negative",
  abs: "math.abs",
  square: "math.square",
  sqrt: "math.sqrt",
  rsqrt: "math.rsqrt",
  reciprocal: "math.reciprocal",
  exp: "math.exp",
  expm1: "math.expm1",
  log: "math.log",
  log1p: "math.log1p",
  relu: "nn.relu",
  relu6: "nn.relu6",
  elu: "nn.elu",
  selu: "nn.selu",
  sigmoid: "math.sigmoid",
  tanh: "math.tanh",
  softplus: "math.softplus",
  sin: "math.sin",
  cos: "math.cos",
  tan: "math.tan",
  asin: "math.asin",
  acos: "math.acos",
  atan: "math.atan",
  sinh: "math.sinh",
  cosh: "math.cosh",
  floor: "math.floor",
  ceil: "math.ceil",
  round: "math.round",
  sign: "math.sign",
  erf: "math.erf",
  isNaN: "math.is_nan",
  isInf: "math.is_inf",
  isFinite: "math.is_finite",
  logicalNot: "math.logical_not",
  sum: "math.reduce_sum",
  mean: "math.reduce_mean",
  max: "math.reduce_max",
  min: "math.reduce_min",
  prod: "math.reduce_prod",
  all: "math.reduce_all",
  any: "math.reduce_any",
  logSumExp: "math.reduce_logsumexp",
  argMax: "math.argmax",
  argMin: "math.argmin",
  cumsum: "math.cumsum",
  topk: "math.top_k",
  softmax: "nn.softmax",
  logSoftmax: "nn.log_softmax",
  leakyRelu: "nn.leaky_relu",
  moments: "nn.moments",
  matMul: "linalg.matmul",
  tensordot: "tensordot",
  norm: "norm",
  cast: "cast",
  constant: "constant",
  identity: "identity",
  reshape: "reshape",
  transpose: "transpose",
  expandDims: "expand_dims",
  squeeze: "squeeze",
  slice: "slice",
  gather: "gather",
  concat: "concat",
  stack: "stack",
  unstack: "unstack",
  split: "split",
  tile: "tile",
  pad: "pad",
  reverse: "reverse",
  where: "where",
  clipByValue: "clip_by_value",
  broadcastTo: "broadcast_to",
  oneHot: "one_hot",
  zerosLike: "zeros_like",
  onesLike: "ones_like",
  zeros: "zeros",
  ones: "ones",
  fill: "fill",
  eye: "eye",
  range: "range",
  linspace: "linspace",
  randomNormal: "random.normal",
  randomUniform: "random.uniform",
  truncatedNormal: "random.truncated_normal",
  randomGamma: "random.gamma",
  categorical: "random.categorical",
  variable: "Variable",
} as const;
type OpName = keyof typeof TF_OPS;
type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "maximum"
  | "minimum"
  | "mod"
  | "floorDiv"
  | "squaredDifference"
  | "atan2"
  | "equal"
  | "notEqual"
  | "greater"
  | "greaterEqual"
  | "less"
  | "lessEqual"
  | "logicalAnd"
  | "logicalOr"
  | "logicalXor";
type ReduceOp = "sum" | "mean" | "max" | "min" | "prod" | "all" | "any" | "logSumExp";

/** The resolved ops and the classes a Python value is checked against; made once, on the first op. */
interface OpState {
  fn: Record<OpName | "toTensor" | "fromBuffer" | "fromStrings", FastFn>;
  /** `(tf.Tensor, tf.Variable)`: what the Tensor constructor takes as it is. */
  tensorTypes: PyProxy;
  variableType: PyProxy;
}
let opState: OpState | null = null;

/** The fast callables of {@link TF_OPS} and of tspy_tf.py's tensor helpers (resolved on first use; TensorFlow is imported then). */
function ops(): OpState {
  if (opState) return opState;
  const { tf, helpers } = py();
  const fn = { ...fastCallables(tf, TF_OPS), ...fastCallables(helpers, { toTensor: "to_tensor", fromBuffer: "from_buffer", fromStrings: "from_strings" }) };
  const variableType = tf.Variable as PyProxy;
  opState = { fn, tensorTypes: tspy.tuple(tf.Tensor, variableType), variableType };
  return opState;
}

/** Set by {@link wrap} for the one constructor call that follows: the value is an op's result, a tf.Tensor. */
let trustedNext = false;

/** A Tensor over an op's result `p` (a new reference to a tf.Tensor), without the constructor's isinstance check. */
function wrap<T extends Tensor = Tensor>(p: PyProxy): T {
  trustedNext = true;
  return new Tensor(p) as T;
}

/** A Tensor for `x`: itself when it is one, else `tf.tensor(x)`. */
function asTensor(x: Tensor | TensorLike): Tensor {
  return x instanceof Tensor ? x : tensor(x);
}

/** The elements of a Python list or tuple of tensors, each wrapped; the list's proxy is released. */
function wrapList(list: PyProxy): Tensor[] {
  try {
    return [...(list as Iterable<PyProxy>)].map((p) => wrap(p));
  } finally {
    tspy.destroy(list);
  }
}

/** The two tensors of a Python pair (tuple or namedtuple), each wrapped; the pair's proxy is released. */
function wrapPair(pair: PyProxy): [Tensor, Tensor] {
  const [a, b] = wrapList(pair);
  return [a, b];
}

/**
 * A tfjs `Tensor` over a Python `tf.Tensor` (or `tf.Variable` for {@link Variable}): immutable,
 * chainable (`a.matMul(b).add(c).relu()`), each method one TensorFlow op run eagerly. Made by
 * {@link tensor} and the other creation functions, by ops and by `model.predict`; the constructor
 * is for wrapping a Python tensor you already have (`new Tensor(py.t)`). Follows
 * https://js.tensorflow.org/api/latest/#class:Tensor and tfjs's .d.ts: `R` is the rank when known
 * (`Tensor2D` = `Tensor<Rank.R2>`), ops return `T extends Tensor` (`x.relu()` keeps `x`'s type,
 * `a.add<Tensor2D>(b)` names it). Where a tfjs method takes `Tensor|TensorLike`, a number or array
 * operand is converted to this tensor's dtype (TensorFlow's rule for `t + 1`).
 */
export class Tensor<R extends Rank = Rank> {
  /** The Python `tf.Tensor` (or `tf.Variable`); give it to `%%python` cells with `py.t = t.py`. */
  readonly py: PyProxy;
  private shapeCache: number[] | undefined;
  private dtypeCache: DataType | undefined;
  private disposedFlag = false;

  /**
   * @param pyTensor a PyProxy of a `tf.Tensor` / `tf.Variable` (anything else is converted with `tf.convert_to_tensor`).
   * @throws PythonError when the value cannot be converted to a tensor.
   */
  constructor(pyTensor: PyProxy) {
    if (trustedNext) {
      trustedNext = false;
      this.py = pyTensor;
    } else {
      const { tensorTypes, fn } = ops();
      this.py = tspy.isinstance(pyTensor, tensorTypes) ? pyTensor : fn.toTensor(pyTensor);
    }
    if (scopes.length !== 0) scopes[scopes.length - 1].add(this);
  }

  /** Elements per dimension, e.g. `[2, 3]` (a copy; cached: a tensor's shape never changes). */
  get shape(): ShapeMap[R] {
    this.assertLive();
    this.shapeCache ??= tspy.toJS(this.py.shape.as_list()) as number[];
    return this.shapeCache.slice() as ShapeMap[R];
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
    return (this.shape as number[]).reduce((a, b) => a * b, 1);
  }
  /** True after {@link dispose}. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  private assertLive(): void {
    if (this.disposedFlag) throw new Error("Tensor is disposed.");
  }

  /** `op(this, b)`: a Tensor operand as it is (the hot path: no allocation but the result), anything else converted to this dtype first. */
  private binary<T extends Tensor>(op: BinaryOp, b: Tensor | TensorLike): T {
    if (this.disposedFlag) throw new Error("Tensor is disposed.");
    if (b instanceof Tensor) {
      if (b.disposedFlag) throw new Error("Tensor is disposed.");
      return wrap(ops().fn[op](this.py, b.py));
    }
    return this.withOperand(b, (p) => wrap(ops().fn[op](this.py, p)));
  }

  /**
   * Runs `use` with the Python operand for a non-Tensor `b`: a PyProxy as it is, a number
   * `tf.constant(b, this.dtype)`, anything else `tf.tensor(b, undefined, this.dtype)` (released after).
   */
  private withOperand<T>(b: Tensor | TensorLike, use: (p: PyProxy) => T): T {
    if (b instanceof Tensor) {
      b.assertLive();
      return use(b.py);
    }
    if (tspy.isProxy(b)) return use(b);
    const dtype = this.dtype;
    if (typeof b === "number" && (dtype.startsWith("float") || (dtype.startsWith("int") && Number.isInteger(b)))) {
      const c = ops().fn.constant(b, dtype);
      try {
        return use(c);
      } finally {
        tspy.destroy(c);
      }
    }
    const t = tensor(b, undefined, dtype);
    try {
      return use(t.py);
    } finally {
      t.dispose();
    }
  }

  /** `op(this)` for a one-argument op. */
  private unary<T extends Tensor>(op: OpName, ...args: unknown[]): T {
    this.assertLive();
    return wrap(ops().fn[op](this.py, ...args));
  }

  private reduce<T extends Tensor>(op: ReduceOp, axis: number | number[] | undefined, keepDims: boolean): T {
    return this.unary(op, axis ?? null, keepDims);
  }

  // ---- arithmetic (tfjs: Operations / Arithmetic, Basic math) ----

  /** Element-wise `this + b` (broadcasting). @throws PythonError (InvalidArgumentError) on incompatible shapes or dtypes. */
  add<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("add", b);
  }
  /** Element-wise `this - b` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  sub<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("sub", b);
  }
  /** Element-wise `this * b` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  mul<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("mul", b);
  }
  /** Element-wise `this / b` (broadcasting; an int32 division gives float64 as in TensorFlow). @throws PythonError on incompatible shapes. */
  div<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("div", b);
  }
  /** Element-wise `this ** exp` (broadcasting). @throws PythonError on incompatible shapes or dtypes. */
  pow<T extends Tensor>(exp: Tensor | TensorLike): T {
    return this.binary("pow", exp);
  }
  /** Element-wise `max(this, b)` (broadcasting). */
  maximum<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("maximum", b);
  }
  /** Element-wise `min(this, b)` (broadcasting). */
  minimum<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("minimum", b);
  }
  /** Element-wise remainder of floor division, the sign of `b` (tfjs's `mod`; TensorFlow's `floormod`). */
  mod<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("mod", b);
  }
  /** Element-wise `floor(this / b)` (tfjs's `floorDiv`). */
  floorDiv<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("floorDiv", b);
  }
  /** Element-wise `(this - b)²`. */
  squaredDifference<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("squaredDifference", b);
  }
  /** Element-wise `atan2(this, b)` (radians). */
  atan2<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("atan2", b);
  }
  /** Element-wise `-this`. */
  neg<T extends Tensor>(this: T): T {
    return this.unary("neg");
  }
  /** Element-wise `|this|`. */
  abs<T extends Tensor>(this: T): T {
    return this.unary("abs");
  }
  /** Element-wise `this * this`. */
  square<T extends Tensor>(this: T): T {
    return this.unary("square");
  }
  /** Element-wise square root. */
  sqrt<T extends Tensor>(this: T): T {
    return this.unary("sqrt");
  }
  /** Element-wise `1 / sqrt(this)`. */
  rsqrt<T extends Tensor>(this: T): T {
    return this.unary("rsqrt");
  }
  /** Element-wise `1 / this`. */
  reciprocal<T extends Tensor>(this: T): T {
    return this.unary("reciprocal");
  }
  /** Element-wise `e ** this`. */
  exp<T extends Tensor>(this: T): T {
    return this.unary("exp");
  }
  /** Element-wise `e ** this - 1`. */
  expm1<T extends Tensor>(this: T): T {
    return this.unary("expm1");
  }
  /** Element-wise natural logarithm. */
  log<T extends Tensor>(this: T): T {
    return this.unary("log");
  }
  /** Element-wise `log(1 + this)`. */
  log1p<T extends Tensor>(this: T): T {
    return this.unary("log1p");
  }
  /** Element-wise largest integer ≤ x. */
  floor<T extends Tensor>(this: T): T {
    return this.unary("floor");
  }
  /** Element-wise smallest integer ≥ x. */
  ceil<T extends Tensor>(this: T): T {
    return this.unary("ceil");
  }
  /** Element-wise rounding to the nearest integer, halves to even (as tfjs and TensorFlow). */
  round<T extends Tensor>(this: T): T {
    return this.unary("round");
  }
  /** Element-wise -1, 0 or 1. */
  sign<T extends Tensor>(this: T): T {
    return this.unary("sign");
  }
  /** Element-wise sine (radians). */
  sin<T extends Tensor>(this: T): T {
    return this.unary("sin");
  }
  /** Element-wise cosine (radians). */
  cos<T extends Tensor>(this: T): T {
    return this.unary("cos");
  }
  /** Element-wise tangent (radians). */
  tan<T extends Tensor>(this: T): T {
    return this.unary("tan");
  }
  /** Element-wise arcsine. */
  asin<T extends Tensor>(this: T): T {
    return this.unary("asin");
  }
  /** Element-wise arccosine. */
  acos<T extends Tensor>(this: T): T {
    return this.unary("acos");
  }
  /** Element-wise arctangent. */
  atan<T extends Tensor>(this: T): T {
    return this.unary("atan");
  }
  /** Element-wise hyperbolic sine. */
  sinh<T extends Tensor>(this: T): T {
    return this.unary("sinh");
  }
  /** Element-wise hyperbolic cosine. */
  cosh<T extends Tensor>(this: T): T {
    return this.unary("cosh");
  }
  /** Element-wise Gauss error function. */
  erf<T extends Tensor>(this: T): T {
    return this.unary("erf");
  }
  /** Element-wise `x != x`, a bool tensor. */
  isNaN<T extends Tensor>(this: T): T {
    return this.unary("isNaN");
  }
  /** Element-wise `|x| == Infinity`, a bool tensor. */
  isInf<T extends Tensor>(this: T): T {
    return this.unary("isInf");
  }
  /** Element-wise "neither NaN nor infinite", a bool tensor. */
  isFinite<T extends Tensor>(this: T): T {
    return this.unary("isFinite");
  }
  /** Values limited to `[clipValueMin, clipValueMax]` (tfjs's `clipByValue`). */
  clipByValue<T extends Tensor>(this: T, clipValueMin: number, clipValueMax: number): T {
    return this.unary("clipByValue", clipValueMin, clipValueMax);
  }

  // ---- activations ----

  /** Element-wise `max(this, 0)`. */
  relu<T extends Tensor>(this: T): T {
    return this.unary("relu");
  }
  /** Element-wise `min(max(this, 0), 6)`. */
  relu6<T extends Tensor>(this: T): T {
    return this.unary("relu6");
  }
  /** Element-wise exponential linear unit. */
  elu<T extends Tensor>(this: T): T {
    return this.unary("elu");
  }
  /** Element-wise scaled exponential linear unit. */
  selu<T extends Tensor>(this: T): T {
    return this.unary("selu");
  }
  /** Element-wise `x > 0 ? x : alpha * x` (tfjs's default `alpha` 0.2). */
  leakyRelu<T extends Tensor>(this: T, alpha = 0.2): T {
    return this.unary("leakyRelu", tspy.float(alpha));
  }
  /** Element-wise `1 / (1 + e ** -this)`. */
  sigmoid<T extends Tensor>(this: T): T {
    return this.unary("sigmoid");
  }
  /** Element-wise hyperbolic tangent. */
  tanh<T extends Tensor>(this: T): T {
    return this.unary("tanh");
  }
  /** Element-wise `log(1 + e ** this)`. */
  softplus<T extends Tensor>(this: T): T {
    return this.unary("softplus");
  }
  /** Softmax along `dim` (default -1, the last axis). */
  softmax<T extends Tensor>(this: T, dim = -1): T {
    return this.unary("softmax", dim);
  }
  /** Log of the softmax along `axis` (default -1). */
  logSoftmax<T extends Tensor>(this: T, axis = -1): T {
    return this.unary("logSoftmax", axis);
  }

  // ---- matrices and shapes ----

  /**
   * Matrix product `this @ b` (rank ≥ 2, batched over leading dimensions).
   * @throws PythonError (InvalidArgumentError) when the inner dimensions differ.
   */
  matMul<T extends Tensor>(b: Tensor | TensorLike, transposeA = false, transposeB = false): T {
    this.assertLive();
    return this.withOperand(b, (p) => wrap(ops().fn.matMul(this.py, p, transposeA, transposeB)));
  }
  /** Dot product of rank-1/rank-2 tensors (tfjs's `dot`: the last axis of this against the first of `b`). */
  dot<T extends Tensor>(b: Tensor | TensorLike): T {
    this.assertLive();
    return this.withOperand(b, (p) => wrap(ops().fn.tensordot(this.py, p, 1)));
  }
  /** Permutes the dimensions (`perm` default: reversed). @throws PythonError for a bad permutation. */
  transpose<T extends Tensor>(perm?: number[]): T {
    return this.unary("transpose", perm ?? null);
  }
  /**
   * The same elements in `shape` (one entry may be -1: inferred). The type argument names the
   * result, as tfjs (`x.reshape<Tensor3D>([...])`) or by rank as tfjs 1.x (`x.reshape<Rank.R3>([...])`).
   * @throws PythonError when the sizes differ; TypeError for a non-integer entry.
   */
  reshape<T extends Tensor | Rank = Tensor>(shape: number[]): T extends Rank ? Tensor<T> : T {
    return this.unary<Tensor>("reshape", checkInts("reshape", "shape", shape)) as T extends Rank ? Tensor<T> : T;
  }
  /** All elements in one dimension (tfjs's `flatten`). */
  flatten(): Tensor1D {
    return this.reshape<Tensor1D>([-1]);
  }
  /** The one element as a scalar (tfjs's `asScalar`). @throws PythonError when the size is not 1. */
  asScalar(): Scalar {
    return this.reshape<Scalar>([]);
  }
  /** Rank 1 (tfjs's `as1D`). */
  as1D(): Tensor1D {
    return this.reshape<Tensor1D>([-1]);
  }
  /** Rank 2 of `[rows, columns]` (tfjs's `as2D`). */
  as2D(rows: number, columns: number): Tensor2D {
    return this.reshape<Tensor2D>([rows, columns]);
  }
  /** Rank 3 (tfjs's `as3D`). */
  as3D(rows: number, columns: number, depth: number): Tensor3D {
    return this.reshape<Tensor3D>([rows, columns, depth]);
  }
  /** Rank 4 (tfjs's `as4D`). */
  as4D(rows: number, columns: number, depth: number, depth2: number): Tensor4D {
    return this.reshape<Tensor4D>([rows, columns, depth, depth2]);
  }
  /** Inserts a dimension of size 1 at `axis` (default 0). */
  expandDims<T extends Tensor>(axis = 0): T {
    return this.unary("expandDims", axis);
  }
  /** Removes dimensions of size 1 (only those in `axis` when given). @throws PythonError when a listed dimension is not 1. */
  squeeze<T extends Tensor>(axis?: number[]): T {
    return this.unary("squeeze", axis ?? null);
  }
  /** Broadcasts to `shape` (tfjs's `broadcastTo`). @throws PythonError when the shapes are incompatible. */
  broadcastTo<T extends Tensor>(shape: number[]): T {
    return this.unary("broadcastTo", checkInts("broadcastTo", "shape", shape));
  }
  /**
   * A slice starting at `begin` of `size` elements per dimension (tfjs: a number applies to the
   * first axis; missing trailing entries start at 0; a size of -1 or a missing size runs to the end).
   * @throws PythonError when the slice leaves the tensor.
   */
  slice<T extends Tensor>(this: T, begin: number | number[], size?: number | number[]): T {
    const rank = this.rank;
    const b = typeof begin === "number" ? [begin] : begin.slice();
    while (b.length < rank) b.push(0);
    const s = size === undefined ? [] : typeof size === "number" ? [size] : size.slice();
    while (s.length < rank) s.push(-1);
    return this.unary("slice", b, s);
  }
  /** Elements of `indices` (int32) along `axis` (default 0), tfjs's `gather(indices, axis, batchDims)`. */
  gather<T extends Tensor>(this: T, indices: Tensor | TensorLike, axis = 0, batchDims = 0): T {
    const idx = indices instanceof Tensor ? indices : tensor(indices as TensorLike, undefined, "int32");
    try {
      return this.unary("gather", idx.py, null, axis, batchDims);
    } finally {
      if (idx !== indices) idx.dispose();
    }
  }
  /** `tf.concat([this, ...x], axis)`: joins along `axis` (default 0). @throws PythonError when other dimensions differ. */
  concat<T extends Tensor>(this: T, x: Tensor | Tensor[], axis = 0): T {
    return concat<T>([this, ...((Array.isArray(x) ? x : [x]) as T[])], axis);
  }
  /** Repeats the tensor `reps[i]` times along axis i (tfjs's `tile`). */
  tile<T extends Tensor>(this: T, reps: number[]): T {
    return this.unary("tile", checkInts("tile", "reps", reps));
  }
  /** Pads each axis i with `paddings[i] = [before, after]` elements of `constantValue` (default 0). */
  pad<T extends Tensor>(this: T, paddings: Array<[number, number]>, constantValue = 0): T {
    return this.unary("pad", paddings, "CONSTANT", constantValue);
  }
  /** The elements in reverse order along `axis` (default: every axis). */
  reverse<T extends Tensor>(this: T, axis?: number | number[]): T {
    const axes = axis === undefined ? Array.from({ length: this.rank }, (_, i) => i) : typeof axis === "number" ? [axis] : axis;
    return this.unary("reverse", axes);
  }
  /** Splits along `axis` into `numOrSizeSplits` equal parts or parts of the given sizes (tfjs's `split`). */
  split<T extends Tensor>(numOrSizeSplits: number | number[], axis = 0): T[] {
    this.assertLive();
    return wrapList(ops().fn.split(this.py, numOrSizeSplits, axis)) as T[];
  }
  /** The slices along `axis` (default 0), one rank lower (tfjs's `unstack`). */
  unstack<T extends Tensor>(axis = 0): T[] {
    this.assertLive();
    return wrapList(ops().fn.unstack(this.py, null, axis)) as T[];
  }

  // ---- reductions ----

  /** Sum over `axis` (all axes by default); `keepDims` keeps reduced axes with size 1. */
  sum<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("sum", axis, keepDims);
  }
  /** Mean over `axis` (all axes by default). */
  mean<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("mean", axis, keepDims);
  }
  /** Maximum over `axis` (all axes by default). */
  max<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("max", axis, keepDims);
  }
  /** Minimum over `axis` (all axes by default). */
  min<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("min", axis, keepDims);
  }
  /** Product over `axis` (all axes by default). */
  prod<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("prod", axis, keepDims);
  }
  /** Logical AND over `axis` of a bool tensor. */
  all<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("all", axis, keepDims);
  }
  /** Logical OR over `axis` of a bool tensor. */
  any<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("any", axis, keepDims);
  }
  /** `log(sum(exp(this)))` over `axis`, computed stably. */
  logSumExp<T extends Tensor>(axis?: number | number[], keepDims = false): T {
    return this.reduce("logSumExp", axis, keepDims);
  }
  /** Index of the maximum along `axis` (default 0, as tfjs), an int32 tensor. */
  argMax<T extends Tensor>(axis = 0): T {
    return this.unary("argMax", axis, "int32");
  }
  /** Index of the minimum along `axis` (default 0, as tfjs), an int32 tensor. */
  argMin<T extends Tensor>(axis = 0): T {
    return this.unary("argMin", axis, "int32");
  }
  /** Cumulative sum along `axis` (default 0); `exclusive` starts at 0, `reverse` sums from the end. */
  cumsum<T extends Tensor>(axis = 0, exclusive = false, reverse = false): T {
    return this.unary("cumsum", axis, exclusive, reverse);
  }
  /**
   * The norm (tfjs's `norm(ord = "euclidean", axis = null, keepDims = false)`): `ord` 1, 2,
   * Infinity, another positive number, "euclidean" or "fro"; over all elements as one vector when
   * `axis` is null. @throws PythonError for an `ord` TensorFlow does not support (e.g. -Infinity).
   */
  norm<T extends Tensor>(ord: number | "euclidean" | "fro" = "euclidean", axis: number | number[] | null = null, keepDims = false): T {
    return this.unary("norm", typeof ord === "number" && !Number.isInteger(ord) ? tspy.float(ord) : ord, axis, keepDims);
  }

  // ---- comparisons and logic ----

  /** Element-wise `this == b`, a bool tensor. */
  equal<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("equal", b);
  }
  /** Element-wise `this != b`, a bool tensor. */
  notEqual<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("notEqual", b);
  }
  /** Element-wise `this > b`, a bool tensor. */
  greater<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("greater", b);
  }
  /** Element-wise `this >= b`, a bool tensor. */
  greaterEqual<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("greaterEqual", b);
  }
  /** Element-wise `this < b`, a bool tensor. */
  less<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("less", b);
  }
  /** Element-wise `this <= b`, a bool tensor. */
  lessEqual<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("lessEqual", b);
  }
  /** Element-wise AND of bool tensors. @throws PythonError for another dtype. */
  logicalAnd<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("logicalAnd", b);
  }
  /** Element-wise OR of bool tensors. */
  logicalOr<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("logicalOr", b);
  }
  /** Element-wise XOR of bool tensors. */
  logicalXor<T extends Tensor>(b: Tensor | TensorLike): T {
    return this.binary("logicalXor", b);
  }
  /** Element-wise NOT of a bool tensor. */
  logicalNot<T extends Tensor>(this: T): T {
    return this.unary("logicalNot");
  }

  // ---- dtype, copies, values ----

  /**
   * The values converted to `dtype`; a new tensor even when the dtype is already `dtype` (a clone,
   * as tfjs: TensorFlow's `tf.cast` would return the same Python tensor, whose proxy the bridge
   * shares, so disposing the result would dispose this tensor too).
   */
  cast<T extends Tensor>(this: T, dtype: DataType): T {
    return dtype === this.dtype ? this.unary("identity") : this.unary("cast", dtype);
  }
  /** {@link cast} under tfjs's older name. */
  asType<T extends Tensor>(this: T, dtype: DataType): T {
    return this.cast(dtype);
  }
  /** A new tensor with the same values (`tf.identity`; a Variable's clone is its current value). */
  clone<T extends Tensor>(this: T): T {
    return this.unary("identity");
  }
  /**
   * The values, flat in row-major order, as tfjs's TypedArray of the dtype (float32 ->
   * Float32Array, int32 -> Int32Array, bool -> Uint8Array; int64 -> BigInt64Array; string ->
   * string[]). For a CPU tensor this is a view over TensorFlow's own memory (no copy): do not write
   * to it. A Variable gives a view of its current value.
   */
  dataSync<D extends DataType = NumericDataType>(): DataTypeMap[D] {
    this.assertLive();
    if (this.dtype === "string") return (this.arraySync() as unknown[]).flat(Infinity as 1) as unknown as DataTypeMap[D];
    const { variableType, fn } = ops();
    const src = tspy.isinstance(this.py, variableType) ? fn.toTensor(this.py) : this.py;
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
   * decoded as UTF-8. Typed by the rank as tfjs's `ArrayMap[R]` (`number[][]` for a Tensor2D), `any`
   * for a tensor of unknown rank ({@link ArrayOf}).
   */
  arraySync(): ArrayOf<R> {
    this.assertLive();
    const nd = py().np.asarray(this.py);
    try {
      if (this.dtype === "string") {
        const decoded = py().np.char.decode(nd.astype("S"), "utf-8");
        try {
          return tspy.toJS(decoded) as ArrayOf<R>;
        } finally {
          tspy.destroy(decoded);
        }
      }
      return tspy.toJS(nd) as ArrayOf<R>;
    } finally {
      tspy.destroy(nd);
    }
  }
  /** {@link arraySync} as a Promise. */
  async array(): Promise<ArrayOf<R>> {
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
export class Variable<R extends Rank = Rank> extends Tensor<R> {
  /** Whether optimizers update it (tfjs's `trainable`). */
  get trainable(): boolean {
    return this.py.trainable as boolean;
  }
  /** The variable's name as given to {@link variable} (TensorFlow's name without its ":0" output suffix). */
  get name(): string {
    return variableName(this.py);
  }
  /** Sets the value (same shape and dtype). @throws PythonError (ValueError) on a different shape. */
  assign(newValue: Tensor<R>): void {
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
export function tensor<R extends Rank = Rank>(values: TensorLike | Tensor, shape?: ShapeMap[R], dtype?: DataType): Tensor<R> {
  const { fn } = ops();
  if (values instanceof Tensor) {
    const t = dtype && dtype !== values.dtype ? values.cast(dtype) : values.clone();
    return (shape ? t.reshape(shape) : t) as Tensor<R>;
  }
  if (tspy.isProxy(values)) {
    let t = wrap(fn.toTensor(values));
    if (dtype ? t.dtype !== dtype : t.dtype === "float64") t = wrap(fn.cast(t.py, dtype ?? "float32"));
    return (shape ? t.reshape(shape) : t) as Tensor<R>;
  }
  const { flat, shape: inferred } = flatten(values);
  const finalShape: number[] = shape ?? inferred;
  checkInts("tf.tensor", "shape", finalShape);
  const size = finalShape.reduce((a, b) => a * b, 1);
  if (size !== flat.length) {
    throw new Error(`Based on the provided shape, [${finalShape.join(",")}], the tensor should have ${size} values but has ${flat.length}`);
  }
  const dt = dtype ?? inferDtype(values, flat);
  if (dt === "string") return wrap(fn.fromStrings(flat.map(String), finalShape));
  const buf = alignedArray(fillKind(dt) as Float64ArrayConstructor, Math.max(flat.length, 1));
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    buf[i] = typeof v === "boolean" ? (v ? 1 : 0) : Number(v);
  }
  return wrap(fn.fromBuffer(buf.subarray(0, flat.length), finalShape, dt));
}

/** tfjs's own TypedArray kinds, which {@link tensor} fills as they are. */
const TFJS_KINDS = { Float32Array, Int32Array, Uint8Array } as const;

/**
 * The TypedArray that {@link tensor} fills with values of `dt` before TensorFlow reads it: the
 * dtype table's kind of `dt` when it is one of tfjs's and holds the values as they are (float32,
 * int32, uint8; bool as 0/1 bytes), else Float64Array, which TensorFlow casts to `dt`.
 */
function fillKind(dt: DataType): (typeof TFJS_KINDS)[keyof typeof TFJS_KINDS] | Float64ArrayConstructor {
  const row = dtypeRow(dt);
  const asIs = row !== undefined && (row.direction === "both" || dt === "bool");
  return asIs && Object.hasOwn(TFJS_KINDS, row.kind) ? TFJS_KINDS[row.kind as keyof typeof TFJS_KINDS] : Float64Array;
}

function ranked<R extends Rank>(name: string, rank: number, values: TensorLike, shape: number[] | undefined, dtype: DataType | undefined): Tensor<R> {
  if (shape !== undefined && shape.length !== rank) throw new Error(`${name}() requires shape to have ${rank} numbers`);
  const t = tensor(values, shape, dtype);
  if (t.rank !== rank) {
    t.dispose();
    throw new Error(`${name}() requires values to be a rank-${rank} array or a flat array with a shape`);
  }
  return t as Tensor<R>;
}

/** A rank-0 tensor (tfjs's `Tensor<Rank.R0>`). */
export type Scalar = Tensor<Rank.R0>;
/** A rank-1 tensor (tfjs's `Tensor<Rank.R1>`): `shape` is `[number]`, `arraySync()` is `number[]`. */
export type Tensor1D = Tensor<Rank.R1>;
/** A rank-2 tensor: `shape` is `[number, number]`, `arraySync()` is `number[][]`. */
export type Tensor2D = Tensor<Rank.R2>;
/** A rank-3 tensor. */
export type Tensor3D = Tensor<Rank.R3>;
/** A rank-4 tensor (e.g. a batch of images, `[batch, height, width, channels]`). */
export type Tensor4D = Tensor<Rank.R4>;
/** A rank-5 tensor. */
export type Tensor5D = Tensor<Rank.R5>;
/** A rank-6 tensor. */
export type Tensor6D = Tensor<Rank.R6>;

/** A rank-0 tensor (tfjs's `tf.scalar(value, dtype?)`; float32 for a number). @throws Error for an array. */
export function scalar(value: number | boolean | string, dtype?: DataType): Scalar {
  if (typeof value === "object") throw new Error("The value passed to scalar() should be a primitive");
  return tensor<Rank.R0>(value, [], dtype);
}
/** A rank-1 tensor (tfjs's `tf.tensor1d(values, dtype?)`). @throws Error when `values` is not flat. */
export function tensor1d(values: TensorLike, dtype?: DataType): Tensor1D {
  return ranked("tensor1d", 1, values, undefined, dtype);
}
/** A rank-2 tensor (tfjs's `tf.tensor2d(values, shape?, dtype?)`: nested arrays, or flat values with a shape of 2 numbers). @throws Error otherwise. */
export function tensor2d(values: TensorLike, shape?: [number, number], dtype?: DataType): Tensor2D {
  return ranked("tensor2d", 2, values, shape, dtype);
}
/** A rank-3 tensor (tfjs's `tf.tensor3d`). @throws Error for another rank. */
export function tensor3d(values: TensorLike, shape?: [number, number, number], dtype?: DataType): Tensor3D {
  return ranked("tensor3d", 3, values, shape, dtype);
}
/** A rank-4 tensor (tfjs's `tf.tensor4d`). @throws Error for another rank. */
export function tensor4d(values: TensorLike, shape?: [number, number, number, number], dtype?: DataType): Tensor4D {
  return ranked("tensor4d", 4, values, shape, dtype);
}
/** A rank-5 tensor (tfjs's `tf.tensor5d`). @throws Error for another rank. */
export function tensor5d(values: TensorLike, shape?: [number, number, number, number, number], dtype?: DataType): Tensor5D {
  return ranked("tensor5d", 5, values, shape, dtype);
}
/** A rank-6 tensor (tfjs's `tf.tensor6d`). @throws Error for another rank. */
export function tensor6d(values: TensorLike, shape?: [number, number, number, number, number, number], dtype?: DataType): Tensor6D {
  return ranked("tensor6d", 6, values, shape, dtype);
}
/** Zeros of `shape` (tfjs's `tf.zeros(shape, dtype = "float32")`). */
export function zeros<R extends Rank = Rank>(shape: ShapeMap[R], dtype: DataType = "float32"): Tensor<R> {
  return wrap(ops().fn.zeros(checkInts("tf.zeros", "shape", shape), dtype));
}
/** Ones of `shape` (tfjs's `tf.ones(shape, dtype = "float32")`). */
export function ones<R extends Rank = Rank>(shape: ShapeMap[R], dtype: DataType = "float32"): Tensor<R> {
  return wrap(ops().fn.ones(checkInts("tf.ones", "shape", shape), dtype));
}
/** `shape` filled with `value` (tfjs's `tf.fill(shape, value, dtype?)`; float32 for a number, string for a string). */
export function fill<R extends Rank = Rank>(shape: ShapeMap[R], value: number | string, dtype?: DataType): Tensor<R> {
  const v = scalar(value, dtype);
  try {
    return wrap(ops().fn.fill(checkInts("tf.fill", "shape", shape), v.py));
  } finally {
    v.dispose();
  }
}
/**
 * The `numRows` × `numColumns` identity matrix (tfjs's `tf.eye(numRows, numColumns = numRows,
 * batchShape?, dtype = "float32")`), repeated over `batchShape` when given.
 */
export function eye(numRows: number, numColumns?: number, batchShape?: number[], dtype: DataType = "float32"): Tensor2D {
  checkInts("tf.eye", "numRows/numColumns", [numRows, numColumns ?? numRows]);
  return wrap(ops().fn.eye(numRows, numColumns ?? null, batchShape ?? null, dtype));
}
/** `[start, start + step, ...)` below `stop` (tfjs's `tf.range(start, stop, step = 1, dtype = "float32")`). */
export function range(start: number, stop: number, step = 1, dtype: "float32" | "int32" = "float32"): Tensor1D {
  const f = (n: number) => (dtype === "float32" ? tspy.float(n) : n);
  return wrap(ops().fn.range(f(start), f(stop), f(step), tspy.kwargs({ dtype })));
}
/** `num` evenly spaced float32 values from `start` to `stop` inclusive (tfjs's `tf.linspace`). */
export function linspace(start: number, stop: number, num: number): Tensor1D {
  checkInts("tf.linspace", "num", [num]);
  return wrap(ops().fn.linspace(tspy.float(start), tspy.float(stop), num));
}
/** Keyword arguments of TensorFlow's random ops: float32 moments, the seed or None. */
function randomKwargs(moments: Record<string, number>, dtype: string, seed: number | undefined): unknown {
  const kw: Record<string, unknown> = { dtype, seed: seed ?? null };
  for (const [k, v] of Object.entries(moments)) kw[k] = dtype === "int32" ? v : tspy.float(v);
  return tspy.kwargs(kw);
}
/** Normally distributed values (tfjs's `tf.randomNormal(shape, mean = 0, stdDev = 1, dtype = "float32", seed?)`). */
export function randomNormal<R extends Rank = Rank>(
  shape: ShapeMap[R],
  mean = 0,
  stdDev = 1,
  dtype: "float32" | "int32" = "float32",
  seed?: number,
): Tensor<R> {
  const t = wrap<Tensor<R>>(ops().fn.randomNormal(shape, randomKwargs({ mean, stddev: stdDev }, "float32", seed)));
  return dtype === "float32" ? t : castAndDispose(t, dtype);
}
/** Normal values more than two standard deviations from the mean redrawn (tfjs's `tf.truncatedNormal(shape, mean = 0, stdDev = 1, dtype, seed?)`). */
export function truncatedNormal<R extends Rank = Rank>(
  shape: ShapeMap[R],
  mean = 0,
  stdDev = 1,
  dtype: "float32" | "int32" = "float32",
  seed?: number,
): Tensor<R> {
  const t = wrap<Tensor<R>>(ops().fn.truncatedNormal(shape, randomKwargs({ mean, stddev: stdDev }, "float32", seed)));
  return dtype === "float32" ? t : castAndDispose(t, dtype);
}
/** Uniformly distributed values in `[minval, maxval)` (tfjs's `tf.randomUniform(shape, minval = 0, maxval = 1, dtype = "float32", seed?)`). */
export function randomUniform<R extends Rank = Rank>(
  shape: ShapeMap[R],
  minval = 0,
  maxval = 1,
  dtype: "float32" | "int32" = "float32",
  seed?: number,
): Tensor<R> {
  return wrap(ops().fn.randomUniform(shape, randomKwargs({ minval, maxval }, dtype, seed)));
}
/**
 * Gamma-distributed values of shape `alpha` and inverse scale `beta` (tfjs's `tf.randomGamma(shape,
 * alpha, beta = 1, dtype = "float32", seed?)`; TensorFlow's `tf.random.gamma`).
 */
export function randomGamma<R extends Rank = Rank>(
  shape: ShapeMap[R],
  alpha: number,
  beta = 1,
  dtype: "float32" | "int32" = "float32",
  seed?: number,
): Tensor<R> {
  const t = wrap<Tensor<R>>(ops().fn.randomGamma(shape, tspy.float(alpha), randomKwargs({ beta }, "float32", seed)));
  return dtype === "float32" ? t : castAndDispose(t, dtype);
}
/**
 * `numSamples` class indices drawn per row of `logits` (tfjs's `tf.multinomial(logits, numSamples,
 * seed?, normalized = false)`): `logits` are unnormalized log-probabilities, or probabilities when
 * `normalized`; rank 1 gives `[numSamples]`, rank 2 `[batch, numSamples]`, int32.
 */
export function multinomial(logits: Tensor | TensorLike, numSamples: number, seed?: number, normalized = false): Tensor {
  checkInts("tf.multinomial", "numSamples", [numSamples]);
  return tidy(() => {
    const l = asTensor(logits);
    const rows = l.rank === 1 ? l.expandDims(0) : l;
    const out = wrap(ops().fn.categorical((normalized ? rows.log() : rows).py, numSamples, tspy.kwargs({ dtype: "int32", seed: seed ?? null })));
    return l.rank === 1 ? out.squeeze([0]) : out;
  });
}
/** `t` cast to `dtype`; `t` is disposed. */
function castAndDispose<T extends Tensor>(t: T, dtype: DataType): T {
  try {
    return t.cast(dtype);
  } finally {
    t.dispose();
  }
}
/**
 * One-hot vectors of `depth` for int32 `indices` (tfjs's `tf.oneHot(indices, depth, onValue = 1,
 * offValue = 0, dtype = "int32")`): shape `[...indices.shape, depth]`.
 */
export function oneHot(indices: Tensor | TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DataType = "int32"): Tensor {
  checkInts("tf.oneHot", "depth", [depth]);
  const idx = indices instanceof Tensor ? indices.cast("int32") : tensor(indices as TensorLike, undefined, "int32");
  try {
    return wrap(ops().fn.oneHot(idx.py, depth, tspy.kwargs({ on_value: onValue, off_value: offValue, dtype })));
  } finally {
    idx.dispose();
  }
}
/** A {@link Variable} holding `initialValue` (tfjs's `tf.variable(initialValue, trainable = true, name?, dtype?)`). */
export function variable<R extends Rank = Rank>(initialValue: Tensor<R>, trainable = true, name?: string, dtype?: DataType): Variable<R> {
  const init = dtype && dtype !== initialValue.dtype ? initialValue.cast(dtype) : initialValue;
  return new Variable<R>(ops().fn.variable(init.py, tspy.kwargs({ trainable, name: name ?? null })));
}
/** A Python variable's name without TensorFlow's ":0" output suffix (the name tfjs code gave it). */
export function variableName(v: PyProxy): string {
  return String(v.name).replace(/:0$/, "");
}
/** Zeros of `x`'s shape and dtype (tfjs's `tf.zerosLike`). */
export function zerosLike<T extends Tensor>(x: T | TensorLike): T {
  return wrap(ops().fn.zerosLike(asTensor(x).py));
}
/** Ones of `x`'s shape and dtype (tfjs's `tf.onesLike`). */
export function onesLike<T extends Tensor>(x: T | TensorLike): T {
  return wrap(ops().fn.onesLike(asTensor(x).py));
}
/** The Python tensors of `tensors` (each checked live). */
function pyList(tensors: Array<Tensor | TensorLike>): PyProxy[] {
  return tensors.map((t) => asTensor(t).py);
}
/** `tf.concat(tensors, axis = 0)`: joins tensors along `axis`. @throws PythonError when other dimensions differ. */
export function concat<T extends Tensor>(tensors: Array<T | TensorLike>, axis = 0): T {
  return wrap(ops().fn.concat(pyList(tensors), axis));
}
/** `tf.stack(tensors, axis = 0)`: stacks same-shape tensors along a new axis (one rank up). */
export function stack<T extends Tensor>(tensors: Array<T | TensorLike>, axis = 0): Tensor {
  return wrap(ops().fn.stack(pyList(tensors), axis));
}
/** `tf.unstack(x, axis = 0)`: the slices along `axis`, one rank down. */
export function unstack<T extends Tensor>(x: Tensor | TensorLike, axis = 0): T[] {
  return asTensor(x).unstack<T>(axis);
}
/** `tf.split(x, numOrSizeSplits, axis = 0)`: equal parts, or parts of the given sizes, along `axis`. @throws PythonError when they do not add up. */
export function split<T extends Tensor>(x: T | TensorLike, numOrSizeSplits: number | number[], axis = 0): T[] {
  return asTensor(x).split<T>(numOrSizeSplits, axis);
}
/**
 * `tf.where(condition, a, b)`: elements of `a` where the bool `condition` is true, else of `b`
 * (broadcasting). @throws PythonError when `condition` is not bool or the shapes are incompatible.
 */
export function where<T extends Tensor>(condition: Tensor | TensorLike, a: T | TensorLike, b: T | TensorLike): T {
  const ta = asTensor(a);
  const tb = b instanceof Tensor ? b : tensor(b, undefined, ta.dtype);
  const tc = asTensor(condition);
  try {
    return wrap(ops().fn.where(tc.py, ta.py, tb.py));
  } finally {
    for (const [t, given] of [
      [ta, a],
      [tb, b],
      [tc, condition],
    ]) {
      if (t !== given) (t as Tensor).dispose();
    }
  }
}
/** `tf.moments(x, axes?, keepDims = false)`: `{mean, variance}` over `axes` (default: all). */
export function moments(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): { mean: Tensor; variance: Tensor } {
  const t = asTensor(x);
  const axes = axis === undefined ? Array.from({ length: t.rank }, (_, i) => i) : typeof axis === "number" ? [axis] : axis;
  const [mean, variance] = wrapPair(ops().fn.moments(t.py, axes, null, keepDims));
  return { mean, variance };
}
/** `tf.topk(x, k = 1, sorted = true)`: the `k` largest entries of the last axis, `{values, indices}` (indices int32). */
export function topk<T extends Tensor>(x: T | TensorLike, k = 1, sorted = true): { values: T; indices: T } {
  checkInts("tf.topk", "k", [k]);
  const [values, indices] = wrapPair(ops().fn.topk(asTensor(x).py, k, sorted));
  return { values: values as T, indices: indices as T };
}

// ---- tfjs's op functions: each is the Tensor method of the same name on its first argument ----

/** `a + b` element-wise, broadcasting (tfjs's `tf.add`). */
export function add<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).add<T>(b);
}

/** `a - b` element-wise (tfjs's `tf.sub`). */
export function sub<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).sub<T>(b);
}

/** `a * b` element-wise (tfjs's `tf.mul`). */
export function mul<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).mul<T>(b);
}

/** `a / b` element-wise (tfjs's `tf.div`). */
export function div<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).div<T>(b);
}

/** `base ** exp` element-wise (tfjs's `tf.pow`). */
export function pow<T extends Tensor>(base: Tensor | TensorLike, exp: Tensor | TensorLike): T {
  return asTensor(base).pow<T>(exp);
}

/** Element-wise `max(a, b)` (tfjs's `tf.maximum`). */
export function maximum<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).maximum<T>(b);
}

/** Element-wise `min(a, b)` (tfjs's `tf.minimum`). */
export function minimum<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).minimum<T>(b);
}

/** Element-wise floor-division remainder, the sign of `b` (tfjs's `tf.mod`). */
export function mod<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).mod<T>(b);
}

/** Element-wise `floor(a / b)` (tfjs's `tf.floorDiv`). */
export function floorDiv<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).floorDiv<T>(b);
}

/** Element-wise `(a - b)²` (tfjs's `tf.squaredDifference`). */
export function squaredDifference<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).squaredDifference<T>(b);
}

/** Element-wise `atan2(a, b)` (tfjs's `tf.atan2`). */
export function atan2<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).atan2<T>(b);
}

/** Element-wise `a == b` (bool) (tfjs's `tf.equal`). */
export function equal<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).equal<T>(b);
}

/** Element-wise `a != b` (bool) (tfjs's `tf.notEqual`). */
export function notEqual<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).notEqual<T>(b);
}

/** Element-wise `a > b` (bool) (tfjs's `tf.greater`). */
export function greater<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).greater<T>(b);
}

/** Element-wise `a >= b` (bool) (tfjs's `tf.greaterEqual`). */
export function greaterEqual<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).greaterEqual<T>(b);
}

/** Element-wise `a < b` (bool) (tfjs's `tf.less`). */
export function less<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).less<T>(b);
}

/** Element-wise `a <= b` (bool) (tfjs's `tf.lessEqual`). */
export function lessEqual<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).lessEqual<T>(b);
}

/** Element-wise AND of bool tensors (tfjs's `tf.logicalAnd`). */
export function logicalAnd<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).logicalAnd<T>(b);
}

/** Element-wise OR of bool tensors (tfjs's `tf.logicalOr`). */
export function logicalOr<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).logicalOr<T>(b);
}

/** Element-wise XOR of bool tensors (tfjs's `tf.logicalXor`). */
export function logicalXor<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike): T {
  return asTensor(a).logicalXor<T>(b);
}

/** Element-wise `-x` (tfjs's `tf.neg`). */
export function neg<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).neg() as T;
}

/** Element-wise `|x|` (tfjs's `tf.abs`). */
export function abs<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).abs() as T;
}

/** Element-wise `x * x` (tfjs's `tf.square`). */
export function square<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).square() as T;
}

/** Element-wise square root (tfjs's `tf.sqrt`). */
export function sqrt<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).sqrt() as T;
}

/** Element-wise `1 / sqrt(x)` (tfjs's `tf.rsqrt`). */
export function rsqrt<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).rsqrt() as T;
}

/** Element-wise `1 / x` (tfjs's `tf.reciprocal`). */
export function reciprocal<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).reciprocal() as T;
}

/** Element-wise `e ** x` (tfjs's `tf.exp`). */
export function exp<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).exp() as T;
}

/** Element-wise `e ** x - 1` (tfjs's `tf.expm1`). */
export function expm1<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).expm1() as T;
}

/** Element-wise natural logarithm (tfjs's `tf.log`). */
export function log<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).log() as T;
}

/** Element-wise `log(1 + x)` (tfjs's `tf.log1p`). */
export function log1p<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).log1p() as T;
}

/** Element-wise floor (tfjs's `tf.floor`). */
export function floor<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).floor() as T;
}

/** Element-wise ceiling (tfjs's `tf.ceil`). */
export function ceil<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).ceil() as T;
}

/** Element-wise rounding, halves to even (tfjs's `tf.round`). */
export function round<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).round() as T;
}

/** Element-wise sign (-1, 0, 1) (tfjs's `tf.sign`). */
export function sign<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).sign() as T;
}

/** Element-wise sine (tfjs's `tf.sin`). */
export function sin<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).sin() as T;
}

/** Element-wise cosine (tfjs's `tf.cos`). */
export function cos<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).cos() as T;
}

/** Element-wise tangent (tfjs's `tf.tan`). */
export function tan<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).tan() as T;
}

/** Element-wise arcsine (tfjs's `tf.asin`). */
export function asin<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).asin() as T;
}

/** Element-wise arccosine (tfjs's `tf.acos`). */
export function acos<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).acos() as T;
}

/** Element-wise arctangent (tfjs's `tf.atan`). */
export function atan<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).atan() as T;
}

/** Element-wise hyperbolic sine (tfjs's `tf.sinh`). */
export function sinh<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).sinh() as T;
}

/** Element-wise hyperbolic cosine (tfjs's `tf.cosh`). */
export function cosh<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).cosh() as T;
}

/** Element-wise error function (tfjs's `tf.erf`). */
export function erf<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).erf() as T;
}

/** Element-wise NaN test (bool) (tfjs's `tf.isNaN`). */
export function isNaN<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).isNaN() as T;
}

/** Element-wise infinity test (bool) (tfjs's `tf.isInf`). */
export function isInf<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).isInf() as T;
}

/** Element-wise finiteness test (bool) (tfjs's `tf.isFinite`). */
export function isFinite<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).isFinite() as T;
}

/** Element-wise NOT of a bool tensor (tfjs's `tf.logicalNot`). */
export function logicalNot<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).logicalNot() as T;
}

/** Element-wise `max(x, 0)` (tfjs's `tf.relu`). */
export function relu<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).relu() as T;
}

/** Element-wise `min(max(x, 0), 6)` (tfjs's `tf.relu6`). */
export function relu6<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).relu6() as T;
}

/** Element-wise exponential linear unit (tfjs's `tf.elu`). */
export function elu<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).elu() as T;
}

/** Element-wise scaled exponential linear unit (tfjs's `tf.selu`). */
export function selu<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).selu() as T;
}

/** Element-wise logistic sigmoid (tfjs's `tf.sigmoid`). */
export function sigmoid<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).sigmoid() as T;
}

/** Element-wise hyperbolic tangent (tfjs's `tf.tanh`). */
export function tanh<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).tanh() as T;
}

/** Element-wise `log(1 + e ** x)` (tfjs's `tf.softplus`). */
export function softplus<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).softplus() as T;
}

/** Element-wise copy (`tf.identity`) (tfjs's `tf.clone`). */
export function clone<T extends Tensor>(x: T | TensorLike): T {
  return asTensor(x).clone() as T;
}

/** Element-wise `x > 0 ? x : alpha * x` (tfjs's `tf.leakyRelu(x, alpha = 0.2)`). */
export function leakyRelu<T extends Tensor>(x: T | TensorLike, alpha = 0.2): T {
  return asTensor(x).leakyRelu(alpha) as T;
}
/** Values limited to `[clipValueMin, clipValueMax]` (tfjs's `tf.clipByValue`). */
export function clipByValue<T extends Tensor>(x: T | TensorLike, clipValueMin: number, clipValueMax: number): T {
  return asTensor(x).clipByValue(clipValueMin, clipValueMax) as T;
}
/** Matrix product (tfjs's `tf.matMul(a, b, transposeA?, transposeB?)`). */
export function matMul<T extends Tensor>(a: Tensor | TensorLike, b: Tensor | TensorLike, transposeA = false, transposeB = false): T {
  return asTensor(a).matMul<T>(b, transposeA, transposeB);
}
/** Dot product of rank-1/rank-2 tensors (tfjs's `tf.dot(t1, t2)`). */
export function dot<T extends Tensor>(t1: Tensor | TensorLike, t2: Tensor | TensorLike): T {
  return asTensor(t1).dot<T>(t2);
}
/** The outer product of two vectors, `[a.size, b.size]` (tfjs's `tf.outerProduct`). */
export function outerProduct(v1: Tensor1D | TensorLike, v2: Tensor1D | TensorLike): Tensor2D {
  return asTensor(v1)
    .reshape<Tensor2D>([-1, 1])
    .matMul<Tensor2D>(asTensor(v2).reshape([1, -1]));
}
/** Softmax along `dim` (tfjs's `tf.softmax(logits, dim = -1)`). */
export function softmax<T extends Tensor>(logits: T | TensorLike, dim = -1): T {
  return asTensor(logits).softmax(dim) as T;
}
/** Log-softmax along `axis` (tfjs's `tf.logSoftmax(logits, axis = -1)`). */
export function logSoftmax<T extends Tensor>(logits: T | TensorLike, axis = -1): T {
  return asTensor(logits).logSoftmax(axis) as T;
}
/** Sum (tfjs's `tf.sum(x, axis?, keepDims?)`). */
export function sum<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).sum<T>(axis, keepDims);
}
/** Mean (tfjs's `tf.mean(x, axis?, keepDims?)`). */
export function mean<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).mean<T>(axis, keepDims);
}
/** Maximum (tfjs's `tf.max(x, axis?, keepDims?)`). */
export function max<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).max<T>(axis, keepDims);
}
/** Minimum (tfjs's `tf.min(x, axis?, keepDims?)`). */
export function min<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).min<T>(axis, keepDims);
}
/** Product (tfjs's `tf.prod(x, axis?, keepDims?)`). */
export function prod<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).prod<T>(axis, keepDims);
}
/** Logical AND over `axis` (tfjs's `tf.all`). */
export function all<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).all<T>(axis, keepDims);
}
/** Logical OR over `axis` (tfjs's `tf.any`). */
export function any<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).any<T>(axis, keepDims);
}
/** `log(sum(exp(x)))` over `axis` (tfjs's `tf.logSumExp`). */
export function logSumExp<T extends Tensor>(x: Tensor | TensorLike, axis?: number | number[], keepDims = false): T {
  return asTensor(x).logSumExp<T>(axis, keepDims);
}
/** Index of the maximum along `axis` (tfjs's `tf.argMax(x, axis = 0)`). */
export function argMax<T extends Tensor>(x: Tensor | TensorLike, axis = 0): T {
  return asTensor(x).argMax<T>(axis);
}
/** Index of the minimum along `axis` (tfjs's `tf.argMin(x, axis = 0)`). */
export function argMin<T extends Tensor>(x: Tensor | TensorLike, axis = 0): T {
  return asTensor(x).argMin<T>(axis);
}
/** Cumulative sum (tfjs's `tf.cumsum(x, axis = 0, exclusive = false, reverse = false)`). */
export function cumsum<T extends Tensor>(x: Tensor | TensorLike, axis = 0, exclusive = false, reverse = false): T {
  return asTensor(x).cumsum<T>(axis, exclusive, reverse);
}
/** The norm (tfjs's `tf.norm(x, ord = "euclidean", axis = null, keepDims = false)`); see {@link Tensor.norm}. */
export function norm(x: Tensor | TensorLike, ord: number | "euclidean" | "fro" = "euclidean", axis: number | number[] | null = null, keepDims = false): Tensor {
  return asTensor(x).norm(ord, axis, keepDims);
}
/** The dimensions permuted (tfjs's `tf.transpose(x, perm?)`). */
export function transpose<T extends Tensor>(x: Tensor | TensorLike, perm?: number[]): T {
  return asTensor(x).transpose<T>(perm);
}
/** The values in another shape (tfjs's `tf.reshape(x, shape)`). */
export function reshape<R extends Rank = Rank>(x: Tensor | TensorLike, shape: ShapeMap[R]): Tensor<R> {
  return asTensor(x).reshape(shape) as Tensor<R>;
}
/** A dimension of size 1 inserted at `axis` (tfjs's `tf.expandDims(x, axis = 0)`). */
export function expandDims<T extends Tensor>(x: Tensor | TensorLike, axis = 0): T {
  return asTensor(x).expandDims<T>(axis);
}
/** Dimensions of size 1 removed (tfjs's `tf.squeeze(x, axis?)`). */
export function squeeze<T extends Tensor>(x: Tensor | TensorLike, axis?: number[]): T {
  return asTensor(x).squeeze<T>(axis);
}
/** A slice (tfjs's `tf.slice(x, begin, size?)`); see {@link Tensor.slice}. */
export function slice<T extends Tensor>(x: T | TensorLike, begin: number | number[], size?: number | number[]): T {
  return asTensor(x).slice(begin, size) as T;
}
/** Elements of `indices` along `axis` (tfjs's `tf.gather(x, indices, axis = 0, batchDims = 0)`). */
export function gather<T extends Tensor>(x: T | TensorLike, indices: Tensor | TensorLike, axis = 0, batchDims = 0): T {
  return asTensor(x).gather(indices, axis, batchDims) as T;
}
/** `x` repeated `reps[i]` times along axis i (tfjs's `tf.tile`). */
export function tile<T extends Tensor>(x: T | TensorLike, reps: number[]): T {
  return asTensor(x).tile(reps) as T;
}
/** `x` padded with `constantValue` (tfjs's `tf.pad(x, paddings, constantValue = 0)`). */
export function pad<T extends Tensor>(x: T | TensorLike, paddings: Array<[number, number]>, constantValue = 0): T {
  return asTensor(x).pad(paddings, constantValue) as T;
}
/** `x` reversed along `axis` (tfjs's `tf.reverse(x, axis?)`: every axis by default). */
export function reverse<T extends Tensor>(x: T | TensorLike, axis?: number | number[]): T {
  return asTensor(x).reverse(axis) as T;
}
/** `x` broadcast to `shape` (tfjs's `tf.broadcastTo`). */
export function broadcastTo<R extends Rank = Rank>(x: Tensor | TensorLike, shape: ShapeMap[R]): Tensor<R> {
  return asTensor(x).broadcastTo<Tensor<R>>(shape);
}
/** The values as another dtype (tfjs's `tf.cast(x, dtype)`). */
export function cast<T extends Tensor>(x: T | TensorLike, dtype: DataType): T {
  return asTensor(x).cast(dtype) as T;
}

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
