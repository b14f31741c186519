// The message contract of the `tspy.notebook` comm (Jupyter messaging spec, "Custom Messages"),
// shared by the kernel's end (notebook-comm.ts) and the app's (frontend/src/notebook-comm.ts).
// Types and the target name only: no imports, so the browser bundle can take it as it is.

/** The comm's target name, registered by the kernel's executor and opened by the app. */
export const NOTEBOOK_COMM_TARGET = "tspy.notebook";

/** One variable of either language, as the variables panel lists it. */
export interface VariableRow {
  name: string;
  language: "TypeScript" | "Python";
  /** Type name: `number`, `Float32Array`, `ndarray`, `Sequential`, ... */
  type: string;
  /** Shape in elements, e.g. "(1797, 64)" on the comm; "" when the value has none. */
  shape: string;
  /** numpy's dtype name (a TypedArray's by its kind's row of `DTYPE_TABLE`, ./dtypes.ts); "" when none. */
  dtype: string;
  /** Size in bytes of the value's data where known (buffers, arrays), else null. */
  size: number | null;
}

/**
 * A type error of a TypeScript cell: lines and columns are 1-based, columns in UTF-16 code units
 * (as Monaco and the TypeScript compiler count them); the end is exclusive. `info` is no error:
 * a name the cell uses that a cell above declares but that has not run yet (see
 * {@link NotebookCommRequest}'s `unrunCellsAbove`); its message says so.
 */
export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** TypeScript's error number (2322, ...). */
  code: number;
  message: string;
  severity: "error" | "warning" | "info";
}

/**
 * Messages of the comm. The app sends requests `{request, id, ...}`; the kernel answers each
 * with a comm_msg `{reply, id, ...}` (same id), and after every execute_request it publishes
 * `{event: "variables", variables}` on every open `tspy.notebook` comm.
 * - `{request: "variables", id}` -> `{reply: "variables", id, variables: VariableRow[]}`
 * - `{request: "diagnostics", id, code, unrunCellsAbove?}` -> `{reply: "diagnostics", id, diagnostics: Diagnostic[]}`
 *   (`code` is a whole cell; a `%%python` cell has no diagnostics). `unrunCellsAbove` (optional,
 *   added later: a request without it is checked as before) holds the sources of the TypeScript
 *   cells above the checked one that have not run since their last edit, in notebook order; a
 *   "Cannot find name 'X'" (TS2304, TS2552) where one of them declares X at top level comes back
 *   with severity `info` and the message "'X' is defined by a cell above that has not run yet";
 *   other diagnostics are unchanged. `%%python` cells among them are ignored (their names are Python's).
 * - a request the kernel cannot serve -> `{reply: "error", id, message}`
 */
export type NotebookCommRequest = { request: "variables"; id: string } | { request: "diagnostics"; id: string; code: string; unrunCellsAbove?: string[] };

/** What the kernel sends on the comm (see {@link NotebookCommRequest}). */
export type NotebookCommMessage =
  | { reply: "variables"; id: string; variables: VariableRow[] }
  | { reply: "diagnostics"; id: string; diagnostics: Diagnostic[] }
  | { reply: "error"; id: string; message: string }
  | { event: "variables"; variables: VariableRow[] };
