// TS classes over Python classes (`class CB extends keras.callbacks.Callback`, tspy.subclass): the
// Python class made for a TS class, TS instances over Python instances. Knows nothing of the Proxy
// traps of plain PyProxies (pyproxy.ts calls in here from a class proxy's `construct` and `get`).
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

import * as util from "node:util";
import { PyKwargs } from "./markers.js";
import { handleOf, isPyProxy, iterate, type PyProxy, QUIET_ATTRIBUTES, releaseProxy } from "./proxy-core.js";
import { ABSENT, HANDLE, type NativeModule, type PyHandle, requireNative } from "./state.js";

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
export function tsInstanceHandle(v: unknown): PyHandle | undefined {
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
export function tsInstanceHook(py: PyProxy, fields: Record<PropertyKey, unknown>): object {
  const live = instancesByFields.get(fields)?.deref();
  if (live !== undefined && pairOf(live)?.py !== undefined) {
    releaseProxy(py);
    return live;
  }
  return makeTsInstance(py, fields);
}

/** Releases a TS instance's Python instance now (tspy.destroy); later use of it throws. */
export function destroyTsInstance(v: object): void {
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
export function pyClassFor(n: NativeModule, ctor: object): PyProxy {
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
export function constructTsInstance(n: NativeModule, newTarget: object, args: unknown[]): object {
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

/** The base prototype of a class PyProxy (see the file's comment); undefined for a non-class. */
export function basePrototypeOf(n: NativeModule, cls: PyProxy): object | undefined {
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

/** Options of {@link Tspy.subclass}. */
export interface SubclassOptions {
  /** The class's `__name__` (default "TsSubclass"). */
  name?: string;
  /** Class attributes besides the methods (converted JS -> Python). */
  attrs?: Record<string, unknown>;
}

/** `tspy.subclass(base, methods, options)` (see Tspy.subclass): a TS class over `base`, made into its Python class. */
export function makeSubclass(n: NativeModule, base: PyProxy | PyProxy[], methods: object, options?: SubclassOptions): unknown {
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
  for (const [k, v] of Object.entries(options?.attrs ?? {})) Object.defineProperty(C, k, { value: v, writable: true, enumerable: true, configurable: true });
  subclassExtras.set(C, { bases: bases.slice(1), init: fns.get("__init__") });
  const cls = pyClassFor(n, C);
  try {
    return n.tspyCall("_ts_ident", [cls], true);
  } finally {
    releaseProxy(cls);
  }
}
