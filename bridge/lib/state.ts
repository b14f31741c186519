// The bridge's module-level state in this thread (the loaded addon, the Python it embeds, the TS
// namespace Python's `ts` reads) and the symbols every part of bridge/lib shares. Imports no value.
import type { PythonConfig } from "../../python-env/config.js";
import type * as Native from "./native.js";

/** The addon's exports (tspy_bridge.node), see native.d.ts. */
export type NativeModule = typeof Native;
/** An owned Python reference, see native.d.ts. */
export type PyHandle = Native.PyHandle;

/** What backs Python's `ts` module (see setTsNamespace in lifetime.ts). */
export interface TsNamespace {
  /** The value of a TS global (undefined when absent). */
  get(name: string): unknown;
  /** Sets a TS global. */
  set(name: string, value: unknown): void;
  /** The names Python's dir(ts) lists. */
  keys(): string[];
}

/** The symbol under which a PyProxy (and a TS instance) answers its handle. */
export const HANDLE: unique symbol = Symbol("tspy.PyProxy.handle");
/** The addon's sentinel for "no such attribute/item/global" and "iterator exhausted". */
export const ABSENT: object = Object.freeze({ absent: true });

/** Per-thread state, written only by lifetime.ts (load, initialise) and environment.ts (usePython). */
export const state: {
  /** The bridge addon once loadBridge() ran in this thread. */
  native: NativeModule | undefined;
  /** The loader addon (dlopens libpython) once loadBridge() ran. */
  loader: Native.Loader | undefined;
  /** The Python loadBridge() loaded. */
  loadedConfig: PythonConfig | undefined;
  /** `config.executable` of the initialize() that started Python here. */
  initializedExecutable: string | undefined;
  /** The Python chosen by tspy.usePython() before any load (used instead of loadPythonConfig()). */
  selectedConfig: PythonConfig | undefined;
  /** The latest setTsNamespace() argument. */
  tsNamespace: TsNamespace | undefined;
} = {
  native: undefined,
  loader: undefined,
  loadedConfig: undefined,
  initializedExecutable: undefined,
  selectedConfig: undefined,
  tsNamespace: undefined,
};

/** The loaded addon. @throws Error when loadBridge()/initialize() has not run in this thread. */
export function requireNative(): NativeModule {
  if (!state.native) throw new Error("tspy: the bridge is not loaded; call initialize() first");
  return state.native;
}

/** The addon, on the thread that initialised Python. @throws Error naming the reason otherwise. */
export function requirePy(): NativeModule {
  const n = state.native;
  if (!n || !n.initializedHere()) {
    throw new Error(
      n && n.isInitialized()
        ? "tspy: Python was initialised on another thread; use py only on that thread"
        : "tspy: Python is not initialised; call initialize() first",
    );
  }
  return n;
}
