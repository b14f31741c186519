// `npm run lab`: runs JupyterLab from python-env/.venv on 127.0.0.1 with a random token, rooted at
// examples/, prints the URL to open, and forwards signals to it. Knows nothing of the kernel itself.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_FILE } from "./config";
import { kernelspecDir, REPO_ROOT, runMain, ScriptError, venvBin, venvEnv } from "./venv";

/** The port JupyterLab tries first; when taken, Jupyter tries the next ones (port_retries). */
export const DEFAULT_PORT = 8888;
/** The folder JupyterLab opens (its root_dir). */
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");

/** Command-line aliases of the ServerApp traits that {@link labArgs} sets, mapped to the trait. */
const ALIASES: Record<string, string> = {
  ip: "ServerApp.ip",
  port: "ServerApp.port",
  "port-retries": "ServerApp.port_retries",
  "notebook-dir": "ServerApp.root_dir",
  "ServerApp.notebook_dir": "ServerApp.root_dir",
};

/**
 * The arguments of `jupyter lab`: our defaults (127.0.0.1, port {@link DEFAULT_PORT} with up to 50
 * retries on the next ports, no browser, root dir examples/, --allow-root when run as root), then
 * `extra` (the user's, after `npm run lab --`). A default whose trait the user sets is dropped,
 * since traitlets rejects a trait given twice.
 * @param extra arguments passed through unchanged, e.g. ["--port", "9000"] or ["--port=9000"].
 * @returns the argv after `jupyter`.
 */
export function labArgs(extra: string[] = []): string[] {
  const trait = (arg: string) => {
    const name = arg.replace(/^--/, "").split("=")[0];
    return ALIASES[name] ?? name;
  };
  const given = new Set(extra.filter((a) => a.startsWith("--")).map(trait));
  const defaults = [
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${DEFAULT_PORT}`,
    "--ServerApp.port_retries=50",
    "--no-browser",
    `--ServerApp.root_dir=${EXAMPLES_DIR}`,
    // Containers and CI run as root; Jupyter refuses that unless told.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ].filter((a) => !given.has(trait(a)));
  return ["lab", ...defaults, ...extra];
}

/**
 * Finds the URL that Jupyter Server prints once it listens ("http://127.0.0.1:PORT/lab?token=...").
 * @param text a chunk of the server's log.
 * @returns the base URL without the token (e.g. "http://127.0.0.1:8889/lab"), or null.
 */
export function findServerUrl(text: string): string | null {
  const m = /(https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]|[\w.-]+):\d+\/[^\s?]*)\?token=/.exec(text);
  return m ? m[1] : null;
}

function main(): Promise<number> {
  const jupyter = venvBin("jupyter");
  if (!fs.existsSync(jupyter) || !fs.existsSync(CONFIG_FILE)) {
    throw new ScriptError("the Python environment is not set up (python-env/.venv or python-env/config.json is missing); run `npm install` first");
  }
  if (!fs.existsSync(path.join(kernelspecDir(), "kernel.json"))) {
    throw new ScriptError("the tspy kernelspec is not installed in python-env/.venv; run `npm install` first");
  }
  fs.mkdirSync(EXAMPLES_DIR, { recursive: true });
  const token = randomBytes(24).toString("hex");
  // The token travels in the environment, not argv, so `ps` does not show it.
  // detached: own process group, so a terminal's Ctrl-C reaches Jupyter once (through us), not twice.
  const child = spawn(jupyter, labArgs(process.argv.slice(2)), {
    cwd: EXAMPLES_DIR,
    env: venvEnv({ JUPYTER_TOKEN: token, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" }),
    stdio: ["ignore", "inherit", "pipe"],
    detached: true,
  });

  let announced = false;
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    if (announced) return;
    log = (log + chunk.toString("utf8")).slice(-8192);
    const url = findServerUrl(log);
    if (url) {
      announced = true;
      process.stdout.write(`\ntspy: JupyterLab is at ${url}?token=${token}\ntspy: (Ctrl-C stops it)\n\n`);
    }
  });

  let stopping = false;
  const forward = (sig: NodeJS.Signals) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const sig of signals) process.on(sig, () => forward(sig));
  // If we die for another reason, do not leave the server running.
  process.on("exit", () => forward("SIGTERM"));

  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new ScriptError(`cannot start ${jupyter}: ${err.message}`)));
    child.on("exit", (code) => {
      for (const sig of signals) process.removeAllListeners(sig);
      // Stopped by the user (Ctrl-C, kill): a clean exit for npm, whatever status Jupyter chose.
      resolve(stopping ? 0 : (code ?? 1));
    });
  });
}

if (require.main === module) runMain(main);
