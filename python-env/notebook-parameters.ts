// Papermill-style parameters for `npm run notebook -- nb.ipynb -p name value`: parses the values as
// papermill does and injects a cell of TypeScript or Python literals. Knows the nbformat 4 JSON, not the kernel.
import { randomUUID } from "node:crypto";
import { parseCell } from "../kernel/executor/magics";

/**
 * A parameter value, typed as papermill's `_resolve_type` types a `-p` value (papermill/cli.py):
 * `True`/`False` → bool, `None` → None, what Python's `int()` reads → int, what `float()` reads →
 * float, anything else (and every `-r` value) → str. The JS spellings `true`/`false`/`null` are
 * read as bool and None too.
 */
export type ParameterValue =
  { type: "int"; value: bigint } | { type: "float"; value: number } | { type: "bool"; value: boolean } | { type: "none" } | { type: "str"; value: string };

/** The tag of the cell whose defaults the parameters override (papermill's rule). */
export const PARAMETERS_TAG = "parameters";
/** The tag of the injected cell; an earlier injected cell is replaced (papermill's rule). */
export const INJECTED_TAG = "injected-parameters";

// Python's int() and float() literal forms (underscores between digits, surrounding blanks allowed).
const DIGITS = String.raw`\d(?:_?\d)*`;
const INT = new RegExp(String.raw`^\s*[+-]?${DIGITS}\s*$`);
const FLOAT = new RegExp(
  String.raw`^\s*[+-]?(?:(?:${DIGITS})?\.${DIGITS}(?:[eE][+-]?${DIGITS})?|${DIGITS}\.?(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)\s*$`,
  "i",
);
/** A name both languages accept as a variable (ASCII identifiers). */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Types a `-p` value as papermill does (see {@link ParameterValue}).
 * @param text the value as typed on the command line.
 */
export function parseParameterValue(text: string): ParameterValue {
  if (text === "True" || text === "true") return { type: "bool", value: true };
  if (text === "False" || text === "false") return { type: "bool", value: false };
  if (text === "None" || text === "null") return { type: "none" };
  if (INT.test(text)) return { type: "int", value: BigInt(text.trim().replace(/_/g, "")) };
  if (FLOAT.test(text)) {
    const t = text.trim().replace(/_/g, "").toLowerCase();
    const sign = t.startsWith("-") ? -1 : 1;
    const body = t.replace(/^[+-]/, "");
    const value = body === "nan" ? NaN : body.startsWith("inf") ? sign * Infinity : Number(t);
    return { type: "float", value };
  }
  return { type: "str", value: text };
}

/**
 * Checks a parameter's name.
 * @returns the name. @throws TypeError when it is not an ASCII identifier (letters, digits, `_`, not first a digit).
 */
export function checkParameterName(name: string): string {
  if (!IDENTIFIER.test(name))
    throw new TypeError(`parameter name ${JSON.stringify(name)} is not an identifier (letters, digits and _, not starting with a digit)`);
  return name;
}

/**
 * A TypeScript literal of `v`: numbers as JS numbers (an int beyond 2^53 - 1 as a bigint literal,
 * `123n`), `Infinity`/`NaN`, `true`/`false`, `null`, strings as JSON string literals.
 */
export function typescriptLiteral(v: ParameterValue): string {
  switch (v.type) {
    case "int":
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? v.value.toString() : `${v.value}n`;
    case "float":
      return Object.is(v.value, -0) ? "-0" : String(v.value);
    case "bool":
      return String(v.value);
    case "none":
      return "null";
    case "str":
      return JSON.stringify(v.value);
  }
}

/**
 * A Python literal of `v`: ints as ints, floats always as floats (`3.0`, `float("inf")`,
 * `float("nan")`), `True`/`False`, `None`, strings as JSON string literals (whose escapes Python reads alike).
 */
export function pythonLiteral(v: ParameterValue): string {
  switch (v.type) {
    case "int":
      return v.value.toString();
    case "float": {
      if (Number.isNaN(v.value)) return 'float("nan")';
      if (!Number.isFinite(v.value)) return v.value > 0 ? 'float("inf")' : '-float("inf")';
      const s = Object.is(v.value, -0) ? "-0" : String(v.value);
      return /^-?\d+$/.test(s) ? `${s}.0` : s;
    }
    case "bool":
      return v.value ? "True" : "False";
    case "none":
      return "None";
    case "str":
      return JSON.stringify(v.value);
  }
}

/** The nbformat 4 fields of a notebook this module reads and writes; other fields pass through. */
export interface NotebookJson {
  cells: NotebookCell[];
  nbformat: number;
  nbformat_minor: number;
  [key: string]: unknown;
}

/** An nbformat 4 cell; `source` is a string or a list of lines. */
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function hasTag(cell: NotebookCell, tag: string): boolean {
  return Array.isArray(cell.metadata?.tags) && cell.metadata.tags.includes(tag);
}

/** Where {@link injectParameters} put the cell, and in which language. */
export interface Injection {
  /** The new notebook (the input is not modified). */
  notebook: NotebookJson;
  /** Index of the injected cell. */
  index: number;
  language: "typescript" | "python";
}

/**
 * Injects a code cell tagged {@link INJECTED_TAG} that assigns the parameters, as papermill does:
 * right after the first code cell tagged {@link PARAMETERS_TAG}, else where an earlier injected
 * cell was (which is removed), else first. A `%%python` parameters cell gets a `%%python` cell of
 * Python assignments; otherwise the cell is TypeScript `let` declarations (the kernel lets a later
 * cell declare a name again, so they replace the defaults for every following cell; `let`, not
 * `const`, so that a later cell may still assign the name).
 * @param nb an nbformat 4 notebook.
 * @param params name → value, in command-line order (a later `-p` for a name wins).
 * @throws TypeError when `nb` is not an nbformat 4 notebook.
 */
export function injectParameters(nb: NotebookJson, params: ReadonlyMap<string, ParameterValue>): Injection {
  if (nb === null || typeof nb !== "object" || nb.nbformat !== 4 || !Array.isArray(nb.cells)) throw new TypeError("not an nbformat 4 notebook");
  const cells = nb.cells.slice();
  let index = 0;
  const old = cells.findIndex((c) => hasTag(c, INJECTED_TAG));
  if (old >= 0) {
    cells.splice(old, 1);
    index = old;
  }
  const tagged = cells.findIndex((c) => c.cell_type === "code" && hasTag(c, PARAMETERS_TAG));
  if (tagged >= 0) index = tagged + 1;
  const language = tagged >= 0 ? parseCell(cellSource(cells[tagged])).language : "typescript";
  const lines =
    language === "python"
      ? ["%%python", "# Parameters", ...[...params].map(([name, v]) => `${name} = ${pythonLiteral(v)}`)]
      : ["// Parameters", ...[...params].map(([name, v]) => `let ${name} = ${typescriptLiteral(v)};`)];
  const cell: NotebookCell = { cell_type: "code", execution_count: null, metadata: { tags: [INJECTED_TAG] }, outputs: [], source: lines.join("\n") };
  // Cell ids are required from nbformat 4.5 on (pattern ^[a-zA-Z0-9-_]+$, 1-64 characters).
  if (nb.nbformat_minor >= 5) cell.id = randomUUID();
  cells.splice(index, 0, cell);
  return { notebook: { ...nb, cells }, index, language };
}
