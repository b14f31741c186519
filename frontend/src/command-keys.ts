// Jupyter's command-mode keys: which key (or pair of keys) in command mode does which notebook
// command. Pure; the app carries the commands out (use-command-keys.ts).

/** What a key does in command mode (see {@link commandModeKey}). */
export type NotebookCommand =
  | "edit"
  | "selectAbove"
  | "selectBelow"
  | "insertAbove"
  | "insertBelow"
  | "delete"
  | "undo"
  | "redo"
  | "toMarkdown"
  | "toTypeScript"
  | "toPython"
  | "runAndAdvance"
  | "run"
  | "runAndInsertBelow"
  | "interrupt"
  | "restart"
  | "copy"
  | "cut"
  | "pasteBelow"
  | "pasteAbove"
  | "merge"
  | "toggleOutputs"
  | "extendAbove"
  | "extendBelow";

/** A notebook command: a command-mode key's, or a cell toolbar button's (move the cell up or down). */
export type CellCommand = NotebookCommand | "moveUp" | "moveDown";

/** The parts of a keydown event that {@link commandModeKey} reads. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * Jupyter's command-mode keys: Enter edits, Up/K and Down/J select, A/B insert above/below, D D
 * deletes, Z undoes the last cell operation and Shift+Z redoes it, M/Y/P make the cell Markdown/TypeScript/Python, Shift+Enter
 * runs and advances, Ctrl/Cmd+Enter runs, Alt+Enter runs and inserts below, I I interrupts the
 * kernel, 0 0 restarts it; C/X copy/cut the selected cells, V/Shift+V paste them below/above, Shift+M
 * merges, O toggles the outputs, Shift+Up/Down (Shift+K/J) extend the selection (JupyterLab's
 * notebook shortcuts: notebook:copy-cell, cut-cell, paste-cell-below/above, merge-cells,
 * toggle-cell-outputs, extend-marked-cells-above/below, undo-cell-action, redo-cell-action).
 * @param key the key pressed.
 * @param previous the key pressed just before in command mode (for D D, I I, 0 0), or null.
 * @returns the command, "pending" for the first key of a pair (the caller passes it as `previous`
 *   next time), or null when the key does nothing here.
 */
export function commandModeKey(key: KeyPress, previous: string | null): NotebookCommand | "pending" | null {
  if (key.key === "Enter") {
    if (key.shiftKey) return "runAndAdvance";
    if (key.ctrlKey || key.metaKey) return "run";
    if (key.altKey) return "runAndInsertBelow";
    return "edit";
  }
  if (key.ctrlKey || key.metaKey || key.altKey) return null;
  if (key.shiftKey) {
    switch (key.key.toLowerCase()) {
      case "arrowup":
      case "k":
        return "extendAbove";
      case "arrowdown":
      case "j":
        return "extendBelow";
      case "v":
        return "pasteAbove";
      case "m":
        return "merge";
      case "z":
        return "redo";
      default:
        return null;
    }
  }
  switch (key.key.toLowerCase()) {
    case "arrowup":
    case "k":
      return "selectAbove";
    case "arrowdown":
    case "j":
      return "selectBelow";
    case "a":
      return "insertAbove";
    case "b":
      return "insertBelow";
    case "d":
      return previous === "d" ? "delete" : "pending";
    case "i":
      return previous === "i" ? "interrupt" : "pending";
    case "0":
      return previous === "0" ? "restart" : "pending";
    case "z":
      return "undo";
    case "m":
      return "toMarkdown";
    case "y":
      return "toTypeScript";
    case "p":
      return "toPython";
    case "c":
      return "copy";
    case "x":
      return "cut";
    case "v":
      return "pasteBelow";
    case "o":
      return "toggleOutputs";
    default:
      return null;
  }
}
