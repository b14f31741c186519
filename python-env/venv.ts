// Paths and small file/process helpers shared by the user-facing scripts (setup, lab, notebook,
// kernelspec install). Knows where the default virtual environment lives; knows nothing of the kernel.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VENV, PYTHON_ENV_DIR } from "./config";

/** The repository root (python-env/ sits directly under it). */
export const REPO_ROOT = path.resolve(PYTHON_ENV_DIR, "..");
/** The pinned requirements of the default environment. */
export const REQUIREMENTS_FILE = path.join(PYTHON_ENV_DIR, "requirements.txt");
/** Stamp inside the venv: the {@link requirementsStamp} of the last successful `pip install -r`. */
export const STAMP_FILE = path.join(DEFAULT_VENV, ".tspy-requirements.sha256");
/** The pinned test-only packages (pytest, torch, ...) that the test command adds to the default environment. */
export const DEV_REQUIREMENTS_FILE = path.join(PYTHON_ENV_DIR, "requirements-dev.txt");
/** Stamp inside the venv: the {@link requirementsStamp} of the last successful install of {@link DEV_REQUIREMENTS_FILE}. */
export const DEV_STAMP_FILE = path.join(DEFAULT_VENV, ".tspy-requirements-dev.sha256");
/** pip's per-request socket timeout (seconds): short, so an unreachable index fails fast. */
const PIP_TIMEOUT_S = 15;
/** The kernelspec name under which tspy is installed (`jupyter kernelspec list` shows it). */
export const KERNEL_NAME = "tspy";
/** The compiled kernel entry point that the kernelspec's argv runs (written by kernel/main.ts). */
export const KERNEL_MAIN = path.join(REPO_ROOT, "dist", "kernel", "main.js");

/**
 * Path of an executable inside the default virtual environment's `bin/`.
 * @param name the executable's file name, e.g. "python", "jupyter".
 * @returns the absolute path (which may not exist).
 */
export function venvBin(name: string): string {
  return path.join(DEFAULT_VENV, "bin", name);
}

/**
 * Folder into which the tspy kernelspec is installed: `<prefix>/share/jupyter/kernels/tspy`, the
 * `--sys-prefix` location that the venv's `jupyter` searches.
 * @param prefix the environment's `sys.prefix` (default: python-env/.venv).
 * @returns the absolute folder path.
 */
export function kernelspecDir(prefix: string = DEFAULT_VENV): string {
  return path.join(prefix, "share", "jupyter", "kernels", KERNEL_NAME);
}

/**
 * The stamp that says which requirements were installed into the venv, from which Python.
 * @param requirements the bytes (or text) of requirements.txt.
 * @param pythonVersion the venv's base Python version, e.g. "3.11.7".
 * @returns a lowercase hex sha256 digest (64 characters).
 */
export function requirementsStamp(requirements: Buffer | string, pythonVersion: string): string {
  return createHash("sha256").update(requirements).update("\0python=").update(pythonVersion).digest("hex");
}

/**
 * A digest of some files' contents, to tell whether a step's inputs changed since a stamp was written.
 * @param files absolute paths; a missing file counts as absent (its name still enters the digest).
 * @returns a lowercase hex sha256 digest (64 characters) over each path and its bytes, in the order given.
 * @throws Error from the file system for a file that exists but cannot be read.
 */
export function filesStamp(files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) {
    h.update(f).update("\0");
    if (fs.existsSync(f)) h.update(fs.readFileSync(f));
    else h.update("\0absent");
    h.update("\0");
  }
  return h.digest("hex");
}

/**
 * `pip install -r requirements` into the default environment, unless `stampFile` holds the
 * {@link requirementsStamp} of these requirements and this Python (then pip is not run). pip runs
 * under its own configuration with its output (progress bars included) on the terminal; the stamp
 * is written only after pip succeeds.
 * @param requirements a pinned requirements file.
 * @param stampFile where the stamp of the last successful install is kept (inside the venv).
 * @param pythonVersion the venv's Python version, e.g. "3.11.7" (part of the stamp).
 * @param force run pip even when the stamp matches (e.g. a package of the file no longer imports).
 * @returns true when pip ran, false when the stamp said the requirements were installed.
 * @throws ScriptError naming the file and pip's configuration when pip fails.
 */
export function installRequirements(requirements: string, stampFile: string, pythonVersion: string, force = false): boolean {
  const rel = path.relative(REPO_ROOT, requirements);
  const stamp = requirementsStamp(fs.readFileSync(requirements), pythonVersion);
  let installed = "";
  try {
    installed = fs.readFileSync(stampFile, "utf8").trim();
  } catch {
    // no stamp yet
  }
  if (installed === stamp && !force) return false;
  fs.rmSync(stampFile, { force: true });
  const python = venvBin("python");
  process.stdout.write(`tspy: installing ${rel} into ${path.relative(REPO_ROOT, DEFAULT_VENV)} with pip (pip's own configuration)\n`);
  const args = ["-m", "pip", "install", "--retries", "0", "--timeout", String(PIP_TIMEOUT_S), "--no-input", "-r", requirements];
  const r = spawnSync(python, args, { stdio: "inherit", env: venvEnv() });
  if (r.status !== 0) {
    throw new ScriptError(
      `pip could not install ${rel} (see pip's output above). pip uses its own configuration (\`${path.relative(REPO_ROOT, python)} -m pip config list\`); check that its index and find-links are reachable`,
    );
  }
  fs.writeFileSync(stampFile, stamp + "\n");
  return true;
}

/**
 * Writes `content` to `file` only when the file is missing or holds different bytes, so that its
 * mtime moves only on a real change. Creates missing parent folders.
 * @returns true when the file was written, false when it already held `content`.
 * @throws Error from the file system (permissions, disk full).
 */
export function writeIfChanged(file: string, content: Buffer | string): boolean {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  try {
    if (fs.readFileSync(file).equals(bytes)) return false;
  } catch {
    // missing or unreadable: (re)write below
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return true;
}

/**
 * The environment for a child that runs the venv's tools: `process.env` with the venv's `bin/` first
 * on PATH, `PYTHONNOUSERSITE=1` (no `~/.local` packages leak in), and `extra` on top.
 * @param extra variables to add or override.
 * @returns a new environment object (process.env is not modified).
 */
export function venvEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const bin = path.join(DEFAULT_VENV, "bin");
  return {
    ...process.env,
    PATH: [bin, process.env.PATH ?? ""].filter(Boolean).join(path.delimiter),
    VIRTUAL_ENV: DEFAULT_VENV,
    PYTHONNOUSERSITE: "1",
    ...extra,
  };
}

/**
 * The directory a relative path given on the command line is relative to: npm runs scripts from the
 * package root but records the user's directory in `INIT_CWD`.
 * @returns an absolute directory.
 */
export function invocationDir(): string {
  return process.env.INIT_CWD ? path.resolve(process.env.INIT_CWD) : process.cwd();
}

/** The one-message failure of a user-facing script: `main` prints `tspy: <message>` and exits with `exitCode`. */
export class ScriptError extends Error {
  /**
   * @param message what went wrong and what to do about it (one message, no stack).
   * @param exitCode the process exit status (1: environment problem, 2: usage error).
   */
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = "ScriptError";
  }
}

/**
 * Runs a script's `main`, turning a {@link ScriptError} into one `tspy: ...` line on stderr and its
 * exit status; any other error is printed with its stack and exits 1.
 * @param main the script body; may be async; its resolved number (if any) is the exit status.
 */
export function runMain(main: () => number | void | Promise<number | void>): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => {
        if (typeof code === "number") process.exitCode = code;
      },
      (err: unknown) => {
        if (err instanceof ScriptError) {
          process.stderr.write(`tspy: ${err.message}\n`);
          process.exitCode = err.exitCode;
        } else {
          process.stderr.write(`tspy: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
          process.exitCode = 1;
        }
      },
    );
}
