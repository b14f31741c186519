// The ambient prelude of the declarations generated for Python modules (kernel/executor/tspy_stubs.py):
// one virtual file of the notebook's program, next to the runtime's globals.
import * as path from "node:path";
import { KERNEL_ROOT } from "./module-resolution";

/** Virtual file of {@link PYTHON_PRELUDE}, next to the globals so its relative import resolves the same way. */
export const PRELUDE_FILE = path.join(KERNEL_ROOT, "kernel", "executor", "__tspy_python_prelude.d.ts");

/**
 * The vocabulary of the declarations kernel/executor/tspy_stubs.py generates for Python modules:
 * - `Arg`: any positional argument (every value; a keyword-arguments marker passes only where
 *   the parameter's `Kw<...>` alternative types it, so its names are checked);
 * - `Kw<T>`: the marker `tspy.kwargs({...})` of a callee whose keyword names are `T`: since the
 *   marker takes `T` from this context, never from its argument, the object literal gets
 *   TypeScript's excess-property check (a misspelt keyword is an error; `T` with an index
 *   signature, for a callee with open `**kwargs`, accepts every name);
 * - `Closed`: a proxy's own members without the open index signature, so the interface of a class
 *   whose attributes are all known makes a misspelt attribute an error (names starting with `_`
 *   stay open);
 * - `Open`: a proxy's own members and every attribute name, but no call signature (a class,
 *   whose constructor signature is declared next to it);
 * - `Obj`: any Python object, accepted wherever a value of an inferred type (number, string...)
 *   is expected, as Python's duck typing does.
 */
export const PYTHON_PRELUDE = `declare namespace __tspy_py {
  /** Any argument of a Python call. */
  type Arg = {} | null | undefined;
  /** The keyword-arguments marker of a callee whose keyword names are T. */
  type Kw<T extends object> = import("../../bridge/lib/index").PyKwargs<T>;
  /** A proxy's own members, without the index signature that opens every name. */
  type ProxyMembers = { [K in keyof PyProxy as string extends K ? never : number extends K ? never : K]: PyProxy[K] };
  /** What the interface of a Python object whose attributes are all known extends. */
  interface Closed extends ProxyMembers {
    [name: \`_\${string}\`]: any;
  }
  /** A Python object whose attributes cannot all be known (a class's, whose call signature is declared apart). */
  interface Open extends ProxyMembers {
    [name: string]: any;
  }
  /** Any Python object. */
  type Obj = Closed | PyProxy;
}
`;
