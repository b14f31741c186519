// tfjs-layers' Layer objects over Keras layers: the `tf.layers.<name>(options)` factories (the
// generated table: layer-options.generated.ts), `tf.input`, symbolic tensors and `layer.apply`.
// Knows Keras's layer API through the bridge; models (compile/fit) live in models.ts.
import * as util from "node:util";
import { isTsInstance, type PyProxy, tspy } from "../lib/index.js";
import { CustomLayer } from "./custom-layer.js";
import { LAYER_TABLE, type LayerFactories } from "./layer-options.generated.js";
import { py, toKwargs } from "./runtime.js";
import { type DataType, Tensor } from "./tensor.js";

/** tfjs's activation names (https://js.tensorflow.org/api/latest/#layers.dense); any other Keras activation name is accepted too. */
export type ActivationIdentifier =
  | "elu"
  | "hardSigmoid"
  | "linear"
  | "relu"
  | "relu6"
  | "selu"
  | "sigmoid"
  | "softmax"
  | "softplus"
  | "softsign"
  | "tanh"
  | "swish"
  | "mish"
  | "gelu"
  | (string & {});
/** tfjs's initializer names (camelCase; converted to Keras's snake_case); any other Keras initializer name is accepted too. */
export type InitializerIdentifier =
  | "constant"
  | "glorotNormal"
  | "glorotUniform"
  | "heNormal"
  | "heUniform"
  | "identity"
  | "leCunNormal"
  | "leCunUniform"
  | "ones"
  | "orthogonal"
  | "randomNormal"
  | "randomUniform"
  | "truncatedNormal"
  | "varianceScaling"
  | "zeros"
  | (string & {});

/**
 * Options every layer takes (tfjs's `LayerArgs`): `inputShape`/`batchInputShape`/`batchSize` give
 * the first layer of a sequential model its input (a `keras.Input(batch_shape)` is added before
 * it, as tfjs does); `inputDim` is tfjs's shorthand for `inputShape: [inputDim]` (where the Keras
 * layer has no `input_dim` of its own, as Embedding has).
 */
export interface LayerArgs {
  /** Input shape without the batch dimension, e.g. `[784]` (elements per dimension; null: any). */
  inputShape?: (number | null)[];
  /** Input shape with the batch dimension first, e.g. `[null, 784]`. */
  batchInputShape?: (number | null)[];
  /** Batch size for `inputShape` (default: any). */
  batchSize?: number;
  /** tfjs's `inputShape: [inputDim]` shorthand. */
  inputDim?: number;
  /** The layer's dtype (Keras's dtype policy name, e.g. "float32"). */
  dtype?: DataType | (string & {});
  /** The layer's name (unique in a model). */
  name?: string;
  /** Whether its weights are trained (default true). */
  trainable?: boolean;
}

/** Python layer object -> its wrapper (one wrapper per live Python object: PyProxies are unique per object). */
const wrappers = new WeakMap<PyProxy, Layer>();
let modelWrapper: ((p: PyProxy) => Layer | null) | null = null;

/** Lets models.ts wrap Python Keras models as LayersModel/Sequential (models.ts imports this file; not the other way round). */
export function registerModelWrapper(fn: (p: PyProxy) => Layer | null): void {
  modelWrapper = fn;
}

/**
 * The Python object behind a layer: a wrapper's `.py`, or the layer itself for a custom layer
 * (custom-layer.ts: a TS instance over its Python object, which the bridge passes to Python as that object).
 */
export function pyOf(layer: { py?: PyProxy } | object): PyProxy {
  return isTsInstance(layer) ? (layer as PyProxy) : (layer as { py: PyProxy }).py;
}

/** The wrapper of a Python Keras layer (a LayersModel for a model), the same object each time for the same layer. */
export function wrapLayer(p: PyProxy): Layer {
  if (isTsInstance(p)) return p as unknown as Layer;
  const existing = wrappers.get(p);
  if (existing) return existing;
  const made = modelWrapper?.(p) ?? new Layer(p);
  return made;
}

/**
 * A Keras tensor of a functional model under construction (tfjs's `SymbolicTensor`): what
 * {@link input} returns and `layer.apply(symbolic)` gives; it has a shape but no values.
 */
export class SymbolicTensor {
  /** The Python `keras.KerasTensor`. */
  readonly py: PyProxy;
  /** @param pyTensor a PyProxy of a `keras.KerasTensor`. */
  constructor(pyTensor: PyProxy) {
    this.py = pyTensor;
  }
  /** Elements per dimension, `null` for an unknown one (the batch dimension). */
  get shape(): (number | null)[] {
    return tspy.toJS(this.py.shape) as (number | null)[];
  }
  /** The dtype name, e.g. "float32". */
  get dtype(): string {
    return String(this.py.dtype);
  }
  /** Keras's name of the tensor. */
  get name(): string {
    return String(this.py.name);
  }
  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }
  /** "SymbolicTensor(shape=[null, 4], dtype=float32)". */
  toString(): string {
    return `SymbolicTensor(shape=[${this.shape.map(String).join(", ")}], dtype=${this.dtype})`;
  }
  /** console.log / the notebook's display show {@link toString}. */
  [util.inspect.custom](): string {
    return this.toString();
  }
}

/** What `layer.apply` accepts and returns: concrete tensors (run now) or symbolic ones (build a model). */
export type LayerInput = Tensor | SymbolicTensor | (Tensor | SymbolicTensor)[];

/** Python -> wrapper for a layer's output: KerasTensor -> SymbolicTensor, tf.Tensor/ndarray -> Tensor, lists -> arrays. */
export function wrapOutput(out: unknown): unknown {
  if (!tspy.isProxy(out)) return out;
  const { keras, tf } = py();
  if (tspy.isinstance(out, keras.KerasTensor)) return new SymbolicTensor(out);
  if (tspy.isinstance(out, tf.Tensor) || tspy.isinstance(out, py().np.ndarray)) return new Tensor(out);
  if (tspy.isinstance(out, tspy.type([])) || tspy.isinstance(out, tspy.type(tspy.tuple()))) {
    const items = [...(out as Iterable<unknown>)].map(wrapOutput);
    tspy.destroy(out);
    return items;
  }
  return out;
}

/** Wrapper -> Python for a layer's or model's input (Tensor/SymbolicTensor -> its `.py`, arrays element-wise). */
export function unwrapInput(x: unknown): unknown {
  if (x instanceof Tensor || x instanceof SymbolicTensor) return x.py;
  if (Array.isArray(x)) return x.map(unwrapInput);
  if (x !== null && typeof x === "object" && !tspy.isProxy(x) && !ArrayBuffer.isView(x)) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, unwrapInput(v)]));
  }
  return x;
}

/**
 * A Keras layer with tfjs's `Layer` API (https://js.tensorflow.org/api/latest/#class:layers.Layer).
 * Made by the `tf.layers.*` factories; `layer.py` is the Keras layer itself (for `%%python` cells
 * and for anything this API does not cover).
 */
export class Layer {
  /** The Python `keras.layers.Layer`. */
  readonly py: PyProxy;
  /** The input shape given by `inputShape`/`batchInputShape` (batch dimension first), used when this is a sequential model's first layer. */
  readonly batchInputShape: (number | null)[] | undefined;

  /**
   * @param pyLayer a PyProxy of a Keras layer.
   * @param batchInputShape the tfjs input shape (batch dimension first) for a sequential model's first layer.
   */
  constructor(pyLayer: PyProxy, batchInputShape?: (number | null)[]) {
    this.py = pyLayer;
    this.batchInputShape = batchInputShape;
    wrappers.set(pyLayer, this);
  }
  /** The layer's name. */
  get name(): string {
    return String(this.py.name);
  }
  /** Whether its weights are trained; setting it freezes or unfreezes the layer. */
  get trainable(): boolean {
    return Boolean(this.py.trainable);
  }
  set trainable(value: boolean) {
    this.py.trainable = value;
  }
  /** Whether the layer has built its weights. */
  get built(): boolean {
    return Boolean(this.py.built);
  }
  /**
   * Calls the layer (tfjs's `apply(inputs, kwargs?)`): on Tensors it computes now and returns
   * Tensors; on SymbolicTensors (from {@link input}) it returns SymbolicTensors for
   * `tf.model({inputs, outputs})`. `kwargs` are call arguments in camelCase (`{training: true}`).
   * @throws PythonError when the shapes do not fit the layer.
   */
  apply(inputs: Tensor | Tensor[], kwargs?: Record<string, unknown>): Tensor | Tensor[];
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: Record<string, unknown>): SymbolicTensor | SymbolicTensor[];
  apply(inputs: LayerInput, kwargs?: Record<string, unknown>): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  apply(inputs: LayerInput, kwargs: Record<string, unknown> = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    return wrapOutput(pyOf(this).__call__(unwrapInput(inputs), tspy.kwargs(toKwargs(`${this.name}.apply`, kwargs)))) as
      Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  }
  /** Number of weights' elements (tfjs's `countParams()`). @throws PythonError when the layer is not built. */
  countParams(): number {
    return Number(pyOf(this).count_params());
  }
  /** Current values of the weights, in Keras's order (kernel, bias, ...). */
  getWeights(trainableOnly = false): Tensor[] {
    const list = trainableOnly ? pyOf(this).trainable_weights : pyOf(this).weights;
    const out = [...(list as Iterable<PyProxy>)].map((v) => new Tensor(py().helpers.to_tensor(v)));
    tspy.destroy(list);
    return out;
  }
  /** Sets the weights (same count, shapes and order as {@link getWeights}). @throws PythonError (ValueError) on a mismatch. */
  setWeights(weights: Tensor[]): void {
    pyOf(this).set_weights(weights.map((w) => w.py));
  }
  /** The layer's Keras config (`get_config()`), converted to a plain object. */
  getConfig(): Record<string, unknown> {
    return tspy.toJS(pyOf(this).get_config()) as Record<string, unknown>;
  }
  /** "Dense (dense_1)". */
  toString(): string {
    return `${String(tspy.type(this.py).__name__)} (${this.name})`;
  }
  /** console.log / the notebook's display show {@link toString}. */
  [util.inspect.custom](): string {
    return this.toString();
  }
}

/** Options of {@link input} (tfjs's `InputConfig`). */
export interface InputConfig {
  /** Shape without the batch dimension, e.g. `[784]`. */
  shape?: (number | null)[];
  /** Shape with the batch dimension first, e.g. `[null, 784]`. */
  batchShape?: (number | null)[];
  /** The input's name. */
  name?: string;
  /** Its dtype (default float32). */
  dtype?: DataType;
  /** Whether the input is sparse. */
  sparse?: boolean;
}

/**
 * A symbolic input of a functional model (tfjs's `tf.input({shape})`; Keras's `keras.Input`).
 * @throws Error when neither `shape` nor `batchShape` is given.
 */
export function input(config: InputConfig): SymbolicTensor {
  if (!config.shape && !config.batchShape) throw new Error("tf.input() requires shape or batchShape");
  const batchShape = config.batchShape ?? [null, ...(config.shape as (number | null)[])];
  const kw = toKwargs("tf.input", { name: config.name, dtype: config.dtype, sparse: config.sparse });
  return new SymbolicTensor(py().keras.Input(tspy.kwargs({ ...kw, batch_shape: tspy.tuple(...batchShape) })));
}

const INPUT_KEYS = ["inputShape", "batchInputShape", "batchSize", "inputDim"];

/**
 * Builds a Keras layer from a `tf.layers.*` call: tfjs's input options are kept on the wrapper,
 * the rest become snake_case keyword arguments of `keras.layers[className]`.
 * @throws TypeError when an integer option is not an integer or options is not an object; PythonError when Keras rejects them.
 */
export function makeLayer(factory: string, options: object | undefined): Layer {
  const entry = LAYER_TABLE[factory];
  const opts = (options ?? {}) as LayerArgs & Record<string, unknown>;
  if (typeof opts !== "object" || Array.isArray(opts)) throw new TypeError(`tf.layers.${factory}() takes one options object`);
  const ownInputDim = Object.hasOwn(entry.kinds, "inputDim");
  let batchInputShape = opts.batchInputShape;
  if (!batchInputShape && opts.inputShape) batchInputShape = [opts.batchSize ?? null, ...opts.inputShape];
  if (!batchInputShape && opts.inputDim !== undefined && !ownInputDim) batchInputShape = [opts.batchSize ?? null, opts.inputDim];
  const skip = ownInputDim ? INPUT_KEYS.filter((k) => k !== "inputDim") : INPUT_KEYS;
  const kwargs = toKwargs(`tf.layers.${factory}`, opts, entry.kinds, skip);
  return new Layer(py().keras.layers[entry.className](tspy.kwargs(kwargs)), batchInputShape);
}

function buildFactories(): LayerFactories {
  const out: Record<string, (arg?: unknown) => unknown> = {};
  for (const factory of Object.keys(LAYER_TABLE)) {
    out[factory] = (arg?: unknown) => {
      if (Array.isArray(arg)) return makeLayer(factory, {}).apply(arg as LayerInput);
      return makeLayer(factory, arg as object | undefined);
    };
  }
  return out as unknown as LayerFactories;
}

/**
 * `tf.layers`: one factory per `keras.layers` class, named as tfjs names them
 * (`dense`, `conv2d`, `maxPooling2d`, `lstm`, `simpleRNN`, `batchNormalization`, ...), each taking
 * one options object in tfjs's camelCase (generated from Keras's signatures: every option typed
 * and documented). Merge layers (`add`, `concatenate`, ...) also take the inputs directly, as in
 * tfjs: `tf.layers.concatenate([a, b])`.
 */
export const layers: LayerFactories & {
  /** The base class of custom layers (custom-layer.ts): `class L extends tf.layers.Layer { build; call; computeOutputShape }`. */
  Layer: typeof CustomLayer;
} = Object.defineProperty(buildFactories(), "Layer", { enumerable: true, get: () => CustomLayer }) as LayerFactories & { Layer: typeof CustomLayer };
// A getter: custom-layer.ts imports this file, so CustomLayer is defined only once both have loaded.
