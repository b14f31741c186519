// Loading and lifetime: loadBridge (the addon and libpython into this thread), initialize (CPython),
// interrupts and termination, the `ts` namespace hook, the live-reference counters. Knows nothing of
// the tspy namespace's members.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadPythonConfig, type PythonConfig } from "../../python-env/config.js";
import { ERROR_KEY, PythonError } from "./errors.js";
import { PyFloat, PyKwargs, PySlice } from "./markers.js";
import type * as Native from "./native.js";
import { type AddonPaths, addonPaths, BOOTSTRAP_PY } from "./paths.js";
import { py, type Py } from "./py.js";
import { handleOf, isPyProxy, type PyProxy, releaseProxy } from "./proxy-core.js";
import { makeProxy } from "./pyproxy.js";
import { describeFunction } from "./signature.js";
import { ABSENT, HANDLE, type NativeModule, requireNative, state, type TsNamespace } from "./state.js";
import { tsInstanceHook } from "./ts-classes.js";

function installNamespace(n: NativeModule, ns: TsNamespace): void {
  n.setNamespace(
    (name) => {
      const v = ns.get(name);
      if (v === undefined && !ns.keys().includes(name)) return ABSENT;
      return v;
    },
    (name, value) => ns.set(name, value),
    () => ns.keys(),
  );
}

/** realpath of `p`, or `p` itself when it does not exist. */
export function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The Error for a request to embed `wanted` while `loaded` (a libpython path, version if known) serves the process. */
export function anotherPythonError(loaded: string, loadedVersion: string | undefined, wanted: PythonConfig): Error {
  const what = loadedVersion ? `Python ${loadedVersion} (${loaded})` : loaded;
  return new Error(
    `tspy: ${what} is already loaded in this process; cannot load Python ${wanted.version} (${wanted.executable}, ${wanted.libpython}): a process embeds one CPython, chosen before the first load (TSPY_PYTHON, the kernelspec's env or python-env/config.json); start a new process to use another`,
  );
}

/**
 * The addon build that can embed `cfg` (see {@link addonPaths}), checked before anything loads.
 * @throws TypeError when `cfg` has no libpython or versionInfo; Error (naming the build command)
 *   when the addon is not built for that Python's minor version or was built for other headers.
 */
export function addonFor(cfg: PythonConfig): AddonPaths {
  if (typeof cfg.libpython !== "string" || cfg.libpython === "") {
    throw new TypeError("tspy: config.libpython must be the path of a shared libpython");
  }
  if (!Array.isArray(cfg.versionInfo) || cfg.versionInfo.length !== 2) {
    throw new TypeError("tspy: config.versionInfo must be [major, minor] (probe the Python with probePython)");
  }
  const paths = addonPaths(cfg.versionInfo);
  for (const f of [paths.loader, paths.bridge]) {
    if (!fs.existsSync(f)) {
      throw new Error(
        `tspy: the bridge addon is not built for Python ${cfg.versionInfo.join(".")} (${f} is missing); run \`TSPY_PYTHON=${cfg.executable} node dist/bridge/lib/build.js\``,
      );
    }
  }
  // The addon is compiled against one Python's headers; another minor version has another ABI.
  const builtFor = fs.existsSync(paths.stamp) ? path.basename(fs.readFileSync(paths.stamp, "utf8").trim()) : null;
  if (builtFor && builtFor !== path.basename(cfg.include)) {
    throw new Error(
      `tspy: the bridge addon in ${paths.projectDir} was built for ${builtFor} but the configured Python is ${cfg.executable} (Python ${cfg.version}); rebuild it with \`TSPY_PYTHON=${cfg.executable} node dist/bridge/lib/build.js\``,
    );
  }
  return paths;
}

/**
 * Loads the addon into the calling thread: dlopens `config.libpython` RTLD_GLOBAL (tspy_loader)
 * then requires tspy_bridge.node from the build folder of that Python's minor version
 * (`bridge/build/py3.X`, see {@link addonPaths}), so the Python is chosen at run time among the
 * versions built. Does not initialise Python. Idempotent per thread for the same Python.
 * @param config the Python to embed; default: the one chosen by tspy.usePython(), else {@link loadPythonConfig}().
 * @throws Error when the addon is not built for that Python's version (names the build command),
 *   when libpython cannot be loaded, or when another Python (another libpython) is already loaded
 *   in the process (by this or another thread).
 */
export function loadBridge(config?: PythonConfig): void {
  if (state.native) {
    if (config && state.loadedConfig && realpathOr(config.libpython) !== realpathOr(state.loadedConfig.libpython)) {
      throw anotherPythonError(state.loadedConfig.libpython, state.loadedConfig.version, config);
    }
    return;
  }
  const cfg = config ?? state.selectedConfig ?? loadPythonConfig();
  const paths = addonFor(cfg);
  const loader = require(paths.loader) as Native.Loader;
  const already = loader.loadedPython();
  if (already !== null && realpathOr(already) !== realpathOr(cfg.libpython)) throw anotherPythonError(already, undefined, cfg);
  loader.loadLibrary(cfg.libpython);
  state.loader = loader;
  const n = require(paths.bridge) as NativeModule;
  n.setup({
    makeProxy,
    tsInstance: tsInstanceHook,
    makeError: (type, value, traceback, exception) => new PythonError(type, value, traceback, isPyProxy(exception) ? exception : undefined),
    PyFloat,
    PyKwargs,
    PySlice,
    handleKey: HANDLE,
    errorKey: ERROR_KEY,
    absent: ABSENT,
    objectPrototype: Object.prototype,
    describeFunction,
  });
  if (state.tsNamespace) installNamespace(n, state.tsNamespace);
  state.loadedConfig = cfg;
  state.native = n;
}

const SITE_SNIPPET = (sysPath: string[]): string => `
import os, site, sys
for _p in ${JSON.stringify(sysPath)}:
    if _p not in sys.path and os.path.basename(_p) == "site-packages" and os.path.isdir(_p):
        site.addsitedir(_p)
`;

/**
 * Initialises CPython on the calling thread (once per process; no signal handlers installed;
 * program name = `config.executable`, so a venv's sys.prefix and site-packages apply; any
 * site-packages of `config.sysPath` still missing from sys.path is added with site.addsitedir).
 * Registers the `ts` module (also injected into `__main__` as `ts`).
 * @param config the Python to embed; default: the one given to loadBridge, else the one chosen by tspy.usePython(), else
 *   {@link loadPythonConfig}().
 * @returns {@link py}. Calling it again on the same thread returns py.
 * @throws Error when Python was already initialised by another thread, CPython fails to start, or
 *   `config` names another Python than the one already loaded or initialised (see loadBridge).
 */
export function initialize(config?: PythonConfig): Py {
  loadBridge(config);
  const n = requireNative();
  if (n.initializedHere()) {
    if (config && state.initializedExecutable !== undefined && config.executable !== state.initializedExecutable) {
      throw new Error(
        `tspy: Python is already initialised from ${state.initializedExecutable}; cannot initialise ${config.executable} (Python ${config.version}) in the same process`,
      );
    }
    return py;
  }
  const cfg = config ?? state.loadedConfig ?? state.selectedConfig ?? loadPythonConfig();
  n.initialize(cfg.executable, fs.readFileSync(BOOTSTRAP_PY, "utf8"), BOOTSTRAP_PY);
  state.initializedExecutable = cfg.executable;
  const g = n.eval("{}", null) as PyProxy;
  try {
    n.exec(SITE_SNIPPET(cfg.sysPath ?? []), handleOf(g));
  } finally {
    releaseProxy(g);
  }
  return py;
}

/**
 * Makes the Python code now running on the Python thread raise KeyboardInterrupt: it trips SIGINT
 * in Python's signal module (the process's own SIGINT handler is untouched), which bytecode sees
 * at its next boundary, and signals the Python thread so that a call blocked in a syscall or a
 * lock wait (time.sleep, select, socket recv, Event.wait, Queue.get) returns EINTR and raises
 * within milliseconds. C code that retries EINTR itself and never checks signals is interrupted
 * when it returns. Callable from any thread; a no-op before initialisation. The request stays
 * pending until Python takes it or {@link clearInterrupt} is called. A TS error named
 * "KeyboardInterrupt" thrown into Python (from a TS callback) is Python's KeyboardInterrupt and
 * takes the pending request.
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function interrupt(): void {
  loadBridge();
  requireNative().interrupt();
}

/**
 * Ends the process at once with status `code` through _exit(2): no `exit` handlers, atexit
 * handlers, static destructors or addon finalizers run, so nothing can crash while another thread
 * still uses the interpreter. Do the orderly work (Python's atexit, flushing files and sockets)
 * first. Any thread; the interpreter need not be initialised.
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function exitProcess(code: number): never {
  loadBridge();
  return requireNative().exitProcess(code);
}

/**
 * Drops a pending {@link interrupt} (call at the start of each cell). Any thread; on the thread
 * that initialised Python it also clears the SIGINT trip no Python code has taken yet.
 */
export function clearInterrupt(): void {
  loadBridge();
  requireNative().clearInterrupt();
}

/**
 * Asks the thread that initialised Python (the executor) to stop the TypeScript it is running now
 * with V8's TerminateExecution, for TS code that no loop check reaches (a callback inside
 * `forEach`/`map`/`sort`, a regular expression backtracking, a recursion). It acts only while that
 * thread runs JS under {@link runTerminable} (or a TS function called from Python), at its next JS
 * stack check, never inside Python or the event loop; it stays asked until such JS runs, a
 * termination is taken or {@link clearInterrupt} is called. Any thread.
 * @returns false when there is nothing to terminate (Python is not initialised).
 * @throws Error when the addon cannot be loaded (see loadBridge).
 */
export function requestTermination(): boolean {
  loadBridge();
  return requireNative().requestTermination();
}

/**
 * Runs `fn()` so that a termination asked for by {@link requestTermination} stops it and is turned
 * into an ordinary exception: V8's termination unwinds every JS frame of `fn` (no catch or finally
 * of it runs), is cancelled here, and `onTerminated()` is returned (it normally throws the
 * KeyboardInterrupt). A TS function called from Python inside `fn` is stopped the same way and
 * raises KeyboardInterrupt in Python. JS state (globals, objects) and Python's stay as they were.
 * On a thread without Python (or before initialisation) it simply calls `fn()`.
 * @returns fn's result, or onTerminated's.
 * @throws whatever fn (or onTerminated) throws.
 */
export function runTerminable<T>(fn: () => T, onTerminated: () => T): T {
  if (!state.native || !state.native.initializedHere()) return fn();
  return state.native.runTerminable(fn, onTerminated);
}

/**
 * Backs Python's `ts` module: `ts.x` calls ns.get("x") (an undefined value for a name not in
 * keys() raises AttributeError), `ts.x = v` calls ns.set("x", v), dir(ts) is keys(). Values are
 * converted both ways. May be called before or after initialize(); the latest call wins.
 * @throws TypeError when ns lacks get/set/keys functions.
 */
export function setTsNamespace(ns: TsNamespace): void {
  if (!ns || typeof ns.get !== "function" || typeof ns.set !== "function" || typeof ns.keys !== "function") {
    throw new TypeError("setTsNamespace: ns must have get(name), set(name, value) and keys() functions");
  }
  state.tsNamespace = ns;
  if (state.native) installNamespace(state.native, ns);
}

/** Python references held by JS (PyProxies and un-released getBuffer() views), process-wide. */
export function liveProxyCount(): number {
  return state.native ? state.native.liveProxyCount() : 0;
}

/** JS values held by Python objects (tspy.JsObject/JsFunction/JsBuffer alive), process-wide. */
export function liveJsRefCount(): number {
  return state.native ? state.native.liveJsRefCount() : 0;
}
