// The tspy operations that are more than one addon call: toPy (deep JS -> Python with Map and
// Set) and `with` (context managers). Knows nothing of how proxies are made.
import { PythonError } from "./errors.js";
import { handleOf, isPyProxy, type PyProxy, releaseProxy } from "./proxy-core.js";
import { requirePy } from "./state.js";

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

/** What `tspy.with(cm)` returns: the `__enter__` result and a dispose that calls `__exit__`. */
export interface PyContext {
  /** The result of `cm.__enter__()` (converted Python -> JS). */
  readonly value: any;
  /** Calls `cm.__exit__(None, None, None)` once; later calls do nothing. @throws PythonError. */
  [Symbol.dispose](): void;
}

/** `tspy.with(cm)` / `tspy.with(cm, body)`: see Tspy.with. */
export function pyWith(cm: PyProxy): PyContext;
export function pyWith<R>(cm: PyProxy, body: (value: any) => R): R | undefined;
export function pyWith<R>(cm: PyProxy, body?: (value: any) => R): PyContext | R | undefined {
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

/** True for an object whose prototype is Object.prototype or null (what converts to a dict). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
