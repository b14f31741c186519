// Starts tspy's notebook app for a browser test: a scratch copy of examples/ (plus the test's own
// notebooks), `frontend/scripts/app.mjs` (Jupyter Server with a token, the built app as static
// files) on a free port, and headless Chromium. Knows nothing of what a test checks.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, freePort } from "./jupyter";

/** The repository's root (tests run from dist/test/...). */
export const ROOT = path.resolve(__dirname, "..", "..", "..");
/** Where browser tests leave screenshots. */
export const ARTIFACTS = path.join(ROOT, "test-artifacts");
const APP_SCRIPT = path.join(ROOT, "frontend", "scripts", "app.mjs");

/** A running app: its URL (with token), the notebooks folder it serves, a Chromium page, and how to stop it all. */
export interface RunningApp {
  /** `http://127.0.0.1:PORT/static/tspy/index.html?token=...` */
  url: string;
  /** The server's root: a scratch copy of examples/ plus the test's notebooks. */
  notebooks: string;
  page: Page;
  context: BrowserContext;
  /** Errors thrown in the page so far (pageerror events). */
  pageErrors: string[];
  /** The server's output so far (last 20,000 characters), across restarts. */
  log(): string;
  /**
   * Stops the Jupyter Server (its kernels die with it) and starts `app.mjs` again on the same port,
   * root, token and environment, as a user restarting `npm start` would; the page stays as it is.
   * @param whileDown run after the server has exited and before the new one starts.
   * @throws AssertionError when the new server listens elsewhere; Error when it does not print its URL in 60 s.
   */
  restartServer(whileDown?: () => Promise<void>): Promise<void>;
  /** Closes the browser, stops the server, removes the scratch folder. */
  stop(): Promise<void>;
}

/**
 * Starts the app over a scratch copy of examples/ and opens Chromium (not yet at the app's URL).
 * @param extraNotebooks file name -> nbformat JSON object written into the served folder.
 * @param viewport the page size, CSS pixels.
 * @throws AssertionError when Chromium or the built app is missing; Error when the server does not print its URL in 60 s.
 */
export async function startApp(extraNotebooks: Record<string, object> = {}, viewport = { width: 1200, height: 900 }): Promise<RunningApp> {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  assert.ok(fs.existsSync(path.join(ROOT, "frontend", "dist", "tspy", "index.html")), "the app is not built: npm run build --workspace frontend");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-app-"));
  const notebooks = path.join(scratch, "examples");
  fs.cpSync(path.join(ROOT, "examples"), notebooks, { recursive: true, filter: (src) => !src.includes(".ipynb_checkpoints") });
  for (const [name, nb] of Object.entries(extraNotebooks)) fs.writeFileSync(path.join(notebooks, name), JSON.stringify(nb, null, 1));
  const port = await freePort();
  const env = { ...process.env, HOME: scratch, JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"), TSPY_HISTORY_FILE: path.join(scratch, "history.jsonl") };
  let serverLog = "";
  const record = (text: string): void => {
    serverLog = (serverLog + text).slice(-20_000);
  };
  let server = await launchServer(port, notebooks, env, record);
  const url = server.url;
  const context = await chromium.launchPersistentContext(path.join(scratch, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url,
    notebooks,
    page,
    context,
    pageErrors,
    log: () => serverLog,
    restartServer: async (whileDown) => {
      await stopProcess(server.process);
      await whileDown?.();
      // app.mjs takes the token from JUPYTER_TOKEN, so the page's URL stays valid.
      const token = new URL(url).searchParams.get("token") ?? "";
      server = await launchServer(port, notebooks, { ...env, JUPYTER_TOKEN: token }, record);
      assert.equal(server.url, url, "the restarted server must listen at the same URL");
    },
    stop: async () => {
      await context.close();
      await stopProcess(server.process);
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Stops a server process started by {@link launchServer} (SIGTERM; app.mjs stops Jupyter Server and waits for it). */
async function stopProcess(server: ChildProcess): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
}

/**
 * Starts `frontend/scripts/app.mjs` and waits for it to print the app's URL.
 * @param port the port Jupyter Server should listen on.
 * @param root the server's root folder.
 * @param env the server's environment (JUPYTER_TOKEN there fixes the token).
 * @param onOutput receives the server's stdout and stderr as text.
 * @returns the process and the app's URL (with token).
 * @throws Error when the server exits or does not print its URL in 60 s (the process is stopped then).
 */
async function launchServer(
  port: number,
  root: string,
  env: NodeJS.ProcessEnv,
  onOutput: (text: string) => void,
): Promise<{ process: ChildProcess; url: string }> {
  const server: ChildProcess = spawn(process.execPath, [APP_SCRIPT, `--port=${port}`, `--root=${root}`], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
    onOutput(chunk.toString());
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /the notebook app is at (\S+)/.exec(output);
    if (m) return { process: server, url: m[1] };
    if (Date.now() > deadline || server.exitCode !== null) {
      await stopProcess(server);
      throw new Error(`the app's server did not print its URL:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * An nbformat 4.5 notebook for the tspy kernel with these cells.
 * @param cells [cell_type, source, id?] per cell; ids default to `c0`, `c1`, ...
 */
export function notebookOf(cells: ["code" | "markdown", string, string?][]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tspy", display_name: "TypeScript + Python", language: "typescript" } },
    cells: cells.map(([cellType, source, id], i) =>
      cellType === "code"
        ? { id: id ?? `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null }
        : { id: id ?? `c${i}`, cell_type: "markdown", source, metadata: {} },
    ),
  };
}

/**
 * Saves a full-page screenshot of the app to test-artifacts/<name>. Chromium paints sandboxed
 * (out-of-process) frames below the viewport blank in a full-page capture, so the viewport is
 * made as tall as the page (at most 16,000 CSS pixels) for the capture and restored after.
 * @param page the app's page.
 * @param name the file name, e.g. "app-digits.png".
 */
export async function screenshotApp(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1200, height: 900 };
  const height = await page.evaluate(
    () => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight,
  );
  await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 16_000) });
  // From the top (a sticky toolbar would otherwise be drawn where the page was scrolled to); let
  // the frames paint at the new size.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  await page.setViewportSize(viewport);
}

/** The app's cell whose nbformat id is `id` (its `data-cell-id`). */
export function cellOf(page: Page, id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

/**
 * Opens `name` from the notebook list at the app's URL, with autosave put off (an hour), so that
 * only the user's saves and the local backup keep edits; waits for its title to show.
 * @param timeouts ms: `show` for the title; `kernel`, when given, for the kernel to be idle.
 */
export async function openFromList(app: RunningApp, name: string, timeouts: { show: number; kernel?: number }): Promise<void> {
  await app.page.goto(`${app.url}&autosave=3600000`);
  await app.page.locator(".tspy-file", { hasText: name }).click();
  await app.page.locator(".tspy-title", { hasText: name }).waitFor({ timeout: timeouts.show });
  if (timeouts.kernel !== undefined) await app.page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: timeouts.kernel });
}
