// The embedded Python's environment, reticulate-style: pyConfig (py_config), pyInstall
// (py_install), usePython (use_python). Knows nothing of proxies beyond releasing them.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { loadPythonConfig, probePython, type PythonConfig } from "../../python-env/config.js";
import { addonFor, anotherPythonError, realpathOr } from "./lifetime.js";
import { handleOf, isPyProxy, type PyProxy, releaseProxy } from "./proxy-core.js";
import { type NativeModule, state } from "./state.js";

/** The running interpreter, as {@link Tspy.pyConfig} reports it (reticulate's `py_config()`). */
export interface PyRuntimeConfig {
  /** `sys.executable` (the venv's python when a virtual environment is used). */
  executable: string;
  /** `platform.python_version()`, e.g. "3.11.7". */
  version: string;
  /** Absolute path of the shared libpython serving the process (the file that provides Py_IsInitialized). */
  libpython: string;
  /** `sys.prefix`. */
  prefix: string;
  /** `sys.base_prefix`. */
  basePrefix: string;
  /** `sys.path` now. */
  sysPath: string[];
  /** `numpy.__version__` when numpy imports, else null. */
  numpy: string | null;
}

const CONFIG_SNIPPET = `
import platform as _platform, sys as _sys
try:
    import numpy as _np
    _numpy = str(_np.__version__)
except Exception:
    _numpy = None
_config = {"executable": _sys.executable, "version": _platform.python_version(), "prefix": _sys.prefix,
           "basePrefix": _sys.base_prefix, "sysPath": [str(p) for p in _sys.path], "numpy": _numpy}
`;

/** Runs Python statements in a fresh dict and returns `name` from it (converted, deeply); nothing lands in `__main__`. */
function runSnippet(n: NativeModule, code: string, name: string): unknown {
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(code, handleOf(g));
    const v = n.getItem(handleOf(g), name, true);
    if (!isPyProxy(v)) return v;
    try {
      return n.toJS(handleOf(v), Infinity, false);
    } finally {
      releaseProxy(v);
    }
  } finally {
    releaseProxy(g);
  }
}

/** {@link Tspy.pyConfig} (and `tspy.config()`) for the addon `n`. Python thread only. */
export function pyConfig(n: NativeModule): PyRuntimeConfig {
  const out = runSnippet(n, CONFIG_SNIPPET, "_config") as Omit<PyRuntimeConfig, "libpython">;
  const lib = state.loader?.loadedPython() ?? state.loadedConfig?.libpython ?? "";
  return { ...out, libpython: realpathOr(lib) };
}

/** Options of {@link Tspy.pyInstall}. */
export interface PyInstallOptions {
  /**
   * More arguments for `pip install`, placed before the package names (reticulate's
   * `pip_options`), e.g. `["--upgrade"]` or `["--index-url", "https://..."]`. Default none.
   */
  pipOptions?: string[];
}

/** How much of pip's stderr a failed {@link pyInstall} quotes (characters, from the end). */
const PIP_TAIL_CHARS = 4000;

/** The interpreter whose pip installs: the running one (`sys.executable`), else the one that would start. */
function installingPython(): string {
  const n = state.native;
  if (n?.initializedHere()) return runSnippet(n, "import sys\n_exe = sys.executable", "_exe") as string;
  return (state.loadedConfig ?? state.selectedConfig ?? loadPythonConfig()).executable;
}

/** {@link Tspy.pyInstall}: the child pip process, its output and the import caches. */
export function pyInstall(packages: string[], options?: PyInstallOptions): Promise<void> {
  if (!Array.isArray(packages) || packages.length === 0) throw new TypeError("tspy.pyInstall: packages must be a non-empty array of requirement strings");
  for (const p of packages) {
    if (typeof p !== "string" || p.trim() === "" || p.startsWith("-")) {
      throw new TypeError(`tspy.pyInstall: ${JSON.stringify(p)} is not a requirement (pip options go in options.pipOptions)`);
    }
  }
  const pipOptions = options?.pipOptions ?? [];
  if (!Array.isArray(pipOptions) || !pipOptions.every((o) => typeof o === "string"))
    throw new TypeError("tspy.pyInstall: pipOptions must be an array of strings");
  const executable = installingPython();
  const args = ["-m", "pip", "install", "--retries", "0", ...pipOptions, ...packages];
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ["ignore", "inherit", "pipe"] });
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      try {
        fs.writeSync(2, chunk);
      } catch {
        // fd 2 closed or full: pip still runs, and a failure still quotes this text (the tail).
      }
      tail = (tail + chunk.toString("utf8")).slice(-PIP_TAIL_CHARS);
    });
    child.on("error", (e) => reject(new Error(`tspy.pyInstall: cannot run ${executable} -m pip: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const status = signal === null ? `status ${code}` : `signal ${signal}`;
        reject(new Error(`tspy.pyInstall: pip install ${packages.join(" ")} failed (${executable}, exit ${status}):\n${tail.trimEnd()}`));
        return;
      }
      try {
        const n = state.native;
        if (n?.initializedHere()) runSnippet(n, "import importlib\nimportlib.invalidate_caches()\n_done = True", "_done");
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** {@link Tspy.usePython}: probes `executable` and records it in {@link state}.selectedConfig. */
export function usePython(executable: string): PythonConfig {
  if (typeof executable !== "string" || executable === "") throw new TypeError("tspy.usePython: executable must be the path of a python executable");
  const n = state.native;
  if (n?.isInitialized()) {
    const running = state.loadedConfig ? `Python ${state.loadedConfig.version} (${state.initializedExecutable ?? state.loadedConfig.executable})` : "Python";
    throw new Error(
      `tspy.usePython: ${running} has already started in this process, and a process embeds one CPython chosen before it starts. ` +
        `To use ${executable}: register a kernel for it with \`npx tspy install --python ${executable}\` and pick that kernel, ` +
        `or start the kernel (or node) with TSPY_PYTHON=${executable}.`,
    );
  }
  const cfg = probePython(executable);
  addonFor(cfg);
  if (state.loadedConfig && realpathOr(state.loadedConfig.libpython) !== realpathOr(cfg.libpython)) {
    throw anotherPythonError(state.loadedConfig.libpython, state.loadedConfig.version, cfg);
  }
  state.selectedConfig = cfg;
  return cfg;
}
