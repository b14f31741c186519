// The TypeScript face of the bridge: `py`, `tspy`, PyProxy, PythonError, the conversion markers and
// the interpreter lifetime (loadBridge / initialize / interrupt). Knows nothing of Jupyter. This
// file only re-exports; each job has its file (the import graph has no cycle, lowest first):
//   state.ts       the loaded addon and Python of this thread, shared symbols
//   markers.ts     PyFloat, PySlice, PyKwargs          errors.ts      PythonError
//   proxy-debug.ts creation sites of live proxies      proxy-core.ts  PyProxy type, handle, release
//   awaiting.ts    `await proxy`, awaitPython          ts-classes.ts  TS classes over Python classes
//   pyproxy.ts     the Proxy traps, makeProxy          py.ts          `py` (__main__'s namespace)
//   lifetime.ts    loadBridge, initialize, interrupts  buffers.ts     PyBuffer, bufferAddress, alignedArray
//   operations.ts  toPy, tspy.with                     environment.ts pyConfig, pyInstall, usePython
//   tspy.ts        `tspy` and its members
//
// Threads: the addon loads in every thread that calls loadBridge(); CPython is initialised once
// per process by initialize() on one thread (the kernel's executor worker) and only that thread
// may use `py` and PyProxies. interrupt()/clearInterrupt() work from any thread. TS functions
// and objects handed to Python may be used from any Python thread: the call runs on the thread
// that initialised (see bridge/README.md, "Calls from other Python threads").
//
// Conversions (python2js / js2python, done by the addon): bridge/README.md, "The conversion
// table", the one statement of the rules, checked row by row by test/bridge/conversion-table.test.ts;
// the dtype <-> TypedArray table is kernel/contracts/dtypes.ts.

export type { PythonConfig } from "../../python-env/config.js";
export { awaitPython } from "./awaiting.js";
export {
  alignedArray,
  bufferAddress,
  type BufferData,
  type GetBufferOptions,
  type PyBuffer,
  type SharedMemory,
  type ToDLPackOptions,
  type TypedArrayConstructor,
} from "./buffers.js";
export type { PyInstallOptions, PyRuntimeConfig } from "./environment.js";
export { PythonError } from "./errors.js";
export {
  clearInterrupt,
  exitProcess,
  initialize,
  interrupt,
  liveJsRefCount,
  liveProxyCount,
  loadBridge,
  requestTermination,
  runTerminable,
  setTsNamespace,
} from "./lifetime.js";
export { PyFloat, PyKwargs, PySlice } from "./markers.js";
export { type PyContext, toPy, type ToPyOptions } from "./operations.js";
export { addonPaths, BUILD_DIR, type AddonPaths } from "./paths.js";
export { isPyProxy, type PyProxy, QUIET_ATTRIBUTES } from "./proxy-core.js";
export { liveProxySites, type ProxySite, setProxyDebug } from "./proxy-debug.js";
export { py, type Py } from "./py.js";
export { isTsInstance, type SubclassOptions } from "./ts-classes.js";
export { type ToJSOptions, tspy, type Tspy } from "./tspy.js";
