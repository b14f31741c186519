// Where live proxies were made: in debug mode (TSPY_DEBUG_PROXIES=1 or setProxyDebug(true)) each
// PyProxy handle and shared buffer view made in this thread records the JS stack that made it, so
// a leak check can name the line that leaked. Off, each hook costs one boolean check. Imports nothing.

/** Where one live PyProxy or shared buffer view was made (see {@link liveProxySites}). */
export interface ProxySite {
  /** "PyProxy" or "buffer view". */
  readonly kind: "PyProxy" | "buffer view";
  /** The JS stack at creation ("    at f (file:line:col)" lines), without bridge/lib's own frames. */
  readonly stack: string;
  /** Increases with each record in this thread: tells sites made before a point from those after. */
  readonly serial: number;
}

/**
 * A record and the weak reference (to the handle or the view's `data`) whose collection ends it.
 * The stack is formatted at once: V8's unformatted frames would hold their receivers (a TS
 * instance, say) and so could keep alive the very handle whose collection ends the record.
 */
interface Site extends ProxySite {
  readonly ref: WeakRef<object>;
}

let enabled = process.env.TSPY_DEBUG_PROXIES === "1";
/** Live records by handle or buffer `data`; a FinalizationRegistry drops the collected ones. */
const sites = new Map<number, Site>();
const ids = new WeakMap<object, number>();
let nextId = 1;
const collected = new FinalizationRegistry<number>((id) => sites.delete(id));

/**
 * Turns creation-site recording on or off for this thread (default: on when the environment
 * variable `TSPY_DEBUG_PROXIES` is "1"). Only proxies and views made while it is on are reported by
 * {@link liveProxySites}. Costs a formatted stack capture (20 frames) per proxy while on.
 */
export function setProxyDebug(on: boolean): void {
  if (typeof on !== "boolean") throw new TypeError("setProxyDebug: on must be a boolean");
  enabled = on;
  if (!on) sites.clear();
}

/** Frames of bridge/lib itself (compiled or source), left out of recorded stacks. */
const OWN_FRAME = /[\\/]bridge[\\/]lib[\\/][^\\/]+\.[jt]s:/;

function record(kind: ProxySite["kind"], key: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  const trace: { stack?: string } = {};
  Error.captureStackTrace(trace, record);
  Error.stackTraceLimit = limit;
  const frames = (trace.stack ?? "").split("\n").slice(1);
  const outside = frames.filter((l) => !OWN_FRAME.test(l));
  const stack = (outside.length > 0 ? outside : frames).slice(0, 8).join("\n");
  const id = nextId++;
  ids.set(key, id);
  sites.set(id, { kind, stack, serial: id, ref: new WeakRef(key) });
  collected.register(key, id, key);
}

function forget(key: object): void {
  const id = ids.get(key);
  if (id === undefined) return;
  ids.delete(key);
  sites.delete(id);
  collected.unregister(key);
}

/** Hook of makeProxy: a PyProxy over `handle` was made. */
export function recordProxy(handle: object): void {
  if (enabled) record("PyProxy", handle);
}

/** Hook of every release made by bridge/lib: the reference of `handle` was released. */
export function recordRelease(handle: object): void {
  if (enabled) forget(handle);
}

/** Hook of getBuffer: a shared (not copied) view over `data` was exported. */
export function recordBuffer(data: object): void {
  if (enabled) record("buffer view", data);
}

/** Hook of PyBuffer.release(). */
export function recordBufferRelease(data: object): void {
  if (enabled) forget(data);
}

/**
 * The creation sites of the PyProxies and shared buffer views made in this thread in debug mode
 * (see {@link setProxyDebug}) that are neither released nor garbage collected yet, oldest first.
 * Empty when debug mode is off. Run the garbage collectors first to see only what nothing will
 * ever release (a test's leak check does).
 */
export function liveProxySites(): ProxySite[] {
  const out: ProxySite[] = [];
  for (const [id, s] of sites) {
    if (s.ref.deref() === undefined) sites.delete(id);
    else out.push({ kind: s.kind, stack: s.stack, serial: s.serial });
  }
  return out;
}
