// What every part of bridge/lib needs to know of a PyProxy: its type, its handle, telling one
// apart, releasing it, iterating it. Knows nothing of the Proxy traps (pyproxy.ts) that make one.
import { recordRelease } from "./proxy-debug.js";
import { ABSENT, HANDLE, type NativeModule, type PyHandle, requireNative } from "./state.js";

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

/** The target of a PyProxy's JS Proxy: it keeps the handle under {@link HANDLE}. */
export type ProxyTarget = { [HANDLE]: PyHandle };

/** Every PyProxy made in this thread (see registerProxy). */
const proxies = new WeakSet<object>();

/** True when `v` is a {@link PyProxy}. */
export function isPyProxy(v: unknown): v is PyProxy {
  return typeof v === "function" && proxies.has(v);
}

/** Releases the Python reference of a PyProxy now (internal; the public form is tspy.destroy). */
export function releaseProxy(p: PyProxy): void {
  releaseHandle(requireNative(), handleOf(p));
}

/** The handle (owned reference) a PyProxy wraps. */
export function handleOf(p: PyProxy): PyHandle {
  return (p as unknown as ProxyTarget)[HANDLE];
}

/** Python iteration over the object of `h`: yields converted values, releases the iterator at the end. */
export function* iterate(n: NativeModule, h: PyHandle): Generator<any, void, undefined> {
  const it = n.iter(h) as PyProxy;
  const ih = handleOf(it);
  try {
    for (;;) {
      const v = n.next(ih);
      if (v === ABSENT) return;
      yield v;
    }
  } finally {
    releaseHandle(n, ih);
  }
}

/** Marks `proxy` as a PyProxy for {@link isPyProxy} (pyproxy.ts's makeProxy calls it once per proxy). */
export function registerProxy(proxy: object): void {
  proxies.add(proxy);
}

/** Releases the reference `h` owns now (every release made by bridge/lib goes through here, for proxy-debug.ts). */
export function releaseHandle(n: NativeModule, h: PyHandle): void {
  n.release(h);
  recordRelease(h);
}

/**
 * The string keys JavaScript's own machinery probes on any object: `then` (await, Promise
 * resolution), `toJSON` (JSON.stringify), `constructor`, `$$typeof` (React, pretty-format),
 * `asymmetricMatch` (test matchers), `nodeType` (DOM checks). On a PyProxy (and on {@link py})
 * they read as undefined when Python has no such attribute (global) instead of throwing; every
 * other missing name throws PythonError AttributeError (NameError). Documented in bridge/README.md.
 */
export const QUIET_ATTRIBUTES: ReadonlySet<string> = new Set(["then", "toJSON", "constructor", "$$typeof", "asymmetricMatch", "nodeType"]);

const bindCall = Function.prototype.bind;
/** The addon's `callDirect` bound to `h`: a plain function calling the object of `h`. */
export function bindDirect(direct: NativeModule["callDirect"], h: PyHandle): (...args: unknown[]) => unknown {
  return bindCall.call(direct, h) as (...args: unknown[]) => unknown;
}
