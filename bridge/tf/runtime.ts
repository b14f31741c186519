// The Python side of `tspy/tf`: the keras / tensorflow / numpy modules (imported once, on first
// use) and the rules that turn tfjs's camelCase options into Keras's snake_case keyword arguments.
// Knows the bridge API (bridge/lib/index.ts); nothing of the kernel.
import * as fs from "node:fs";
import * as path from "node:path";
import { type PyProxy, tspy } from "../lib/index.js";

/** The Python modules `tspy/tf` runs on; see {@link py}. */
export interface PyModules {
  /** `import keras` (Keras 3, TensorFlow backend). */
  keras: PyProxy;
  /** `import tensorflow`. */
  tf: PyProxy;
  /** `import numpy`. */
  np: PyProxy;
  /** bridge/tf/tspy_tf.py (GradientTape around TS functions, logs as floats). */
  helpers: PyProxy;
}

/** A `tspy.fn` fast callable of a Python function: positional arguments (a trailing `tspy.kwargs` for keywords), the result as a PyProxy. */
export type FastFn = (...args: unknown[]) => PyProxy;

let modules: PyModules | null = null;

/** Folder holding tspy_tf.py: next to this file (source) or in the source tree (this file runs from dist/bridge/tf). */
function helpersDir(): string {
  const here = __dirname;
  if (fs.existsSync(path.join(here, "tspy_tf.py"))) return here;
  return path.resolve(here, "..", "..", "..", "bridge", "tf");
}

/**
 * The Python modules, imported on first call (TensorFlow's import takes seconds): sets
 * `KERAS_BACKEND=tensorflow` and `TF_CPP_MIN_LOG_LEVEL=3` unless already set.
 * @throws PythonError when keras or tensorflow cannot be imported.
 */
export function py(): PyModules {
  if (modules) return modules;
  const sys = tspy.import("sys");
  const dir = helpersDir();
  if (!sys.path.__contains__(dir)) sys.path.insert(0, dir);
  tspy.destroy(sys);
  const helpers = tspy.import("tspy_tf");
  const tf = tspy.import("tensorflow");
  const keras = tspy.import("keras");
  const np = tspy.import("numpy");
  modules = { keras, tf, np, helpers };
  return modules;
}

/**
 * Fast callables (`tspy.fn`: no Proxy trap, arguments converted on the stack) of the functions at
 * the dotted `paths` under `root` (`"math.add"` is `root.math.add`), all resolved now, once, so a
 * hot loop of tensor ops does no attribute lookup. They hold their Python functions for the life of
 * the process (the intermediate modules are released).
 * @throws PythonError (AttributeError) when a path does not exist.
 */
export function fastCallables<K extends string>(root: PyProxy, paths: Readonly<Record<K, string>>): Record<K, FastFn> {
  const out = {} as Record<K, FastFn>;
  for (const key of Object.keys(paths) as K[]) {
    const parts = paths[key].split(".");
    let obj = root;
    for (const [i, part] of parts.entries()) {
      const next = obj[part] as PyProxy;
      if (obj !== root) tspy.destroy(obj);
      obj = next;
      if (i === parts.length - 1) out[key] = tspy.fn(obj);
    }
  }
  return out;
}

/** "kernelSize" -> "kernel_size", "dilationRate" -> "dilation_rate" (Keras's spelling of tfjs's option names). */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** The tfjs value names Keras spells differently ("glorotUniform" -> "glorot_uniform", "channelsLast" -> "channels_last"). */
export function snakeValue(value: string): string {
  if (Object.hasOwn(VALUE_NAMES, value)) return VALUE_NAMES[value];
  return /^[a-z][a-zA-Z0-9]*$/.test(value) ? snakeCase(value) : value;
}

/** tfjs identifiers whose Keras name is not their snake_case. */
const VALUE_NAMES: Readonly<Record<string, string>> = { leCunNormal: "lecun_normal", leCunUniform: "lecun_uniform" };

/** Options whose string values are identifiers (activations, initializers, ...) in camelCase in tfjs. */
function isIdentifierOption(key: string): boolean {
  return /(activation|Initializer|Regularizer|Constraint|^dataFormat|^mergeMode|^implementation)$/i.test(key) || key === "dataFormat";
}

/** What a Keras keyword argument must be; the generated layer table (layer-options.generated.ts) gives one per option. */
export type OptionKind = "int" | "float" | "bool" | "string" | "ints" | "any";

/**
 * One tfjs-style value converted for Keras: arrays of numbers become tuples (shapes, kernel sizes),
 * camelCase identifiers of activations/initializers/data formats snake_case, wrappers their Python
 * object (`.py`), floats `tspy.float`.
 * @param owner what the options belong to, for error messages (e.g. "tf.layers.dense").
 * @throws TypeError when an "int" or "ints" option is not an integer (naming the option).
 */
export function convertOption(owner: string, key: string, value: unknown, kind: OptionKind = "any"): unknown {
  if (value === undefined || value === null) return null;
  if ((kind === "int" || kind === "ints") && typeof value === "number" && !Number.isInteger(value)) {
    throw new TypeError(`${owner}: option '${key}' must be an integer; got ${value}`);
  }
  if (kind === "ints" && Array.isArray(value)) {
    for (const v of value) {
      if (typeof v === "number" && !Number.isInteger(v)) throw new TypeError(`${owner}: option '${key}' must hold integers; got ${v}`);
    }
  }
  if (kind === "float" && typeof value === "number") return tspy.float(value);
  if (typeof value === "string" && isIdentifierOption(key)) return snakeValue(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => convertOption(owner, key, v));
    return items.every((v) => typeof v === "number" || v === null) ? tspy.tuple(...items) : items;
  }
  return unwrap(value);
}

/** The Python object of a `tspy/tf` wrapper (anything with a `py` PyProxy), else the value itself. */
export function unwrap(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "py" in value) {
    const inner = (value as { py: unknown }).py;
    if (tspy.isProxy(inner)) return inner;
  }
  return value;
}

/**
 * tfjs options -> a `tspy.kwargs` object: each key snake_cased, each value by {@link convertOption}.
 * @param kinds the kind of each camelCase option (unlisted: "any").
 * @param skip camelCase keys that are not passed on.
 */
export function toKwargs(
  owner: string,
  options: object,
  kinds: Readonly<Record<string, OptionKind>> = {},
  skip: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || skip.includes(key)) continue;
    out[snakeCase(key)] = convertOption(owner, key, value, Object.hasOwn(kinds, key) ? kinds[key] : "any");
  }
  return out;
}
