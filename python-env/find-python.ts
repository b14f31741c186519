// Chooses the base CPython that python-env/.venv is made from: looks at TSPY_PYTHON, PATH and pyenv,
// keeps the ones the bridge can embed, prefers 3.11. Knows nothing of pip or of the kernel.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { probePython, type PythonConfig } from "./config";

/** Oldest [major, minor] the bridge supports. */
export const MIN_VERSION: [number, number] = [3, 10];
/** Newest [major, minor] the bridge supports. */
export const MAX_VERSION: [number, number] = [3, 13];
/** The minor version the pins of requirements.txt were tested on; chosen first when several qualify. */
export const PREFERRED_MINOR = 11;

/** The one-line advice printed when no usable Python is found. */
export const INSTALL_ADVICE =
  "tspy needs a CPython 3.10–3.13 built with --enable-shared (a shared libpython) and its headers (Python.h); " +
  "install one, e.g. `PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install 3.11`, or set TSPY_PYTHON to its executable";

/** A Python that was looked at, with the reason it cannot be used (null when it can). */
export interface Candidate {
  /** The name or path as tried (e.g. "python3.11", "/root/.pyenv/versions/3.12.1/bin/python3"). */
  tried: string;
  /** The probe's result, or null when the executable could not be run. */
  config: PythonConfig | null;
  /** Why it is unusable, or null when it qualifies. */
  problem: string | null;
}

/**
 * Why a probed Python cannot be embedded by the bridge or host the venv, or null when it can.
 * Checks: version within {@link MIN_VERSION}..{@link MAX_VERSION}, a shared libpython, `Python.h`
 * in its include dir (the bridge compiles against it), and the `venv`+`ensurepip` modules.
 * @param config the probe of the interpreter.
 * @returns a short reason, or null.
 */
export function whyUnusable(config: PythonConfig): string | null {
  const [major, minor] = config.versionInfo;
  if (major !== 3 || minor < MIN_VERSION[1] || minor > MAX_VERSION[1]) return `Python ${config.version} is not 3.10–3.13`;
  if (!config.libpython) return "no shared libpython (not built with --enable-shared)";
  if (!fs.existsSync(path.join(config.include, "Python.h"))) return `no Python.h in ${config.include} (install its -dev package)`;
  const r = spawnSync(config.executable, ["-c", "import venv, ensurepip"], { encoding: "utf8" });
  if (r.status !== 0) return "no venv/ensurepip module (install its -venv package)";
  return null;
}

/**
 * The root of pyenv, found by `pyenv root`, else `$PYENV_ROOT`, else `~/.pyenv` when it exists.
 * @returns an absolute folder, or null when pyenv is not installed.
 */
export function pyenvRoot(): string | null {
  const r = spawnSync("pyenv", ["root"], { encoding: "utf8" });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  if (process.env.PYENV_ROOT) return process.env.PYENV_ROOT;
  const home = path.join(os.homedir(), ".pyenv");
  return fs.existsSync(home) ? home : null;
}

/**
 * The executables to try, in order: python3.13 … python3.10 and python3 on PATH, then every pyenv
 * version's `bin/python3` (newest first). TSPY_PYTHON is handled by {@link choosePython}, not here.
 * @returns names or absolute paths; some may not exist or not run.
 */
export function searchOrder(): string[] {
  const names: string[] = [];
  for (let minor = MAX_VERSION[1]; minor >= MIN_VERSION[1]; minor--) names.push(`python3.${minor}`);
  names.push("python3");
  const root = pyenvRoot();
  if (root) {
    const versionsDir = path.join(root, "versions");
    let versions: string[] = [];
    try {
      versions = fs.readdirSync(versionsDir);
    } catch {
      // pyenv without any installed version
    }
    const key = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
    versions.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
        const d = (kb[i] ?? 0) - (ka[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    });
    for (const v of versions) {
      const exe = path.join(versionsDir, v, "bin", "python3");
      if (fs.existsSync(exe)) names.push(exe);
    }
  }
  return names;
}

/**
 * Probes one executable and judges it.
 * @param tried a name on PATH or a path.
 * @returns the {@link Candidate}; never throws (a failure to run is its `problem`).
 */
export function examine(tried: string): Candidate {
  let config: PythonConfig;
  try {
    config = probePython(tried);
  } catch {
    return { tried, config: null, problem: "cannot be run, or is not a Python 3" };
  }
  return { tried, config, problem: whyUnusable(config) };
}

/**
 * Probes and judges the Python named by TSPY_PYTHON.
 * @param override the executable (path or name on PATH).
 * @returns its probe when usable.
 * @throws Error "TSPY_PYTHON=<override>: <problem>. <advice>" when it cannot be run or used.
 */
export function probeOverride(override: string): PythonConfig {
  const c = examine(override);
  if (c.problem || !c.config) throw new Error(`TSPY_PYTHON=${override}: ${c.problem}. ${INSTALL_ADVICE}`);
  return c.config;
}

/**
 * Chooses the base Python for python-env/.venv.
 * Rule: when TSPY_PYTHON is set it is the only candidate. Otherwise every executable of
 * {@link searchOrder} is probed (each distinct interpreter once); among the usable ones a 3.11 is
 * chosen first (the pins were tested there), else the first usable one in search order (newest on
 * PATH, then newest in pyenv).
 * @returns the probe of the chosen interpreter and every candidate examined (for messages).
 * @throws Error with {@link INSTALL_ADVICE} and what was examined when nothing qualifies.
 */
export function choosePython(): { chosen: PythonConfig; examined: Candidate[] } {
  const override = process.env.TSPY_PYTHON;
  if (override) {
    const chosen = probeOverride(override);
    return { chosen, examined: [{ tried: override, config: chosen, problem: null }] };
  }
  const examined: Candidate[] = [];
  const seen = new Set<string>();
  for (const tried of searchOrder()) {
    const c = examine(tried);
    if (c.config) {
      let real = c.config.executable;
      try {
        real = fs.realpathSync(real);
      } catch {
        // keep the reported path
      }
      if (seen.has(real)) continue;
      seen.add(real);
    }
    examined.push(c);
  }
  const usable = examined.filter((c) => c.problem === null && c.config !== null);
  const chosen = usable.find((c) => c.config!.versionInfo[1] === PREFERRED_MINOR) ?? usable[0];
  if (!chosen) {
    const seenList = examined
      .filter((c) => c.config)
      .map((c) => `${c.config!.executable} (${c.config!.version}): ${c.problem}`)
      .join("; ");
    throw new Error(`no usable Python found. ${INSTALL_ADVICE}.${seenList ? ` Examined: ${seenList}.` : ""}`);
  }
  return { chosen: chosen.config!, examined };
}
