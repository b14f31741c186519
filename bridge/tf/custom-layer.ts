// tfjs's custom layers, `class L extends tf.layers.Layer { build; call; computeOutputShape }`, as
// real Keras layers: each TS class becomes one Python subclass of keras.layers.Layer (the
// bridge's `tspy.subclass`) whose build/call/compute_output_shape convert Keras's arguments to
// tfjs's (shapes as arrays, Tensors) and call the TS methods. Knows layers.ts's Layer API.
import { type PyProxy, tspy } from "../lib/index.js";
import { Layer, type LayerArgs, type LayerInput, type SymbolicTensor } from "./layers.js";
import type { Initializer, Regularizer } from "./initializers.js";
import { convertOption, py, toKwargs } from "./runtime.js";
import { type DataType, Tensor } from "./tensor.js";

/** A shape in a custom layer's hooks: elements per dimension, `null` for unknown (the batch). */
export type SymbolicShape = (number | null)[];

/**
 * A weight made by {@link CustomLayer.addWeight} (tfjs's `LayerVariable`): `read()` gives its
 * current value as a Tensor (inside `call`, the value Keras trains), `write(v)` sets it.
 */
export class LayerVariable {
  /** @param py the Python `keras.Variable`. */
  constructor(readonly py: PyProxy) {}
  /** The current value (a Tensor; symbolic while Keras traces `call`). */
  read(): Tensor {
    return new Tensor(py().helpers.to_tensor(this.py));
  }
  /** Sets the value (same shape). @throws PythonError on another shape. */
  write(newValue: Tensor): this {
    this.py.assign(newValue.py);
    return this;
  }
  /** Elements per dimension. */
  get shape(): number[] {
    return tspy.toJS(this.py.shape) as number[];
  }
  /** The variable's name (Keras's path, e.g. "times_alpha/alpha"). */
  get name(): string {
    return String(this.py.path ?? this.py.name);
  }
  /** Whether training updates it. */
  get trainable(): boolean {
    return Boolean(this.py.trainable);
  }
}

/** The names of tfjs's custom-layer hooks, which get adapters, and what the base class declares. */
const HOOKS = new Set(["constructor", "call", "build", "computeOutputShape"]);

function toTensors(x: unknown): Tensor | Tensor[] {
  if (tspy.isinstance(x, tspy.type([])) || tspy.isinstance(x, tspy.type(tspy.tuple()))) return [...(x as Iterable<PyProxy>)].map((t) => new Tensor(t));
  return new Tensor(x as PyProxy);
}

function fromTensors(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(fromTensors);
  if (x instanceof Tensor) return x.py;
  throw new TypeError("A custom layer's call() must return a Tensor or an array of Tensors");
}

function toShapeTuple(shape: unknown): unknown {
  if (Array.isArray(shape) && shape.some(Array.isArray)) return shape.map(toShapeTuple);
  return tspy.tuple(...(shape as unknown[]));
}

const classes = new WeakMap<object, PyProxy>();

/** The user's own method `name` on the prototype chain of `cls` below {@link CustomLayer}, or undefined. */
function own(cls: { prototype: object }, name: string): ((...args: unknown[]) => unknown) | undefined {
  for (let p: object | null = cls.prototype; p && p !== CustomLayer.prototype; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d && typeof d.value === "function") return d.value as (...args: unknown[]) => unknown;
  }
  return undefined;
}

function pythonClass(cls: { prototype: object; name: string; className?: string }): PyProxy {
  const cached = classes.get(cls);
  if (cached) return cached;
  const base = py().keras.layers.Layer;
  const methods: Record<string, unknown> = {};
  // tfjs's Layer API on the instance (the layer is its own Python object: see pyOf).
  for (const name of ["apply", "countParams", "getWeights", "setWeights", "getConfig"] as const) {
    methods[name] = (Layer.prototype as unknown as Record<string, unknown>)[name];
  }
  methods.addWeight = CustomLayer.prototype.addWeight;
  // The user's helper methods, so `this.helper()` works where Keras calls the hooks.
  for (let p: object | null = cls.prototype; p && p !== CustomLayer.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (!HOOKS.has(name) && !(name in methods) && d && typeof d.value === "function") methods[name] = d.value;
    }
  }
  const userBuild = own(cls, "build");
  const userCall = own(cls, "call");
  const userShape = own(cls, "computeOutputShape");
  methods.build = function (this: unknown, inputShape: unknown) {
    userBuild?.call(this, tspy.toJS(inputShape));
    base.build(this, inputShape);
  };
  methods.call = function (this: unknown, inputs: unknown) {
    const x = toTensors(inputs);
    return fromTensors(userCall ? userCall.call(this, x, {}) : x);
  };
  if (userShape) {
    methods.compute_output_shape = function (this: unknown, inputShape: unknown) {
      return toShapeTuple(userShape.call(this, tspy.toJS(inputShape)));
    };
  }
  const made = tspy.subclass(base, methods, { name: cls.className ?? cls.name });
  classes.set(cls, made);
  return made;
}

/**
 * tfjs's `tf.layers.Layer` for custom layers (https://js.tensorflow.org/api/latest/#class:layers.Layer):
 * `class TimesAlpha extends tf.layers.Layer { build(inputShape) { this.alpha = this.addWeight("alpha",
 * [], "float32", "ones"); } call(inputs) { return (inputs as tf.Tensor).mul(this.alpha.read()); } }`.
 * Each TS class becomes one Python subclass of `keras.layers.Layer` (named `static className` or
 * the class's name); Keras calls `build(inputShape)` (shape as an array, `null` for the batch),
 * `call(inputs, kwargs)` (a Tensor, or an array for several inputs; symbolic while Keras traces
 * it, so use Tensor methods, not `dataSync`) and, when defined, `computeOutputShape(inputShape)`.
 * The instance is the Keras layer itself (a TS instance over it, as the bridge's `class extends`):
 * TS fields stay JS values, `this.name`/`this.trainable` are Keras's, and it goes into
 * `tf.sequential`, `model.add`, `apply` like any layer. Limits: `instanceof` the TS class is false
 * (the instance's prototype is the bridge's), accessors are TS-only, and models holding such a
 * layer cannot be reloaded from a `.keras` file (Keras cannot rebuild a TS class).
 */
export class CustomLayer {
  /** The Python class name (tfjs's `static className`); default: the TS class's name. */
  static className?: string;
  // tfjs's Layer API on a custom layer: methods of its Python class (layers.ts's Layer) and Keras's own attributes.
  /** The layer's name (Keras's). */
  declare readonly name: string;
  /** Whether its weights are trained. */
  declare trainable: boolean;
  /** Whether Keras has built it. */
  declare readonly built: boolean;
  /** See {@link Layer.apply}: computes on Tensors now, or builds on SymbolicTensors. */
  declare apply: {
    (inputs: Tensor | Tensor[], kwargs?: Record<string, unknown>): Tensor | Tensor[];
    (inputs: SymbolicTensor | SymbolicTensor[], kwargs?: Record<string, unknown>): SymbolicTensor | SymbolicTensor[];
    (inputs: LayerInput, kwargs?: Record<string, unknown>): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  };
  /** See {@link Layer.countParams}. */
  declare countParams: () => number;
  /** See {@link Layer.getWeights}. */
  declare getWeights: (trainableOnly?: boolean) => Tensor[];
  /** See {@link Layer.setWeights}. */
  declare setWeights: (weights: Tensor[]) => void;
  /** See {@link Layer.getConfig}. */
  declare getConfig: () => Record<string, unknown>;
  /**
   * @param config tfjs's `LayerArgs` (`name`, `trainable`, `dtype`, `inputShape` for a sequential model's first layer).
   * @throws PythonError when Keras rejects the arguments.
   */
  constructor(config: LayerArgs = {}) {
    const cls = pythonClass(new.target as unknown as { prototype: object; name: string; className?: string });
    let batchInputShape = config.batchInputShape ?? null;
    if (!batchInputShape && config.inputShape) batchInputShape = [config.batchSize ?? null, ...config.inputShape];
    const kw = toKwargs(`${new.target.name}`, config, {}, ["inputShape", "batchInputShape", "batchSize", "inputDim"]);
    const instance = cls(tspy.kwargs(kw)) as CustomLayer & { batchInputShape: unknown };
    instance.batchInputShape = batchInputShape;
    return instance;
  }
  /** Creates the weights for inputs of `inputShape` (override; default: none). */
  build(_inputShape: SymbolicShape | SymbolicShape[]): void {}
  /** The layer's computation (override; default: identity). */
  call(inputs: Tensor | Tensor[], _kwargs: Record<string, unknown>): Tensor | Tensor[] {
    return inputs;
  }
  /** The output shape for `inputShape` (override where Keras cannot infer it by tracing `call`). */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    return inputShape;
  }
  /**
   * A weight of the layer (tfjs's `addWeight(name, shape, dtype?, initializer?, regularizer?,
   * trainable?, constraint?)`; Keras's `add_weight`), trained by `fit`. Call it from `build`.
   * @param initializer a tfjs or Keras initializer name ("ones", "glorotUniform", ...), `tf.initializers.*(...)` or a Keras initializer PyProxy (default "glorotUniform" as tfjs).
   * @throws PythonError when Keras rejects the arguments.
   */
  addWeight(
    name: string,
    shape: number[],
    dtype: DataType = "float32",
    initializer: string | Initializer | PyProxy = "glorotUniform",
    regularizer?: string | Regularizer | PyProxy,
    trainable = true,
    constraint?: string | PyProxy,
  ): LayerVariable {
    const self = this as unknown as PyProxy;
    return new LayerVariable(
      self.add_weight(
        tspy.kwargs({
          name,
          shape: tspy.tuple(...shape),
          dtype,
          initializer: convertOption("addWeight", "initializer", initializer),
          regularizer: convertOption("addWeight", "kernelRegularizer", regularizer),
          trainable,
          constraint: convertOption("addWeight", "kernelConstraint", constraint),
        }),
      ),
    );
  }
}
