// `npm run notebook -- <notebook.ipynb> [--output <executed.ipynb>]`: executes a notebook headless
// with the tspy kernel through nbclient (python-env/run_notebook.py in the venv). Knows no kernel internals.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PYTHON_ENV_DIR } from "./config";
import { invocationDir, KERNEL_NAME, runMain, ScriptError, venvBin, venvEnv } from "./venv";

/** The usage line printed on a usage error (exit status 2). */
export const USAGE = "usage: npm run notebook -- <notebook.ipynb> [--output <executed.ipynb>] [--timeout <seconds per cell>] [--kernel <kernelspec>]";

/** What the command line asks for; paths are absolute. */
export interface NotebookArgs {
  /** The notebook to execute. */
  input: string;
  /** Default: `<input's folder>/<input's name without .ipynb>.executed.ipynb`. */
  output: string;
  /** Per-cell timeout in seconds (default 900). */
  timeoutS: number;
  /** Kernelspec name (default "tspy"). */
  kernel: string;
}

/**
 * The default output path: next to the input, `name.ipynb` → `name.executed.ipynb`.
 * @param input the notebook's absolute path.
 * @returns an absolute path.
 */
export function defaultOutput(input: string): string {
  const base = path.basename(input).replace(/\.ipynb$/i, "");
  return path.join(path.dirname(input), `${base}.executed.ipynb`);
}

/**
 * Parses the arguments after `npm run notebook --`.
 * @param argv the arguments (without node and the script).
 * @param cwd the folder relative paths are resolved against (npm's INIT_CWD: where the user typed the command).
 * @returns the parsed {@link NotebookArgs}.
 * @throws ScriptError with exit code 2 and {@link USAGE} on a missing/unknown argument or a missing input file.
 */
export function parseArgs(argv: string[], cwd: string): NotebookArgs {
  const usage = (why: string) => new ScriptError(`${why}\n${USAGE}`, 2);
  let input: string | undefined;
  let output: string | undefined;
  let timeoutS = 900;
  let kernel = KERNEL_NAME;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw usage(`${flag} needs a value`);
      return v;
    };
    if (flag === "-h" || flag === "--help") throw new ScriptError(USAGE, 2);
    else if (flag === "--output" || flag === "-o") output = value();
    else if (flag === "--timeout") {
      timeoutS = Number(value());
      if (!(timeoutS > 0)) throw usage("--timeout must be a positive number of seconds");
    } else if (flag === "--kernel") kernel = value();
    else if (flag.startsWith("-")) throw usage(`unknown option ${flag}`);
    else if (input === undefined) input = a;
    else throw usage(`unexpected argument ${a}`);
  }
  if (input === undefined) throw usage("no notebook given");
  const abs = path.resolve(cwd, input);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw usage(`no such notebook: ${abs}`);
  return { input: abs, output: output ? path.resolve(cwd, output) : defaultOutput(abs), timeoutS, kernel };
}

function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), invocationDir());
  const python = venvBin("python");
  if (!fs.existsSync(python)) throw new ScriptError("python-env/.venv is missing; run `npm install` first");
  const child = spawn(
    python,
    [path.join(PYTHON_ENV_DIR, "run_notebook.py"), args.input, args.output, "--kernel", args.kernel, "--timeout", String(args.timeoutS)],
    { stdio: "inherit", env: venvEnv({ TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" }) },
  );
  // Ctrl-C reaches the Python child through the terminal's process group; we only wait for it.
  const ignore = () => undefined;
  process.on("SIGINT", ignore);
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new ScriptError(`cannot run ${python}: ${err.message}`)));
    child.on("exit", (code, signal) => {
      process.removeListener("SIGINT", ignore);
      resolve(code ?? (signal === "SIGINT" ? 130 : 1));
    });
  });
}

if (require.main === module) runMain(main);
