// Hand-written declarations of the raw tspy_bridge.node / tspy_loader.node exports. Only
// bridge/lib/*.ts use these; they validate every argument first (the C++ trusts its input).
import type { BufferTypedArray } from "../../kernel/contracts/dtypes.js";

declare const handleBrand: unique symbol;
/** An owned Python reference (a napi External of a PyHandle). Released by `release()` or GC. */
export type PyHandle = { readonly [handleBrand]: "PyHandle" };

declare const tokenBrand: unique symbol;
/** Identifies one exported Py_buffer (a napi External of a BufferHolder), for `releaseBuffer`. */
export type BufferToken = { readonly [tokenBrand]: "BufferToken" };

/** What TS gives the addon once per thread (`setup`). */
export interface Hooks {
  /** Wraps a handle (owning a new reference) in a PyProxy; `callable` is callable(obj) (such
   *  proxies call through `callDirect` bound to the handle). */
  makeProxy(handle: PyHandle, callable: boolean): unknown;
  /** The TS instance of a Python instance made through a TS class (python2js): `py` is an
   *  unshared PyProxy of it (owned by the hook), `fields` the JS object of its TS fields. */
  tsInstance(py: unknown, fields: unknown): unknown;
  /** Builds the PythonError thrown for a Python exception (`traceback`: format_exception lines;
   *  `exception`: a PyProxy of the exception object, or null when it could not be made). */
  makeError(type: string, value: string, traceback: string[], exception: unknown): unknown;
  /** Class whose instances convert to Python float (`value: number`). */
  PyFloat: abstract new (...args: never[]) => { readonly value: number };
  /** Class of the kwargs marker (rejected by the converter outside a call's last argument). */
  PyKwargs: abstract new (...args: never[]) => unknown;
  /** Class of the slice marker (`start`, `stop`, `step`; converted to a Python slice). */
  PySlice: abstract new (...args: never[]) => { readonly start: unknown; readonly stop: unknown; readonly step: unknown };
  /** The symbol under which a PyProxy answers its handle. */
  handleKey: symbol;
  /** The symbol under which a PythonError keeps the PyProxy of its exception (thrown back into
   *  Python, that exception object is raised again). */
  errorKey: symbol;
  /** Sentinel returned for "no such attribute/item/global" and "iterator exhausted". */
  absent: object;
  /** `Object.prototype`: objects with it (or a null prototype) convert to dict. */
  objectPrototype: object;
  /** JSON describing a JS function for Python (tspy.JsFunction's __signature__, __name__,
   *  __qualname__, __doc__): see bridge/lib/signature.ts. `self` is the object it was read from. */
  describeFunction(fn: (...args: never[]) => unknown, self: unknown): string;
}

/** The raw record returned by `getBuffer` (buffers.ts adds `release()`). */
export interface RawBuffer {
  /** TypedArray over the memory from the lowest- to the highest-addressed element (its kind by the dtype table). */
  data: BufferTypedArray;
  /** Elements per dimension. */
  shape: number[];
  /** Bytes between neighbours per dimension (may be negative). */
  strides: number[];
  /** Byte offset of element [0, ..., 0] from the start of `data`. */
  offset: number;
  /** numpy's dtype name, by the dtype table (kernel/contracts/dtypes.ts). */
  dtype: string;
  /** struct-module format string as the exporter gave it. */
  format: string;
  /** Bytes per element. */
  itemsize: number;
  /** True when the exporter's memory is read-only. */
  readonly: boolean;
  /** True when the object had no buffer protocol and was read through DLPack (numpy.from_dlpack). */
  dlpack: boolean;
  /** Absent for an empty buffer (nothing to release). */
  token?: BufferToken;
}

// ---- tspy_loader.node ----
export interface Loader {
  /** dlopen(path, RTLD_NOW | RTLD_GLOBAL); throws Error with dlerror()'s text. */
  loadLibrary(path: string): void;
  /** The file of the libpython serving the process's global symbols (dladdr of Py_IsInitialized), or null. */
  loadedPython(): string | null;
}

// ---- tspy_bridge.node: lifetime, any thread ----
export function setup(hooks: Hooks): void;
/**
 * Initialises CPython on this thread with program name `executable`, then runs the bridge's Python
 * half (`bootstrapSource`, the text of bridge/src/tspy_bootstrap.py, compiled as `bootstrapPath`);
 * throws on another thread, or when CPython or the bootstrap fails.
 */
export function initialize(executable: string, bootstrapSource: string, bootstrapPath: string): void;
export function isInitialized(): boolean;
export function initializedHere(): boolean;
export function interrupt(): void;
export function clearInterrupt(): void;
/** Asks the executor to terminate the TS it runs under runTerminable (V8 TerminateExecution). Any thread. */
export function requestTermination(): boolean;
/** Calls fn(); when a requested termination stopped it, cancels it and returns onTerminated(). Executor thread. */
export function runTerminable<T>(fn: () => T, onTerminated: () => T): T;
/** Ends the process with `code` through _exit(2) (no atexit handlers or destructors). Any thread. */
export function exitProcess(code: number): never;
export function liveProxyCount(): number;
export function liveJsRefCount(): number;
export function setNamespace(get: (name: string) => unknown, set: (name: string, value: unknown) => void, keys: () => string[]): void;

// ---- tspy_bridge.node: Python operations, only on the thread that initialised ----
export function release(h: PyHandle): void;
export function drain(): void;
export function importModule(name: string): unknown;
export function exec(code: string, globals: PyHandle | null): void;
export function eval(code: string, globals: PyHandle | null): unknown;
export function mainDict(): unknown;
export function getGlobal(name: string, loud: boolean): unknown;
export function setGlobal(name: string, value: unknown): void;
export function delGlobal(name: string): boolean;
export function hasGlobal(name: string): boolean;
export function getAttr(h: PyHandle, name: string, loud: boolean): unknown;
export function setAttr(h: PyHandle, name: string, value: unknown): void;
export function delAttr(h: PyHandle, name: string): void;
export function hasAttr(h: PyHandle, name: string): boolean;
export function call(h: PyHandle, args: unknown[], kwargs: Record<string, unknown> | null): unknown;
/** Calls the object of the handle bound as `this` (`callDirect.bind(h)(...args)`); a PyKwargs
 *  marker as the last argument gives keyword arguments. Result converted like `call`'s. */
export function callDirect(this: PyHandle, ...args: unknown[]): unknown;
export function getItem(h: PyHandle, key: unknown, loud: boolean): unknown;
export function setItem(h: PyHandle, key: unknown, value: unknown): void;
export function delItem(h: PyHandle, key: unknown): void;
export function contains(h: PyHandle, key: unknown): boolean;
export function str(h: PyHandle): string;
export function repr(h: PyHandle): string;
export function typeName(h: PyHandle): string;
export function len(h: PyHandle): number;
export function isCallable(h: PyHandle): boolean;
/** An unshared PyProxy of iter(obj) (never the identity-shared proxy of obj). */
export function iter(h: PyHandle): unknown;
export function next(h: PyHandle): unknown;
/** Deep conversion down to `depth` levels; dicts become Maps when `dictAsMap`. */
export function toJS(h: PyHandle, depth: number, dictAsMap: boolean): unknown;
/** isinstance(obj, cls) with cls converted JS -> Python. */
export function isInstance(h: PyHandle, cls: unknown): boolean;
/** PyProxy of type(value) (value converted JS -> Python first). */
export function typeOf(value: unknown): unknown;
/** Whether type(obj) implements __await__. */
export function isAwaitable(h: PyHandle): boolean;
/** tspy.<name>(*args): scalars converted, other results a PyProxy, identity-shared only when `shared`. */
export function tspyCall(name: string, args: unknown[], shared: boolean): unknown;
export function tuple(items: unknown[]): unknown;
export function toPython(value: unknown): unknown;
export function dir(h: PyHandle): string[];
export function getBuffer(h: PyHandle): RawBuffer;
export function releaseBuffer(token: BufferToken, buffer: ArrayBufferLike): void;
/** Address of the first byte of the memory of a TypedArray / DataView / ArrayBuffer (any thread, no Python needed). */
export function address(view: ArrayBufferView | ArrayBufferLike): bigint;
