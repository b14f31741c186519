// Shared set-up for the bridge tests: initialise the real CPython once per test file and check
// after every test that no Python reference or JS reference leaked, naming where a leaked
// PyProxy or buffer view was made.
import assert from "node:assert/strict";
import { afterEach, beforeEach } from "node:test";
import { initialize, liveJsRefCount, liveProxyCount, liveProxySites, type Py, type ProxySite, setProxyDebug, tspy } from "../../bridge/lib/index.js";

/** Runs Python's cyclic GC and JS's GC (needs --expose-gc) and lets finalizers run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    tspy.exec("import gc as _gc; _gc.collect(); del _gc");
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The leak check's message: how many references the test left, counted before garbage collection
 * (as Pyodide's harness counts) and after it, and where each PyProxy or view still live after
 * collection was made (sites made before the test, in `known`, left out).
 */
export function leakReport(before: number, after: number, start: number, sites: ProxySite[], known: ReadonlySet<number>): string {
  const made = sites.filter((s) => !known.has(s.serial));
  const where = made.length === 0 ? " (no creation site recorded)" : `; still live, made at:\n${made.map((s) => `- ${s.kind}\n${s.stack}`).join("\n")}`;
  return `a PyProxy or buffer view leaked a Python reference: ${before - start} more live at the end of the test, ${after - start} after garbage collection${where}`;
}

/**
 * Initialises Python (on this, the test file's main thread), turns on creation-site recording
 * (setProxyDebug) and registers hooks asserting that liveProxyCount() and liveJsRefCount() are
 * back at their start values after each test and garbage collection; a leaked proxy's message
 * names the line that made it.
 */
export function useBridge(): Py {
  const p = initialize();
  setProxyDebug(true);
  let proxies = 0;
  let jsRefs = 0;
  let known = new Set<number>();
  beforeEach(async () => {
    await settle();
    proxies = liveProxyCount();
    jsRefs = liveJsRefCount();
    known = new Set(liveProxySites().map((s) => s.serial));
  });
  afterEach(async () => {
    const before = liveProxyCount();
    await settle();
    const after = liveProxyCount();
    if (after !== proxies) assert.equal(after, proxies, leakReport(before, after, proxies, liveProxySites(), known));
    assert.equal(liveJsRefCount(), jsRefs, "a Python object leaked a JS reference");
  });
  return p;
}
