// How the open notebook changes: one pure reducer over the document (model.ts) for cell edits and
// runs (the kernel's iopub messages through cell-outputs.ts) and for cell operations (insert,
// delete, move, kind, selection, mode, undo/redo), so that React state and the component tests share it.
import type { KernelMessage } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import { changeKind, emptyCell, selectionRange, type Cell, type CellKind, type CellOperation, type Mode, type NotebookState } from "./model";
import { applyIOPub } from "./cell-outputs";

/**
 * Changes to the notebook; `iopub` carries one message the kernel sent for a cell's execution.
 * Where `cellId` is optional it defaults to the selected cell.
 * - `finish`: the cell stops running with this execution count; `died` (the kernel died while it
 *   ran or waited) appends an error output that says so ({@link KERNEL_DIED}), as VS Code does.
 * - `insert`: a new cell of `kind` (TypeScript by default) with id `id` above or below the cell; it becomes selected.
 * - `delete`: removes the cell, or without `cellId` the selected cells; the cell after them (else
 *   before) becomes selected.
 * - `undo`: JupyterLab's undo-cell-action (Z): reverses the last cell operation ({@link UNDOABLE});
 *   the first cell it brings back (else the cell selected before it) becomes selected. `redo`
 *   (Shift+Z, redo-cell-action) repeats the last operation undone. A cell changed since the
 *   operation (edited, run) keeps its changes; any new cell operation empties the redo stack.
 * - `extendSelection`: JupyterLab's extend-selection-above/below: the selected (active) cell moves
 *   `by` one, the anchor stays (set to the old active cell when there was none); no wrap-around.
 * - `paste`: JupyterLab's paste: `cells` (with fresh ids) go below the selected cell (the last of
 *   them becomes selected) or above it (it stays selected), in command mode.
 * - `merge`: JupyterLab's merge-cells: the selected cells, or the selected one and the one below,
 *   become one cell of the selected cell's kind and metadata, sources joined by a blank line, no
 *   outputs (a Markdown cell opens its editor); nothing happens at the last cell.
 * - `toggleOutputs`: JupyterLab's toggle-output: the selected code cells' outputs are collapsed
 *   (nbformat's `metadata.collapsed`) when one of them shows its outputs, else all shown.
 * - `move`: moves the cell `by` places (-1 up, 1 down) when there is room.
 * - `setKind`: see {@link changeKind}.
 * - `select`: selects a cell, optionally changing the mode; `selectRelative` the one `by` places away.
 * - `mode`: edit mode on a Markdown cell opens its editor; `render` closes it.
 * - `saved`: the document at `version` was written (to `path`, after a rename).
 * - `clearOutputs`: every code cell loses its outputs and execution count.
 * - `kernelspec`: the notebook's kernelspec becomes this one (its old language_info goes).
 */
export type Action =
  | { type: "load"; notebook: NotebookState }
  | { type: "edit"; cellId: string; source: string }
  | { type: "start"; cellId: string }
  | { type: "iopub"; cellId: string; msg: KernelMessage.IIOPubMessage }
  | { type: "finish"; cellId: string; executionCount: number | null; died?: boolean }
  | { type: "insert"; where: "above" | "below"; id: string; kind?: Exclude<CellKind, "raw">; cellId?: string; mode?: Mode }
  | { type: "delete"; cellId?: string }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "extendSelection"; by: -1 | 1 }
  | { type: "paste"; where: "above" | "below"; cells: Cell[] }
  | { type: "merge" }
  | { type: "toggleOutputs" }
  | { type: "move"; by: -1 | 1; cellId?: string }
  | { type: "setKind"; kind: Exclude<CellKind, "raw">; cellId?: string }
  | { type: "select"; cellId: string; mode?: Mode }
  | { type: "selectRelative"; by: -1 | 1 }
  | { type: "mode"; mode: Mode }
  | { type: "render"; cellId?: string }
  | { type: "saved"; version: number }
  | { type: "rename"; path: string }
  | { type: "clearOutputs" }
  | { type: "kernelspec"; kernelspec: nbformat.IKernelspecMetadata };

/**
 * The error output a cell gets when the kernel died while it ran or waited to run (the `finish`
 * action's `died`): VS Code's "The Kernel crashed while executing code in the current cell or a
 * previous cell" put as an nbformat error output, so that it shows where the user looks.
 */
export const KERNEL_DIED: nbformat.IError = {
  output_type: "error",
  ename: "Kernel died",
  evalue:
    "The kernel died while running this cell (or a cell queued before it); its variables are gone. Review the code for a possible cause (e.g. os._exit(), a crash in native code, running out of memory).",
  traceback: [],
};

/** The index of `cellId` (or of the selected cell), -1 when there is none. */
function indexOf(state: NotebookState, cellId: string | undefined): number {
  const id = cellId ?? state.selectedId;
  return id ? state.cells.findIndex((c) => c.id === id) : -1;
}

/** The state after a change to the document: its version bumped (so it is dirty). */
function changed(state: NotebookState, patch: Partial<NotebookState>): NotebookState {
  return { ...state, ...patch, version: (state.version ?? 0) + 1 };
}

/**
 * JupyterLab's merge-cells (NotebookActions.mergeCells): the selected cells, or the selected one and
 * the one below, become the selected cell with their sources joined by a blank line.
 */
function mergeCells(state: NotebookState): NotebookState {
  const cells = state.cells;
  const range = selectionRange(state);
  if (!range) return state;
  const [first, last] = range[0] === range[1] ? [range[0], range[0] + 1] : range;
  if (last >= cells.length) return state;
  const primary = cells[indexOf(state, undefined)];
  const merging = cells.slice(first, last + 1);
  const merged: Cell = {
    ...primary,
    source: merging.map((c) => c.source).join("\n\n"),
    outputs: [],
    executionCount: null,
    running: false,
    clearPending: false,
    ...(primary.cellType === "markdown" ? { editing: true } : {}),
  };
  const next = [...cells.slice(0, first), merged, ...cells.slice(last + 1)];
  return changed(state, { cells: next, selectedId: merged.id });
}

/** Cell-editing actions (insert, delete, move, kind, selection, mode); other actions give undefined. */
function editCells(state: NotebookState, action: Action): NotebookState | undefined {
  const cells = state.cells;
  switch (action.type) {
    case "insert": {
      const i = indexOf(state, action.cellId);
      const at = i < 0 ? (action.where === "above" ? 0 : cells.length) : action.where === "above" ? i : i + 1;
      const cell = emptyCell(action.kind ?? "typescript", action.id);
      const mode = action.mode ?? state.mode ?? "command";
      const next = [...cells.slice(0, at), cell, ...cells.slice(at)];
      return changed(state, { cells: next, selectedId: cell.id, mode });
    }
    case "delete": {
      const i = indexOf(state, action.cellId);
      if (i < 0) return state;
      const [first, last] = action.cellId === undefined ? (selectionRange(state) ?? [i, i]) : [i, i];
      const next = [...cells.slice(0, first), ...cells.slice(last + 1)];
      const hadSelected = cells.slice(first, last + 1).some((c) => c.id === state.selectedId);
      const selectedId = hadSelected ? ((next[first] ?? next[first - 1])?.id ?? null) : (state.selectedId ?? null);
      return changed(state, { cells: next, selectedId, mode: "command" });
    }
    case "undo":
    case "redo":
      return undoRedo(state, action.type);
    case "extendSelection": {
      const i = indexOf(state, undefined);
      const j = i + action.by;
      if (i < 0 || j < 0 || j >= cells.length) return state;
      return { ...state, anchorId: state.anchorId ?? cells[i].id, selectedId: cells[j].id, mode: "command" };
    }
    case "paste": {
      const i = indexOf(state, undefined);
      if (action.cells.length === 0) return state;
      const at = i < 0 ? cells.length : action.where === "above" ? i : i + 1;
      const next = [...cells.slice(0, at), ...action.cells, ...cells.slice(at)];
      const selectedId = action.where === "below" || i < 0 ? action.cells[action.cells.length - 1].id : state.selectedId;
      return changed(state, { cells: next, selectedId, mode: "command" });
    }
    case "merge":
      return mergeCells(state);
    case "toggleOutputs": {
      const range = selectionRange(state);
      if (!range) return state;
      const inRange = (j: number) => j >= range[0] && j <= range[1] && cells[j].cellType === "code";
      const hide = cells.some((c, j) => inRange(j) && !c.metadata?.collapsed);
      return changed(state, {
        cells: cells.map((c, j) => (inRange(j) ? { ...c, metadata: { ...c.metadata, collapsed: hide } } : c)),
      });
    }
    case "move": {
      const i = indexOf(state, action.cellId);
      const j = i + action.by;
      if (i < 0 || j < 0 || j >= cells.length) return state;
      const next = cells.slice();
      [next[i], next[j]] = [next[j], next[i]];
      return changed(state, { cells: next });
    }
    case "setKind": {
      const i = indexOf(state, action.cellId);
      if (i < 0) return state;
      const cell = changeKind(cells[i], action.kind);
      if (cell === cells[i]) return state;
      return changed(state, { cells: cells.map((c, j) => (j === i ? cell : c)) });
    }
    case "select":
      if (!cells.some((c) => c.id === action.cellId)) return state;
      if (state.selectedId === action.cellId && (action.mode === undefined || action.mode === state.mode)) return state;
      return { ...state, selectedId: action.cellId, mode: action.mode ?? state.mode ?? "command" };
    case "selectRelative": {
      const i = indexOf(state, undefined);
      const j = Math.max(0, Math.min(cells.length - 1, i + action.by));
      return i < 0 || i === j ? state : { ...state, selectedId: cells[j].id };
    }
    case "mode": {
      const i = indexOf(state, undefined);
      const opens = action.mode === "edit" && i >= 0 && cells[i].cellType !== "code" && !cells[i].editing;
      if (!opens && state.mode === action.mode) return state;
      return { ...state, mode: action.mode, cells: opens ? cells.map((c, j) => (j === i ? { ...c, editing: true } : c)) : cells };
    }
    case "render": {
      const i = indexOf(state, action.cellId);
      if (i < 0 || !cells[i].editing) return state;
      return { ...state, cells: cells.map((c, j) => (j === i ? { ...c, editing: false } : c)) };
    }
    case "saved":
      return { ...state, savedVersion: action.version };
    case "rename":
      return { ...state, path: action.path };
    case "clearOutputs":
      return changed(state, { cells: cells.map((c) => (c.cellType === "code" ? { ...c, outputs: [], executionCount: null, clearPending: false } : c)) });
    case "kernelspec": {
      const { language_info: _old, ...metadata } = state.metadata ?? {};
      return changed(state, { metadata: { ...metadata, kernelspec: action.kernelspec } });
    }
    default:
      return undefined;
  }
}

/**
 * The cells `to` (an operation's cells before or after it) put back in place of `current`, the
 * cells as they are now, which were `from` right after (or before) it: a cell changed since (its
 * object is no longer the one in `from`: edited, run) keeps its current version; a cell brought
 * back is not running.
 */
function swapCells(current: Cell[], from: Cell[], to: Cell[]): Cell[] {
  const now = new Map(current.map((c) => [c.id, c]));
  const then = new Map(from.map((c) => [c.id, c]));
  return to.map((c) => {
    const n = now.get(c.id);
    if (!n) return c.running ? { ...c, running: false } : c;
    return n !== then.get(c.id) ? n : c;
  });
}

/** `undo` or `redo` (see {@link Action}): moves the last operation from one stack to the other. */
function undoRedo(state: NotebookState, which: "undo" | "redo"): NotebookState {
  const [from, to] = which === "undo" ? [state.undo ?? [], state.redo ?? []] : [state.redo ?? [], state.undo ?? []];
  const op = from[from.length - 1];
  if (!op) return state;
  const cells = which === "undo" ? swapCells(state.cells, op.after, op.before) : swapCells(state.cells, op.before, op.after);
  const ids = new Set(state.cells.map((c) => c.id));
  const selectedId =
    which === "undo" ? (cells.find((c) => !ids.has(c.id))?.id ?? op.selectedBefore ?? cells[0]?.id ?? null) : (op.selectedAfter ?? cells[0]?.id ?? null);
  return changed(state, {
    cells,
    selectedId: cells.some((c) => c.id === selectedId) ? selectedId : (cells[0]?.id ?? null),
    mode: "command",
    [which]: from.slice(0, -1),
    [which === "undo" ? "redo" : "undo"]: [...to, op],
  });
}

/** The cell operations `undo` reverses (JupyterLab's undoable cell actions); each empties the redo stack. */
const UNDOABLE = new Set<Action["type"]>(["insert", "delete", "paste", "merge", "move", "setKind"]);

/** Actions after which a multi-cell selection stays (the others leave the selected cell alone). */
const KEEPS_SELECTION = new Set<Action["type"]>([
  "edit",
  "start",
  "iopub",
  "finish",
  "render",
  "saved",
  "rename",
  "clearOutputs",
  "kernelspec",
  "extendSelection",
  "toggleOutputs",
]);

/**
 * The notebook reducer: pure, so that React state and the component tests share it.
 * @param state the notebook, or null when none is open.
 * @param action what happened.
 * @returns the new state (the same object when nothing changed).
 */
export function notebookReducer(state: NotebookState | null, action: Action): NotebookState | null {
  let next = applyAction(state, action);
  if (state && next && next.cells !== state.cells && UNDOABLE.has(action.type)) {
    const op: CellOperation = { before: state.cells, after: next.cells, selectedBefore: state.selectedId ?? null, selectedAfter: next.selectedId ?? null };
    next = { ...next, undo: [...(state.undo ?? []), op], redo: [] };
  }
  return next?.anchorId && !KEEPS_SELECTION.has(action.type) ? { ...next, anchorId: null } : next;
}

/** One action, without the selection rule of {@link notebookReducer}. */
function applyAction(state: NotebookState | null, action: Action): NotebookState | null {
  if (action.type === "load") return action.notebook;
  if (!state) return state;
  const at = (id: string, f: (c: Cell) => Cell) => changed(state, { cells: state.cells.map((c) => (c.id === id ? f(c) : c)) });
  switch (action.type) {
    case "edit":
      return at(action.cellId, (c) => ({ ...c, source: action.source }));
    case "start":
      return at(action.cellId, (c) => ({ ...c, outputs: [], executionCount: null, running: true, clearPending: false }));
    case "iopub":
      return changed(state, { cells: applyIOPub(state.cells, action.cellId, action.msg) });
    case "finish":
      return at(action.cellId, (c) => ({
        ...c,
        running: false,
        executionCount: action.executionCount,
        outputs: action.died ? [...c.outputs, KERNEL_DIED] : c.outputs,
      }));
    default:
      return editCells(state, action) ?? state;
  }
}
