// is_complete_request for TypeScript cells: whether a console should run the text or wait for
// another line, and the indentation of that line. Knows TypeScript's parser, nothing of messages.
import ts from "typescript";

/** is_complete_reply's content for a TypeScript cell (messaging spec, "Code completeness"). */
export interface Completeness {
  status: "complete" | "incomplete" | "invalid";
  /** Only with "incomplete": the whitespace the next line should start with. */
  indent?: string;
}

/** One indentation step where the current line gives no hint (tslab's and VS Code's two spaces). */
const INDENT_STEP = "  ";

/**
 * Whether a TypeScript cell is complete, by the peers' conventions:
 * - "incomplete" (with an `indent` hint) when the parser ran off the end of the text expecting
 *   more (an unclosed `{`, `(`, `[`, template or comment, a trailing operator) — tslab's
 *   `isCompleteCode`;
 * - "complete" when the text ends with a whitespace-only line, so a console user can force a run
 *   by pressing Enter twice (tslab: `function f() {\n\n` is complete);
 * - "invalid" when the parser stops at a closing `)`, `]` or `}` (a stray closer: Deno's kernel's
 *   bracket check, by TypeScript's parser so strings, comments and regexps are skipped);
 * - "complete" for any other text, syntax errors included (`let x-+10`: both peers run it, and
 *   the error is the cell's).
 * @param source the cell's TypeScript source (without magics).
 */
export function typescriptCompleteness(source: string): Completeness {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const errors = (file as unknown as { parseDiagnostics: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics;
  if (errors.some((d) => d.start < source.length && ")]}".includes(source[d.start]))) return { status: "invalid" };
  if (/(^|\n)\s*\n\s*$/.test(source)) return { status: "complete" };
  const end = source.trimEnd().length;
  const ranOffEnd = errors.some(
    (d) => d.start >= end && (ts.flattenDiagnosticMessageText(d.messageText, "\n").endsWith(" expected.") || d.code === UNTERMINATED_TEMPLATE),
  );
  return ranOffEnd ? { status: "incomplete", indent: indentOfNextLine(source) } : { status: "complete" };
}

/** TypeScript's "Unterminated template literal." (a template may span lines). */
const UNTERMINATED_TEMPLATE = 1160;

/**
 * The indentation for the line after `source`'s last line, by VS Code's TypeScript indentation
 * rules (as tslab applies them): the last line's own indentation, one step more after an unclosed
 * `{`, `(` or `[` at its end, one step less when the line starts with a closer.
 */
function indentOfNextLine(source: string): string {
  const line = /[^\n]*$/.exec(source)![0].replace(/\r$/, "");
  const current = /^\s*/.exec(line)![0];
  if (/^\s*[}\])]/.test(line)) {
    if (current.endsWith(INDENT_STEP)) return current.slice(0, -INDENT_STEP.length);
    return current.slice(0, Math.max(0, current.length - 1));
  }
  const code = line.replace(/\/\/.*$/, "");
  const step = current.includes("\t") ? "\t" : INDENT_STEP;
  return /[{([][^}\])"'`]*$/.test(code) ? current + step : current;
}
