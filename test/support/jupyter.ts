// Shared by the tests that start a real Jupyter Server / JupyterLab and drive it from Node or from
// headless Chromium: free ports, waiting for the server, the browser's launch settings.
import * as net from "node:net";

/** Debian's chromium (.ci/run installs it); playwright-core never downloads a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for headless Chromium on these machines: no sandbox (root), no GPU, no background network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * Resolves when the Jupyter Server at `baseUrl` (ending in "/") answers /api/status with `token`.
 * @param timeoutMs how long to wait, ms.
 * @param log returns the server's output so far, for the error message.
 * @throws Error naming the server's output when it does not answer in time.
 */
export async function waitForJupyter(baseUrl: string, token: string, timeoutMs: number, log: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Jupyter Server at ${baseUrl} did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
