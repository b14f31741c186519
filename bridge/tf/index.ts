// `tspy/tf`: TensorFlow.js's API (names, argument shapes, return types) over Python Keras 3 and
// TensorFlow in the embedded CPython. Cells import it as `import * as tf from "tspy/tf"`.
// This file only gathers the namespace; each part lives in its own file.
import type { PyProxy } from "../lib/index.js";
import { py as modules } from "./runtime.js";

export {
  Callback,
  callbacks,
  CustomCallback,
  earlyStopping,
  KerasCallback,
  type CustomCallbackArgs,
  type EarlyStoppingCallbackArgs,
  type Logs,
} from "./callbacks.js";
export { Constraint, constraints, type ConstraintIdentifier, type MaxNormArgs, type MinMaxNormArgs, type UnitNormArgs } from "./constraints.js";
export { CustomLayer, LayerVariable, type SymbolicShape } from "./custom-layer.js";
export type { CustomModelArgs } from "./custom-model.js";
/** tfjs-data's `tf.data` (`tf.data.array`, `tf.data.zip`, `tf.data.Dataset`) over Python's tf.data; see data.ts. */
export * as data from "./data.js";
export type * from "./layer-options.generated.js";
export { Initializer, initializers, Regularizer, regularizers, type SeedOnlyInitializerArgs } from "./initializers.js";
export { input, Layer, layers, SymbolicTensor, type ActivationIdentifier, type InitializerIdentifier, type InputConfig, type LayerArgs } from "./layers.js";
export {
  History,
  LayersModel,
  loadLayersModel,
  model,
  Sequential,
  sequential,
  type ContainerArgs,
  type LossIdentifier,
  type LossOrMetricFn,
  type MetricIdentifier,
  type ModelCompileArgs,
  type ModelData,
  type ModelEvaluateArgs,
  type ModelFitArgs,
  type ModelFitDatasetArgs,
  type SaveResult,
  type SequentialArgs,
} from "./models.js";
export {
  abs,
  acos,
  add,
  all,
  any,
  argMax,
  argMin,
  asin,
  atan,
  atan2,
  broadcastTo,
  cast,
  ceil,
  clipByValue,
  clone,
  concat,
  cos,
  cosh,
  cumsum,
  dispose,
  div,
  dot,
  elu,
  equal,
  erf,
  exp,
  expandDims,
  expm1,
  eye,
  fill,
  floor,
  floorDiv,
  gather,
  greater,
  greaterEqual,
  isFinite,
  isInf,
  isNaN,
  keep,
  leakyRelu,
  less,
  lessEqual,
  linspace,
  log,
  log1p,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  logSoftmax,
  logSumExp,
  matMul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mod,
  moments,
  mul,
  multinomial,
  neg,
  norm,
  notEqual,
  oneHot,
  ones,
  onesLike,
  outerProduct,
  pad,
  pow,
  prod,
  randomGamma,
  randomNormal,
  randomUniform,
  range,
  Rank,
  reciprocal,
  relu,
  relu6,
  reshape,
  reverse,
  round,
  rsqrt,
  scalar,
  selu,
  sigmoid,
  sign,
  sin,
  sinh,
  slice,
  softmax,
  softplus,
  split,
  sqrt,
  square,
  squaredDifference,
  squeeze,
  stack,
  sub,
  sum,
  tan,
  tanh,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  tensor5d,
  tensor6d,
  Tensor,
  tidy,
  tile,
  topk,
  transpose,
  truncatedNormal,
  unstack,
  Variable,
  variable,
  where,
  zeros,
  zerosLike,
  type ArrayMap,
  type ArrayOf,
  type DataType,
  type DataTypeMap,
  type NumericDataType,
  type RecursiveArray,
  type Scalar,
  type Shape,
  type ShapeMap,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type Tensor4D,
  type Tensor5D,
  type Tensor6D,
  type TensorContainer,
  type TensorLike,
  type TypedArray,
} from "./tensor.js";
export { losses, metrics } from "./losses.js";
export { serialization, type SerializableConstructor } from "./serialization.js";
export { grad, grads, Optimizer, train, valueAndGrad, valueAndGrads, variableGrads, type NamedTensorMap } from "./train.js";

/**
 * Imports TensorFlow and Keras now (they import on first use otherwise; it takes seconds) — tfjs's
 * `await tf.ready()`.
 * @throws PythonError (rejects) when keras or tensorflow cannot be imported.
 */
export async function ready(): Promise<void> {
  modules();
}

/** tfjs's `tf.getBackend()`: always "tensorflow" (Python TensorFlow on the CPU or its GPU). */
export function getBackend(): string {
  return "tensorflow";
}

/** tfjs's `tf.setBackend(name)`: accepted for compatibility; the backend is always Python TensorFlow. @returns true. */
export async function setBackend(_backendName: string): Promise<boolean> {
  return true;
}

/**
 * The escape hatch: `tf.keras` is the Python `keras` module (a PyProxy: `tf.keras.layers.Dense(...)`
 * with `tspy.kwargs`), for whatever this API does not cover.
 */
export declare const keras: PyProxy;
/** The escape hatch: `tf.py` is the Python `tensorflow` module (a PyProxy: `tf.py.signal.fft(t.py)`). */
export declare const py: PyProxy;
Object.defineProperty(exports, "keras", { enumerable: true, get: () => modules().keras });
Object.defineProperty(exports, "py", { enumerable: true, get: () => modules().tf });
