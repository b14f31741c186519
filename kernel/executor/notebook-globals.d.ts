/// <reference path="../display/notebook-globals.d.ts" />
// Ambient declarations of what every TypeScript cell finds in its global scope (the executor's
// runtime globals), for the notebook's language service: completions, hover and type errors.
// Not part of the kernel's own compilation (tsconfig excludes it).

/** A Python object seen from TypeScript. */
type PyProxy = import("../../bridge/lib/index").PyProxy;
/** The keyword-arguments marker, `tspy.kwargs({...})`, last argument of a call. */
type PyKwargs = import("../../bridge/lib/index").PyKwargs;
/** What every generated Python declaration extends: the proxy's own members. */
interface PyProxyBase extends PyProxy {}
/** Declarations generated for modules cells imported with `tspy.import("name")` (kernel/executor/tspy_stubs.py). */
interface PyModules {}

/** The Python side: exactly `__main__`'s namespace (`py.x` reads the global x; a missing one throws NameError). */
declare const py: import("../../bridge/lib/index").Py;
/**
 * The bridge's own API (`tspy.import("numpy")`, `tspy.kwargs({...})`, ...); `tspy.import` of a module
 * whose declarations were generated (kernel/executor/tspy_stubs.py) gives its typed interface.
 */
declare const tspy: { import<K extends keyof PyModules>(name: K): PyModules[K] } & import("../../bridge/lib/index").Tspy;
/** Thrown into TypeScript when Python raises: `type`, `value`, `traceback` (Python's lines). */
declare const PythonError: typeof import("../../bridge/lib/index").PythonError;
/**
 * Asks the user for a line of text through the frontend (Jupyter's input_request).
 * @param prompt shown before the input box.
 * @param options password: hide what is typed.
 * @returns the line typed, without its newline.
 * @throws Error when the frontend does not accept input (allow_stdin false), KeyboardInterrupt on interrupt.
 */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;
/**
 * The notebook's comms (Jupyter's comm protocol): `comms.open(target, data, metadata?, buffers?)`
 * opens one to the frontend, `comms.registerTarget(target, (comm, data, msg) => ...)` answers the
 * frontend's `comm_open`; a comm has `send(data, metadata?, buffers?)`, `close(...)`, `onMessage`
 * and `onClose` as @jupyterlab/services' IComm has; binary buffers arrive as `msg.buffers` (DataViews).
 */
declare const comms: import("./comms").CommRegistry;
