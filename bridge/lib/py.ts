// `py`, the namespace of Python's `__main__` seen from TS. Knows nothing of the tspy namespace.
import * as util from "node:util";
import { QUIET_ATTRIBUTES } from "./proxy-core.js";
import { ABSENT, requirePy } from "./state.js";

/**
 * The Python side: exactly the namespace of `__main__`, with no members of its own, so every
 * global is reachable by its name (`py.config`, `py.kwargs`, `py.eval`, `py.type` are Python
 * globals of those names). `py.x` reads the global x (None is null); a missing one throws the
 * PythonError NameError naming it, except the names JavaScript probes ({@link QUIET_ATTRIBUTES},
 * e.g. `then`), which read as undefined. `py.x = v` sets it; `delete py.x` removes it (NameError
 * when missing); `"x" in py` tests it. Builtins are not globals: reach them through
 * `tspy.import("builtins")`. The bridge's own API is {@link tspy}. Usable after
 * {@link initialize} on the thread that initialised; before (or on another thread) any property
 * access throws an Error.
 */
export interface Py {
  /** A global of `__main__` (reading a missing one throws PythonError NameError). */
  [name: string]: any;
}

/** The Python side: `__main__`'s namespace; see {@link Py}. */
export const py: Py = new Proxy({} as Py, {
  get(_t, prop) {
    if (typeof prop === "symbol") {
      if (prop === util.inspect.custom) return () => "[tspy py]";
      return undefined;
    }
    const quiet = QUIET_ATTRIBUTES.has(prop);
    const v = requirePy().getGlobal(prop, !quiet);
    return v === ABSENT ? undefined : v;
  },
  set(_t, prop, value) {
    if (typeof prop === "symbol") return false;
    requirePy().setGlobal(prop, value);
    return true;
  },
  has(_t, prop) {
    if (typeof prop === "symbol") return false;
    return requirePy().hasGlobal(prop);
  },
  deleteProperty(_t, prop) {
    if (typeof prop === "symbol") return false;
    const n = requirePy();
    if (!n.delGlobal(prop)) n.getGlobal(prop, true); // throws NameError naming it
    return true;
  },
});
