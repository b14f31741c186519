// `npm start` (frontend/scripts/app.mjs): Jupyter Server on 127.0.0.1 with a token, serving the
// notebook app and the examples, its URL printed; Ctrl-C stops the server. And when the script
// opens a browser (only for a person at a terminal with a display, never in CI).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort } from "../support/jupyter";
import { REPO_ROOT } from "../../python-env/venv";

const APP_SCRIPT = path.join(REPO_ROOT, "frontend", "scripts", "app.mjs");

/** What the tests use of app.mjs (an ES module, loaded with import()). */
interface AppScript {
  appUrl(log: string, token: string): string | null;
  shouldOpenBrowser(where: { env: Record<string, string | undefined>; platform: string; isTTY: boolean; noBrowser: boolean }): boolean;
  browserCommand(platform: string, url: string): [string, string[]];
}

function loadAppScript(): Promise<AppScript> {
  return import(pathToFileURL(APP_SCRIPT).href) as Promise<AppScript>;
}

test("app_script_opens_a_browser_only_at_a_terminal_with_a_display_and_never_in_ci", async () => {
  const { shouldOpenBrowser, browserCommand } = await loadAppScript();
  const person = { env: { DISPLAY: ":0" }, platform: "linux", isTTY: true, noBrowser: false };
  assert.equal(shouldOpenBrowser(person), true);
  assert.equal(shouldOpenBrowser({ ...person, env: { WAYLAND_DISPLAY: "wayland-0" } }), true);
  assert.equal(shouldOpenBrowser({ ...person, env: {} }), false, "no display");
  assert.equal(shouldOpenBrowser({ ...person, env: { DISPLAY: ":0", CI: "true" } }), false, "CI");
  assert.equal(shouldOpenBrowser({ ...person, isTTY: false }), false, "output piped, e.g. a test");
  assert.equal(shouldOpenBrowser({ ...person, noBrowser: true }), false, "--no-browser");
  assert.equal(shouldOpenBrowser({ ...person, env: {}, platform: "darwin" }), true);
  assert.deepEqual(browserCommand("linux", "http://x/"), ["xdg-open", ["http://x/"]]);
  assert.deepEqual(browserCommand("darwin", "http://x/"), ["open", ["http://x/"]]);
});

test("app_url_is_the_apps_page_on_the_servers_address_with_the_token", async () => {
  const { appUrl } = await loadAppScript();
  const log = "[I ServerApp] Jupyter Server 2.21.1 is running at:\n[I ServerApp] http://127.0.0.1:8890/tree?token=...\n";
  assert.equal(appUrl(log, "abc"), "http://127.0.0.1:8890/static/tspy/index.html?token=abc");
  assert.equal(appUrl("[I ServerApp] starting\n", "abc"), null);
});

test("npm_start_prints_the_apps_url_serves_the_app_and_the_notebooks_and_stops_on_ctrl_c", { timeout: 180_000 }, async (t) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-npm-start-"));
  const root = path.join(scratch, "notebooks");
  fs.mkdirSync(root);
  fs.copyFileSync(path.join(REPO_ROOT, "examples", "digits.ipynb"), path.join(root, "mine.ipynb"));
  const port = await freePort();
  // Its own process group, so that the test can send Ctrl-C's SIGINT to npm and the script together, as a terminal does.
  const child = spawn("npm", ["start", "--silent", "--", `--port=${port}`, `--root=${root}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOME: scratch, JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"), CI: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 90 s:\n${stdout}\n${stderr}`)), 90_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /tspy: the notebook app is at (\S+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`npm start exited ${code}:\n${stdout}\n${stderr}`)));
  });
  assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/static/tspy/index\\.html\\?token=[0-9a-f]{48}$`));
  const token = new URL(url).searchParams.get("token")!;
  const base = `http://127.0.0.1:${port}`;

  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<div id="root">/);
  const listing = await fetch(`${base}/api/contents`, { headers: { Authorization: `token ${token}` } });
  assert.equal(listing.status, 200);
  const names = ((await listing.json()) as { content: { name: string }[] }).content.map((f) => f.name);
  assert.deepEqual(names, ["mine.ipynb"], "the server's root is --root");
  assert.equal((await fetch(`${base}/api/contents`)).status, 403, "the API needs the token");

  const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(`${code ?? signal}`)));
  process.kill(-child.pid!, "SIGINT");
  // npm itself ends as a terminal's Ctrl-C ends it (status 0, or the signal re-raised).
  assert.match(await exited, /^(0|SIGINT)$/);
  // The server goes too: app.mjs forwards the signal to Jupyter Server's own process group.
  const deadline = Date.now() + 60_000;
  let up = true;
  while (up && Date.now() < deadline) {
    up = await fetch(`${base}/api/status`).then(
      () => true,
      () => false,
    );
    if (up) await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(up, false, "the Jupyter server outlived npm start");
});
