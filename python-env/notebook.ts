// `npm run notebook -- <notebook.ipynb> [--output <executed.ipynb>] [-p name value]`: executes a notebook
// headless with the tspy kernel through nbclient (python-env/run_notebook.py in the venv), with
// papermill-style parameters (notebook-parameters.ts). Knows no kernel internals.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PYTHON_ENV_DIR } from "./config";
import { checkParameterName, injectParameters, type NotebookJson, parseParameterValue, type ParameterValue } from "./notebook-parameters";
import { invocationDir, KERNEL_NAME, runMain, ScriptError, venvBin, venvEnv } from "./venv";

/** The usage line printed on a usage error (exit status 2). */
export const USAGE =
  "usage: npm run notebook -- <notebook.ipynb> [--output <executed.ipynb>] [--timeout <seconds per cell>] [--kernel <kernelspec>] [-p <name> <value>]... [-r <name> <raw string>]...";

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
  /** Papermill-style parameters, name → value in command-line order (`-p`/`--parameters`, `-r`/`--parameters_raw`); empty: the notebook runs as it is. */
  parameters: Map<string, ParameterValue>;
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
 * @throws ScriptError with exit code 2 and {@link USAGE} on a missing/unknown argument, a parameter
 * without a name and value or with a name that is not an identifier, or a missing input file.
 */
export function parseArgs(argv: string[], cwd: string): NotebookArgs {
  const usage = (why: string) => new ScriptError(`${why}\n${USAGE}`, 2);
  let input: string | undefined;
  let output: string | undefined;
  let timeoutS = 900;
  let kernel = KERNEL_NAME;
  const parameters = new Map<string, ParameterValue>();
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
    else if (flag === "-p" || flag === "--parameters" || flag === "-r" || flag === "--parameters_raw") {
      const name = inline ?? argv[++i];
      const text = argv[++i];
      if (name === undefined || text === undefined) throw usage(`${flag} needs a name and a value`);
      try {
        checkParameterName(name);
      } catch (e) {
        throw usage(`${flag}: ${(e as Error).message}`);
      }
      parameters.delete(name); // a repeated name takes its last value and place, as papermill's dict does
      parameters.set(name, flag === "-r" || flag === "--parameters_raw" ? { type: "str", value: text } : parseParameterValue(text));
    } else if (flag.startsWith("-")) throw usage(`unknown option ${flag}`);
    else if (input === undefined) input = a;
    else throw usage(`unexpected argument ${a}`);
  }
  if (input === undefined) throw usage("no notebook given");
  const abs = path.resolve(cwd, input);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw usage(`no such notebook: ${abs}`);
  return { input: abs, output: output ? path.resolve(cwd, output) : defaultOutput(abs), timeoutS, kernel, parameters };
}

function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), invocationDir());
  const python = venvBin("python");
  if (!fs.existsSync(python)) throw new ScriptError("python-env/.venv is missing; run `npm install` first");
  let toRun = args.input;
  if (args.parameters.size > 0) {
    // As papermill does, the output notebook is written with the parameters first, then executed in place.
    let nb: NotebookJson;
    try {
      nb = JSON.parse(fs.readFileSync(args.input, "utf8")) as NotebookJson;
    } catch (e) {
      throw new ScriptError(`cannot read notebook ${args.input}: ${(e as Error).message}`, 2);
    }
    let injected: ReturnType<typeof injectParameters>;
    try {
      injected = injectParameters(nb, args.parameters);
    } catch (e) {
      throw new ScriptError(`cannot inject parameters into ${args.input}: ${(e as Error).message}`, 2);
    }
    fs.mkdirSync(path.dirname(args.output), { recursive: true });
    fs.writeFileSync(args.output, JSON.stringify(injected.notebook, null, 1) + "\n");
    process.stdout.write(`tspy: parameters ${[...args.parameters.keys()].join(", ")} injected as a ${injected.language} cell (#${injected.index})\n`);
    toRun = args.output;
  }
  const child = spawn(
    python,
    [
      path.join(PYTHON_ENV_DIR, "run_notebook.py"),
      toRun,
      args.output,
      "--kernel",
      args.kernel,
      "--timeout",
      String(args.timeoutS),
      "--path",
      path.dirname(args.input),
    ],
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
