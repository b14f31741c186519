// Names defined by cells the kernel has not run yet: the cells above the one being checked that
// the app says have not run since their last edit (the `unrunCellsAbove` field of a `diagnostics`
// request, kernel/contracts/notebook-comm.ts). A "Cannot find name" on such a name is no error of
// the cell, only a cell above waiting to run: it becomes an informational diagnostic. Syntax only
// (the TypeScript compiler's parser); no program, no checker.
import ts from "typescript";
import type { Diagnostic } from "../contracts/notebook-comm";
import { topLevelNames } from "./cell-scripts";
import { parseCell } from "./magics";

/**
 * TypeScript's "Cannot find name" diagnostics whose message starts with the name in quotes:
 * 2304 `Cannot find name 'x'.` and 2552 `Cannot find name 'x'. Did you mean 'y'?`.
 */
export const CANNOT_FIND_NAME_CODES: ReadonlySet<number> = new Set([2304, 2552]);

/** The message of a rewritten diagnostic (see {@link markUnrunNames}). */
export function unrunNameMessage(name: string): string {
  return `'${name}' is defined by a cell above that has not run yet`;
}

/**
 * The interface, type alias and namespace names a cell declares at top level: names a type
 * annotation may use, which {@link topLevelNames} (value names) leaves out.
 */
function topLevelTypeNames(source: string): string[] {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  return file.statements.flatMap((st) =>
    ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) ? [st.name.text] : [],
  );
}

/**
 * The names the given cells declare at top level: `const`/`let`/`var` (destructuring included),
 * `function`, `class`, `enum`, import bindings, interfaces, type aliases and namespaces.
 * `%%python` cells are skipped (their names are Python's, reached through `py`), and so is a cell
 * whose magics cannot be read (running it would be a UsageError); line magics are ignored.
 * Syntax errors are tolerated: what parses is read.
 * @param cells the cells' sources as typed (the `unrunCellsAbove` field), or undefined for none.
 * @throws TypeError when `cells` is neither undefined nor an array of strings (a malformed request).
 */
export function unrunCellNames(cells: unknown): Set<string> {
  if (cells === undefined) return new Set();
  if (!Array.isArray(cells) || !cells.every((c) => typeof c === "string"))
    throw new TypeError(`unrunCellsAbove must be an array of cell sources (strings), not ${JSON.stringify(cells)}`);
  const names = new Set<string>();
  for (const source of cells as string[]) {
    let code: string;
    try {
      const plan = parseCell(source);
      if (plan.language === "python") continue;
      code = plan.code;
    } catch {
      continue;
    }
    for (const name of topLevelNames(code)) names.add(name);
    for (const name of topLevelTypeNames(code)) names.add(name);
  }
  return names;
}

/**
 * `diagnostics` with each "Cannot find name 'X'" ({@link CANNOT_FIND_NAME_CODES}) whose X is in
 * `names` turned into an `info` diagnostic saying X waits for a cell above to run (same range and
 * code); every other diagnostic is returned as it is. The name is read from the compiler's
 * message, which the kernel's TypeScript writes in English (no locale is set).
 * @param diagnostics a cell's diagnostics.
 * @param names names declared by cells above that have not run ({@link unrunCellNames}).
 */
export function markUnrunNames(diagnostics: readonly Diagnostic[], names: ReadonlySet<string>): Diagnostic[] {
  if (names.size === 0) return [...diagnostics];
  return diagnostics.map((d) => {
    const name = CANNOT_FIND_NAME_CODES.has(d.code) ? /^Cannot find name '([^']+)'/.exec(d.message)?.[1] : undefined;
    return name !== undefined && names.has(name) ? { ...d, severity: "info", message: unrunNameMessage(name) } : d;
  });
}
