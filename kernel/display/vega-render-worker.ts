// The render thread of vega-render.ts: loads vega and vega-lite (ESM-only) once and answers each
// request with an SVG string. Knows the request/reply shapes, nothing of the kernel.
import { workerData, parentPort } from "node:worker_threads";
import type { RenderReply, RenderRequest, RenderThreadData } from "./vega-render";

const { signal, port } = workerData as RenderThreadData;
const flag = new Int32Array(signal);
const libraries = Promise.all([import("vega"), import("vega-lite")]);

async function render(spec: unknown): Promise<string> {
  const [vega, vegaLite] = await libraries;
  // Warnings (a v5 $schema under vega-lite 6, an unused encoding) must not reach the cell's output.
  const quiet = vega.logger(vega.None);
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0], { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

parentPort!.on("message", (request: RenderRequest) => {
  render(request.spec)
    .then(
      (svg): RenderReply => ({ id: request.id, svg }),
      (err: unknown): RenderReply => ({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
    )
    .then((reply) => {
      port.postMessage(reply);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
