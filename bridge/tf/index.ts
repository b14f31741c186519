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
export { CustomLayer, LayerVariable, type SymbolicShape } from "./custom-layer.js";
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
  type SaveResult,
  type SequentialArgs,
} from "./models.js";
export {
  abs,
  add,
  argMax,
  argMin,
  cast,
  concat,
  dispose,
  div,
  exp,
  fill,
  keep,
  linspace,
  log,
  matMul,
  max,
  mean,
  min,
  mul,
  neg,
  oneHot,
  ones,
  pow,
  randomNormal,
  randomUniform,
  range,
  relu,
  reshape,
  scalar,
  sigmoid,
  softmax,
  sqrt,
  square,
  stack,
  sub,
  sum,
  tanh,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  Tensor,
  tidy,
  transpose,
  Variable,
  variable,
  zeros,
  zerosLike,
  onesLike,
  type DataType,
  type DataTypeMap,
  type NumericDataType,
  type RecursiveArray,
  type Shape,
  type TensorContainer,
  type TensorLike,
  type TypedArray,
} from "./tensor.js";
export { losses, metrics } from "./losses.js";
export { grad, grads, Optimizer, train, valueAndGrad, valueAndGrads, variableGrads, type NamedTensorMap } from "./train.js";

/** Aliases tfjs code uses for its rank-specific tensor types (one Tensor class here). */
export type { Tensor as Scalar, Tensor as Tensor1D, Tensor as Tensor2D, Tensor as Tensor3D, Tensor as Tensor4D } from "./tensor.js";

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
