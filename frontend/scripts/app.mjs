// `npm start` (and its alias `npm run app`): starts Jupyter Server from python-env/.venv on 127.0.0.1
// with a random token, rooted at examples/ (or --root DIR), serving the built app (frontend/dist/tspy)
// as an extra static path, prints the app's URL and opens it in a browser when there is a display.
// Knows nothing of the app's code; the app reads the server from its URL.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const FRONTEND = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.resolve(FRONTEND, "..");
/** The folder Jupyter Server serves as extra static files; the app is its tspy/ folder. */
const STATIC_DIR = path.join(FRONTEND, "dist");
const require = createRequire(import.meta.url);

/**
 * The app's URL from Jupyter Server's log line "http://127.0.0.1:PORT/...?token=...".
 * @param {string} log the server's log so far.
 * @param {string} token the server's token.
 * @returns {string | null} the URL of the app with its token, or null while the server has not said where it listens.
 */
export function appUrl(log, token) {
  const m = /(https?:\/\/127\.0\.0\.1:\d+\/)[^\s?]*\?token=/.exec(log);
  return m ? `${m[1]}static/tspy/index.html?token=${token}` : null;
}

/**
 * Whether to open the app in the user's browser: only for a person at a terminal with a display,
 * never in CI or when told not to.
 * @param {{ env: Record<string, string | undefined>; platform: string; isTTY: boolean; noBrowser: boolean }} where
 *   the environment, `process.platform`, whether stdout is a terminal, and the `--no-browser` flag.
 * @returns {boolean}
 */
export function shouldOpenBrowser({ env, platform, isTTY, noBrowser }) {
  if (noBrowser || !isTTY || env.CI || env.TSPY_NO_BROWSER) return false;
  if (platform === "darwin" || platform === "win32") return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * The command that opens a URL in the default browser on this platform.
 * @param {string} platform `process.platform`.
 * @param {string} url the URL.
 * @returns {[string, string[]]} the program and its arguments.
 */
export function browserCommand(platform, url) {
  if (platform === "darwin") return ["open", [url]];
  if (platform === "win32") return ["cmd", ["/c", "start", "", url]];
  return ["xdg-open", [url]];
}

/** Opens `url` in the default browser; a missing opener is not an error (the URL is printed anyway). */
function openBrowser(/** @type {string} */ url) {
  const [cmd, args] = browserCommand(process.platform, url);
  try {
    const opener = spawn(cmd, args, { stdio: "ignore", detached: true });
    opener.on("error", () => {});
    opener.unref();
  } catch {
    // The URL is on the terminal; the user opens it.
  }
}

/** Starts the server and resolves to the exit status npm should report. */
async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: "8888" },
        root: { type: "string", default: path.join(ROOT, "examples") },
        "no-browser": { type: "boolean", default: false },
      },
    }));
  } catch (err) {
    throw Object.assign(new Error(`${err.message}\nusage: npm start -- [--port=PORT] [--root=DIR] [--no-browser]`), { exitCode: 2 });
  }
  const venv = path.join(ROOT, "dist", "python-env", "venv.js");
  if (!fs.existsSync(venv)) throw new Error("dist/python-env is missing; run `npm install` first");
  /** @type {{ venvBin(name: string): string; venvEnv(extra: Record<string, string>): NodeJS.ProcessEnv; kernelspecDir(): string }} */
  const { venvBin, venvEnv, kernelspecDir } = require(venv);
  const jupyter = venvBin("jupyter");
  if (!fs.existsSync(jupyter) || !fs.existsSync(path.join(kernelspecDir(), "kernel.json"))) {
    throw new Error("the Python environment or the tspy kernelspec is not set up; run `npm install` first");
  }
  if (!fs.existsSync(path.join(STATIC_DIR, "tspy", "index.html"))) {
    throw new Error("the app is not built (frontend/dist/tspy is missing); run `npm install` or `npm run build --workspace frontend`");
  }
  const root = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.root);
  // A token from the environment (as Jupyter Server itself reads JUPYTER_TOKEN) lets a restarted
  // server keep the open app's URL; otherwise a random one.
  const token = process.env.JUPYTER_TOKEN || randomBytes(24).toString("hex");
  const args = [
    "server",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${values.port}`,
    "--ServerApp.port_retries=50",
    `--ServerApp.root_dir=${root}`,
    `--ServerApp.extra_static_paths=${JSON.stringify([STATIC_DIR])}`,
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ];
  // The token travels in the environment, not argv, so `ps` does not show it.
  const child = spawn(jupyter, args, {
    cwd: root,
    env: venvEnv({ JUPYTER_TOKEN: token, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" }),
    stdio: ["ignore", "inherit", "pipe"],
    detached: true,
  });
  let log = "";
  let announced = false;
  child.stderr.on("data", (chunk) => {
    process.stderr.write(chunk);
    if (announced) return;
    log = (log + chunk.toString("utf8")).slice(-8192);
    const url = appUrl(log, token);
    if (url) {
      announced = true;
      process.stdout.write(`\ntspy: the notebook app is at ${url}\ntspy: (Ctrl-C stops it)\n\n`);
      const isTTY = Boolean(process.stdout.isTTY);
      if (shouldOpenBrowser({ env: process.env, platform: process.platform, isTTY, noBrowser: values["no-browser"] })) openBrowser(url);
    }
  });
  let stopping = false;
  const forward = (/** @type {NodeJS.Signals} */ sig) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  for (const sig of /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP"])) process.on(sig, () => forward(sig));
  process.on("exit", () => forward("SIGTERM"));
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`cannot start ${jupyter}: ${err.message}`)));
    child.on("exit", (code) => resolve(stopping ? 0 : (code ?? 1)));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`tspy: ${err.message}\n`);
      process.exit(err.exitCode ?? 1);
    },
  );
}
