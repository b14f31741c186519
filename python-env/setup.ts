// The `npm install` step for Python: checks for a usable CPython and a C++ compiler, creates
// python-env/.venv, pip-installs requirements.txt once (stamped; installRequirements), writes python-env/config.json.
// Re-running it on a set-up tree changes nothing and runs no pip. Knows nothing of the kernel.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_FILE, DEFAULT_VENV, probePython, type PythonConfig } from "./config";
import { choosePython, INSTALL_ADVICE, probeOverride, whyUnusable } from "./find-python";
import { installRequirements, REPO_ROOT, REQUIREMENTS_FILE, runMain, ScriptError, STAMP_FILE, venvBin, writeIfChanged } from "./venv";

const rel = (p: string) => path.relative(REPO_ROOT, p) || ".";
const say = (line: string) => process.stdout.write(`tspy: ${line}\n`);

/**
 * Looks for the tools the bridge's node-gyp build needs: a C++ compiler (`$CXX`, else g++, c++ or
 * clang++) and make.
 * @returns a one-line problem naming what to install, or null when both are found.
 */
export function checkBuildTools(): string | null {
  const runs = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
  const cxx = process.env.CXX?.trim().split(/\s+/)[0];
  const compilers = cxx ? [cxx] : ["g++", "c++", "clang++"];
  const missing: string[] = [];
  if (!compilers.some(runs)) missing.push(cxx ? `the C++ compiler CXX=${cxx}` : "a C++ compiler");
  if (!runs("make")) missing.push("make");
  if (missing.length === 0) return null;
  return `${missing.join(" and ")} not found (the bridge, a Node-API addon, is compiled at install); install them, e.g. \`apt-get install g++ make\``;
}

/** True when the venv's python exists and starts. */
function venvAlive(): boolean {
  const exe = venvBin("python");
  return fs.existsSync(exe) && spawnSync(exe, ["-c", "pass"], { stdio: "ignore" }).status === 0;
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Decides what to do with python-env/.venv before anything is changed.
 * @returns the existing venv's probe (`existing`), or the base Python to create it from (`base`).
 * @throws ScriptError when the existing venv is unusable or was made from another Python than
 *   TSPY_PYTHON, or when no base Python qualifies.
 */
function planVenv(): { existing: PythonConfig } | { base: PythonConfig; clear: boolean } {
  if (venvAlive()) {
    const existing = probePython(venvBin("python"));
    const problem = whyUnusable(existing);
    if (problem) {
      throw new ScriptError(
        `${rel(DEFAULT_VENV)} (Python ${existing.version}) cannot be used: ${problem}. Delete ${rel(DEFAULT_VENV)} and run \`npm install\` again. ${INSTALL_ADVICE}`,
      );
    }
    const override = process.env.TSPY_PYTHON;
    if (override) {
      let wanted: PythonConfig;
      try {
        wanted = probeOverride(override);
      } catch (e) {
        throw new ScriptError((e as Error).message);
      }
      if (realpathOr(wanted.basePrefix) !== realpathOr(existing.basePrefix)) {
        throw new ScriptError(
          `${rel(DEFAULT_VENV)} was made from Python ${existing.version} (${existing.basePrefix}), but TSPY_PYTHON names Python ${wanted.version} (${wanted.basePrefix}); ` +
            `delete ${rel(DEFAULT_VENV)} to rebuild it from TSPY_PYTHON, or unset TSPY_PYTHON`,
        );
      }
    }
    return { existing };
  }
  try {
    const { chosen } = choosePython();
    return { base: chosen, clear: fs.existsSync(DEFAULT_VENV) };
  } catch (e) {
    throw new ScriptError((e as Error).message);
  }
}

/**
 * Writes the {@link PythonConfig} to python-env/config.json unless the file already holds the same
 * values (compared as JSON, so formatting alone never rewrites it).
 * @returns true when the file was written.
 * @throws Error from the file system.
 */
export function writeConfig(config: PythonConfig, file: string = CONFIG_FILE): boolean {
  try {
    const old: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (JSON.stringify(old) === JSON.stringify(config)) return false;
  } catch {
    // missing or not JSON: write it
  }
  return writeIfChanged(file, JSON.stringify(config, null, 2) + "\n");
}

/**
 * The whole step; see the file comment. Prints `tspy: ...` progress lines and streams pip's own
 * output (progress bars included) to the terminal.
 * @throws ScriptError with one message when a prerequisite is missing or pip fails.
 */
export function setup(): void {
  say(`setting up the Python environment ${rel(DEFAULT_VENV)}`);
  const problems: string[] = [];
  let plan: ReturnType<typeof planVenv> | null = null;
  try {
    plan = planVenv();
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    problems.push(e.message);
  }
  const tools = checkBuildTools();
  if (tools) problems.push(tools);
  if (problems.length > 0 || !plan) throw new ScriptError(problems.join("\n  "));

  const python = venvBin("python");
  let venv: PythonConfig;
  if ("base" in plan) {
    say(`creating ${rel(DEFAULT_VENV)} from Python ${plan.base.version} (${plan.base.executable})`);
    const args = ["-m", "venv", ...(plan.clear ? ["--clear"] : []), DEFAULT_VENV];
    const r = spawnSync(plan.base.executable, args, { stdio: "inherit" });
    if (r.status !== 0) throw new ScriptError(`\`${plan.base.executable} ${args.join(" ")}\` failed (see above)`);
    venv = probePython(python);
  } else {
    venv = plan.existing;
  }

  // pip runs when the stamp is stale, or numpy (a pinned requirement) does not import; its output streams.
  if (installRequirements(REQUIREMENTS_FILE, STAMP_FILE, venv.version, !venv.numpy)) {
    venv = probePython(python);
    say(`Python requirements installed`);
  } else {
    say(`Python requirements are up to date (${rel(REQUIREMENTS_FILE)}, Python ${venv.version}); pip not run`);
  }

  if (!venv.libpython) throw new ScriptError(`${python} has no shared libpython. ${INSTALL_ADVICE}`);
  if (!venv.numpy) throw new ScriptError(`numpy does not import in ${python}; delete ${rel(DEFAULT_VENV)} and run \`npm install\` again`);
  const wrote = writeConfig(venv);
  say(`${rel(CONFIG_FILE)} ${wrote ? "written" : "unchanged"}: Python ${venv.version}, libpython ${venv.libpython}, numpy ${venv.numpy}`);
}

if (require.main === module) runMain(setup);
