// Awaiting Python from TS: `await proxy`, awaitPython and `for await`, on the bridge's asyncio loop.
// Knows nothing of how proxies are made.
import { PythonError } from "./errors.js";
import { handleOf, isPyProxy, type PyProxy, releaseProxy } from "./proxy-core.js";
import { type PyHandle, requireNative, requirePy } from "./state.js";

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

/** The `then` of a PyProxy: awaitPython for an awaitable, else undefined (so `await p` gives p). */
export function thenOf(
  h: PyHandle,
  self: PyProxy,
): ((onFulfilled?: (v: any) => unknown, onRejected?: (e: unknown) => unknown) => Promise<unknown>) | undefined {
  let awaitable = false;
  try {
    awaitable = requirePy().isAwaitable(h);
  } catch {
    return undefined; // destroyed, or not on the Python thread: not a thenable
  }
  if (!awaitable) return undefined;
  return (onFulfilled, onRejected) => awaitPython(self).then(onFulfilled, onRejected);
}

/** `for await (const x of p)`: steps `__anext__()` on the bridge loop until StopAsyncIteration. */
export async function* asyncIterate(self: PyProxy): AsyncGenerator<any, void, undefined> {
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
