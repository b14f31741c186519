// Shared set-up for the bridge tests: initialise the real CPython once per test file and check
// after every test that no Python reference or JS reference leaked.
import assert from "node:assert/strict";
import { afterEach, beforeEach } from "node:test";
import { initialize, liveJsRefCount, liveProxyCount, type Py, tspy } from "../../bridge/lib/index.js";

/** Runs Python's cyclic GC and JS's GC (needs --expose-gc) and lets finalizers run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    tspy.exec("import gc as _gc; _gc.collect(); del _gc");
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Initialises Python (on this, the test file's main thread) and registers hooks asserting that
 * liveProxyCount() and liveJsRefCount() are back at their start values after each test.
 */
export function useBridge(): Py {
  const p = initialize();
  let proxies = 0;
  let jsRefs = 0;
  beforeEach(async () => {
    await settle();
    proxies = liveProxyCount();
    jsRefs = liveJsRefCount();
  });
  afterEach(async () => {
    await settle();
    assert.equal(liveProxyCount(), proxies, "a PyProxy or buffer view leaked a Python reference");
    assert.equal(liveJsRefCount(), jsRefs, "a Python object leaked a JS reference");
  });
  return p;
}
