// The JS Proxy traps that make a Python object look like a JS value (attributes, calls, `await`,
// iteration, `class X extends <class proxy>`) and makeProxy, the addon's hook that wraps a handle.
// The PyProxy type and its handle live in proxy-core.ts; TS classes in ts-classes.ts.
import * as util from "node:util";
import { asyncIterate, thenOf } from "./awaiting.js";
import { PyKwargs } from "./markers.js";
import {
  bindDirect,
  handleOf,
  isPyProxy,
  iterate,
  type ProxyTarget,
  type PyProxy,
  QUIET_ATTRIBUTES,
  registerProxy,
  releaseHandle,
  releaseProxy,
} from "./proxy-core.js";
import { recordProxy } from "./proxy-debug.js";
import { ABSENT, HANDLE, type PyHandle, requireNative } from "./state.js";
import { basePrototypeOf, constructTsInstance, pyClassFor, tsInstanceHandle } from "./ts-classes.js";

const proxyHandler: ProxyHandler<ProxyTarget> = {
  get(target, prop, receiver) {
    const h = target[HANDLE];
    if (typeof prop === "symbol") {
      if (prop === HANDLE) return h;
      const n = requireNative();
      if (prop === Symbol.iterator) return () => iterate(n, h);
      if (prop === Symbol.asyncIterator) return () => asyncIterate(receiver as PyProxy);
      if (prop === Symbol.dispose) return () => releaseHandle(n, h);
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
export function makeProxy(h: PyHandle, callable: boolean): PyProxy {
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
  registerProxy(proxy);
  recordProxy(h as object);
  return proxy;
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
