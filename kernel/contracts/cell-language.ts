// Which language a notebook cell is written in: the one rule shared by the kernel (which runs the
// cell) and the app (which highlights, completes and saves it). Imports nothing, so the browser
// bundle takes it as it is.

/** The cell magic that makes a code cell Python (IPython's cell-magic syntax). */
export const PYTHON_CELL_MAGIC = "%%python";

/** The languages of tspy's code cells. */
export type CellLanguage = "typescript" | "python";

/**
 * The language of a tspy code cell, read from its magic lines as IPython reads them: leading blank
 * lines are ignored (IPython's `leading_empty_lines` transform) and so is indentation before a
 * magic (`leading_indent`), then cell magics (`%%time`) and
 * line magics (`%who`) may come first; the first `%%python` makes the cell Python, `%%ts` (or
 * anything else) TypeScript.
 * @param source the cell's whole source ("\n" or "\r\n" line ends).
 */
export function cellLanguage(source: string): CellLanguage {
  let leading = true;
  for (const raw of source.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (leading && /^\s*$/.test(line)) continue;
    leading = false;
    const cellMagic = /^\s*%%(\w+)\s*$/.exec(line);
    if (cellMagic) {
      if (cellMagic[1] === "python") return "python";
      if (cellMagic[1] === "ts") return "typescript";
      continue;
    }
    if (/^\s*%\w/.test(line)) continue;
    break;
  }
  return "typescript";
}
