// The TypeScript face of the bridge: `py`, PyProxy, PythonError, the conversion markers and the
// interpreter lifetime (loadBridge / initialize / interrupt). Knows nothing of Jupyter.
//
// Threads: the addon loads in every thread that calls loadBridge(); CPython is initialised once
// per process by initialize() on one thread (the kernel's executor worker) and only that thread
// may use `py` and PyProxies. interrupt()/clearInterrupt() work from any thread.
//
// Conversions (python2js / js2python), done by the addon:
//   Python -> JS: None -> null, bool -> boolean, int -> number when |v| <= 2^53 else bigint,
//     float (and subclasses such as numpy.float64) -> number, str -> string, numpy bool/integer/
//     floating scalars -> as their .item() (numpy complex etc. stay proxies), a wrapped JS value
//     -> the original JS value, anything else (list, dict, tuple, ndarray...) -> a PyProxy
//     owning a new reference (deep conversion on request: PyProxy.toJS()).
//   JS -> Python: null/undefined -> None, boolean -> bool, number -> int when Number.isInteger
//     and safe else float, bigint -> int, string -> str, PyProxy -> its object, PyFloat -> float,
//     Array -> list, plain object (Object.prototype or null prototype) -> dict (own enumerable
//     string keys), TypedArray/ArrayBuffer/DataView -> tspy.JsBuffer (buffer protocol over the
//     same memory, writable, 1-D, format from the kind: Int8 b, Uint8/Uint8Clamped B, Int16 h,
//     Uint16 H, Int32 i, Uint32 I, Float32 f, Float64 d, BigInt64 q, BigUint64 Q; DataView and
//     ArrayBuffer B), function -> tspy.JsFunction (callable), other objects -> tspy.JsObject
//     (attribute/item get/set reach the JS object), symbol -> TypeError.
import * as fs from "node:fs";
import * as path from "node:path";
import * as util from "node:util";
import { loadPythonConfig, type PythonConfig } from "../../python-env/config.js";
import type * as Native from "./native.js";
import { BRIDGE_ADDON, LOADER_ADDON, PYTHON_INCLUDE_STAMP } from "./paths.js";

export type { PythonConfig };
export { BRIDGE_ADDON, BUILD_DIR, LOADER_ADDON } from "./paths.js";

type NativeModule = typeof Native;
type PyHandle = Native.PyHandle;

// ---- markers ---------------------------------------------------------------------------------

/** Marks a number to be passed to Python as a float (`py.float(2)` is `2.0`). Made by {@link Py.float}. */
export class PyFloat {
  /** @param value the number (any finite or non-finite double). */
  constructor(readonly value: number) {}
}

/** Keyword arguments for a Python call; valid only as the LAST argument. Made by {@link Py.kwargs}. */
export class PyKwargs {
  /** @param kwargs names to values (values converted JS -> Python). */
  constructor(readonly kwargs: Readonly<Record<string, unknown>>) {}
}

// ---- errors ----------------------------------------------------------------------------------

/**
 * A Python exception raised into TypeScript. `message` is "Type: value" (just "Type" when str(exc)
 * is empty); `stack` is the Python traceback (traceback.format_exception) then the JS frames.
 * A `tspy.JSError` that Python did not catch is not turned into a PythonError: the original JS
 * value is rethrown instead.
 */
export class PythonError extends Error {
  /** Always "PythonError". */
  override readonly name: "PythonError" = "PythonError";
  /** The Python exception class name, e.g. "ZeroDivisionError", "KeyboardInterrupt". */
  readonly type: string;
  /** str(exception). */
  readonly value: string;
  /** The lines of traceback.format_exception(exception), each ending in "\n". */
  readonly traceback: string[];

  /**
   * @param type Python exception class name.
   * @param value str() of the exception.
   * @param traceback traceback.format_exception lines.
   */
  constructor(type: string, value: string, traceback: string[]) {
    super(value === "" ? type : `${type}: ${value}`);
    this.type = type;
    this.value = value;
    this.traceback = traceback;
    const jsFrames = (this.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !/\bmakeError\b/.test(l));
    this.stack = `PythonError: ${this.message}\n${traceback.join("")}${jsFrames.join("\n")}`;
  }
}

// ---- PyProxy ---------------------------------------------------------------------------------

/** TypedArray kinds that {@link PyProxy.getBuffer} returns. */
export type BufferData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * A view of a Python object's buffer (buffer protocol) sharing its memory.
 *
 * dtype table (struct format -> dtype -> `data` kind): b int8 Int8Array, B uint8 Uint8Array,
 * ? bool Uint8Array (0/1), h int16 Int16Array, H uint16 Uint16Array, i int32 Int32Array,
 * I uint32 Uint32Array, l/q/n int64 BigInt64Array (l by its itemsize), L/Q/N uint64
 * BigUint64Array, e float16 Uint16Array (raw IEEE half bits), f float32 Float32Array,
 * d float64 Float64Array. Other formats (complex, structured, big-endian, object) throw TypeError.
 *
 * Layout: `data` spans the memory from the lowest- to the highest-addressed element (for a
 * contiguous C-order array that is exactly the array). Element [i0, i1, ...] is
 * `data[(offset + i0*strides[0] + i1*strides[1] + ...) / itemsize]`. For a C-contiguous buffer
 * `offset` is 0 and `data` is the flat array; a strided view (e.g. `a[::2]`) also spans the
 * elements skipped over; negative strides give a positive `offset`.
 */
export interface PyBuffer {
  /** TypedArray over the same memory (no copy). Detached (length 0) after release(). */
  readonly data: BufferData;
  /** Elements per dimension ([] for a 0-d buffer). */
  readonly shape: number[];
  /** Bytes between neighbouring elements per dimension (may be negative). */
  readonly strides: number[];
  /** Byte offset of element [0, ..., 0] from the start of `data`. */
  readonly offset: number;
  /** numpy-style dtype name, see the table above. */
  readonly dtype: string;
  /** The struct-module format string the exporter gave (e.g. "<f"). */
  readonly format: string;
  /** Bytes per element. */
  readonly itemsize: number;
  /** True when the exporter's memory is read-only (writes to `data` are then undefined behaviour). */
  readonly readonly: boolean;
  /** Releases the Py_buffer now and detaches `data`. Idempotent; otherwise done when `data` is collected. */
  release(): void;
}

/** Options of {@link PyProxy.toJS}. */
export interface ToJSOptions {
  /** Levels of list/tuple/dict to convert (default Infinity); deeper objects stay PyProxies. */
  depth?: number;
}

/**
 * A Python object seen from TypeScript: a callable JS Proxy.
 *
 * - `p.name` reads the Python attribute (undefined when it raises AttributeError, Pyodide's rule);
 *   `p.name = v` sets it; `delete p.name` deletes it; `"name" in p` is hasattr.
 * - `p(a, b, py.kwargs({k: v}))` calls it; the result is converted Python -> JS.
 * - Name collisions: the methods below win over Python attributes of the same name; prefix a
 *   `$` to reach the Python attribute (`d.$get`, `d.$type`, `p.$then`). `then` is always
 *   undefined, so awaiting a proxy does not hang.
 * - `String(p)` / `${p}` is Python str(); console.log / util.inspect show repr().
 * - The proxy owns one Python reference: `destroy()` (or `using`) releases it now; otherwise it is
 *   released some time after the proxy is garbage collected. Using a destroyed proxy throws.
 */
export interface PyProxy {
  /** Calls the Python object; `py.kwargs({...})` as the last argument gives keyword arguments. */
  (...args: unknown[]): any;
  /** Python attributes (see the interface's notes for collisions). */
  [name: string]: any;
  /** type(obj).__name__, e.g. "ndarray". */
  readonly type: string;
  /** str(obj). */
  toString(): string;
  /** repr(obj). */
  repr(): string;
  /** obj[key]; undefined when it raises KeyError (IndexError and others throw PythonError). */
  get(key: unknown): any;
  /** obj[key] = value. */
  set(key: unknown, value: unknown): void;
  /** `key in obj`. */
  has(key: unknown): boolean;
  /** del obj[key]. */
  delete(key: unknown): void;
  /** len(obj). @throws PythonError TypeError when the object has no len(). */
  len(): number;
  /** callable(obj). */
  isCallable(): boolean;
  /** dir(obj). */
  dir(): string[];
  /** Deep conversion: list/tuple -> Array, dict -> object (keys str()), scalars converted, others stay PyProxies. */
  toJS(options?: ToJSOptions): any;
  /** The buffer protocol view over the same memory. @throws TypeError for unsupported formats, PythonError when the object has no buffer. */
  getBuffer(): PyBuffer;
  /** Releases the Python reference now. Idempotent. */
  destroy(): void;
  /** Same as destroy() (`using p = ...`). */
  [Symbol.dispose](): void;
  /** Python iteration (`for (const x of p)`), yielding converted values. */
  [Symbol.iterator](): Iterator<any>;
}

const HANDLE: unique symbol = Symbol("tspy.PyProxy.handle");
const ABSENT: object = Object.freeze({ absent: true });

type ProxyTarget = { [HANDLE]: PyHandle };

const proxies = new WeakSet<object>();

/** True when `v` is a {@link PyProxy}. */
export function isPyProxy(v: unknown): v is PyProxy {
  return typeof v === "function" && proxies.has(v);
}

function handleOf(p: PyProxy): PyHandle {
  return (p as unknown as ProxyTarget)[HANDLE];
}

function* iterate(n: NativeModule, h: PyHandle): Generator<any, void, undefined> {
  const it = n.iter(h) as PyProxy;
  const ih = handleOf(it);
  try {
    for (;;) {
      const v = n.next(ih);
      if (v === ABSENT) return;
      yield v;
    }
  } finally {
    n.release(ih);
  }
}

function getBuffer(n: NativeModule, h: PyHandle): PyBuffer {
  const raw = n.getBuffer(h);
  const token = raw.token;
  const data = raw.data;
  return {
    data,
    shape: raw.shape,
    strides: raw.strides,
    offset: raw.offset,
    dtype: raw.dtype,
    format: raw.format,
    itemsize: raw.itemsize,
    readonly: raw.readonly,
    release(): void {
      if (token) n.releaseBuffer(token, data.buffer);
    },
  };
}

/** PyProxy members that are not Python attributes: name -> value maker. */
const PROXY_MEMBERS = new Map<string, (n: NativeModule, h: PyHandle) => unknown>([
  ["type", (n, h) => n.typeName(h)],
  ["toString", (n, h) => () => n.str(h)],
  ["repr", (n, h) => () => n.repr(h)],
  ["get", (n, h) => (key: unknown) => {
    const v = n.getItem(h, key);
    return v === ABSENT ? undefined : v;
  }],
  ["set", (n, h) => (key: unknown, value: unknown) => n.setItem(h, key, value)],
  ["has", (n, h) => (key: unknown) => n.contains(h, key)],
  ["delete", (n, h) => (key: unknown) => n.delItem(h, key)],
  ["len", (n, h) => () => n.len(h)],
  ["isCallable", (n, h) => () => n.isCallable(h)],
  ["dir", (n, h) => () => n.dir(h)],
  ["toJS", (n, h) => (options?: ToJSOptions) => {
    const depth = options?.depth ?? Infinity;
    if (typeof depth !== "number" || Number.isNaN(depth)) throw new TypeError("toJS: depth must be a number");
    return n.toJS(h, depth);
  }],
  ["getBuffer", (n, h) => () => getBuffer(n, h)],
  ["destroy", (n, h) => () => n.release(h)],
]);

function attrName(prop: string): string {
  return prop.startsWith("$") ? prop.slice(1) : prop;
}

const proxyHandler: ProxyHandler<ProxyTarget> = {
  get(target, prop) {
    const h = target[HANDLE];
    if (typeof prop === "symbol") {
      if (prop === HANDLE) return h;
      const n = requireNative();
      if (prop === Symbol.iterator) return () => iterate(n, h);
      if (prop === Symbol.dispose) return () => n.release(h);
      if (prop === Symbol.toPrimitive) return () => n.str(h);
      if (prop === Symbol.toStringTag) return "PyProxy";
      if (prop === util.inspect.custom) return (target as unknown as Record<symbol, unknown>)[util.inspect.custom];
      return undefined;
    }
    if (prop === "then") return undefined;
    const n = requireNative();
    const member = PROXY_MEMBERS.get(prop);
    if (member) return member(n, h);
    const v = n.getAttr(h, attrName(prop));
    return v === ABSENT ? undefined : v;
  },
  set(target, prop, value) {
    if (typeof prop === "symbol") return false;
    requireNative().setAttr(target[HANDLE], attrName(prop), value);
    return true;
  },
  has(target, prop) {
    if (typeof prop === "symbol") return prop === HANDLE || prop === Symbol.iterator || prop === Symbol.dispose;
    if (PROXY_MEMBERS.has(prop)) return true;
    return requireNative().hasAttr(target[HANDLE], attrName(prop));
  },
  deleteProperty(target, prop) {
    if (typeof prop === "symbol") return false;
    requireNative().delAttr(target[HANDLE], attrName(prop));
    return true;
  },
  apply(target, _thisArg, args: unknown[]) {
    let kwargs: Record<string, unknown> | null = null;
    const last = args[args.length - 1];
    if (last instanceof PyKwargs) {
      args = args.slice(0, -1);
      kwargs = { ...last.kwargs };
    }
    return requireNative().call(target[HANDLE], args, kwargs);
  },
};

/** Hook for the addon: wraps a handle (owning a new reference) in a PyProxy. */
function makeProxy(h: PyHandle): PyProxy {
  // An arrow function target: callable, no `prototype`, so no Proxy invariants get in the way.
  const target = (() => undefined) as unknown as ProxyTarget;
  Object.defineProperty(target, HANDLE, { value: h });
  // util.inspect looks at the target (it never runs proxy traps): give it repr().
  Object.defineProperty(target, util.inspect.custom, {
    value: () => {
      try {
        return requireNative().repr(h);
      } catch {
        return "[PyProxy (destroyed or not on the Python thread)]";
      }
    },
  });
  const proxy = new Proxy(target, proxyHandler) as unknown as PyProxy;
  proxies.add(proxy);
  return proxy;
}

// ---- loading and lifetime --------------------------------------------------------------------

let nativeMod: NativeModule | undefined;
let loadedConfig: PythonConfig | undefined;

interface TsNamespace {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  keys(): string[];
}
let tsNamespace: TsNamespace | undefined;

function requireNative(): NativeModule {
  if (!nativeMod) throw new Error("tspy: the bridge is not loaded; call initialize() first");
  return nativeMod;
}

function installNamespace(n: NativeModule, ns: TsNamespace): void {
  n.setNamespace(
    (name) => {
      const v = ns.get(name);
      if (v === undefined && !ns.keys().includes(name)) return ABSENT;
      return v;
    },
    (name, value) => ns.set(name, value),
    () => ns.keys(),
  );
}

/**
 * Loads the addon into the calling thread: dlopens `config.libpython` RTLD_GLOBAL (tspy_loader)
 * then requires tspy_bridge.node. Does not initialise Python. Idempotent per thread.
 * @param config the Python to embed; default {@link loadPythonConfig}().
 * @throws Error when the addons are not built (names the build command) or libpython cannot be loaded.
 */
export function loadBridge(config?: PythonConfig): void {
  if (nativeMod) return;
  const cfg = config ?? loadPythonConfig();
  if (typeof cfg.libpython !== "string" || cfg.libpython === "") {
    throw new TypeError("tspy: config.libpython must be the path of a shared libpython");
  }
  for (const f of [LOADER_ADDON, BRIDGE_ADDON]) {
    if (!fs.existsSync(f)) {
      throw new Error(`tspy: the bridge addon is not built (${f} is missing); run \`node dist/bridge/lib/build.js\``);
    }
  }
  // The addon is compiled against one Python's headers; another minor version has another ABI.
  const builtFor = fs.existsSync(PYTHON_INCLUDE_STAMP) ? path.basename(fs.readFileSync(PYTHON_INCLUDE_STAMP, "utf8").trim()) : null;
  if (builtFor && builtFor !== path.basename(cfg.include)) {
    throw new Error(`tspy: the bridge addon was built for ${builtFor} but the configured Python is ${cfg.executable} (Python ${cfg.version}); rebuild it for that Python with \`node dist/bridge/lib/build.js\` (TSPY_PYTHON set as now)`);
  }
  const loader = require(LOADER_ADDON) as Native.Loader;
  loader.loadLibrary(cfg.libpython);
  const n = require(BRIDGE_ADDON) as NativeModule;
  n.setup({
    makeProxy,
    makeError: (type, value, traceback) => new PythonError(type, value, traceback),
    PyFloat,
    PyKwargs,
    handleKey: HANDLE,
    absent: ABSENT,
    objectPrototype: Object.prototype,
  });
  if (tsNamespace) installNamespace(n, tsNamespace);
  loadedConfig = cfg;
  nativeMod = n;
}

const SITE_SNIPPET = (sysPath: string[]): string => `
import os, site, sys
for _p in ${JSON.stringify(sysPath)}:
    if _p not in sys.path and os.path.basename(_p) == "site-packages" and os.path.isdir(_p):
        site.addsitedir(_p)
`;

/**
 * Initialises CPython on the calling thread (once per process; no signal handlers installed;
 * program name = `config.executable`, so a venv's sys.prefix and site-packages apply; any
 * site-packages of `config.sysPath` still missing from sys.path is added with site.addsitedir).
 * Registers the `ts` module (also injected into `__main__` as `ts`).
 * @param config the Python to embed; default: the one given to loadBridge, else {@link loadPythonConfig}().
 * @returns {@link py}. Calling it again on the same thread returns py.
 * @throws Error when Python was already initialised by another thread, or CPython fails to start.
 */
export function initialize(config?: PythonConfig): Py {
  loadBridge(config);
  const n = requireNative();
  if (n.initializedHere()) return py;
  const cfg = config ?? loadedConfig ?? loadPythonConfig();
  n.initialize(cfg.executable);
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(SITE_SNIPPET(cfg.sysPath ?? []), handleOf(g));
  } finally {
    g.destroy();
  }
  return py;
}

/**
 * Makes the Python code now running on the Python thread raise KeyboardInterrupt at its next
 * bytecode boundary (a pending call; C code that never returns to the interpreter, e.g. a long
 * time.sleep, is not interrupted). Callable from any thread; a no-op before initialisation. The
 * request stays pending until Python runs or {@link clearInterrupt} is called.
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function interrupt(): void {
  loadBridge();
  requireNative().interrupt();
}

/** Drops a pending {@link interrupt} (call at the start of each cell). Any thread. */
export function clearInterrupt(): void {
  loadBridge();
  requireNative().clearInterrupt();
}

/**
 * Backs Python's `ts` module: `ts.x` calls ns.get("x") (an undefined value for a name not in
 * keys() raises AttributeError), `ts.x = v` calls ns.set("x", v), dir(ts) is keys(). Values are
 * converted both ways. May be called before or after initialize(); the latest call wins.
 * @throws TypeError when ns lacks get/set/keys functions.
 */
export function setTsNamespace(ns: TsNamespace): void {
  if (!ns || typeof ns.get !== "function" || typeof ns.set !== "function" || typeof ns.keys !== "function") {
    throw new TypeError("setTsNamespace: ns must have get(name), set(name, value) and keys() functions");
  }
  tsNamespace = ns;
  if (nativeMod) installNamespace(nativeMod, ns);
}

/** Python references held by JS (PyProxies and un-released getBuffer() views), process-wide. */
export function liveProxyCount(): number {
  return nativeMod ? nativeMod.liveProxyCount() : 0;
}

/** JS values held by Python objects (tspy.JsObject/JsFunction/JsBuffer alive), process-wide. */
export function liveJsRefCount(): number {
  return nativeMod ? nativeMod.liveJsRefCount() : 0;
}

/**
 * Converts a JS value to Python and returns it as a PyProxy even when it is a scalar (e.g. to
 * get a Python list from an Array). Python thread only.
 */
export function toPy(value: unknown): PyProxy {
  return requirePy().toPython(value) as PyProxy;
}

// ---- py --------------------------------------------------------------------------------------

/**
 * The Python side. Usable after {@link initialize} on the thread that initialised; before (or on
 * another thread) any property access throws an Error.
 * `py.x` reads the global x of `__main__` (undefined when there is no such global; None is null);
 * `py.x = v` sets it; `delete py.x` removes it; `"x" in py` tests it. Globals whose names are
 * members below (import, exec, ...) are reachable through `py.globals.get(name)`.
 */
export interface Py {
  /** importlib.import_module(name). @throws PythonError (e.g. ModuleNotFoundError). */
  import(name: string): PyProxy;
  /** Keyword-arguments marker; valid only as the LAST argument of a call. @throws TypeError for a non-plain object. */
  kwargs(obj: Record<string, unknown>): PyKwargs;
  /** Forces a Python float (`py.float(2)` is 2.0). @throws TypeError for a non-number. */
  float(n: number): PyFloat;
  /** A Python tuple of the converted items (e.g. for `a.get(py.tuple(0, 1))`). */
  tuple(...items: unknown[]): PyProxy;
  /** Runs statements in `globals` (a dict PyProxy; default `__main__.__dict__`). @throws PythonError. */
  exec(code: string, globals?: PyProxy): void;
  /** Evaluates one expression in `globals` (default `__main__.__dict__`); returns it converted. @throws PythonError. */
  eval(code: string, globals?: PyProxy): any;
  /** `__main__.__dict__` (a new PyProxy each read). */
  readonly globals: PyProxy;
  /** `__main__` globals. */
  [name: string]: any;
}

function requirePy(): NativeModule {
  const n = nativeMod;
  if (!n || !n.initializedHere()) {
    throw new Error(
      n && n.isInitialized()
        ? "tspy: Python was initialised on another thread; use py only on that thread"
        : "tspy: Python is not initialised; call initialize() first",
    );
  }
  return n;
}

function globalsHandle(globals: PyProxy | undefined): PyHandle | null {
  if (globals === undefined) return null;
  if (!isPyProxy(globals)) throw new TypeError("globals must be a PyProxy of a dict (e.g. py.globals)");
  return handleOf(globals);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const PY_MEMBERS = new Map<string, (n: NativeModule) => unknown>([
  ["import", (n) => (name: string) => {
    if (typeof name !== "string" || name === "") throw new TypeError("py.import: name must be a non-empty string");
    return n.importModule(name);
  }],
  ["kwargs", () => (obj: Record<string, unknown>) => {
    if (!isPlainObject(obj)) throw new TypeError("py.kwargs: expected a plain object of keyword arguments");
    return new PyKwargs(obj);
  }],
  ["float", () => (x: number) => {
    if (typeof x !== "number") throw new TypeError("py.float: expected a number");
    return new PyFloat(x);
  }],
  ["tuple", (n) => (...items: unknown[]) => n.tuple(items)],
  ["exec", (n) => (code: string, globals?: PyProxy) => {
    if (typeof code !== "string") throw new TypeError("py.exec: code must be a string");
    n.exec(code, globalsHandle(globals));
  }],
  ["eval", (n) => (code: string, globals?: PyProxy) => {
    if (typeof code !== "string") throw new TypeError("py.eval: code must be a string");
    return n.eval(code, globalsHandle(globals));
  }],
  ["globals", (n) => n.mainDict()],
]);

/** The Python side; see {@link Py}. */
export const py: Py = new Proxy({} as Py, {
  get(_t, prop) {
    if (typeof prop === "symbol") {
      if (prop === util.inspect.custom) return () => "[tspy py]";
      return undefined;
    }
    if (prop === "then") return undefined;
    const n = requirePy();
    const member = PY_MEMBERS.get(prop);
    if (member) return member(n);
    const v = n.getGlobal(prop);
    return v === ABSENT ? undefined : v;
  },
  set(_t, prop, value) {
    if (typeof prop === "symbol") return false;
    requirePy().setGlobal(prop, value);
    return true;
  },
  has(_t, prop) {
    if (typeof prop === "symbol") return false;
    if (PY_MEMBERS.has(prop)) return true;
    return requirePy().hasGlobal(prop);
  },
  deleteProperty(_t, prop) {
    if (typeof prop === "symbol") return false;
    requirePy().delGlobal(prop);
    return true;
  },
});
