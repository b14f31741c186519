#!/usr/bin/env node
// `npx tspy install|uninstall`: registers the tspy kernel with a Jupyter outside this project (the
// user's JupyterLab, `jupyter console`, nbconvert, VS Code), as `python -m ipykernel install` and
// `tslab install` do. The registration itself is Jupyter's own: `jupyter kernelspec install` of the
// project's environment (jupyter_client's KernelSpecManager), given a folder with the rendered
// kernel.json and the logos. `npm install` keeps installing into the project's environment
// (install.ts); this is for everything else.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBridge } from "../bridge/lib/build";
import { probePython, type PythonConfig } from "../python-env/config";
import { KERNEL_NAME, kernelspecDir, runMain, ScriptError, venvBin } from "../python-env/venv";
import { installKernelspec } from "./install";

const USAGE = `usage: npx tspy install [--user | --sys-prefix | --prefix PREFIX] [--name NAME] [--display-name TEXT] [--python PYTHON]
       npx tspy uninstall [--user | --sys-prefix | --prefix PREFIX] [--name NAME]

install     registers the kernel with Jupyter (default --user: the per-user kernel folder that
            every Jupyter, JupyterLab and VS Code of this user searches)
  --user          the per-user kernel folder (jupyter --data-dir)/kernels
  --sys-prefix    the project's Python environment (python-env/.venv), as npm install does
  --prefix PREFIX PREFIX/share/jupyter/kernels (another environment, e.g. a conda env)
  --name NAME     the kernelspec name (default: tspy, or tspy-<env> with --python)
  --display-name  the name Jupyter shows (default: "TypeScript + Python", plus the env with --python)
  --python PYTHON the CPython (3.10 to 3.13, shared libpython) this kernel embeds instead of the
                  project's environment; its bridge is built now
uninstall   removes the kernelspec NAME (default tspy) from that location only (default --user)`;

/** What `npx tspy install` was asked to do (see {@link parseInstallArgs}). */
export interface InstallOptions {
  /** Where: Jupyter's per-user folder, the project environment's sys.prefix, or `<prefix>/share/jupyter/kernels`. */
  location: { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string };
  /** The kernelspec name (a folder name: letters, digits, `.`, `_`, `-`). */
  name: string;
  /** The display name, or undefined for the default. */
  displayName?: string;
  /** An executable of the Python to embed instead of the project's environment. */
  python?: string;
}

/**
 * Parses the arguments after `install`.
 * @param args e.g. ["--prefix", "/opt/env", "--name", "ts"].
 * @param cwd the folder relative paths are taken from.
 * @throws ScriptError (exit 2) on an unknown option, a missing value, two locations, or a bad name.
 */
export function parseInstallArgs(args: string[], cwd: string = process.cwd()): InstallOptions {
  let location: InstallOptions["location"] | undefined;
  let name: string | undefined;
  let displayName: string | undefined;
  let python: string | undefined;
  const setLocation = (l: InstallOptions["location"]) => {
    if (location) throw new ScriptError(`choose one of --user, --sys-prefix and --prefix\n${USAGE}`, 2);
    location = l;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new ScriptError(`${flag} needs a value\n${USAGE}`, 2);
      return v;
    };
    if (flag === "--user") setLocation({ kind: "user" });
    else if (flag === "--sys-prefix") setLocation({ kind: "sys-prefix" });
    else if (flag === "--prefix") setLocation({ kind: "prefix", prefix: path.resolve(cwd, value()) });
    else if (flag === "--name") name = value();
    else if (flag === "--display-name") displayName = value();
    else if (flag === "--python") python = value();
    else throw new ScriptError(`unknown option ${arg}\n${USAGE}`, 2);
  }
  if (python && python.includes(path.sep)) python = path.resolve(cwd, python);
  name ??= python ? `${KERNEL_NAME}-${environmentLabel(python)}` : KERNEL_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new ScriptError(`--name ${name}: use letters, digits, ".", "_" and "-" only`, 2);
  return { location: location ?? { kind: "user" }, name, displayName, python };
}

/**
 * A short label for a Python: its environment's folder name when it is the `bin/` python of a
 * virtual environment or conda environment (`/home/u/envs/ml/bin/python` → "ml"), else the
 * executable's name without dots (`/usr/bin/python3.12` → "python312").
 */
export function environmentLabel(python: string): string {
  const dir = path.dirname(python);
  const env = path.dirname(dir);
  const isEnv = ["bin", "Scripts"].includes(path.basename(dir)) && ["pyvenv.cfg", "conda-meta"].some((f) => fs.existsSync(path.join(env, f)));
  return (isEnv ? path.basename(env) : path.basename(python)).replace(/[^A-Za-z0-9_-]/g, "") || "python";
}

/** The arguments of `jupyter kernelspec install` for a location. */
function locationArgs(location: InstallOptions["location"]): string[] {
  if (location.kind === "user") return ["--user"];
  if (location.kind === "sys-prefix") return ["--sys-prefix"];
  return ["--prefix", location.prefix];
}

/** Runs the project environment's `jupyter-kernelspec` with `args`; returns its stdout+stderr, or throws ScriptError with it. */
function jupyterKernelspec(args: string[]): string {
  const exe = venvBin("jupyter-kernelspec");
  if (!fs.existsSync(exe)) throw new ScriptError(`${exe} does not exist; run \`npm install\` first`);
  const r = spawnSync(exe, args, { encoding: "utf8", env: { ...process.env, PYTHONNOUSERSITE: "1" } });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.error || r.status !== 0) throw new ScriptError(`jupyter kernelspec ${args[0]} failed: ${r.error?.message ?? out}`);
  return out;
}

/**
 * The kernels folder of a location, as Jupyter computes it (jupyter_core.paths.jupyter_data_dir for
 * the user: honours JUPYTER_DATA_DIR, XDG_DATA_HOME and the platform's convention).
 * @throws ScriptError when the project environment's Python cannot be run.
 */
export function kernelsFolder(location: InstallOptions["location"]): string {
  if (location.kind === "prefix") return path.join(location.prefix, "share", "jupyter", "kernels");
  if (location.kind === "sys-prefix") return path.dirname(kernelspecDir());
  const r = spawnSync(venvBin("python"), ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], {
    encoding: "utf8",
    env: { ...process.env, PYTHONNOUSERSITE: "1" },
  });
  if (r.status !== 0) throw new ScriptError(`cannot ask Jupyter for its data folder: ${r.error?.message ?? r.stderr.trim()}; run \`npm install\` first`);
  return path.join(r.stdout.trim(), "kernels");
}

/**
 * Removes kernelspec `options.name` from `options.location` (default: the user's folder, where
 * install puts it), and only there: another Jupyter folder's kernelspec of the same name (the
 * project environment's, say) is left alone.
 * @returns the folder removed.
 * @throws ScriptError when there is no such kernelspec there, or it is not a tspy kernel.
 */
export function uninstall(options: InstallOptions): string {
  const dir = path.join(kernelsFolder(options.location), options.name);
  const kernelJson = path.join(dir, "kernel.json");
  if (!fs.existsSync(kernelJson)) throw new ScriptError(`no kernelspec "${options.name}" in ${path.dirname(dir)}`);
  const spec = JSON.parse(fs.readFileSync(kernelJson, "utf8")) as { argv?: string[] };
  if (!spec.argv?.some((a) => a.endsWith(path.join("dist", "kernel", "main.js")))) {
    throw new ScriptError(`${dir} is not a tspy kernelspec; remove it with \`jupyter kernelspec remove ${options.name}\``);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}

/**
 * Registers the kernel: renders kernel.json (plus the logos) into a scratch folder, sets the display
 * name and, with `python`, `TSPY_PYTHON` in the kernelspec's env (after probing it and building the
 * bridge for its version), then hands the folder to `jupyter kernelspec install`.
 * @returns the folder Jupyter installed the kernelspec into.
 * @throws ScriptError when the Python cannot be used or Jupyter refuses the install.
 */
export function install(options: InstallOptions): string {
  let config: PythonConfig | undefined;
  if (options.python) {
    try {
      config = probePython(options.python);
    } catch (err) {
      throw new ScriptError(`--python ${options.python}: ${(err as Error).message}`);
    }
    if (!config.libpython)
      throw new ScriptError(`--python ${options.python}: Python ${config.version} has no shared libpython; use a CPython built with --enable-shared`);
    const status = buildBridge(config);
    if (status !== 0) throw new ScriptError(`--python ${options.python}: building the bridge for Python ${config.version} failed (exit ${status})`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-kernelspec-"));
  try {
    const dir = path.join(scratch, options.name);
    installKernelspec(dir);
    const spec = JSON.parse(fs.readFileSync(path.join(dir, "kernel.json"), "utf8")) as { display_name: string; env?: Record<string, string> };
    if (config) {
      spec.env = { ...spec.env, TSPY_PYTHON: config.executable };
      spec.display_name = `${spec.display_name} (${environmentLabel(config.executable)}, Python ${config.version})`;
    }
    if (options.displayName) spec.display_name = options.displayName;
    fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
    const out = jupyterKernelspec(["install", dir, "--name", options.name, ...locationArgs(options.location)]);
    const installed = /Installed kernelspec \S+ in (.+)$/m.exec(out)?.[1]?.trim();
    return installed ?? out;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function main(): void {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "install") {
    const options = parseInstallArgs(rest);
    const where = install(options);
    process.stdout.write(`tspy: kernelspec "${options.name}" installed in ${where}\n`);
  } else if (command === "uninstall") {
    const options = parseInstallArgs(rest);
    process.stdout.write(`tspy: kernelspec "${options.name}" removed from ${uninstall(options)}\n`);
  } else if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
  } else {
    throw new ScriptError(`unknown command ${command}\n${USAGE}`, 2);
  }
}

if (require.main === module) runMain(main);
