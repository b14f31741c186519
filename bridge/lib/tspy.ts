// `tspy`, the bridge's own API apart from Python's names: the Tspy type and the table of its
// members, each built from the parts of bridge/lib that do the work.
import * as util from "node:util";
import type { PythonConfig } from "../../python-env/config.js";
import { type BufferData, getBuffer, type GetBufferOptions, isSharedMemory, type PyBuffer, type SharedMemory, type ToDLPackOptions } from "./buffers.js";
import { pyConfig, pyInstall, type PyInstallOptions, type PyRuntimeConfig, usePython } from "./environment.js";
import { PyFloat, PyKwargs, PySlice } from "./markers.js";
import { isPlainObject, type PyContext, pyWith, toPy, type ToPyOptions } from "./operations.js";
import { bindDirect, handleOf, isPyProxy, type PyProxy, QUIET_ATTRIBUTES, releaseHandle, releaseProxy } from "./proxy-core.js";
import { HANDLE, type NativeModule, type PyHandle, requirePy } from "./state.js";
import { destroyTsInstance, isTsInstance, makeSubclass, type SubclassOptions, tsInstanceHandle } from "./ts-classes.js";

/** Options of {@link Tspy.toJS}. */
export interface ToJSOptions {
  /** Levels of list/tuple/dict to convert (default Infinity; 0 converts nothing); deeper objects stay PyProxies. */
  depth?: number;
  /**
   * What a dict becomes: "object" (default; keys are str(key), later duplicates win) or "map"
   * (a `Map` whose keys are converted like any value, so `1` and `"1"` stay apart).
   */
  dict?: "object" | "map";
}

/**
 * The bridge's own API, one namespace apart from Python's names ({@link tspy}): importing,
 * markers for calls (`kwargs`, `tuple`, `slice`, `float`), evaluation, and the operations on a
 * PyProxy that are not Python attributes (`toJS`, `destroy`, `getItem`, `len`, ...). Usable after
 * {@link initialize} on the thread that initialised; `pyInstall` and `usePython` also before.
 */
export interface Tspy {
  /** importlib.import_module(name). @throws PythonError (e.g. ModuleNotFoundError). */
  import(name: string): PyProxy;
  /**
   * Keyword-arguments marker; valid only as the LAST argument of a call. `T` is never inferred from
   * `obj`: it comes from the callee's declared keywords (the parameter type `PyKwargs<T>`), so the
   * object literal gets TypeScript's excess-property check and a misspelt keyword is a type error;
   * where the callee declares none, `T` is `any` and every name passes.
   * @throws TypeError for a non-plain object.
   */
  kwargs<T extends object = any>(obj: NoInfer<T>): PyKwargs<T>;
  /** Forces a Python float (`tspy.float(2)` is 2.0). @throws TypeError for a non-number. */
  float(n: number): PyFloat;
  /** A Python tuple of the converted items (e.g. for `tspy.getItem(a, tspy.tuple(0, 1))`, `a[0, 1]`). */
  tuple(...items: unknown[]): PyProxy;
  /**
   * A slice marker with Python's `slice()` arguments, converted to a Python slice wherever a value
   * goes to Python: `tspy.slice(3)` is `slice(3)`, i.e. `:3`; `tspy.slice(1, null)` is `1:`;
   * `tspy.slice(1, 3)` is `1:3`; `tspy.slice(null, null, -1)` is `::-1`;
   * `tspy.getItem(a, tspy.tuple(tspy.slice(null, null, 2), 0))` is `a[::2, 0]`. null/undefined mean None.
   * @throws TypeError for no argument or more than three (as Python's slice()), or other argument types.
   */
  slice(stop: number | bigint | null | undefined): PySlice;
  slice(start: number | bigint | null | undefined, stop: number | bigint | null | undefined, step?: number | bigint | null): PySlice;
  /** isinstance(obj, cls); `cls` may be a class PyProxy or a tuple of classes. @throws PythonError TypeError when cls is not a class. */
  isinstance(obj: unknown, cls: unknown): boolean;
  /** Python's type(value) as a PyProxy (the value is converted to Python first: `tspy.type(1)` is int; `tspy.type(a).__name__` is e.g. "ndarray"). */
  type(value: unknown): PyProxy;
  /** See {@link toPy}: a JS value converted to a Python object (Map -> dict, Set -> set), always a PyProxy. */
  toPy(value: unknown, options?: ToPyOptions): PyProxy;
  /**
   * Context manager (`with`). `using ctx = tspy.with(cm)` calls `cm.__enter__()` now (its result is
   * `ctx.value`) and `cm.__exit__(None, None, None)` when the block ends — `using` cannot tell
   * dispose about an exception. `tspy.with(cm, (value) => ...)` runs the body and passes an
   * exception to `__exit__(type, exc, tb)` (a PythonError as its own exception, any other JS
   * throw as a tspy.JSError); when `__exit__` returns true the exception is suppressed and the
   * result is undefined. Neither form destroys `cm` or the value. Synchronous bodies only.
   * @throws PythonError from `__enter__`/`__exit__`, TypeError when cm has no `__enter__`.
   */
  with(cm: PyProxy): PyContext;
  with<R>(cm: PyProxy, body: (value: any) => R): R | undefined;
  /**
   * A Python subclass of `base` (a class PyProxy, or an array of bases) whose methods are TS
   * functions — the explicit form of `class X extends base { ... }` (see bridge/README.md, "TS
   * classes over Python classes"), with the same rules: Python sees `type(name, bases, {...})`,
   * so isinstance, super() and the base's machinery (a Keras Callback's hooks, a Layer's `call`)
   * work as for a Python subclass. Each function is called with `this` = the instance (a TS
   * instance: TS fields stay JS values, other names read the Python instance), then the
   * positional arguments, then (only when there are keyword arguments) one object of them; use
   * method syntax or `function`, not arrow functions (they have no `this`). `methods` is a plain
   * object of functions or a class prototype (its own methods). A TS `__init__` replaces the
   * base's: call `Base.__init__(this, ...)` from it. The class keeps the TS functions alive while
   * it lives.
   * @returns the Python class (a PyProxy): calling it from TS or Python makes an instance.
   * @throws TypeError for a non-function method, a non-class base or a name that is not a Python
   *   identifier; PythonError when type() fails.
   */
  subclass(base: PyProxy | PyProxy[], methods: object, options?: SubclassOptions): PyProxy;
  /**
   * A plain JS function that calls the Python callable `callable` — the fastest call path, for hot
   * loops. Calling a callable PyProxy (`math.sqrt(2)`) already goes straight to the addon (no JS
   * trap); the function returned here also skips V8's Proxy call, and an optimised caller calls
   * it like any native function (measured in bench/README.md, "call math.sqrt(2.0)").
   * Arguments and the result convert exactly as for a proxy call; `tspy.kwargs({...})` as the last
   * argument gives keyword arguments. The function shares the proxy's Python reference: after
   * `tspy.destroy(callable)` it throws; otherwise it keeps the object alive while it lives. Passed
   * back to Python it is the callable object itself.
   * @param callable a PyProxy of a callable Python object (function, method, class, ufunc...).
   * @returns a function `(...args) => result` with no Python attributes of its own.
   * @throws TypeError when `callable` is not a PyProxy or not callable(); Error when it was destroyed.
   */
  fn(callable: PyProxy): (...args: any[]) => any;
  /** Runs statements in `globals` (a dict PyProxy; default `__main__.__dict__`). @throws PythonError. */
  exec(code: string, globals?: PyProxy): void;
  /** Evaluates one expression in `globals` (default `__main__.__dict__`); returns it converted. @throws PythonError. */
  eval(code: string, globals?: PyProxy): any;
  /** `__main__.__dict__` (a new PyProxy each read). */
  readonly globals: PyProxy;
  /**
   * A DLPack capsule (a PyProxy of a `PyCapsule` "dltensor") over the memory of `view`, no copy:
   * for `torch.from_dlpack(...)`, `tf.experimental.dlpack.from_dlpack(...)`, `jax.dlpack...`.
   * The element type is the TypedArray's (table in {@link PyBuffer}; ArrayBuffer/DataView: uint8).
   * The consumer's tensor keeps `view`'s memory alive (capsule -> ndarray -> tspy.JsBuffer -> JS).
   * A capsule is consumed once. TypedArrays passed to Python are also DLPack producers directly
   * (`__dlpack__`), e.g. `torch.from_dlpack(f32)`. TensorFlow needs 64-byte aligned memory: use
   * {@link alignedArray}.
   * @param view a TypedArray, DataView or ArrayBuffer.
   * @param options `shape` (default 1-D).
   * @throws TypeError for a non-buffer view or a malformed shape; PythonError when the shape does
   *   not match the element count or numpy is missing.
   */
  toDLPack(view: SharedMemory, options?: ToDLPackOptions): PyProxy;
  /**
   * What the running interpreter is, asked of it now (reticulate's `py_config()`): its
   * executable, version, prefix, libpython, `sys.path` and numpy's version.
   * @returns a {@link PyRuntimeConfig}; imports numpy (when installed) to report its version.
   * @throws PythonError when the interpreter cannot answer (it always can unless sys is broken).
   */
  pyConfig(): PyRuntimeConfig;
  /** The same function as {@link Tspy.pyConfig}, under its first name. */
  config(): PyRuntimeConfig;
  /**
   * Installs Python packages into the embedded interpreter's environment (reticulate's
   * `py_install`, keras' `install_keras()`): runs `<sys.executable> -m pip install --retries 0
   * [pipOptions] packages` as a child process under pip's own configuration (pip.conf, PIP_*
   * variables). pip's stdout is the process's file descriptor 1 and its stderr is copied to
   * descriptor 2 as it comes, so in the kernel its progress shows in the cell's output while it
   * runs. On success `importlib.invalidate_caches()` runs, so the next `import` (in this or the
   * next cell) finds the new packages. Usable before Python starts (then the Python that would
   * start installs). `await tspy.pyInstall(["tabulate"])`.
   * @param packages requirement specifiers, e.g. `["tabulate"]`, `["torch==2.4.*"]` (options go in `pipOptions`).
   * @returns a Promise fulfilled when pip exits with status 0.
   * @throws TypeError (synchronously) for an empty list, a non-string or option-like package, or
   *   bad pipOptions; the Promise rejects with an Error quoting the end of pip's stderr when pip
   *   fails or cannot start.
   */
  pyInstall(packages: string[], options?: PyInstallOptions): Promise<void>;
  /**
   * Chooses the Python this process embeds (reticulate's `use_python`), before it starts: probes
   * `executable` and makes the next initialize() (and loadBridge()) without a config use it
   * instead of TSPY_PYTHON / python-env/config.json. Usable before Python starts. A process
   * embeds one CPython, so once Python has started it throws; the kernel starts Python with
   * itself, so there choose the Python per kernel: `npx tspy install --python P` registers a
   * kernelspec for P (then pick that kernel), or start the kernel with `TSPY_PYTHON=P`.
   * @param executable a python executable (a venv's `bin/python` selects that venv).
   * @returns what was probed (a {@link PythonConfig}: version, libpython, prefixes, sys.path).
   * @throws Error when Python has already started in this process (naming the two ways above),
   *   when `executable` cannot be run, has no shared libpython or no addon build for its version,
   *   or another libpython is already loaded; TypeError for a non-string.
   */
  usePython(executable: string): PythonConfig;
  /**
   * Deep conversion Python -> JS: list, tuple and anything array-like (it has `__len__` and
   * `__getitem__` or `__iter__` and is not a str/bytes/bytearray/memoryview or a Mapping: a
   * TensorShape, a set, a range, a deque) -> Array; a numpy ndarray -> nested Arrays of numbers
   * (`ndarray.tolist()`; for a TypedArray over its memory use {@link Tspy.getBuffer}); dict or
   * any other Mapping -> object (keys str()) or Map; scalars converted; anything else stays a
   * PyProxy. A value that is not a PyProxy is returned as it is.
   * @throws TypeError for bad options; PythonError when Python fails (e.g. len() raises).
   */
  toJS(obj: unknown, options?: ToJSOptions): any;
  /** Releases the Python reference of `obj` now (for every holder of that proxy). Idempotent. @throws TypeError when obj is not a PyProxy. */
  destroy(obj: PyProxy): void;
  /**
   * The buffer protocol view over `obj`'s memory (a copy for read-only exporters unless
   * `readOnly: "share"`); see {@link PyBuffer}. `kind: Float32Array` types `data` as that class and
   * checks it: `tspy.getBuffer(images, { kind: Float32Array }).data` is a Float32Array or a TypeError.
   * @throws TypeError for a non-PyProxy, unsupported formats or options, a buffer of another kind than `kind`; PythonError when the object has no buffer.
   */
  getBuffer<T extends BufferData = BufferData>(obj: PyProxy, options?: GetBufferOptions<T>): PyBuffer<T>;
  /** repr(obj) (a JS value is converted to Python first). @throws PythonError when repr raises. */
  repr(obj: unknown): string;
  /** len(obj) (a JS value is converted first). @throws PythonError TypeError when the object has no len(). */
  len(obj: unknown): number;
  /** dir(obj) (a JS value is converted first). */
  dir(obj: unknown): string[];
  /** callable(obj) (a JS value is converted first). */
  isCallable(obj: unknown): boolean;
  /** obj[key] (key converted JS -> Python). @throws PythonError (KeyError, IndexError...), TypeError when obj is not a PyProxy. */
  getItem(obj: PyProxy, key: unknown): any;
  /** obj[key] = value. @throws PythonError, TypeError when obj is not a PyProxy. */
  setItem(obj: PyProxy, key: unknown, value: unknown): void;
  /** `key in obj`. @throws PythonError, TypeError when obj is not a PyProxy. */
  hasItem(obj: PyProxy, key: unknown): boolean;
  /** del obj[key]. @throws PythonError (KeyError...), TypeError when obj is not a PyProxy. */
  delItem(obj: PyProxy, key: unknown): void;
  /** hasattr(obj, name) (a JS value is converted first); the same as `name in obj` for a PyProxy. */
  hasAttr(obj: unknown, name: string): boolean;
  /** True when `v` is a {@link PyProxy}. */
  isProxy(v: unknown): v is PyProxy;
}

function globalsHandle(globals: PyProxy | undefined): PyHandle | null {
  if (globals === undefined) return null;
  if (!isPyProxy(globals)) throw new TypeError("globals must be a PyProxy of a dict (e.g. tspy.globals)");
  return handleOf(globals);
}

/** A PyProxy argument's handle. @throws TypeError naming the tspy function when `obj` is not a PyProxy. */
function proxyArg(fn: string, obj: unknown): PyHandle {
  const ts = tsInstanceHandle(obj); // an instance of a TS class over a Python class: its Python instance
  if (ts !== undefined) return ts;
  if (!isPyProxy(obj)) throw new TypeError(`tspy.${fn}: expected a PyProxy`);
  return handleOf(obj);
}

/** Runs `f` on the handle of `value`, converting a JS value to a temporary Python object first. */
function withHandle<R>(n: NativeModule, value: unknown, f: (h: PyHandle) => R): R {
  if (isPyProxy(value)) return f(handleOf(value));
  const o = n.toPython(value) as PyProxy;
  try {
    return f(handleOf(o));
  } finally {
    releaseProxy(o);
  }
}

/** Other names of members: `tspy.config` is `tspy.pyConfig` (its first name). */
const ALIASES = new Map([["config", "pyConfig"]]);

/** The members of {@link tspy} usable before Python starts (and after). */
const STANDALONE_MEMBERS = new Map<string, unknown>([
  ["pyInstall", pyInstall],
  ["usePython", usePython],
]);

/** The members of {@link tspy} that need Python: name -> maker of the value, given the loaded addon. */
const TSPY_MEMBERS = new Map<string, (n: NativeModule) => unknown>([
  [
    "import",
    (n) => (name: string) => {
      if (typeof name !== "string" || name === "") throw new TypeError("tspy.import: name must be a non-empty string");
      return n.importModule(name);
    },
  ],
  [
    "kwargs",
    () => (obj: Record<string, unknown>) => {
      if (!isPlainObject(obj)) throw new TypeError("tspy.kwargs: expected a plain object of keyword arguments");
      return new PyKwargs(obj);
    },
  ],
  [
    "float",
    () => (x: number) => {
      if (typeof x !== "number") throw new TypeError("tspy.float: expected a number");
      return new PyFloat(x);
    },
  ],
  [
    "tuple",
    (n) =>
      (...items: unknown[]) =>
        n.tuple(items),
  ],
  [
    "slice",
    () =>
      (...args: unknown[]) => {
        if (args.length === 0 || args.length > 3) throw new TypeError(`tspy.slice expected 1 to 3 arguments, got ${args.length}`);
        for (const x of args) {
          if (x !== undefined && x !== null && typeof x !== "number" && typeof x !== "bigint")
            throw new TypeError("tspy.slice: start, stop and step must be numbers, bigints, null or undefined");
        }
        // Python's slice(): one argument is the stop.
        const [start, stop, step] = (args.length === 1 ? [null, args[0], null] : args) as (number | bigint | null | undefined)[];
        return new PySlice(start, stop, step);
      },
  ],
  [
    "isinstance",
    (n) => (obj: unknown, cls: unknown) => {
      if (!isPyProxy(obj)) {
        const o = n.toPython(obj) as PyProxy;
        try {
          return n.isInstance(handleOf(o), cls);
        } finally {
          releaseProxy(o);
        }
      }
      return n.isInstance(handleOf(obj), cls);
    },
  ],
  ["type", (n) => (value: unknown) => n.typeOf(value)],
  ["toPy", () => toPy],
  ["with", () => pyWith],
  ["subclass", (n) => (base: PyProxy | PyProxy[], methods: object, options?: SubclassOptions) => makeSubclass(n, base, methods, options)],
  [
    "fn",
    (n) => (callable: PyProxy) => {
      if (!isPyProxy(callable)) throw new TypeError("tspy.fn: expected a PyProxy of a callable Python object");
      const h = handleOf(callable);
      if (!n.isCallable(h)) throw new TypeError(`tspy.fn: '${n.typeName(h)}' object is not callable`);
      const f = bindDirect(n.callDirect, h);
      // The handle converts it back to the Python object and keeps the reference alive.
      Object.defineProperty(f, HANDLE, { value: h });
      return f;
    },
  ],
  [
    "exec",
    (n) => (code: string, globals?: PyProxy) => {
      if (typeof code !== "string") throw new TypeError("tspy.exec: code must be a string");
      n.exec(code, globalsHandle(globals));
    },
  ],
  [
    "eval",
    (n) => (code: string, globals?: PyProxy) => {
      if (typeof code !== "string") throw new TypeError("tspy.eval: code must be a string");
      return n.eval(code, globalsHandle(globals));
    },
  ],
  ["globals", (n) => n.mainDict()],
  ["pyConfig", (n) => () => pyConfig(n)],
  [
    "toDLPack",
    (n) => (view: SharedMemory, options?: ToDLPackOptions) => {
      if (!isSharedMemory(view)) throw new TypeError("tspy.toDLPack: view must be a TypedArray, DataView or ArrayBuffer");
      const shape = options?.shape;
      if (shape !== undefined && (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))) {
        throw new TypeError("tspy.toDLPack: shape must be an array of non-negative integers");
      }
      return n.tspyCall("_dlpack", [view, shape ?? null], true);
    },
  ],
  [
    "toJS",
    (n) => (obj: unknown, options?: ToJSOptions) => {
      const depth = options?.depth ?? Infinity;
      if (typeof depth !== "number" || Number.isNaN(depth)) throw new TypeError("tspy.toJS: depth must be a number");
      const dict = options?.dict ?? "object";
      if (dict !== "object" && dict !== "map") throw new TypeError('tspy.toJS: dict must be "object" or "map"');
      return isPyProxy(obj) ? n.toJS(handleOf(obj), depth, dict === "map") : obj;
    },
  ],
  ["destroy", (n) => (obj: unknown) => (isTsInstance(obj) ? destroyTsInstance(obj as object) : releaseHandle(n, proxyArg("destroy", obj)))],
  ["getBuffer", (n) => (obj: unknown, options?: GetBufferOptions) => getBuffer(n, proxyArg("getBuffer", obj), options)],
  ["repr", (n) => (obj: unknown) => withHandle(n, obj, (h) => n.repr(h))],
  ["len", (n) => (obj: unknown) => withHandle(n, obj, (h) => n.len(h))],
  ["dir", (n) => (obj: unknown) => withHandle(n, obj, (h) => n.dir(h))],
  ["isCallable", (n) => (obj: unknown) => withHandle(n, obj, (h) => n.isCallable(h))],
  ["getItem", (n) => (obj: unknown, key: unknown) => n.getItem(proxyArg("getItem", obj), key, true)],
  ["setItem", (n) => (obj: unknown, key: unknown, value: unknown) => n.setItem(proxyArg("setItem", obj), key, value)],
  ["hasItem", (n) => (obj: unknown, key: unknown) => n.contains(proxyArg("hasItem", obj), key)],
  ["delItem", (n) => (obj: unknown, key: unknown) => n.delItem(proxyArg("delItem", obj), key)],
  [
    "hasAttr",
    (n) => (obj: unknown, name: string) => {
      if (typeof name !== "string") throw new TypeError("tspy.hasAttr: name must be a string");
      return withHandle(n, obj, (h) => n.hasAttr(h, name));
    },
  ],
  ["isProxy", () => isPyProxy],
]);

/** Made members of {@link tspy}, valid for the addon they were made with (`globals` is never kept: a new proxy each read). */
const tspyMade = new Map<string, unknown>();
let tspyMadeFor: NativeModule | undefined;

/**
 * The bridge's API, apart from Python's names; see {@link Tspy}. Reading a member that does not
 * exist throws TypeError (the names JavaScript probes, {@link QUIET_ATTRIBUTES}, read as undefined).
 */
export const tspy: Tspy = new Proxy({} as Tspy, {
  get(_t, name) {
    if (typeof name === "symbol") {
      if (name === util.inspect.custom) return () => "[tspy]";
      return undefined;
    }
    const prop = ALIASES.get(name) ?? name;
    const standalone = STANDALONE_MEMBERS.get(prop);
    if (standalone !== undefined) return standalone;
    const make = TSPY_MEMBERS.get(prop);
    if (!make) {
      if (QUIET_ATTRIBUTES.has(prop)) return undefined;
      throw new TypeError(`tspy has no member '${prop}' (Python's globals are py.NAME)`);
    }
    const n = requirePy();
    if (tspyMadeFor !== n) {
      tspyMade.clear();
      tspyMadeFor = n;
    }
    let v = tspyMade.get(prop);
    if (v === undefined) {
      v = make(n);
      if (prop !== "globals") tspyMade.set(prop, v);
    }
    return v;
  },
  set() {
    return false;
  },
  has(_t, prop) {
    return typeof prop === "string" && (TSPY_MEMBERS.has(prop) || STANDALONE_MEMBERS.has(prop) || ALIASES.has(prop));
  },
  deleteProperty() {
    return false;
  },
});
