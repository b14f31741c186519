// Shared by the tests that start a real Jupyter Server / JupyterLab and drive it from Node or from
// headless Chromium: free ports, starting and waiting for the server, the browser's launch settings.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import * as path from "node:path";
import { ServerConnection } from "@jupyterlab/services";
import WebSocket from "ws";
import { DEFAULT_VENV } from "../../python-env/config";
import { findChromium } from "./chromium";

/**
 * The Chromium the browser tests drive (see chromium.ts: TSPY_CHROMIUM or PATH; `npm test` installs
 * Debian's package when there is none); playwright-core never downloads a browser.
 */
export const CHROMIUM = findChromium() ?? "chromium";

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

/** A Jupyter Server started by {@link startJupyterServer}: how @jupyterlab/services reaches it, and how to stop it. */
export interface RunningJupyterServer {
  /** Base URL, token and a Node WebSocket, for KernelManager, KernelSpecManager and friends. */
  settings: ServerConnection.ISettings;
  /** The server's output so far (last 20,000 characters). */
  log(): string;
  /** Stops the server (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts the default environment's `jupyter server` on a free port of 127.0.0.1 with a random token
 * (no browser, no port retries), serving `rootDir`, and waits until it answers (60 s at most).
 * @param extraArgs more `jupyter server` options (e.g. `--gateway-url=...`).
 * @throws Error with the server's output when it does not answer in time.
 */
export async function startJupyterServer(rootDir: string, extraArgs: string[] = []): Promise<RunningJupyterServer> {
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const args = [
    "server",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.root_dir=${rootDir}`,
    ...extraArgs,
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const server = spawn(path.join(DEFAULT_VENV, "bin", "jupyter"), args, {
    env: { ...process.env, JUPYTER_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  };
  const baseUrl = `http://127.0.0.1:${port}/`;
  try {
    await waitForJupyter(baseUrl, token, 60_000, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  const settings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/`,
    token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    appendToken: true,
  });
  return { settings, log: () => output, stop };
}
