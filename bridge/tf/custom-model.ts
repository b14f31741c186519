// tfjs's custom models, `class M extends tf.LayersModel { constructor() { super(); this.dense =
// tf.layers.dense(...); } call(inputs, kwargs) {...} }` (R's `keras_model_custom`), as real Keras
// models: each TS class becomes one Python subclass of keras.Model (the bridge's TS classes over
// Python classes) whose `call`/`build` run the TS class's. Knows models.ts's LayersModel only as
// the top of the user's prototype chain; nothing of compile/fit.
import { isTsInstance, type PyProxy, tspy } from "../lib/index.js";
import { callAdapter, ownMethod } from "./custom-layer.js";
import { Layer, pyOf } from "./layers.js";
import { py, toKwargs } from "./runtime.js";

/** Options of a custom model's `super(args)` (tfjs's `ContainerArgs` without inputs/outputs). */
export interface CustomModelArgs {
  /** The model's name (default: from the class name, snake_case, as Keras names it). */
  name?: string;
  /** Whether its weights are trained (default true). */
  trainable?: boolean;
  /** The model's dtype policy name (default "float32"). */
  dtype?: string;
}

/** A TS class extending `tf.LayersModel` (its constructor, prototype and optional `static className`). */
interface ModelClass {
  prototype: object;
  name: string;
  className?: string;
}

/** User class -> the constructor of its bridge class over keras.Model (whose prototype chain holds the user's). */
const bridgeClasses = new WeakMap<object, new (...args: unknown[]) => object>();
/** Custom model -> a weakref.proxy of its Python object (its Keras names: `fit`, `layers`, ...). */
const views = new WeakMap<object, PyProxy>();
/** Custom model -> field name -> the field value last given to Keras to track. */
const tracked = new WeakMap<object, Map<string, unknown>>();
let builtins: PyProxy | undefined;

function isLayer(v: unknown): boolean {
  return v instanceof Layer || (isTsInstance(v) && tspy.isinstance(v as PyProxy, py().keras.layers.Layer));
}

/** The Python object of a layer-valued TS field (a `tf.layers.*` wrapper, a custom layer, or an array of them), or undefined. */
function layerValue(v: unknown): unknown {
  if (isLayer(v)) return pyOf(v as object);
  if (Array.isArray(v) && v.length > 0 && v.every(isLayer)) return v.map((x: object) => pyOf(x));
  return undefined;
}

/**
 * Gives Keras the layers that the custom model `m` keeps in TS fields (`this.dense1 =
 * tf.layers.dense(...)`): each becomes Python attribute `_tfjs_<field>` of the model, so its
 * weights train and save. (A PyProxy layer assigned in the constructor is a Python attribute
 * already: the bridge sets it there.)
 */
function trackFields(m: object): void {
  let seen = tracked.get(m);
  if (!seen) tracked.set(m, (seen = new Map()));
  const add: Record<string, unknown> = {};
  for (const key of Object.keys(m)) {
    const v = (m as Record<string, unknown>)[key];
    if (seen.get(key) === v && !Array.isArray(v)) continue;
    const p = layerValue(v);
    if (p === undefined) continue;
    add[key] = p;
    seen.set(key, v);
  }
  if (Object.keys(add).length > 0) py().helpers.track_layers(m, add);
}

/** A custom model's `py`: its fields tracked, then the weakref.proxy through which models.ts calls Keras. */
function kerasView(m: object): PyProxy {
  trackFields(m);
  let v = views.get(m);
  if (!v) views.set(m, (v = py().helpers.keras_view(m) as PyProxy));
  return v;
}

/**
 * The prototype of a user class's instances: the Python-visible hooks (`call`, `build`) over the
 * user's prototype chain (so `instanceof` and the user's methods work), and, for a name that none
 * of them has, the Python attribute of the instance (`this.__call__`, a layer set as a PyProxy).
 */
function instancePrototype(cls: ModelClass, top: object): object {
  const owner = cls.className ?? cls.name;
  const userCall = ownMethod(cls, top, "call");
  const userBuild = ownMethod(cls, top, "build");
  const target = Object.create(cls.prototype) as Record<string, unknown>;
  target.call = callAdapter(owner, userCall);
  target.build = function (this: object, inputShape: unknown): void {
    trackFields(this);
    userBuild?.call(this, tspy.toJS(inputShape));
    py().helpers.build_by_call(this, inputShape);
  };
  Object.defineProperty(target, "py", {
    get(this: object) {
      return kerasView(this);
    },
  });
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop in t || typeof prop === "symbol" || !isTsInstance(receiver)) return Reflect.get(t, prop, receiver);
      builtins ??= tspy.import("builtins");
      return tspy.hasAttr(receiver as PyProxy, prop) ? builtins.getattr(receiver, prop) : undefined;
    },
  });
}

/** The bridge class (a constructor extending the class PyProxy keras.Model) for user class `cls`, made once. */
function bridgeClass(cls: ModelClass, top: object): new (...args: unknown[]) => object {
  const made = bridgeClasses.get(cls);
  if (made) return made;
  const ctor = function (): never {
    throw new TypeError(`${cls.name}: Keras cannot rebuild a custom model from its config; rebuild it with new ${cls.name}(...) and load its weights`);
  };
  Object.defineProperty(ctor, "name", { value: cls.className ?? cls.name });
  Object.setPrototypeOf(ctor, py().keras.Model);
  ctor.prototype = instancePrototype(cls, top);
  bridgeClasses.set(cls, ctor as unknown as new (...args: unknown[]) => object);
  return ctor as unknown as new (...args: unknown[]) => object;
}

/**
 * A new instance of the user class `cls` (a subclass of `top`'s class, tf.LayersModel): a Keras
 * model whose Python class is a subclass of keras.Model named `static className` or the class's
 * name, and whose TS instance has the user's prototype chain. Layers in TS fields are tracked by
 * Keras before it builds the model (at `fit`/`predict`/`apply`, or the first call).
 * @throws TypeError when an option is not one of {@link CustomModelArgs}; PythonError when Keras rejects it.
 */
export function newCustomModel(cls: ModelClass, top: object, args: CustomModelArgs = {}): object {
  for (const key of Object.keys(args))
    if (key !== "name" && key !== "trainable" && key !== "dtype") throw new TypeError(`${cls.name}: unknown option '${key}' of a custom model's super()`);
  const kw = toKwargs(cls.name, args);
  const m = Reflect.construct(py().keras.Model as unknown as new (...a: unknown[]) => object, [tspy.kwargs(kw)], bridgeClass(cls, top));
  const pyClass = tspy.type(m as PyProxy);
  py().helpers.set_call_signature(pyClass);
  return m;
}
