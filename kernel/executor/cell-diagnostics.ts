// Type errors of the cell being edited, as the notebook reports them: without the artefacts of a
// notebook seen as a set of scripts, positions as 1-based lines and UTF-16 columns of the cell.
import ts from "typescript";
import type { Diagnostic } from "../contracts/notebook-comm";

/**
 * A type error found in a cell: where it starts and ends (1-based lines and columns of the cell,
 * columns in UTF-16 code units as Monaco counts them; the end is exclusive), the compiler's code,
 * message and category — the `tspy.notebook` comm's Diagnostic, sent to the app as it is.
 */
export type TsDiagnostic = Diagnostic;

/**
 * Diagnostics that are artefacts of a notebook seen as a set of scripts, not user errors:
 * redeclared names across cells (2451 block-scoped, 2300 duplicate identifier, 2393 duplicate
 * function), top-level await in a script (1375, 1378), `import` in a script-like cell (1208),
 * an ES module imported by a CommonJS-format cell (1479: the runtime loads ES modules too).
 */
const NOTEBOOK_ARTEFACTS = new Set([2451, 2300, 2393, 1375, 1378, 1309, 1208, 2528, 1479]);

/**
 * The compiler's diagnostics of `file` (the cell) as the notebook reports them: artefacts and
 * diagnostics without a position dropped, each located by line and column.
 */
export function cellDiagnostics(file: ts.SourceFile, found: readonly ts.Diagnostic[]): TsDiagnostic[] {
  return found
    .filter((d) => !NOTEBOOK_ARTEFACTS.has(d.code) && d.start !== undefined)
    .map((d) => {
      const { line, character } = file.getLineAndCharacterOfPosition(d.start!);
      const end = file.getLineAndCharacterOfPosition(Math.min(d.start! + (d.length ?? 0), file.text.length));
      return {
        line: line + 1,
        column: character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
        severity: d.category === ts.DiagnosticCategory.Warning ? "warning" : "error",
      } satisfies TsDiagnostic;
    });
}
