// The one place where Jupyter error content ({ename, evalue, traceback}: messaging spec 5.3,
// "Execution errors") is built: from a thrown value, from a name and message, or from the record
// Python's side returns for an exception. Imports only the spec's types; nothing of the executor.
import type { KernelMessage } from "@jupyterlab/services";

/** The error content of an `error` message and, with `status: "error"`, of a failed reply. */
export type ErrorContent = KernelMessage.IErrorMsg["content"];

/** A failed reply's content (messaging spec: `status: "error"` plus the error content; KernelMessage.IReplyErrorContent's fields). */
export type ErrorReply = { status: "error" } & ErrorContent;

/**
 * Error content with a name and message chosen by the kernel.
 * @param traceback the traceback lines; by default the one line `ename: evalue`, as Python prints it.
 */
export function namedError(ename: string, evalue: string, traceback: string[] = [`${ename}: ${evalue}`]): ErrorContent {
  return { ename, evalue, traceback };
}

/**
 * Error content for a value thrown in JavaScript: ename is the error's `name` (its class name, or
 * "Error"), evalue its message, the traceback its stack's lines (`name: message` when it has no
 * stack). A thrown non-Error becomes an "Error" whose evalue is the value as text.
 * @param ename reports the error under this name instead (a kernel fault, e.g. "ExecutorError");
 *   the evalue then keeps the original name (`TypeError: ...`), as `String(error)` does.
 */
export function errorContent(error: unknown, ename?: string): ErrorContent {
  if (!(error instanceof Error)) return namedError(ename ?? "Error", String(error));
  const name = error.name || error.constructor?.name || "Error";
  const evalue = ename && ename !== name ? `${name}: ${error.message}` : error.message;
  return namedError(ename ?? name, evalue, (error.stack ?? `${name}: ${error.message}`).split("\n"));
}

/**
 * Error content from the record Python's side returns for an exception (tspy_shell's
 * `{"ename", "evalue", "traceback"}`, converted with `tspy.toJS`); other keys are dropped.
 * @throws TypeError when the record lacks one of the three fields or has the wrong types: a
 *   malformed record is a fault of the kernel, never an error content with `undefined` in it.
 */
export function pythonErrorContent(record: unknown): ErrorContent {
  const r = (record ?? {}) as Record<string, unknown>;
  if (typeof r.ename !== "string" || typeof r.evalue !== "string" || !Array.isArray(r.traceback) || !r.traceback.every((l) => typeof l === "string"))
    throw new TypeError(`not a Python error record (ename, evalue: str; traceback: list of str): ${JSON.stringify(record)}`);
  return namedError(r.ename, r.evalue, r.traceback as string[]);
}

/** The content of a failed reply: `status: "error"` and the error content. */
export function errorReply(error: ErrorContent): ErrorReply {
  return { status: "error", ...error };
}
