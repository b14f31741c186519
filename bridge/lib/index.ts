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
//     owning a new reference (deep conversion on request: tspy.toJS(p)).
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
import { addonPaths, BOOTSTRAP_PY } from "./paths.js";
import { describeFunction } from "./signature.js";

export type { PythonConfig };
export { addonPaths, BUILD_DIR, type AddonPaths } from "./paths.js";

type NativeModule = typeof Native;
type PyHandle = Native.PyHandle;

// ---- markers ---------------------------------------------------------------------------------

/** Marks a number to be passed to Python as a float (`tspy.float(2)` is `2.0`). Made by {@link Tspy.float}. */
export class PyFloat {
  /** @param value the number (any finite or non-finite double). */
  constructor(readonly value: number) {}
}

/**
 * Marks a Python `slice(start, stop, step)` (converted JS -> Python; `null`/`undefined` is None).
 * Made by {@link Tspy.slice}; e.g. `tspy.getItem(a, tspy.slice(null, null, 2))` is `a[::2]`.
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

/**
 * Keyword arguments for a Python call; valid only as the LAST argument. Made by {@link Tspy.kwargs}.
 * `T` is the object of names the callee declares (the notebook's generated declarations name it),
 * so a misspelt keyword is a type error; `any` (the default) accepts every name.
 */
export class PyKwargs<T extends object = any> {
  /** @param kwargs names to values (values converted JS -> Python). */
  constructor(readonly kwargs: Readonly<T>) {}
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

/** TypedArray kinds that {@link Tspy.getBuffer} returns. */
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

/** Options of {@link Tspy.getBuffer}. */
export interface GetBufferOptions {
  /**
   * For a read-only exporter: "copy" (default) gives `data` as a private copy so JS cannot write
   * into read-only memory; "share" gives the shared memory (writes are undefined behaviour).
   */
  readOnly?: "copy" | "share";
}

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
 * A Python object seen from TypeScript: a callable JS Proxy with no string-named members of its
 * own, so every Python attribute is reachable by its own name (`d.get("k", 0)` is dict.get,
 * `builtins.type(3)` is Python's type, `obj.delete()` calls Python's `delete`). The bridge's
 * operations on a proxy are functions of {@link tspy}: `tspy.toJS(p)`, `tspy.destroy(p)`,
 * `tspy.getItem(p, key)`, `tspy.len(p)`, ...
 *
 * - `p.name` reads the Python attribute; a missing one throws the PythonError AttributeError
 *   naming it. Exception, {@link QUIET_ATTRIBUTES}: the names JavaScript's own machinery probes on
 *   any object (`then`, `toJSON`, `constructor`, `$$typeof`, `asymmetricMatch`, `nodeType`) read
 *   as undefined when Python has no such attribute. `p.name = v` sets it; `delete p.name`
 *   deletes it; `"name" in p` is hasattr. Integer-like keys are attribute names too (`p[0]` is
 *   `getattr(p, "0")`): items go through `tspy.getItem(p, 0)` or `p.__getitem__(0)`.
 * - `p(a, b, tspy.kwargs({k: v}))` calls it; the result is converted Python -> JS.
 * - `await p`: when type(p) implements `__await__` (a coroutine, asyncio Future/Task, any
 *   awaitable) `then` runs it as a task on the bridge's asyncio loop and settles with its result
 *   (a PythonError on exception); for any other object `then` is undefined (unless Python has a
 *   `then` attribute), so awaiting it gives the proxy itself and never hangs. See {@link awaitPython}.
 * - `for await (const x of p)` iterates a Python async iterator (`__aiter__`/`__anext__`).
 * - Identity: while a proxy of a Python object is alive (not collected, not destroyed), the same
 *   object comes back to JS as that same proxy (`tspy.eval("x") === tspy.eval("x")`). So
 *   `tspy.destroy(p)` releases it for every holder of that proxy.
 * - `String(p)` / `${p}` is Python str() (`Symbol.toPrimitive`); console.log / util.inspect show
 *   repr(); `JSON.stringify(p)` is undefined (a proxy is a function to JS).
 * - The proxy owns one Python reference: `tspy.destroy(p)` (or `using`) releases it now;
 *   otherwise it is released some time after the proxy is garbage collected. Using a destroyed
 *   proxy throws.
 */
export interface PyProxy {
  /** Calls the Python object; `tspy.kwargs({...})` as the last argument gives keyword arguments. */
  (...args: unknown[]): any;
  /** Python attributes, every name (a missing one throws PythonError AttributeError). */
  [name: string]: any;
  /** Same as `tspy.destroy(p)` (`using p = ...`). */
  [Symbol.dispose](): void;
  /** str(obj), so `String(p)` and template literals give Python's str(). */
  [Symbol.toPrimitive](hint: string): string;
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

/** Releases the Python reference of a PyProxy now (internal; the public form is tspy.destroy). */
function releaseProxy(p: PyProxy): void {
  requireNative().release(handleOf(p));
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
    releaseProxy(t.future);
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
      releaseProxy(t.future);
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
  const n = requireNative();
  if (!n.hasAttr(handleOf(self), "__aiter__")) throw new TypeError(`'${n.typeName(handleOf(self))}' object is not an async iterable (no __aiter__)`);
  const aiterFn = self.__aiter__ as PyProxy;
  const it = aiterFn() as PyProxy;
  releaseProxy(aiterFn);
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
        releaseProxy(step);
      }
      yield value;
    }
  } finally {
    releaseProxy(anext);
    if (it !== self) releaseProxy(it);
  }
}

/**
 * The string keys JavaScript's own machinery probes on any object: `then` (await, Promise
 * resolution), `toJSON` (JSON.stringify), `constructor`, `$$typeof` (React, pretty-format),
 * `asymmetricMatch` (test matchers), `nodeType` (DOM checks). On a PyProxy (and on {@link py})
 * they read as undefined when Python has no such attribute (global) instead of throwing; every
 * other missing name throws PythonError AttributeError (NameError). Documented in bridge/README.md.
 */
export const QUIET_ATTRIBUTES: ReadonlySet<string> = new Set(["then", "toJSON", "constructor", "$$typeof", "asymmetricMatch", "nodeType"]);

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
    if (prop === "then") {
      const then = thenOf(h, receiver as PyProxy);
      if (then !== undefined) return then;
    }
    const quiet = QUIET_ATTRIBUTES.has(prop);
    let v: unknown;
    try {
      v = requireNative().getAttr(h, prop, !quiet);
    } catch (e) {
      if (quiet) return undefined; // destroyed, or not on the Python thread: JS's probe finds nothing
      throw e;
    }
    return v === ABSENT ? undefined : v;
  },
  set(target, prop, value) {
    if (typeof prop === "symbol") return false;
    requireNative().setAttr(target[HANDLE], prop, value);
    return true;
  },
  has(target, prop) {
    if (typeof prop === "symbol")
      return prop === HANDLE || prop === Symbol.iterator || prop === Symbol.asyncIterator || prop === Symbol.dispose || prop === Symbol.toPrimitive;
    return requireNative().hasAttr(target[HANDLE], prop);
  },
  deleteProperty(target, prop) {
    if (typeof prop === "symbol") return false;
    requireNative().delAttr(target[HANDLE], prop);
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
 * (no JS frame, no argument array). `new p()` stays a TypeError, as for other proxies; a TS
 * class may extend a class proxy (`construct` with another new.target, `prototype`).
 */
const callableHandler: ProxyHandler<ProxyTarget> = {
  get: (target, prop, receiver) => callableGet(target, prop, receiver),
  set: proxyHandler.set,
  has(target, prop) {
    return proxyHandler.has!(target, prop) || (typeof prop === "string" && hasNonConfigurable(target, prop));
  },
  deleteProperty: proxyHandler.deleteProperty,
  // An own `apply` of undefined: V8's Proxy call finds it at once and calls the target.
  apply: undefined,
  // `class X extends <class PyProxy>`: constructing X (newTarget) makes its Python instance; see
  // "TS classes over Python classes". `new` on the proxy itself stays a TypeError.
  construct(target, args, newTarget) {
    if (typeof newTarget === "function" && !isPyProxy(newTarget)) return constructTsInstance(requireNative(), newTarget, args);
    throw new TypeError(`PyProxy (${requireNative().typeName(target[HANDLE])}) is not a constructor: call it without new`);
  },
};

/** Hook for the addon: wraps a handle (owning a new reference) in a PyProxy. */
function makeProxy(h: PyHandle, callable: boolean): PyProxy {
  // Targets have no `prototype`, so no Proxy invariants get in the way: for a callable object the
  // addon's callDirect bound to the handle (the call path, see callableHandler), else an arrow
  // function (callable for the proxy's sake; the apply trap reports Python's TypeError).
  const target = (callable ? bindDirect(requireNative().callDirect, h) : () => undefined) as unknown as ProxyTarget;
  // Configurable: a TS class extending a class proxy reads HANDLE through it and gets its own
  // Python class's (see callableGet), which a non-configurable property would forbid.
  Object.defineProperty(target, HANDLE, { value: h, configurable: true });
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

// ---- TS classes over Python classes ----------------------------------------------------------
//
// `class CB extends keras.callbacks.Callback { ... }`: a class PyProxy is a constructor whose
// `prototype` is its *base prototype* (a Proxy ending every TS prototype chain over that Python
// class). Constructing a TS subclass reaches the class proxy's `construct` trap with `new.target`
// = the TS class, which builds (once per TS class, cached weakly by number in Python) the Python
// class type(name, (base,), {one method per TS method}) and the Python instance, and returns the
// *TS instance*: a Proxy over an object whose prototype is `new.target.prototype` (so TS methods,
// `super` and `instanceof` work) keeping its TS fields in one JS object that the Python instance
// holds (`__tspy_fields__`). Names missing from the fields and the TS prototypes fall through
// to the base prototype, which reads the Python instance (`super.m` reads the Python base's m).
// Edges: TS instance -> Python instance (a proxy); Python instance -> fields (a JsObject);
// Python class -> TS class (its `adopt` function). Nothing Python holds reaches the TS instance
// itself, so there is no cycle across the two collectors: when only Python holds the instance,
// its TS instance is collected and made again over the same fields the next time Python hands
// the instance to TS (python2js calls the `tsInstance` hook).

/** Symbol under which a TS instance's target keeps its {@link TsPair}. */
const PAIR: unique symbol = Symbol("tspy.TsInstance.pair");
/** Symbol under which the fields object keeps the TS prototype (to make the TS instance again). */
const FIELDS_PROTO: unique symbol = Symbol("tspy.TsInstance.prototype");
/** Prototype of every fields object: no inherited names, and not a plain object (Python gets a tspy.JsObject, never a dict copy). */
const FIELDS_BASE: object = Object.freeze(Object.create(null) as object);

interface TsPair {
  /** An unshared proxy of the Python instance (owned by the TS instance); undefined after destroy. */
  py: PyProxy | undefined;
  /** The TS fields (own properties of the TS instance), also held by the Python instance. */
  fields: Record<PropertyKey, unknown>;
}

/** TS class -> its number; tspy._ts_classes maps the number to the live Python class (weakly). */
const tsClassIds = new WeakMap<object, number>();
let nextTsClassId = 1;
/** What tspy.subclass adds to a class it makes: more Python bases, a TS `__init__`. */
const subclassExtras = new WeakMap<object, { bases: PyProxy[]; init?: (...args: unknown[]) => unknown }>();
/** Class PyProxy -> its base prototype; base prototype -> an unshared proxy of the Python class. */
const basePrototypes = new WeakMap<object, object>();
const baseClasses = new WeakMap<object, PyProxy>();
/** fields -> the live TS instance over them. */
const instancesByFields = new WeakMap<object, WeakRef<object>>();
/** Set while a Python-made instance runs its TS constructor (see adoptInstance). */
let pendingAdopt: PyProxy | undefined;

/** Calls a TS method with `this` = the instance (Python passes the method, then self, then the arguments). */
const invokeMethod = (impl: (...args: unknown[]) => unknown, self: unknown, ...args: unknown[]): unknown => impl.apply(self, args);

function pairOf(v: unknown): TsPair | undefined {
  if (v === null || typeof v !== "object") return undefined;
  return (v as { [PAIR]?: TsPair })[PAIR];
}

function livePy(pair: TsPair): PyProxy {
  if (pair.py === undefined) throw new Error("tspy: this TS instance was destroyed (tspy.destroy)");
  return pair.py;
}

/** True when `v` is an instance of a TS class over a Python class (see "TS classes over Python classes"). */
export function isTsInstance(v: unknown): boolean {
  return pairOf(v) !== undefined;
}

/** The handle of the Python instance of a TS instance, or undefined for any other value. */
function tsInstanceHandle(v: unknown): PyHandle | undefined {
  const pair = pairOf(v);
  return pair === undefined ? undefined : handleOf(livePy(pair));
}

/** The TS prototypes of a TS instance, from its class's up to (not including) the base prototype. */
function* tsPrototypes(target: object): Generator<object> {
  for (let p = Object.getPrototypeOf(target) as object | null; p !== null && !baseClasses.has(p); p = Object.getPrototypeOf(p) as object | null) yield p;
}

function tsDescriptor(target: object, prop: PropertyKey): PropertyDescriptor | undefined {
  for (const p of tsPrototypes(target)) {
    const d = Object.getOwnPropertyDescriptor(p, prop);
    if (d !== undefined) return d;
  }
  return undefined;
}

const tsInstanceHandler: ProxyHandler<{ [PAIR]: TsPair }> = {
  get(target, prop, receiver) {
    const pair = target[PAIR];
    if (prop === PAIR) return pair;
    if (prop === HANDLE) return pair.py === undefined ? undefined : handleOf(pair.py);
    if (Object.hasOwn(pair.fields, prop)) return pair.fields[prop];
    return Reflect.get(target, prop, receiver);
  },
  set(target, prop, value, receiver) {
    const pair = target[PAIR];
    const pyValue = isPyProxy(value) || isTsInstance(value);
    if (pyValue && typeof prop === "string" && pair.py !== undefined) {
      // A Python object goes to the Python instance (Keras tracks layers and weights set on it),
      // also over a declared TS field (`hidden: PyProxy;` defines it as undefined first).
      delete pair.fields[prop];
      requireNative().setAttr(handleOf(pair.py), prop, value);
      return true;
    }
    if (Object.hasOwn(pair.fields, prop)) {
      pair.fields[prop] = value;
      return true;
    }
    const d = tsDescriptor(target, prop);
    if (d?.set !== undefined) return Reflect.set(target, prop, value, receiver);
    if (typeof prop === "string" && pair.py !== undefined) {
      const n = requireNative();
      const primitive = value === null || (typeof value !== "object" && typeof value !== "function");
      if (primitive && n.tspyCall("_ts_py_has", [pair.py, prop], false) === true) {
        n.setAttr(handleOf(pair.py), prop, value);
        return true;
      }
    }
    pair.fields[prop] = value;
    return true;
  },
  has(target, prop) {
    const pair = target[PAIR];
    if (prop === PAIR || prop === HANDLE || Object.hasOwn(pair.fields, prop) || tsDescriptor(target, prop) !== undefined) return true;
    if (typeof prop === "symbol" || pair.py === undefined) return false;
    return requireNative().hasAttr(handleOf(pair.py), prop);
  },
  defineProperty(target, prop, descriptor) {
    return Reflect.defineProperty(target[PAIR].fields, prop, { ...descriptor, configurable: true });
  },
  getOwnPropertyDescriptor(target, prop) {
    return Reflect.getOwnPropertyDescriptor(target[PAIR].fields, prop);
  },
  ownKeys(target) {
    return Reflect.ownKeys(target[PAIR].fields);
  },
  deleteProperty(target, prop) {
    return Reflect.deleteProperty(target[PAIR].fields, prop);
  },
};

/** A TS instance over the Python instance `py` (an unshared proxy it now owns) and `fields`. */
function makeTsInstance(py: PyProxy, fields: Record<PropertyKey, unknown>): object {
  const proto = (fields[FIELDS_PROTO] as object | undefined) ?? Object.prototype;
  const target = Object.create(proto) as { [PAIR]: TsPair };
  Object.defineProperty(target, PAIR, { value: { py, fields }, configurable: true });
  const instance = new Proxy(target, tsInstanceHandler);
  instancesByFields.set(fields, new WeakRef(instance));
  return instance;
}

/** Hook for the addon (python2js): the TS instance of a Python instance made through a TS class. */
function tsInstanceHook(py: PyProxy, fields: Record<PropertyKey, unknown>): object {
  const live = instancesByFields.get(fields)?.deref();
  if (live !== undefined && pairOf(live)?.py !== undefined) {
    releaseProxy(py);
    return live;
  }
  return makeTsInstance(py, fields);
}

/** Releases a TS instance's Python instance now (tspy.destroy); later use of it throws. */
function destroyTsInstance(v: object): void {
  const pair = pairOf(v);
  if (pair?.py === undefined) return;
  releaseProxy(pair.py);
  pair.py = undefined;
}

function pyIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "TsClass";
}

/**
 * The Python class of the TS class `ctor` (whose static prototype chain ends at a class PyProxy),
 * made on first use and cached (weakly) in Python by the class's number. Returns an unshared proxy.
 */
function pyClassFor(n: NativeModule, ctor: object): PyProxy {
  let cid = tsClassIds.get(ctor);
  if (cid === undefined) {
    cid = nextTsClassId++;
    tsClassIds.set(ctor, cid);
  }
  const cached = n.tspyCall("_ts_cached", [cid], false);
  if (cached !== null) return cached as PyProxy;
  const parent = Object.getPrototypeOf(ctor) as unknown;
  if (typeof parent !== "function") throw new TypeError("tspy: a TS class over a Python class must extend a class PyProxy");
  const parentCls = isPyProxy(parent) ? parent : pyClassFor(n, parent);
  try {
    const extras = subclassExtras.get(ctor);
    const proto = (ctor as { prototype: object }).prototype;
    const methods: Record<string, unknown> = {};
    const params: Record<string, string[]> = {};
    for (const key of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (key === "constructor" || typeof d?.value !== "function") continue;
      methods[key] = d.value;
      params[key] = parameterNames(d.value as (...args: never[]) => unknown);
    }
    const attrs: Record<string, unknown> = {};
    for (const key of Object.getOwnPropertyNames(ctor)) {
      const d = Object.getOwnPropertyDescriptor(ctor, key);
      if (key !== "length" && key !== "name" && key !== "prototype" && d !== undefined && "value" in d) attrs[key] = d.value;
    }
    const name = pyIdentifier((ctor as { name: string }).name);
    const adopt = (self: PyProxy, args: PyProxy, kwargs: PyProxy): void => adoptInstance(n, ctor, self, args, kwargs);
    const bases = [parentCls, ...(extras?.bases ?? [])];
    return n.tspyCall("_ts_class", [cid, name, bases, methods, params, attrs, invokeMethod, adopt], false) as PyProxy;
  } finally {
    if (parentCls !== parent) releaseProxy(parentCls);
  }
}

/** Python made an instance of a TS class's Python class (`cls(...)`): run the TS constructor over it. */
function adoptInstance(n: NativeModule, ctor: object, self: PyProxy, args: PyProxy, kwargs: PyProxy): void {
  const positional = n.toJS(handleOf(args), 1, false) as unknown[];
  const named = n.toJS(handleOf(kwargs), 1, false) as Record<string, unknown>;
  if (Object.keys(named).length > 0) positional.push(new PyKwargs(named));
  pendingAdopt = n.tspyCall("_ts_ident", [self], false) as PyProxy;
  try {
    Reflect.construct(ctor as new (...a: unknown[]) => object, positional);
  } finally {
    if (pendingAdopt !== undefined) releaseProxy(pendingAdopt);
    pendingAdopt = undefined;
  }
}

/** The `construct` trap's work for `new TsClass(...)` (`newTarget`) over a Python class. */
function constructTsInstance(n: NativeModule, newTarget: object, args: unknown[]): object {
  let kwargs: Record<string, unknown> | null = null;
  const last = args[args.length - 1];
  if (last instanceof PyKwargs) {
    args = args.slice(0, -1);
    kwargs = { ...last.kwargs };
  }
  const proto = (newTarget as { prototype: unknown }).prototype;
  if (proto === null || typeof proto !== "object") throw new TypeError("tspy: new.target has no prototype object");
  const fields = Object.create(FIELDS_BASE) as Record<PropertyKey, unknown>;
  Object.defineProperty(fields, FIELDS_PROTO, { value: proto });
  let py = pendingAdopt;
  pendingAdopt = undefined;
  if (py !== undefined) {
    n.tspyCall("_ts_attach", [py, fields], false);
  } else {
    const cls = pyClassFor(n, newTarget);
    try {
      py = n.tspyCall("_ts_new", [cls, fields, args, kwargs ?? {}], false) as PyProxy;
    } finally {
      releaseProxy(cls);
    }
  }
  const instance = makeTsInstance(py, fields);
  let init: ((...a: unknown[]) => unknown) | undefined;
  for (let c = newTarget as unknown; typeof c === "function" && !isPyProxy(c) && init === undefined; c = Object.getPrototypeOf(c))
    init = subclassExtras.get(c)?.init;
  if (init !== undefined) init.apply(instance, kwargs === null ? args : [...args, kwargs]);
  else n.tspyCall("_ts_init", [py, args, kwargs ?? {}], false);
  return instance;
}

/** The base prototype of a class PyProxy (see the section's comment); undefined for a non-class. */
function basePrototypeOf(n: NativeModule, cls: PyProxy): object | undefined {
  const known = basePrototypes.get(cls);
  if (known !== undefined) return known;
  if (n.tspyCall("_ts_is_class", [cls], false) !== true) return undefined;
  const own = n.tspyCall("_ts_ident", [cls], false) as PyProxy;
  const proto = new Proxy(Object.create(null) as object, {
    get(_t, prop, receiver) {
      const pair = pairOf(receiver);
      if (pair === undefined) return undefined; // read on the prototype itself (e.g. by util.inspect)
      if (typeof prop === "symbol") {
        if (prop === Symbol.dispose) return () => destroyTsInstance(receiver as object);
        if (prop === Symbol.toPrimitive) return () => n.str(handleOf(livePy(pair)));
        if (prop === Symbol.iterator) return () => iterate(n, handleOf(livePy(pair)));
        if (prop === util.inspect.custom) return () => `${(receiver as object).constructor?.name ?? "TsInstance"} ${n.repr(handleOf(livePy(pair)))}`;
        return undefined;
      }
      const py = livePy(pair);
      // A name of a TS method that the chain did not find here is `super.name`: the Python base's.
      for (const p of tsPrototypes(receiver as object)) {
        if (Object.hasOwn(p, prop)) return n.tspyCall("_ts_super_get", [own, py, prop], true);
      }
      // Index-like names are probed by JS display code (array-likes) and are never Python names.
      const quiet = QUIET_ATTRIBUTES.has(prop) || /^\d+$/.test(prop);
      const v = n.getAttr(handleOf(py), prop, !quiet);
      return v === ABSENT ? undefined : v;
    },
  });
  basePrototypes.set(cls, proto);
  baseClasses.set(proto, own);
  return proto;
}

/**
 * The `get` of a callable proxy: `prototype` of a class is its base prototype (unless Python has
 * a `prototype` attribute), `Symbol.hasInstance` of a class is isinstance, and a TS subclass's
 * static reads that reach the class proxy (`CB.x`, the handle when CB goes to Python) read the
 * TS class's Python class.
 */
function callableGet(target: ProxyTarget, prop: string | symbol, receiver: unknown): unknown {
  if (typeof receiver === "function" && !isPyProxy(receiver)) {
    if (typeof prop === "symbol" && prop !== HANDLE) return undefined; // Symbol.hasInstance: the TS class's own
    const n = requireNative();
    const cls = pyClassFor(n, receiver);
    if (typeof prop !== "string") return handleOf(cls); // HANDLE: the conversion takes its reference at once
    try {
      const v = n.getAttr(handleOf(cls), prop, !QUIET_ATTRIBUTES.has(prop));
      return v === ABSENT ? undefined : v;
    } finally {
      releaseProxy(cls);
    }
  }
  if (prop === "prototype" || prop === Symbol.hasInstance) {
    const n = requireNative();
    const self = receiver as PyProxy;
    if (prop === "prototype" && !n.hasAttr(target[HANDLE], "prototype")) return basePrototypeOf(n, self);
    if (prop === Symbol.hasInstance && basePrototypeOf(n, self) !== undefined) {
      return (v: unknown) => {
        const h = isPyProxy(v) ? handleOf(v) : tsInstanceHandle(v);
        return h !== undefined && n.isInstance(h, self);
      };
    }
  }
  return proxyHandler.get!(target, prop, receiver);
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
    tsInstance: tsInstanceHook,
    makeError: (type, value, traceback, exception) => new PythonError(type, value, traceback, isPyProxy(exception) ? exception : undefined),
    PyFloat,
    PyKwargs,
    PySlice,
    handleKey: HANDLE,
    errorKey: ERROR_KEY,
    absent: ABSENT,
    objectPrototype: Object.prototype,
    describeFunction,
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
  n.initialize(cfg.executable, fs.readFileSync(BOOTSTRAP_PY, "utf8"), BOOTSTRAP_PY);
  initializedExecutable = cfg.executable;
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(SITE_SNIPPET(cfg.sysPath ?? []), handleOf(g));
  } finally {
    releaseProxy(g);
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
 * Asks the thread that initialised Python (the executor) to stop the TypeScript it is running now
 * with V8's TerminateExecution, for TS code that no loop check reaches (a callback inside
 * `forEach`/`map`/`sort`, a regular expression backtracking, a recursion). It acts only while that
 * thread runs JS under {@link runTerminable} (or a TS function called from Python), at its next JS
 * stack check, never inside Python or the event loop; it stays asked until such JS runs, a
 * termination is taken or {@link clearInterrupt} is called. Any thread.
 * @returns false when there is nothing to terminate (Python is not initialised).
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function requestTermination(): boolean {
  loadBridge();
  return requireNative().requestTermination();
}

/**
 * Runs `fn()` so that a termination asked for by {@link requestTermination} stops it and is turned
 * into an ordinary exception: V8's termination unwinds every JS frame of `fn` (no catch or finally
 * of it runs), is cancelled here, and `onTerminated()` is returned (it normally throws the
 * KeyboardInterrupt). A TS function called from Python inside `fn` is stopped the same way and
 * raises KeyboardInterrupt in Python. JS state (globals, objects) and Python's stay as they were.
 * On a thread without Python (or before initialisation) it simply calls `fn()`.
 * @returns fn's result, or onTerminated's.
 * @throws whatever fn (or onTerminated) throws.
 */
export function runTerminable<T>(fn: () => T, onTerminated: () => T): T {
  if (!nativeMod || !nativeMod.initializedHere()) return fn();
  return nativeMod.runTerminable(fn, onTerminated);
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

/** Options of {@link Tspy.toDLPack}. */
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
    for (const t of temps) if (t !== result) releaseProxy(t);
  }
}

// ---- py --------------------------------------------------------------------------------------

/**
 * The Python side: exactly the namespace of `__main__`, with no members of its own, so every
 * global is reachable by its name (`py.config`, `py.kwargs`, `py.eval`, `py.type` are Python
 * globals of those names). `py.x` reads the global x (None is null); a missing one throws the
 * PythonError NameError naming it, except the names JavaScript probes ({@link QUIET_ATTRIBUTES},
 * e.g. `then`), which read as undefined. `py.x = v` sets it; `delete py.x` removes it (NameError
 * when missing); `"x" in py` tests it. Builtins are not globals: reach them through
 * `tspy.import("builtins")`. The bridge's own API is {@link tspy}. Usable after
 * {@link initialize} on the thread that initialised; before (or on another thread) any property
 * access throws an Error.
 */
export interface Py {
  /** A global of `__main__` (reading a missing one throws PythonError NameError). */
  [name: string]: any;
}

/**
 * The bridge's own API, one namespace apart from Python's names ({@link tspy}): importing,
 * markers for calls (`kwargs`, `tuple`, `slice`, `float`), evaluation, and the operations on a
 * PyProxy that are not Python attributes (`toJS`, `destroy`, `getItem`, `len`, ...). Usable after
 * {@link initialize} on the thread that initialised.
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
   * What the running interpreter is, asked of it now (reticulate's `py_config()`).
   * @returns a {@link PyRuntimeConfig}; imports numpy (when installed) to report its version.
   * @throws PythonError when the interpreter cannot answer (it always can unless sys is broken).
   */
  config(): PyRuntimeConfig;
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
   * `readOnly: "share"`); see {@link PyBuffer}.
   * @throws TypeError for a non-PyProxy, unsupported formats or options; PythonError when the object has no buffer.
   */
  getBuffer(obj: PyProxy, options?: GetBufferOptions): PyBuffer;
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

/** The running interpreter, as {@link Tspy.config} reports it (reticulate's `py_config()`). */
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
    const c = n.getItem(handleOf(g), "_config", true) as PyProxy;
    try {
      const out = n.toJS(handleOf(c), Infinity, false) as Omit<PyRuntimeConfig, "libpython">;
      const lib = loaderMod?.loadedPython() ?? loadedConfig?.libpython ?? "";
      return { ...out, libpython: realpathOr(lib) };
    } finally {
      releaseProxy(c);
    }
  } finally {
    releaseProxy(g);
  }
}

/** What `tspy.with(cm)` returns: the `__enter__` result and a dispose that calls `__exit__`. */
export interface PyContext {
  /** The result of `cm.__enter__()` (converted Python -> JS). */
  readonly value: any;
  /** Calls `cm.__exit__(None, None, None)` once; later calls do nothing. @throws PythonError. */
  [Symbol.dispose](): void;
}

/** Options of {@link Tspy.subclass}. */
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
  if (!isPyProxy(globals)) throw new TypeError("globals must be a PyProxy of a dict (e.g. tspy.globals)");
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
  if (!isPyProxy(cm)) throw new TypeError("tspy.with: expected a PyProxy of a context manager");
  const h = handleOf(cm);
  if (!n.hasAttr(h, "__enter__") || !n.hasAttr(h, "__exit__")) {
    throw new TypeError(`tspy.with: '${n.typeName(h)}' object does not support the context manager protocol`);
  }
  const enter = cm.__enter__ as PyProxy;
  const exit = cm.__exit__ as PyProxy;
  let value: unknown;
  try {
    value = enter();
  } catch (e) {
    releaseProxy(exit);
    throw e;
  } finally {
    releaseProxy(enter);
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
          releaseProxy(exit);
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
      if (exc !== (e as PythonError).exception) releaseProxy(exc);
      releaseProxy(exit);
    }
    if (suppress) return undefined;
    throw e;
  }
  try {
    exit(null, null, null);
  } finally {
    releaseProxy(exit);
  }
  return result;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
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

/** The members of {@link tspy}: name -> maker of the value, given the loaded addon. */
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
  [
    "subclass",
    (n) => (base: PyProxy | PyProxy[], methods: object, options?: SubclassOptions) => {
      const bases = Array.isArray(base) ? base : [base];
      if (bases.length === 0 || !bases.every(isPyProxy)) throw new TypeError("tspy.subclass: base must be a class PyProxy or an array of them");
      if (methods === null || typeof methods !== "object") throw new TypeError("tspy.subclass: methods must be an object of functions or a class prototype");
      // A plain object gives its own enumerable keys; a class prototype its own methods.
      const isPrototype = Object.hasOwn(methods, "constructor") && typeof (methods as { constructor: unknown }).constructor === "function";
      const keys = isPrototype ? Object.getOwnPropertyNames(methods).filter((k) => k !== "constructor") : Object.keys(methods);
      const fns = new Map<string, (...args: unknown[]) => unknown>();
      for (const k of keys) {
        const f = Object.getOwnPropertyDescriptor(methods, k)?.value as unknown;
        if (typeof f !== "function") throw new TypeError(`tspy.subclass: method ${k} is not a function`);
        fns.set(k, f as (...args: unknown[]) => unknown);
      }
      const name = options?.name ?? "TsSubclass";
      if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError("tspy.subclass: name must be a Python identifier");
      if (basePrototypeOf(n, bases[0]) === undefined) throw new TypeError("tspy.subclass: base must be a Python class");
      const Base = bases[0] as unknown as new (...args: unknown[]) => object;
      const C = class extends Base {};
      Object.defineProperty(C, "name", { value: name });
      for (const [k, f] of fns) if (k !== "__init__") Object.defineProperty(C.prototype, k, { value: f, writable: true, configurable: true });
      for (const [k, v] of Object.entries(options?.attrs ?? {}))
        Object.defineProperty(C, k, { value: v, writable: true, enumerable: true, configurable: true });
      subclassExtras.set(C, { bases: bases.slice(1), init: fns.get("__init__") });
      const cls = pyClassFor(n, C);
      try {
        return n.tspyCall("_ts_ident", [cls], true);
      } finally {
        releaseProxy(cls);
      }
    },
  ],
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
  ["config", (n) => () => pyConfig(n)],
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
  ["destroy", (n) => (obj: unknown) => (isTsInstance(obj) ? destroyTsInstance(obj as object) : n.release(proxyArg("destroy", obj)))],
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

/** The Python side: `__main__`'s namespace; see {@link Py}. */
export const py: Py = new Proxy({} as Py, {
  get(_t, prop) {
    if (typeof prop === "symbol") {
      if (prop === util.inspect.custom) return () => "[tspy py]";
      return undefined;
    }
    const quiet = QUIET_ATTRIBUTES.has(prop);
    const v = requirePy().getGlobal(prop, !quiet);
    return v === ABSENT ? undefined : v;
  },
  set(_t, prop, value) {
    if (typeof prop === "symbol") return false;
    requirePy().setGlobal(prop, value);
    return true;
  },
  has(_t, prop) {
    if (typeof prop === "symbol") return false;
    return requirePy().hasGlobal(prop);
  },
  deleteProperty(_t, prop) {
    if (typeof prop === "symbol") return false;
    const n = requirePy();
    if (!n.delGlobal(prop)) n.getGlobal(prop, true); // throws NameError naming it
    return true;
  },
});

/** Made members of {@link tspy}, valid for the addon they were made with (`globals` is never kept: a new proxy each read). */
const tspyMade = new Map<string, unknown>();
let tspyMadeFor: NativeModule | undefined;

/**
 * The bridge's API, apart from Python's names; see {@link Tspy}. Reading a member that does not
 * exist throws TypeError (the names JavaScript probes, {@link QUIET_ATTRIBUTES}, read as undefined).
 */
export const tspy: Tspy = new Proxy({} as Tspy, {
  get(_t, prop) {
    if (typeof prop === "symbol") {
      if (prop === util.inspect.custom) return () => "[tspy]";
      return undefined;
    }
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
    return typeof prop === "string" && TSPY_MEMBERS.has(prop);
  },
  deleteProperty() {
    return false;
  },
});
