// tfjs's custom layers, `class L extends tf.layers.Layer { build; call; computeOutputShape }`, as
// real Keras layers: each TS class becomes one Python subclass of keras.layers.Layer (the
// bridge's `tspy.subclass`) whose build/call/compute_output_shape convert Keras's arguments to
// tfjs's (shapes as arrays, Tensors) and call the TS methods. Knows layers.ts's Layer API.
import { type PyProxy, tspy } from "../lib/index.js";
import { Layer, type LayerArgs, type LayerInput, type SymbolicTensor } from "./layers.js";
import type { Constraint } from "./constraints.js";
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
const HOOKS = new Set(["constructor", "call", "build", "computeOutputShape", "getConfig"]);

/** Keras's inputs of a hook (a tensor, or a list/tuple of them) as Tensors; Tensors (a call from TS) as they are. */
function toTensors(x: unknown): Tensor | Tensor[] {
  if (x instanceof Tensor || Array.isArray(x)) return x as Tensor | Tensor[];
  if (tspy.isinstance(x, tspy.type([])) || tspy.isinstance(x, tspy.type(tspy.tuple()))) return [...(x as Iterable<PyProxy>)].map((t) => new Tensor(t));
  return new Tensor(x as PyProxy);
}

function fromTensors(owner: string, x: unknown): unknown {
  if (Array.isArray(x)) return x.map((v) => fromTensors(owner, v));
  if (x instanceof Tensor) return x.py;
  throw new TypeError(`${owner}.call() must return a Tensor or an array of Tensors; got ${x === null ? "null" : typeof x}`);
}

/** The message of anything thrown. */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The Python `call(inputs, training=None)` of a TS layer or model class named `owner`: Keras's
 * inputs become Tensors, its `training` flag tfjs's `kwargs.training`, and the user's
 * `call(inputs, kwargs)` runs (identity when there is none). A call from TS (Tensors in) returns
 * the user's Tensors unchanged.
 * @throws Error `"<owner>.call() failed: <message>"` (the original as `cause`) for anything the
 *   user's call throws, so Keras's fit stops with the TS class named.
 */
export function callAdapter(owner: string, userCall: ((...args: unknown[]) => unknown) | undefined): (inputs: unknown, training?: unknown) => unknown {
  // Its Python signature is (inputs, training=None): tspy_tf.set_call_signature on the class.
  return function (this: unknown, inputs: unknown, training: unknown = null): unknown {
    const fromTs = inputs instanceof Tensor || Array.isArray(inputs);
    const kwargs: { training?: boolean } = typeof training === "boolean" ? { training } : {};
    let out: unknown;
    try {
      out = userCall ? userCall.call(this, toTensors(inputs), kwargs) : toTensors(inputs);
    } catch (e) {
      throw new Error(`${owner}.call() failed: ${messageOf(e)}`, { cause: e });
    }
    return fromTs ? out : fromTensors(owner, out);
  };
}

function toShapeTuple(shape: unknown): unknown {
  if (Array.isArray(shape) && shape.some(Array.isArray)) return shape.map(toShapeTuple);
  return tspy.tuple(...(shape as unknown[]));
}

/** The user's own method `name` on the prototype chain of `cls` below `stop` (a library class's prototype), or undefined. */
export function ownMethod(cls: { prototype: object }, stop: object, name: string): ((...args: unknown[]) => unknown) | undefined {
  for (let p: object | null = cls.prototype; p && p !== stop; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d && typeof d.value === "function") return d.value as (...args: unknown[]) => unknown;
  }
  return undefined;
}

/** A TS class extending {@link CustomLayer}: its constructor, prototype and optional `static className`. */
type LayerClass = { prototype: object; name: string; className?: string };

/** TS class -> its number in tspy_tf's weak cache of Python classes (no JS reference to the Python class: it holds the TS functions). */
const classIds = new WeakMap<object, number>();
let nextClassId = 1;
/** Set while the TS constructor of a layer runs for a Python instance that Keras made (`from_config`): the instance. */
let adopting: CustomLayer | undefined;
/** Set while a TS constructor makes its Python instance (its `__init__` then runs Keras's). */
let creating = false;
/** The options of keras.layers.Layer's `__init__` that a custom layer's config passes on (tfjs's LayerArgs otherwise stay TS's). */
const KERAS_LAYER_ARGS = ["name", "trainable", "dtype"];

/** The Python subclass of keras.layers.Layer for the TS class `cls`, made once while it lives. */
export function pythonClass(cls: LayerClass): PyProxy {
  let id = classIds.get(cls);
  if (id === undefined) classIds.set(cls, (id = nextClassId++));
  const cached = py().helpers.cached_class(id) as PyProxy | null;
  if (cached !== null) return cached;
  const base = py().keras.layers.Layer;
  const methods: Record<string, unknown> = {};
  // tfjs's Layer API on the instance (the layer is its own Python object: see pyOf).
  for (const name of ["apply", "countParams", "getWeights", "setWeights"] as const) {
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
  const userBuild = ownMethod(cls, CustomLayer.prototype, "build");
  const userCall = ownMethod(cls, CustomLayer.prototype, "call");
  const userShape = ownMethod(cls, CustomLayer.prototype, "computeOutputShape");
  const getConfig = ownMethod(cls, CustomLayer.prototype, "getConfig") ?? CustomLayer.prototype.getConfig;
  methods.getConfig = getConfig;
  methods.__init__ = function (this: CustomLayer, kwargs: Record<string, unknown> = {}) {
    if (creating) {
      creating = false;
      base.__init__(this, tspy.kwargs(kwargs));
      return;
    }
    // Keras made the instance from a saved config (`cls(**config)`): the TS constructor runs over it.
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the instance is handed to the constructor that adopts it
    adopting = this;
    try {
      Reflect.construct(cls as unknown as new (c: unknown) => object, [kwargs]);
    } finally {
      adopting = undefined;
    }
  };
  methods.get_config = function (this: CustomLayer) {
    return getConfig.call(this);
  };
  methods.build = function (this: unknown, inputShape: unknown) {
    userBuild?.call(this, tspy.toJS(inputShape));
    base.build(this, inputShape);
  };
  methods.call = callAdapter(cls.className ?? cls.name, userCall);
  if (userShape) {
    methods.compute_output_shape = function (this: unknown, inputShape: unknown) {
      return toShapeTuple(userShape.call(this, tspy.toJS(inputShape)));
    };
  }
  const made = py().helpers.set_call_signature(tspy.subclass(base, methods, { name: cls.className ?? cls.name }));
  return py().helpers.cache_class(id, made) as PyProxy;
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
  /**
   * @param config tfjs's `LayerArgs` (`name`, `trainable`, `dtype`, `inputShape` for a sequential model's first layer).
   * @throws PythonError when Keras rejects the arguments.
   */
  constructor(config: LayerArgs = {}) {
    const kerasArgs = Object.fromEntries(Object.entries(config).filter(([k]) => KERAS_LAYER_ARGS.includes(k)));
    const kw = toKwargs(`${new.target.name}`, kerasArgs);
    let instance = adopting as (CustomLayer & { batchInputShape: unknown }) | undefined;
    adopting = undefined;
    if (instance) {
      py().keras.layers.Layer.__init__(instance, tspy.kwargs(kw));
    } else {
      const cls = pythonClass(new.target as unknown as LayerClass);
      creating = true;
      try {
        instance = cls(tspy.kwargs(kw)) as CustomLayer & { batchInputShape: unknown };
      } finally {
        creating = false;
      }
    }
    let batchInputShape = config.batchInputShape ?? null;
    if (!batchInputShape && config.inputShape) batchInputShape = [config.batchSize ?? null, ...config.inputShape];
    instance.batchInputShape = batchInputShape;
    return instance;
  }
  /**
   * The layer's config (tfjs's `getConfig()`; Keras's `get_config`): Keras's base config (`name`,
   * `trainable`, `dtype`). Override it to add the options of your constructor — `return
   * {...super.getConfig(), alpha: this.alpha}` — so that a saved model rebuilds the layer: Keras
   * calls the constructor with that object (see `tf.serialization.registerClass`).
   */
  getConfig(): Record<string, unknown> {
    return tspy.toJS(py().keras.layers.Layer.get_config(this)) as Record<string, unknown>;
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
    constraint?: string | Constraint | PyProxy,
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
