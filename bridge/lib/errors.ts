// PythonError, the JS face of a Python exception (the addon makes it through loadBridge's
// `makeError` hook). Knows a PyProxy only as a type.
import type { PyProxy } from "./proxy-core.js";

/** The symbol under which a PythonError keeps its exception's PyProxy (the addon's `errorKey`). */
export const ERROR_KEY: unique symbol = Symbol("tspy.PythonError.exception");

/**
 * A Python exception raised into TypeScript. `message` is "Type: value" (just "Type" when str(exc)
 * is empty); `stack` is the Python traceback (traceback.format_exception) then the JS frames.
 * A `tspy.JSError` that Python did not catch is not turned into a PythonError: the original JS
 * value is rethrown instead. KeyboardInterrupt and SystemExit are PythonErrors like any other
 * (type "KeyboardInterrupt" / "SystemExit"): they never end the process.
 */
export class PythonError extends Error {
  /** Always "PythonError". */
  override readonly name = "PythonError" as const;
  /** The Python exception class name, e.g. "ZeroDivisionError", "KeyboardInterrupt". */
  readonly type: string;
  /** str(exception). */
  readonly value: string;
  /** The lines of traceback.format_exception(exception), each ending in "\n". */
  readonly traceback: string[];

  /** The exception object (set when the bridge made this error); see {@link PythonError.exception}. */
  declare private readonly [ERROR_KEY]?: PyProxy;

  /**
   * @param type Python exception class name.
   * @param value str() of the exception.
   * @param traceback traceback.format_exception lines.
   * @param exception the Python exception object (the bridge passes it; a PythonError thrown
   *   back into Python, e.g. out of a TS callback, re-raises this very object).
   */
  constructor(type: string, value: string, traceback: string[], exception?: PyProxy) {
    super(value === "" ? type : `${type}: ${value}`);
    this.type = type;
    this.value = value;
    this.traceback = traceback;
    if (exception !== undefined) Object.defineProperty(this, ERROR_KEY, { value: exception });
    const jsFrames = (this.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !/\bmakeError\b/.test(l));
    this.stack = `PythonError: ${this.message}\n${traceback.join("")}${jsFrames.join("\n")}`;
  }

  /**
   * The Python exception object as a PyProxy (undefined for a PythonError made by TS code).
   * Thrown back into Python (from a TS callback), the error raises this same object again.
   */
  get exception(): PyProxy | undefined {
    return this[ERROR_KEY];
  }
}
