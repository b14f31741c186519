// Finds out what a CPython installation is (version, libpython, headers, prefixes) and where the
// project's chosen Python is recorded. Knows nothing of the kernel or the bridge's internals.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * What the bridge needs to know to embed one CPython, as probed from its executable.
 * Paths are absolute. Follows reticulate's `py_config()` fields.
 */
export interface PythonConfig {
  /** The interpreter executable (inside a virtual environment when one is used). */
  executable: string;
  /** `sys._base_executable`: the base interpreter a venv was made from (same as `executable` otherwise). */
  baseExecutable: string;
  /** `platform.python_version()`, e.g. "3.11.7". */
  version: string;
  /** [major, minor] of `version`. */
  versionInfo: [number, number];
  /** Absolute path of the shared libpython (e.g. `.../lib/libpython3.11.so.1.0`); the bridge dlopens it RTLD_GLOBAL. */
  libpython: string;
  /** Directory holding `Python.h` (sysconfig's `include` path). */
  include: string;
  /** `sys.prefix` (the venv when one is used). */
  prefix: string;
  /** `sys.base_prefix`. */
  basePrefix: string;
  /** `sys.path` of a plain run of `executable` (site-packages included). */
  sysPath: string[];
  /** numpy's version when numpy imports in that interpreter, else null. */
  numpy: string | null;
}

/** Folder of python-env in the source tree (this file compiles to dist/python-env/config.js). */
export const PYTHON_ENV_DIR = path.resolve(__dirname, "..", "..", "python-env");
/** The default virtual environment created by `npm install`. */
export const DEFAULT_VENV = path.join(PYTHON_ENV_DIR, ".venv");
/** The JSON file (a {@link PythonConfig}) that `npm install` writes for the default environment. */
export const CONFIG_FILE = path.join(PYTHON_ENV_DIR, "config.json");

const PROBE = String.raw`
import json, os, platform, sys, sysconfig
v = sysconfig.get_config_vars()
libdir = v.get("LIBDIR") or ""
names = [v.get("INSTSONAME"), v.get("LDLIBRARY")]
lib = ""
if v.get("Py_ENABLE_SHARED"):
    for n in names:
        if n and os.path.exists(os.path.join(libdir, n)):
            lib = os.path.join(libdir, n)
            break
try:
    import numpy
    np_version = numpy.__version__
except Exception:
    np_version = None
print(json.dumps({
    "executable": sys.executable,
    "baseExecutable": getattr(sys, "_base_executable", sys.executable),
    "version": platform.python_version(),
    "versionInfo": [sys.version_info[0], sys.version_info[1]],
    "libpython": lib,
    "include": sysconfig.get_paths()["include"],
    "prefix": sys.prefix,
    "basePrefix": sys.base_prefix,
    "sysPath": [p for p in sys.path if p],
    "numpy": np_version,
}))
`;

/**
 * Runs `executable` once and reports what it is.
 * @param executable a python executable path (or a name found on PATH).
 * @returns the probed {@link PythonConfig}; `libpython` is "" when the build has no shared libpython.
 * @throws Error when the executable cannot be run or prints something that is not the probe's JSON.
 */
export function probePython(executable: string): PythonConfig {
  const r = spawnSync(executable, ["-c", PROBE], { encoding: "utf8", env: { ...process.env, PYTHONNOUSERSITE: "1" } });
  if (r.error || r.status !== 0) {
    throw new Error(`cannot run ${executable}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  return JSON.parse(r.stdout) as PythonConfig;
}

/**
 * The Python the kernel and the bridge embed, chosen at run time:
 * 1. `TSPY_PYTHON` (an executable path) when set — probed now;
 * 2. else python-env/config.json written by `npm install` for python-env/.venv.
 * @throws Error naming `npm install` when neither is available, or when the chosen Python has no shared libpython.
 */
export function loadPythonConfig(): PythonConfig {
  const override = process.env.TSPY_PYTHON;
  let config: PythonConfig;
  if (override) {
    config = probePython(override);
  } else if (fs.existsSync(CONFIG_FILE)) {
    config = JSON.parse(fs.readFileSync(CONFIG_FILE, "utf8")) as PythonConfig;
  } else {
    throw new Error(`tspy: no Python environment configured (${CONFIG_FILE} is missing); run \`npm install\` first or set TSPY_PYTHON`);
  }
  if (!config.libpython) {
    throw new Error(`tspy: ${config.executable} (Python ${config.version}) has no shared libpython; use a CPython built with --enable-shared`);
  }
  return config;
}
