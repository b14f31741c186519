// The TypeScript face of the bridge: `py`, PyProxy, PythonError, the conversion markers and the
// interpreter lifetime (loadBridge / initialize / interrupt). Knows nothing of Jupyter.
//
// Threads: the addon loads in every thread that calls loadBridge(); CPython is initialised once
// per process by initialize() on one thread (the kernel's executor worker) and only that thread
// may use `py` and PyProxies. interrupt()/clearInterrupt() work from any thread. TS functions
// and objects handed to Python may be used from any Python thread: the call runs on the thread
// that initialised (see bridge/README.md, "Calls from other Python threads").
//
// Conversions (python2js / js2python), done by the addon:
//   Python -> JS: None -> null, bool -> boolean, int -> number when a safe integer
//     (|v| <= 2^53 - 1, Number.isSafeInteger) else bigint (so every int round-trips as an int),
//     float (and subclasses such as numpy.float64) -> number, str -> string, numpy bool/integer/
//     floating scalars -> as their .item() (numpy complex etc. stay proxies), a wrapped JS value
//     -> the original JS value, anything else (list, dict, tuple, ndarray...) -> a PyProxy
//     owning a new reference (deep conversion on request: PyProxy.toJS()).
//   JS -> Python: null/undefined -> None, boolean -> bool, number -> int when Number.isInteger
//     and safe else float, bigint -> int, string -> str (lone surrogates kept both ways, UTF-16
//     with `surrogatepass`: "\ud800" is '\ud800'), PyProxy -> its object, PyFloat -> float,
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
import { addonPaths } from "./paths.js";

export type { PythonConfig };
export { addonPaths, BUILD_DIR, type AddonPaths } from "./paths.js";

type NativeModule = typeof Native;
type PyHandle = Native.PyHandle;

// ---- markers ---------------------------------------------------------------------------------

/** Marks a number to be passed to Python as a float (`py.float(2)` is `2.0`). Made by {@link Py.float}. */
export class PyFloat {
  /** @param value the number (any finite or non-finite double). */
  constructor(readonly value: number) {}
}

/**
 * Marks a Python `slice(start, stop, step)` (converted JS -> Python; `null`/`undefined` is None).
 * Made by {@link Py.slice}; e.g. `a.get(py.slice(null, null, 2))` is `a[::2]`.
 */
export class PySlice {
  /**
   * @param start first index (None when null/undefined).
   * @param stop end index, exclusive (None when null/undefined).
   * @param step stride (None when null/undefined).
   */
  constructor(
    readonly start: number | bigint | null | undefined,
    readonly stop: number | bigint | null | undefined,
    readonly step: number | bigint | null | undefined,
  ) {}
}

/** Keyword arguments for a Python call; valid only as the LAST argument. Made by {@link Py.kwargs}. */
export class PyKwargs {
  /** @param kwargs names to values (values converted JS -> Python). */
  constructor(readonly kwargs: Readonly<Record<string, unknown>>) {}
}

// ---- errors ----------------------------------------------------------------------------------

const ERROR_KEY: unique symbol = Symbol("tspy.PythonError.exception");

/**
 * A Python exception raised into TypeScript. `message` is "Type: value" (just "Type" when str(exc)
 * is empty); `stack` is the Python traceback (traceback.format_exception) then the JS frames.
 * A `tspy.JSError` that Python did not catch is not turned into a PythonError: the original JS
 * value is rethrown instead. KeyboardInterrupt and SystemExit are PythonErrors like any other
 * (type "KeyboardInterrupt" / "SystemExit"): they never end the process.
 */
export class PythonError extends Error {
  /** Always "PythonError". */
  override readonly name = "PythonError" as const;
  /** The Python exception class name, e.g. "ZeroDivisionError", "KeyboardInterrupt". */
  readonly type: string;
  /** str(exception). */
  readonly value: string;
  /** The lines of traceback.format_exception(exception), each ending in "\n". */
  readonly traceback: string[];

  /** The exception object (set when the bridge made this error); see {@link PythonError.exception}. */
  declare private readonly [ERROR_KEY]?: PyProxy;

  /**
   * @param type Python exception class name.
   * @param value str() of the exception.
   * @param traceback traceback.format_exception lines.
   * @param exception the Python exception object (the bridge passes it; a PythonError thrown
   *   back into Python, e.g. out of a TS callback, re-raises this very object).
   */
  constructor(type: string, value: string, traceback: string[], exception?: PyProxy) {
    super(value === "" ? type : `${type}: ${value}`);
    this.type = type;
    this.value = value;
    this.traceback = traceback;
    if (exception !== undefined) Object.defineProperty(this, ERROR_KEY, { value: exception });
    const jsFrames = (this.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !/\bmakeError\b/.test(l));
    this.stack = `PythonError: ${this.message}\n${traceback.join("")}${jsFrames.join("\n")}`;
  }

  /**
   * The Python exception object as a PyProxy (undefined for a PythonError made by TS code).
   * Thrown back into Python (from a TS callback), the error raises this same object again.
   */
  get exception(): PyProxy | undefined {
    return this[ERROR_KEY];
  }
}

// ---- PyProxy ---------------------------------------------------------------------------------

/** TypedArray kinds that {@link PyProxy.getBuffer} returns. */
export type BufferData =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/**
 * A view of a Python object's buffer (buffer protocol) sharing its memory.
 *
 * dtype table (struct format -> dtype -> `data` kind), the same both ways:
 *
 * | format | dtype | `data` | itemsize |
 * | --- | --- | --- | --- |
 * | b | int8 | Int8Array | 1 |
 * | B | uint8 | Uint8Array | 1 |
 * | ? | bool | Uint8Array (0/1) | 1 |
 * | h / H | int16 / uint16 | Int16Array / Uint16Array | 2 |
 * | i / I | int32 / uint32 | Int32Array / Uint32Array | 4 |
 * | l, q, n / L, Q, N (8 bytes) | int64 / uint64 | BigInt64Array / BigUint64Array | 8 |
 * | e | float16 | Uint16Array (raw IEEE half bits; dtype says "float16") | 2 |
 * | f | float32 | Float32Array | 4 |
 * | d | float64 | Float64Array | 8 |
 * | Zf | complex64 | Float32Array, interleaved (re, im) | 8 |
 * | Zd | complex128 | Float64Array, interleaved (re, im) | 16 |
 *
 * l/L of 4 bytes map like i/I. A leading "@", "=" or "<" is accepted (little-endian machines);
 * other formats (big-endian, structured, object, complex256, longdouble) throw TypeError.
 * From TS to Python: Int8 b, Uint8/Uint8Clamped B, Int16 h, Uint16 H, Int32 i, Uint32 I,
 * Float32 f, Float64 d, BigInt64 q, BigUint64 Q; ArrayBuffer and DataView B (always writable).
 *
 * Layout: `data` spans the memory from the lowest- to the highest-addressed element (for a
 * contiguous C-order array that is exactly the array). Element [i0, i1, ...] is
 * `data[(offset + i0*strides[0] + i1*strides[1] + ...) / itemsize]`; for complex dtypes divide by
 * `itemsize / 2` instead and read the real part there, the imaginary part at the next index.
 * For a C-contiguous buffer `offset` is 0 and `data` is the flat array; a strided view (e.g.
 * `a[::2]`, `a.T`) stays a view: `data` also spans the elements skipped over, and writes through
 * it reach the viewed array. Negative strides give a positive `offset`.
 *
 * DLPack: an object without the buffer protocol but with `__dlpack__` (a CPU TensorFlow or torch
 * tensor) is read through `numpy.from_dlpack(obj)`, which shares the tensor's memory (`dlpack:
 * true`); the view keeps the tensor alive. TensorFlow marks its tensors read-only, so their
 * `data` is a copy unless `readOnly: "share"` (then writes do reach the tensor's memory, which
 * TensorFlow assumes immutable: only for memory no other TF op is reading). torch tensors are
 * writable and shared. Tensors on other devices (GPU) or needing grad raise a PythonError.
 *
 * Read-only exporters (`bytes`, an array with `flags.writeable = False`, `np.frombuffer(bytes)`):
 * JS cannot make an ArrayBuffer read-only, so by default `data` is a COPY of the spanned memory
 * (`copied: true`), and writes to it never reach Python. `getBuffer({ readOnly: "share" })`
 * shares the memory anyway (zero copy) — then writing to `data` is undefined behaviour.
 */
export interface PyBuffer {
  /** TypedArray over the same memory (or a copy, see `copied`). Detached (length 0) after release() of a shared view. */
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
  /** Bytes per element (per complex number for complex dtypes). */
  readonly itemsize: number;
  /** True when the exporter's memory is read-only. */
  readonly readonly: boolean;
  /** True when `data` is a private copy (a read-only exporter without `readOnly: "share"`). */
  readonly copied: boolean;
  /** True when the object was read through DLPack (`numpy.from_dlpack`), not its own buffer protocol. */
  readonly dlpack: boolean;
  /** Releases the Py_buffer now and detaches `data` (a copy stays usable). Idempotent; otherwise done when `data` is collected. */
  release(): void;
}

/** Options of {@link PyProxy.getBuffer}. */
export interface GetBufferOptions {
  /**
   * For a read-only exporter: "copy" (default) gives `data` as a private copy so JS cannot write
   * into read-only memory; "share" gives the shared memory (writes are undefined behaviour).
   */
  readOnly?: "copy" | "share";
}

/** Options of {@link PyProxy.toJS}. */
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
 * A Python object seen from TypeScript: a callable JS Proxy.
 *
 * - `p.name` reads the Python attribute (undefined when it raises AttributeError, Pyodide's rule);
 *   `p.name = v` sets it; `delete p.name` deletes it; `"name" in p` is hasattr.
 * - `p(a, b, py.kwargs({k: v}))` calls it; the result is converted Python -> JS.
 * - Name collisions: the methods below win over Python attributes of the same name; prefix a
 *   `$` to reach the Python attribute (`d.$get`, `d.$type`, `p.$then`).
 * - `await p`: when type(p) implements `__await__` (a coroutine, asyncio Future/Task, any
 *   awaitable) `then` runs it as a task on the bridge's asyncio loop and settles with its result
 *   (a PythonError on exception); for any other object `then` is undefined, so awaiting it gives
 *   the proxy itself and never hangs. See {@link awaitPython}.
 * - `for await (const x of p)` iterates a Python async iterator (`__aiter__`/`__anext__`).
 * - Identity: while a proxy of a Python object is alive (not collected, not destroyed), the same
 *   object comes back to JS as that same proxy (`py.eval("x") === py.eval("x")`). So
 *   `destroy()` releases it for every holder of that proxy.
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
  /** Deep conversion: list/tuple -> Array, dict -> object (keys str()) or Map, scalars converted, others stay PyProxies. @throws TypeError for bad options. */
  toJS(options?: ToJSOptions): any;
  /** The buffer protocol view over the same memory (a copy for read-only exporters unless `readOnly: "share"`). @throws TypeError for unsupported formats or options, PythonError when the object has no buffer. */
  getBuffer(options?: GetBufferOptions): PyBuffer;
  /** Releases the Python reference now. Idempotent. */
  destroy(): void;
  /** Same as destroy() (`using p = ...`). */
  [Symbol.dispose](): void;
  /** Python iteration (`for (const x of p)`), yielding converted values. */
  [Symbol.iterator](): Iterator<any>;
  /** Python async iteration (`for await (const x of p)`): each step awaits `__anext__()` on the bridge loop. */
  [Symbol.asyncIterator](): AsyncIterator<any>;
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

function getBuffer(n: NativeModule, h: PyHandle, options?: GetBufferOptions): PyBuffer {
  const mode = options?.readOnly ?? "copy";
  if (mode !== "copy" && mode !== "share") throw new TypeError('getBuffer: readOnly must be "copy" or "share"');
  const raw = n.getBuffer(h);
  let token = raw.token;
  let data = raw.data;
  const copied = raw.readonly && mode === "copy";
  if (copied) {
    data = data.slice() as BufferData;
    if (token) n.releaseBuffer(token, raw.data.buffer);
    token = undefined;
  }
  return {
    copied,
    data,
    shape: raw.shape,
    strides: raw.strides,
    offset: raw.offset,
    dtype: raw.dtype,
    format: raw.format,
    itemsize: raw.itemsize,
    readonly: raw.readonly,
    dlpack: raw.dlpack,
    release(): void {
      if (token) n.releaseBuffer(token, data.buffer);
    },
  };
}

// ---- awaiting Python from TS -----------------------------------------------------------------
//
// A Python awaitable awaited from TS becomes a task on one private asyncio loop (tspy._loop),
// created on first use and never left running: `pump` runs one loop iteration at a time (a
// bridge call that never blocks) and reschedules itself with setImmediate while callbacks are
// ready, with setTimeout until the next asyncio timer, and by polling (1 ms growing to 20 ms)
// while tasks wait on something else (a JS Promise, I/O). JS keeps running between steps, so
// tasks can await JS Promises. The loop is stepped only while such tasks are pending.

interface PendingTask {
  future: PyProxy;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}
const pendingTasks = new Set<PendingTask>();
let pumpScheduled = false;
let idlePolls = 0;

function settleTask(t: PendingTask): void {
  if (!pendingTasks.delete(t)) return;
  try {
    t.resolve(t.future.result());
  } catch (e) {
    t.reject(e);
  } finally {
    t.future.destroy();
  }
}

function schedulePump(delayS: number): void {
  if (pumpScheduled || pendingTasks.size === 0) return;
  pumpScheduled = true;
  if (delayS === 0) {
    idlePolls = 0;
    setImmediate(pump);
  } else {
    const idleMs = Math.min(20, 1 + idlePolls++);
    setTimeout(pump, delayS > 0 ? Math.min(delayS * 1000, idleMs) : idleMs);
  }
}

function pump(): void {
  pumpScheduled = false;
  let delay: number;
  try {
    delay = requirePy().tspyCall("_aio_step", [], false) as number;
  } catch (e) {
    // The loop itself failed (e.g. KeyboardInterrupt escaping run_forever): fail every task.
    for (const t of [...pendingTasks]) {
      pendingTasks.delete(t);
      t.future.destroy();
      t.reject(e);
    }
    return;
  }
  schedulePump(delay);
}

/**
 * Runs a Python awaitable (coroutine, asyncio Future/Task, or any object with `__await__`) as a
 * task on the bridge's asyncio loop and returns a Promise of its converted result. This is what
 * `await proxy` does. Python thread only.
 * @throws PythonError (as the rejection) when the task raises, TypeError (synchronously) when
 *   `awaitable` is not awaitable.
 */
export function awaitPython(awaitable: PyProxy): Promise<any> {
  const n = requirePy();
  if (!isPyProxy(awaitable) || !n.isAwaitable(handleOf(awaitable))) throw new TypeError("awaitPython: expected a PyProxy of a Python awaitable");
  return new Promise((resolve, reject) => {
    const task: PendingTask = { future: undefined as unknown as PyProxy, resolve, reject };
    // Unshared proxy: ensure_future(f) may return f itself, whose shared proxy the caller holds.
    task.future = n.tspyCall("_aio_start", [awaitable, () => queueMicrotask(() => settleTask(task))], false) as PyProxy;
    pendingTasks.add(task);
    schedulePump(0);
  });
}

function thenOf(h: PyHandle, self: PyProxy): ((onFulfilled?: (v: any) => unknown, onRejected?: (e: unknown) => unknown) => Promise<unknown>) | undefined {
  let awaitable = false;
  try {
    awaitable = requirePy().isAwaitable(h);
  } catch {
    return undefined; // destroyed, or not on the Python thread: not a thenable
  }
  if (!awaitable) return undefined;
  return (onFulfilled, onRejected) => awaitPython(self).then(onFulfilled, onRejected);
}

async function* asyncIterate(self: PyProxy): AsyncGenerator<any, void, undefined> {
  const aiterFn = self.__aiter__ as PyProxy | undefined;
  if (aiterFn === undefined) throw new TypeError(`'${self.type}' object is not an async iterable (no __aiter__)`);
  const it = aiterFn() as PyProxy;
  aiterFn.destroy();
  const anext = it.__anext__ as PyProxy;
  try {
    for (;;) {
      const step = anext() as PyProxy;
      let value: unknown;
      try {
        value = await awaitPython(step);
      } catch (e) {
        if (e instanceof PythonError && e.type === "StopAsyncIteration") return;
        throw e;
      } finally {
        step.destroy();
      }
      yield value;
    }
  } finally {
    anext.destroy();
    if (it !== self) it.destroy();
  }
}

/** PyProxy members that are not Python attributes: name -> value maker. */
const PROXY_MEMBERS = new Map<string, (n: NativeModule, h: PyHandle) => unknown>([
  ["type", (n, h) => n.typeName(h)],
  ["toString", (n, h) => () => n.str(h)],
  ["repr", (n, h) => () => n.repr(h)],
  [
    "get",
    (n, h) => (key: unknown) => {
      const v = n.getItem(h, key);
      return v === ABSENT ? undefined : v;
    },
  ],
  ["set", (n, h) => (key: unknown, value: unknown) => n.setItem(h, key, value)],
  ["has", (n, h) => (key: unknown) => n.contains(h, key)],
  ["delete", (n, h) => (key: unknown) => n.delItem(h, key)],
  ["len", (n, h) => () => n.len(h)],
  ["isCallable", (n, h) => () => n.isCallable(h)],
  ["dir", (n, h) => () => n.dir(h)],
  [
    "toJS",
    (n, h) => (options?: ToJSOptions) => {
      const depth = options?.depth ?? Infinity;
      if (typeof depth !== "number" || Number.isNaN(depth)) throw new TypeError("toJS: depth must be a number");
      const dict = options?.dict ?? "object";
      if (dict !== "object" && dict !== "map") throw new TypeError('toJS: dict must be "object" or "map"');
      return n.toJS(h, depth, dict === "map");
    },
  ],
  ["getBuffer", (n, h) => (options?: GetBufferOptions) => getBuffer(n, h, options)],
  ["destroy", (n, h) => () => n.release(h)],
]);

function attrName(prop: string): string {
  return prop.startsWith("$") ? prop.slice(1) : prop;
}

const proxyHandler: ProxyHandler<ProxyTarget> = {
  get(target, prop, receiver) {
    const h = target[HANDLE];
    if (typeof prop === "symbol") {
      if (prop === HANDLE) return h;
      const n = requireNative();
      if (prop === Symbol.iterator) return () => iterate(n, h);
      if (prop === Symbol.asyncIterator) return () => asyncIterate(receiver as PyProxy);
      if (prop === Symbol.dispose) return () => n.release(h);
      if (prop === Symbol.toPrimitive) return () => n.str(h);
      if (prop === Symbol.toStringTag) return "PyProxy";
      if (prop === util.inspect.custom) return (target as unknown as Record<symbol, unknown>)[util.inspect.custom];
      return undefined;
    }
    if (prop === "then") return thenOf(h, receiver as PyProxy);
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
    if (typeof prop === "symbol") return prop === HANDLE || prop === Symbol.iterator || prop === Symbol.asyncIterator || prop === Symbol.dispose;
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

const bindCall = Function.prototype.bind;
function bindDirect(direct: NativeModule["callDirect"], h: PyHandle): (...args: unknown[]) => unknown {
  return bindCall.call(direct, h) as (...args: unknown[]) => unknown;
}

function hasNonConfigurable(target: object, prop: string): boolean {
  return Object.getOwnPropertyDescriptor(target, prop)?.configurable === false;
}

/**
 * The handler of a callable object's proxy: its target is the addon's `callDirect` bound to the
 * handle, and there is no `apply` trap, so a call goes from V8's Proxy call straight into C++
 * (no JS frame, no argument array). `new p()` stays a TypeError, as for other proxies.
 */
const callableHandler: ProxyHandler<ProxyTarget> = {
  get: proxyHandler.get,
  set: proxyHandler.set,
  has(target, prop) {
    return proxyHandler.has!(target, prop) || (typeof prop === "string" && hasNonConfigurable(target, prop));
  },
  deleteProperty: proxyHandler.deleteProperty,
  // An own `apply` of undefined: V8's Proxy call finds it at once and calls the target.
  apply: undefined,
  construct(target) {
    throw new TypeError(`PyProxy (${requireNative().typeName(target[HANDLE])}) is not a constructor: call it without new`);
  },
};

/** Hook for the addon: wraps a handle (owning a new reference) in a PyProxy. */
function makeProxy(h: PyHandle, callable: boolean): PyProxy {
  // Targets have no `prototype`, so no Proxy invariants get in the way: for a callable object the
  // addon's callDirect bound to the handle (the call path, see callableHandler), else an arrow
  // function (callable for the proxy's sake; the apply trap reports Python's TypeError).
  const target = (callable ? bindDirect(requireNative().callDirect, h) : () => undefined) as unknown as ProxyTarget;
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
  const proxy = new Proxy(target, callable ? callableHandler : proxyHandler) as unknown as PyProxy;
  proxies.add(proxy);
  return proxy;
}

// ---- loading and lifetime --------------------------------------------------------------------

let nativeMod: NativeModule | undefined;
let loadedConfig: PythonConfig | undefined;
let initializedExecutable: string | undefined;
let loaderMod: Native.Loader | undefined;

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

/** realpath of `p`, or `p` itself when it does not exist. */
function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The Error for a request to embed `wanted` while `loaded` (a libpython path, version if known) serves the process. */
function anotherPythonError(loaded: string, loadedVersion: string | undefined, wanted: PythonConfig): Error {
  const what = loadedVersion ? `Python ${loadedVersion} (${loaded})` : loaded;
  return new Error(
    `tspy: ${what} is already loaded in this process; cannot load Python ${wanted.version} (${wanted.executable}, ${wanted.libpython}): a process embeds one CPython, chosen before the first load (TSPY_PYTHON, the kernelspec's env or python-env/config.json); start a new process to use another`,
  );
}

/**
 * Loads the addon into the calling thread: dlopens `config.libpython` RTLD_GLOBAL (tspy_loader)
 * then requires tspy_bridge.node from the build folder of that Python's minor version
 * (`bridge/build/py3.X`, see {@link addonPaths}), so the Python is chosen at run time among the
 * versions built. Does not initialise Python. Idempotent per thread for the same Python.
 * @param config the Python to embed; default {@link loadPythonConfig}().
 * @throws Error when the addon is not built for that Python's version (names the build command),
 *   when libpython cannot be loaded, or when another Python (another libpython) is already loaded
 *   in the process (by this or another thread).
 */
export function loadBridge(config?: PythonConfig): void {
  if (nativeMod) {
    if (config && loadedConfig && realpathOr(config.libpython) !== realpathOr(loadedConfig.libpython)) {
      throw anotherPythonError(loadedConfig.libpython, loadedConfig.version, config);
    }
    return;
  }
  const cfg = config ?? loadPythonConfig();
  if (typeof cfg.libpython !== "string" || cfg.libpython === "") {
    throw new TypeError("tspy: config.libpython must be the path of a shared libpython");
  }
  if (!Array.isArray(cfg.versionInfo) || cfg.versionInfo.length !== 2) {
    throw new TypeError("tspy: config.versionInfo must be [major, minor] (probe the Python with probePython)");
  }
  const paths = addonPaths(cfg.versionInfo);
  for (const f of [paths.loader, paths.bridge]) {
    if (!fs.existsSync(f)) {
      throw new Error(
        `tspy: the bridge addon is not built for Python ${cfg.versionInfo.join(".")} (${f} is missing); run \`TSPY_PYTHON=${cfg.executable} node dist/bridge/lib/build.js\``,
      );
    }
  }
  // The addon is compiled against one Python's headers; another minor version has another ABI.
  const builtFor = fs.existsSync(paths.stamp) ? path.basename(fs.readFileSync(paths.stamp, "utf8").trim()) : null;
  if (builtFor && builtFor !== path.basename(cfg.include)) {
    throw new Error(
      `tspy: the bridge addon in ${paths.projectDir} was built for ${builtFor} but the configured Python is ${cfg.executable} (Python ${cfg.version}); rebuild it with \`TSPY_PYTHON=${cfg.executable} node dist/bridge/lib/build.js\``,
    );
  }
  const loader = require(paths.loader) as Native.Loader;
  const already = loader.loadedPython();
  if (already !== null && realpathOr(already) !== realpathOr(cfg.libpython)) throw anotherPythonError(already, undefined, cfg);
  loader.loadLibrary(cfg.libpython);
  loaderMod = loader;
  const n = require(paths.bridge) as NativeModule;
  n.setup({
    makeProxy,
    makeError: (type, value, traceback, exception) => new PythonError(type, value, traceback, isPyProxy(exception) ? exception : undefined),
    PyFloat,
    PyKwargs,
    PySlice,
    handleKey: HANDLE,
    errorKey: ERROR_KEY,
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
 * @throws Error when Python was already initialised by another thread, CPython fails to start, or
 *   `config` names another Python than the one already loaded or initialised (see loadBridge).
 */
export function initialize(config?: PythonConfig): Py {
  loadBridge(config);
  const n = requireNative();
  if (n.initializedHere()) {
    if (config && initializedExecutable !== undefined && config.executable !== initializedExecutable) {
      throw new Error(
        `tspy: Python is already initialised from ${initializedExecutable}; cannot initialise ${config.executable} (Python ${config.version}) in the same process`,
      );
    }
    return py;
  }
  const cfg = config ?? loadedConfig ?? loadPythonConfig();
  n.initialize(cfg.executable);
  initializedExecutable = cfg.executable;
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(SITE_SNIPPET(cfg.sysPath ?? []), handleOf(g));
  } finally {
    g.destroy();
  }
  return py;
}

/**
 * Makes the Python code now running on the Python thread raise KeyboardInterrupt: it trips SIGINT
 * in Python's signal module (the process's own SIGINT handler is untouched), which bytecode sees
 * at its next boundary, and signals the Python thread so that a call blocked in a syscall or a
 * lock wait (time.sleep, select, socket recv, Event.wait, Queue.get) returns EINTR and raises
 * within milliseconds. C code that retries EINTR itself and never checks signals is interrupted
 * when it returns. Callable from any thread; a no-op before initialisation. The request stays
 * pending until Python takes it or {@link clearInterrupt} is called. A TS error named
 * "KeyboardInterrupt" thrown into Python (from a TS callback) is Python's KeyboardInterrupt and
 * takes the pending request.
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function interrupt(): void {
  loadBridge();
  requireNative().interrupt();
}

/**
 * Ends the process at once with status `code` through _exit(2): no `exit` handlers, atexit
 * handlers, static destructors or addon finalizers run, so nothing can crash while another thread
 * still uses the interpreter. Do the orderly work (Python's atexit, flushing files and sockets)
 * first. Any thread; the interpreter need not be initialised.
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function exitProcess(code: number): never {
  loadBridge();
  return requireNative().exitProcess(code);
}

/**
 * Drops a pending {@link interrupt} (call at the start of each cell). Any thread; on the thread
 * that initialised Python it also clears the SIGINT trip no Python code has taken yet.
 */
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

/** Memory that can be shared with Python: a TypedArray, DataView or ArrayBuffer. */
export type SharedMemory = ArrayBufferView | ArrayBuffer;

function isSharedMemory(v: unknown): v is SharedMemory {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

/**
 * The address of the first byte of `view`'s memory (for checking alignment or that two views
 * share memory; e.g. equal to `np.asarray(x).ctypes.data` of the same memory in Python).
 * @param view a TypedArray, DataView or ArrayBuffer.
 * @returns the address as a bigint (0n for an empty buffer without memory).
 * @throws TypeError for other values; Error when the addon cannot be loaded (see loadBridge).
 */
export function bufferAddress(view: SharedMemory): bigint {
  if (!isSharedMemory(view)) throw new TypeError("bufferAddress: expected a TypedArray, DataView or ArrayBuffer");
  loadBridge();
  return requireNative().address(view);
}

/** A TypedArray class (Float32Array, Int32Array, BigInt64Array, ...). */
export interface TypedArrayConstructor<T extends ArrayBufferView> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * A zero-filled TypedArray whose first element lies at an address that is a multiple of
 * `alignment` bytes (it views a slightly larger ArrayBuffer). TensorFlow requires 64-byte aligned
 * CPU memory to wrap it without a copy — `tf.experimental.dlpack.from_dlpack` on misaligned memory
 * aborts the process (TF's `IsAligned()` check) — so allocate memory meant for TF with this.
 * @param ctor the TypedArray class, e.g. Float32Array.
 * @param length elements.
 * @param alignment bytes, a power of two of at least ctor.BYTES_PER_ELEMENT; default 64.
 * @returns a TypedArray of `length` elements, `bufferAddress(result) % alignment === 0n`.
 * @throws RangeError for a negative/non-integer length or a bad alignment.
 */
export function alignedArray<T extends ArrayBufferView>(ctor: TypedArrayConstructor<T>, length: number, alignment = 64): T {
  const bpe = ctor.BYTES_PER_ELEMENT;
  if (!Number.isInteger(length) || length < 0) throw new RangeError("alignedArray: length must be a non-negative integer");
  if (!Number.isInteger(alignment) || alignment < bpe || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError("alignedArray: alignment must be a power of two, at least the element size");
  }
  const buffer = new ArrayBuffer(length * bpe + alignment);
  const a = BigInt(alignment);
  const skip = Number((a - (bufferAddress(buffer) % a)) % a);
  if (skip % bpe !== 0) throw new RangeError("alignedArray: the ArrayBuffer's memory is not aligned to the element size");
  return new ctor(buffer, skip, length);
}

/** Options of {@link Py.toDLPack}. */
export interface ToDLPackOptions {
  /** Elements per dimension (C order); their product must be the element count. Default: 1-D. */
  shape?: number[];
}

/** Options of {@link toPy}. */
export interface ToPyOptions {
  /**
   * Levels of Array / plain object / Map / Set to convert (default Infinity). Below it, values
   * convert by the implicit rules (a Map or Set becomes a tspy.JsObject, an Array still a list).
   */
  depth?: number;
}

/**
 * Converts a JS value to Python and returns it as a PyProxy even when it is a scalar (e.g. to
 * get a Python list from an Array). Beyond the implicit conversions it turns a `Map` into a dict
 * (keys converted) and a `Set` into a set, at any depth down to `options.depth`. Python thread only.
 * @throws TypeError for a symbol or an unhashable Map key / Set item (a PythonError TypeError).
 */
export function toPy(value: unknown, options?: ToPyOptions): PyProxy {
  const n = requirePy();
  const depth = options?.depth ?? Infinity;
  if (typeof depth !== "number" || Number.isNaN(depth)) throw new TypeError("toPy: depth must be a number");
  const temps: PyProxy[] = [];
  const deep = (v: unknown, level: number): unknown => {
    if (level >= depth || v === null || typeof v !== "object" || isPyProxy(v)) return v;
    if (v instanceof Map) {
      const d = n.toPython({}) as PyProxy;
      temps.push(d);
      for (const [k, x] of v) n.setItem(handleOf(d), deep(k, level + 1), deep(x, level + 1));
      return d;
    }
    if (v instanceof Set) {
      const r = n.tspyCall("_make_set", [[...v].map((x) => deep(x, level + 1))], false) as PyProxy;
      temps.push(r);
      return r;
    }
    if (Array.isArray(v)) return v.map((x) => deep(x, level + 1));
    if (isPlainObject(v)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v)) o[k] = deep(v[k], level + 1);
      return o;
    }
    return v;
  };
  let result: PyProxy | undefined;
  try {
    result = n.toPython(deep(value, 0)) as PyProxy;
    return result;
  } finally {
    // The top-level Map/Set's own proxy is the result itself (one proxy per object): keep it.
    for (const t of temps) if (t !== result) t.destroy();
  }
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
  /**
   * A `slice(start, stop, step)` marker, converted to a Python slice wherever a value goes to
   * Python: `a.get(py.slice(1, null))` is `a[1:]`, `a.get(py.tuple(py.slice(null, null, 2), 0))`
   * is `a[::2, 0]`. null/undefined mean None. @throws TypeError for other argument types.
   */
  slice(start?: number | bigint | null, stop?: number | bigint | null, step?: number | bigint | null): PySlice;
  /** isinstance(obj, cls); `cls` may be a class PyProxy or a tuple of classes. @throws PythonError TypeError when cls is not a class. */
  isinstance(obj: unknown, cls: unknown): boolean;
  /** type(value) as a PyProxy (the value is converted to Python first: `py.type(1)` is int). */
  type(value: unknown): PyProxy;
  /** See {@link toPy}: a JS value converted to a Python object (Map -> dict, Set -> set), always a PyProxy. */
  toPy(value: unknown, options?: ToPyOptions): PyProxy;
  /**
   * Context manager (`with`). `using ctx = py.with(cm)` calls `cm.__enter__()` now (its result is
   * `ctx.value`) and `cm.__exit__(None, None, None)` when the block ends — `using` cannot tell
   * dispose about an exception. `py.with(cm, (value) => ...)` runs the body and passes an
   * exception to `__exit__(type, exc, tb)` (a PythonError as its own exception, any other JS
   * throw as a tspy.JSError); when `__exit__` returns true the exception is suppressed and the
   * result is undefined. Neither form destroys `cm` or the value. Synchronous bodies only.
   * @throws PythonError from `__enter__`/`__exit__`, TypeError when cm has no `__enter__`.
   */
  with(cm: PyProxy): PyContext;
  with<R>(cm: PyProxy, body: (value: any) => R): R | undefined;
  /**
   * A Python subclass of `base` (a class PyProxy, or an array of bases) whose methods are TS
   * functions: Python sees `type(name, bases, {...})`, so isinstance, super() and the base's
   * machinery (a Keras Callback's hooks, a Layer's `call`) work as for a Python subclass. Each
   * function is called with the instance (a PyProxy) first, then the positional arguments, then
   * (only when there are keyword arguments) one object of them. A TS `__init__` replaces the
   * base's: call `base.__init__(self, ...)` from it. The class keeps the TS functions alive
   * while it lives. @throws TypeError for a non-function method, PythonError when type() fails.
   */
  subclass(base: PyProxy | PyProxy[], methods: Record<string, (self: any, ...args: any[]) => unknown>, options?: SubclassOptions): PyProxy;
  /**
   * A plain JS function that calls the Python callable `callable` — the fastest call path, for hot
   * loops. Calling a callable PyProxy (`math.sqrt(2)`) already goes straight to the addon (no JS
   * trap); the function returned here also skips V8's Proxy call, and an optimised caller calls
   * it like any native function (measured in bench/README.md, "call math.sqrt(2.0)").
   * Arguments and the result convert exactly as for a proxy call; `py.kwargs({...})` as the last
   * argument gives keyword arguments. The function shares the proxy's Python reference: after
   * `callable.destroy()` it throws; otherwise it keeps the object alive while it lives. Passed
   * back to Python it is the callable object itself. A global named `fn` is reached through
   * `py.globals.get("fn")`.
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
   * What the running interpreter is, asked of it now (reticulate's `py_config()`).
   * @returns a {@link PyRuntimeConfig}; imports numpy (when installed) to report its version.
   * @throws PythonError when the interpreter cannot answer (it always can unless sys is broken).
   */
  config(): PyRuntimeConfig;
  /** `__main__` globals. */
  [name: string]: any;
}

/** The running interpreter, as {@link Py.config} reports it (reticulate's `py_config()`). */
export interface PyRuntimeConfig {
  /** `sys.executable` (the venv's python when a virtual environment is used). */
  executable: string;
  /** `platform.python_version()`, e.g. "3.11.7". */
  version: string;
  /** Absolute path of the shared libpython serving the process (the file that provides Py_IsInitialized). */
  libpython: string;
  /** `sys.prefix`. */
  prefix: string;
  /** `sys.base_prefix`. */
  basePrefix: string;
  /** `sys.path` now. */
  sysPath: string[];
  /** `numpy.__version__` when numpy imports, else null. */
  numpy: string | null;
}

const CONFIG_SNIPPET = `
import platform as _platform, sys as _sys
try:
    import numpy as _np
    _numpy = str(_np.__version__)
except Exception:
    _numpy = None
_config = {"executable": _sys.executable, "version": _platform.python_version(), "prefix": _sys.prefix,
           "basePrefix": _sys.base_prefix, "sysPath": [str(p) for p in _sys.path], "numpy": _numpy}
`;

function pyConfig(n: NativeModule): PyRuntimeConfig {
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(CONFIG_SNIPPET, handleOf(g));
    const c = n.getItem(handleOf(g), "_config") as PyProxy;
    try {
      const out = c.toJS() as Omit<PyRuntimeConfig, "libpython">;
      const lib = loaderMod?.loadedPython() ?? loadedConfig?.libpython ?? "";
      return { ...out, libpython: realpathOr(lib) };
    } finally {
      c.destroy();
    }
  } finally {
    g.destroy();
  }
}

/** What `py.with(cm)` returns: the `__enter__` result and a dispose that calls `__exit__`. */
export interface PyContext {
  /** The result of `cm.__enter__()` (converted Python -> JS). */
  readonly value: any;
  /** Calls `cm.__exit__(None, None, None)` once; later calls do nothing. @throws PythonError. */
  [Symbol.dispose](): void;
}

/** Options of {@link Py.subclass}. */
export interface SubclassOptions {
  /** The class's `__name__` (default "TsSubclass"). */
  name?: string;
  /** Class attributes besides the methods (converted JS -> Python). */
  attrs?: Record<string, unknown>;
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

/**
 * The declared parameter names of a JS function, read from its source (simple identifiers; a
 * destructured or rest parameter gives "" and stops the list at a rest). Python gets the same
 * names, so signature inspection on the Python side sees them.
 */
function parameterNames(f: (...args: never[]) => unknown): string[] {
  const src = Function.prototype.toString.call(f);
  const m = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src) ?? /^[^(]*?\(([^)]*)\)/.exec(src);
  if (!m) return [];
  const out: string[] = [];
  for (const part of m[1].split(",")) {
    const p = part.trim();
    if (p === "") continue;
    if (p.startsWith("...")) break;
    const id = /^([A-Za-z_$][\w$]*)\s*(?::[^=]*)?(?:=.*)?$/.exec(p);
    out.push(id ? id[1] : "");
  }
  return out;
}

function pyWith(cm: PyProxy): PyContext;
function pyWith<R>(cm: PyProxy, body: (value: any) => R): R | undefined;
function pyWith<R>(cm: PyProxy, body?: (value: any) => R): PyContext | R | undefined {
  const n = requirePy();
  if (!isPyProxy(cm)) throw new TypeError("py.with: expected a PyProxy of a context manager");
  const enter = cm.__enter__ as PyProxy | undefined;
  const exit = cm.__exit__ as PyProxy | undefined;
  if (enter === undefined || exit === undefined) {
    enter?.destroy();
    exit?.destroy();
    throw new TypeError(`py.with: '${cm.type}' object does not support the context manager protocol`);
  }
  let value: unknown;
  try {
    value = enter();
  } catch (e) {
    exit.destroy();
    throw e;
  } finally {
    enter.destroy();
  }
  if (body === undefined) {
    let open = true;
    return {
      value,
      [Symbol.dispose](): void {
        if (!open) return;
        open = false;
        try {
          exit(null, null, null);
        } finally {
          exit.destroy();
        }
      },
    };
  }
  let result: R;
  try {
    result = body(value);
  } catch (e) {
    const exc = (e instanceof PythonError && e.exception) || (n.tspyCall("_js_error", [e], false) as PyProxy);
    let suppress: unknown;
    try {
      const tb = exc.__traceback__;
      suppress = exit(n.typeOf(exc), exc, tb);
    } finally {
      if (exc !== (e as PythonError).exception) exc.destroy();
      exit.destroy();
    }
    if (suppress) return undefined;
    throw e;
  }
  try {
    exit(null, null, null);
  } finally {
    exit.destroy();
  }
  return result;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const PY_MEMBERS = new Map<string, (n: NativeModule) => unknown>([
  [
    "import",
    (n) => (name: string) => {
      if (typeof name !== "string" || name === "") throw new TypeError("py.import: name must be a non-empty string");
      return n.importModule(name);
    },
  ],
  [
    "kwargs",
    () => (obj: Record<string, unknown>) => {
      if (!isPlainObject(obj)) throw new TypeError("py.kwargs: expected a plain object of keyword arguments");
      return new PyKwargs(obj);
    },
  ],
  [
    "float",
    () => (x: number) => {
      if (typeof x !== "number") throw new TypeError("py.float: expected a number");
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
    () => (start?: unknown, stop?: unknown, step?: unknown) => {
      for (const x of [start, stop, step]) {
        if (x !== undefined && x !== null && typeof x !== "number" && typeof x !== "bigint")
          throw new TypeError("py.slice: start, stop and step must be numbers, bigints, null or undefined");
      }
      return new PySlice(start as number | null, stop as number | null, step as number | null);
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
          o.destroy();
        }
      }
      return n.isInstance(handleOf(obj), cls);
    },
  ],
  ["type", (n) => (value: unknown) => n.typeOf(value)],
  ["toPy", () => toPy],
  ["with", () => pyWith],
  [
    "subclass",
    (n) => (base: PyProxy | PyProxy[], methods: Record<string, (...args: any[]) => unknown>, options?: SubclassOptions) => {
      const bases = Array.isArray(base) ? base : [base];
      if (bases.length === 0 || !bases.every(isPyProxy)) throw new TypeError("py.subclass: base must be a class PyProxy or an array of them");
      if (methods === null || typeof methods !== "object") throw new TypeError("py.subclass: methods must be an object of functions");
      for (const [k, f] of Object.entries(methods)) {
        if (typeof f !== "function") throw new TypeError(`py.subclass: method ${k} is not a function`);
      }
      const name = options?.name ?? "TsSubclass";
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError("py.subclass: name must be a Python identifier");
      const params: Record<string, string[]> = {};
      for (const [k, f] of Object.entries(methods)) params[k] = parameterNames(f).slice(1);
      return n.tspyCall("_subclass", [bases, name, { ...methods }, params, { ...(options?.attrs ?? {}) }], true);
    },
  ],
  [
    "fn",
    (n) => (callable: PyProxy) => {
      if (!isPyProxy(callable)) throw new TypeError("py.fn: expected a PyProxy of a callable Python object");
      const h = handleOf(callable);
      if (!n.isCallable(h)) throw new TypeError(`py.fn: '${n.typeName(h)}' object is not callable`);
      const f = bindDirect(n.callDirect, h);
      // The handle converts it back to the Python object and keeps the reference alive.
      Object.defineProperty(f, HANDLE, { value: h });
      return f;
    },
  ],
  [
    "exec",
    (n) => (code: string, globals?: PyProxy) => {
      if (typeof code !== "string") throw new TypeError("py.exec: code must be a string");
      n.exec(code, globalsHandle(globals));
    },
  ],
  [
    "eval",
    (n) => (code: string, globals?: PyProxy) => {
      if (typeof code !== "string") throw new TypeError("py.eval: code must be a string");
      return n.eval(code, globalsHandle(globals));
    },
  ],
  ["globals", (n) => n.mainDict()],
  ["config", (n) => () => pyConfig(n)],
  [
    "toDLPack",
    (n) => (view: SharedMemory, options?: ToDLPackOptions) => {
      if (!isSharedMemory(view)) throw new TypeError("py.toDLPack: view must be a TypedArray, DataView or ArrayBuffer");
      const shape = options?.shape;
      if (shape !== undefined && (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))) {
        throw new TypeError("py.toDLPack: shape must be an array of non-negative integers");
      }
      return n.tspyCall("_dlpack", [view, shape ?? null], true);
    },
  ],
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
