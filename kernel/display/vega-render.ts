// Static fallbacks of Vega-Lite charts: an SVG rendered by vega's own headless renderer, for
// nbconvert, GitHub and VS Code. Owns the render thread; knows nothing of messages or Python.
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

/** How long {@link vegaLiteToSvg} waits for one chart, in ms (the first one also loads vega: about 2 s on a busy 2-core machine). */
export const RENDER_TIMEOUT_MS = 60_000;

/** A request to the render thread: a Vega-Lite spec to render as SVG. */
export interface RenderRequest {
  id: number;
  spec: unknown;
}

/** The render thread's answer to the request `id`: the SVG document, or why vega could not render it. */
export type RenderReply = { id: number; svg: string } | { id: number; error: string };

/** What the render thread is started with: the flag it raises after each reply (Int32 0 → 1) and the port it replies on. */
export interface RenderThreadData {
  signal: SharedArrayBuffer;
  port: MessagePort;
}

/** The render thread's handles, made on the first chart. */
interface RenderThread {
  worker: Worker;
  flag: Int32Array;
  replies: MessagePort;
}

let thread: RenderThread | undefined;
let nextRequest = 0;

function startThread(): RenderThread {
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const data: RenderThreadData = { signal, port: port2 };
  const worker = new Worker(path.join(__dirname, "vega-render-worker.js"), { workerData: data, transferList: [port2] });
  // The thread never keeps the kernel alive, and if it dies the next chart starts a new one.
  worker.unref();
  worker.on("error", () => (thread = undefined));
  worker.on("exit", () => (thread = undefined));
  return { worker, flag: new Int32Array(signal), replies: port1 };
}

/**
 * Renders a Vega-Lite spec to an SVG document with vega's headless renderer (`vega-lite`'s
 * `compile`, then `new vega.View(..., { renderer: "none" }).toSVG()`), synchronously: the
 * render runs on its own thread (vega is ESM-only and its `toSVG` is async) while the calling
 * thread waits on a shared flag, so a cell's display keeps its place among the cell's outputs.
 * The thread and vega are loaded on the first call; later charts take tens of ms.
 * @param spec a Vega-Lite spec (v5 or v6; data inline or from a URL vega's loader can read).
 * @param timeoutMs how long to wait, in ms.
 * @returns the SVG document (`<svg ...>...</svg>`).
 * @throws Error naming vega's message when the spec does not compile or render, or when no SVG came within `timeoutMs`.
 */
export function vegaLiteToSvg(spec: unknown, timeoutMs: number = RENDER_TIMEOUT_MS): string {
  thread ??= startThread();
  const { worker, flag, replies } = thread;
  const id = ++nextRequest;
  Atomics.store(flag, 0, 0);
  const request: RenderRequest = { id, spec };
  worker.postMessage(request);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A reply left over from a wait that an interrupt cut short has another id: drop it.
    for (let m = receiveMessageOnPort(replies); m; m = receiveMessageOnPort(replies)) {
      const reply = m.message as RenderReply;
      if (reply.id !== id) continue;
      if ("error" in reply) throw new Error(`Vega-Lite could not render the chart: ${reply.error}`);
      return reply.svg;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`Vega-Lite rendering gave no SVG within ${timeoutMs} ms`);
    Atomics.wait(flag, 0, 0, left);
    Atomics.store(flag, 0, 0);
  }
}
