// The notebook document as the app holds it: cells with their kind, source, outputs and execution
// count, the selected cell and the command/edit mode, and what a cell's kind is. Knows nothing of
// React, of the network, of the file format (nbformat-io.ts), of how the document changes
// (notebook-reducer.ts) or of how outputs are drawn.
import type * as nbformat from "@jupyterlab/nbformat";
import { cellLanguage, PYTHON_CELL_MAGIC } from "../../kernel/contracts/cell-language";

/** What a cell holds: TypeScript code, Python code (first line `%%python`), Markdown, or raw text. */
export type CellKind = "typescript" | "python" | "markdown" | "raw";

/** One nbformat output (stream, display_data, execute_result or error). */
export type Output = nbformat.IOutput;

/** One cell of the open notebook. `executionCount` is null before the cell ran. */
export interface Cell {
  /** Stable id (nbformat 4.5 cell id, or one made when the file had none). */
  id: string;
  /** The nbformat cell_type the cell was read with. */
  cellType: "code" | "markdown" | "raw";
  source: string;
  outputs: Output[];
  executionCount: number | null;
  /** True from the execute_request until its execute_reply. */
  running: boolean;
  /** An output-clearing clear_output(wait=True) is pending until the cell's next output. */
  clearPending: boolean;
  /** The cell's nbformat metadata as read from the file (tags, collapsed, ...), written back on save. */
  metadata?: Partial<nbformat.ICellMetadata>;
  /** A Markdown (or raw) cell's attachments as read from the file, written back on save. */
  attachments?: nbformat.IAttachments;
  /** A Markdown cell shows its source in an editor (true) instead of rendered (false/absent). */
  editing?: boolean;
}

/**
 * Jupyter's two modes: `edit` types into the selected cell's editor; `command` makes single keys
 * act on the selected cell (A/B insert, D D delete, M/Y/P change its kind, ...).
 */
export type Mode = "command" | "edit";

/**
 * One cell operation (insert, delete, cut, paste, merge, move, kind change: JupyterLab's undoable
 * cell actions), kept so that `undo` (Z) can reverse it and `redo` (Shift+Z) repeat it: the cells
 * and the selected cell's id just before and just after it.
 */
export interface CellOperation {
  before: Cell[];
  after: Cell[];
  selectedBefore: string | null;
  selectedAfter: string | null;
}

/** The open notebook. */
export interface NotebookState {
  /** Path relative to the server's root. */
  path: string;
  cells: Cell[];
  /** The notebook's metadata as read from the file (kernelspec, language_info, ...). */
  metadata?: nbformat.INotebookMetadata;
  /** The selected (active) cell; null only when the notebook has no cells. */
  selectedId?: string | null;
  /**
   * The other end of a multi-cell selection (Shift+Up/Down, JupyterLab's contiguous selection): the
   * selection is the cells from it to the selected (active) cell; null or absent: the selected cell alone.
   */
  anchorId?: string | null;
  /** Command or edit mode (command when absent). */
  mode?: Mode;
  /** Bumped by every change to the document (sources, cells, outputs); not by selection or mode. */
  version?: number;
  /** The `version` last written to disk: the notebook is dirty while they differ. */
  savedVersion?: number;
  /** Cell operations `undo` can reverse, most recent last (none when absent). */
  undo?: CellOperation[];
  /** Cell operations undone, most recent last, that `redo` repeats; a new cell operation empties it. */
  redo?: CellOperation[];
}

/** tspy's kernelspec, written into a notebook's metadata when the file has none. */
export const TSPY_KERNELSPEC: nbformat.IKernelspecMetadata = { name: "tspy", display_name: "TypeScript + Python", language: "typescript" };

/** tspy's language_info (as its kernel_info_reply gives it), written when the file has none. */
export const TSPY_LANGUAGE_INFO: nbformat.ILanguageInfoMetadata = { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" };

/** The first line of a Python cell. */
export const PYTHON_MAGIC = PYTHON_CELL_MAGIC;

/**
 * Whether the notebook has changes not yet written to disk.
 * @param state the notebook.
 */
export function isDirty(state: NotebookState): boolean {
  return (state.version ?? 0) !== (state.savedVersion ?? 0);
}

/**
 * The kind of a cell as tspy's kernel sees it: a code cell's language is the kernel's own rule
 * ({@link cellLanguage}: `%%python` after leading blank lines and other magics). In a
 * notebook of a Python kernel (see {@link notebookCodeKind}) every code cell is Python.
 * @param cellType the nbformat cell_type.
 * @param source the cell's whole source.
 * @param codeKind what a code cell is without `%%python`: the notebook's {@link notebookCodeKind}.
 */
export function cellKind(cellType: Cell["cellType"], source: string, codeKind: "typescript" | "python" = "typescript"): CellKind {
  if (cellType === "markdown") return "markdown";
  if (cellType === "raw") return "raw";
  if (codeKind === "python") return "python";
  return cellLanguage(source);
}

/**
 * The kernelspec name of a notebook: its metadata's `kernelspec.name`, else tspy's.
 * @param metadata the notebook metadata (may be undefined).
 */
export function notebookKernelName(metadata: nbformat.INotebookMetadata | undefined): string {
  const name = metadata?.kernelspec?.name;
  return typeof name === "string" && name ? name : TSPY_KERNELSPEC.name;
}

/**
 * What the code cells of a notebook are: `python` when its kernelspec's language is Python (e.g.
 * ipykernel's `python3`), else `typescript` (tspy's, where `%%python` makes a Python cell).
 * @param metadata the notebook metadata (may be undefined).
 */
export function notebookCodeKind(metadata: nbformat.INotebookMetadata | undefined): "typescript" | "python" {
  const language = metadata?.kernelspec?.language ?? metadata?.language_info?.name;
  return typeof language === "string" && language.toLowerCase() === "python" ? "python" : "typescript";
}

/**
 * The selected cells' indices, as JupyterLab's `isSelectedOrActive`: from the anchor to the
 * selected (active) cell, or the selected cell alone.
 * @param state the notebook.
 * @returns [first, last] (inclusive, first <= last), or null when no cell is selected.
 */
export function selectionRange(state: NotebookState): [number, number] | null {
  const active = state.selectedId ? state.cells.findIndex((c) => c.id === state.selectedId) : -1;
  if (active < 0) return null;
  const anchor = state.anchorId ? state.cells.findIndex((c) => c.id === state.anchorId) : -1;
  return anchor < 0 ? [active, active] : [Math.min(anchor, active), Math.max(anchor, active)];
}

let nextId = 0;
/**
 * A new cell id, unique within this page and valid for nbformat 4.5 (1–64 of [a-zA-Z0-9-_]).
 * @returns e.g. `tspy-lx3k2a-7`.
 */
export function newCellId(): string {
  nextId += 1;
  return `tspy-${Date.now().toString(36)}-${nextId}`;
}

/**
 * A new, empty cell of `kind` (Python: a code cell whose source is the `%%python` line).
 * @param kind the cell's kind.
 * @param id its id (see {@link newCellId}).
 */
export function emptyCell(kind: Exclude<CellKind, "raw">, id: string): Cell {
  return {
    id,
    cellType: kind === "markdown" ? "markdown" : "code",
    source: kind === "python" ? `${PYTHON_MAGIC}\n` : "",
    outputs: [],
    executionCount: null,
    running: false,
    clearPending: false,
    metadata: {},
    ...(kind === "markdown" ? { editing: true } : {}),
  };
}

/** The source without its first line when that line is `%%python` (leading blank lines dropped with it). */
function withoutMagic(source: string): string {
  const m = /^\s*%%python[ \t]*(\r?\n|$)/.exec(source);
  return m ? source.slice(m[0].length) : source;
}

/**
 * A cell changed to another kind: TypeScript ↔ Python adds or removes the `%%python` line; code →
 * Markdown keeps the text (outputs and execution count go); Markdown → Python adds the line.
 * @param cell the cell.
 * @param kind the kind it becomes.
 * @returns the same cell when it already has that kind.
 */
export function changeKind(cell: Cell, kind: Exclude<CellKind, "raw">): Cell {
  if (cellKind(cell.cellType, cell.source) === kind) return cell;
  if (kind === "markdown") {
    return { ...cell, cellType: "markdown", outputs: [], executionCount: null, running: false, clearPending: false, editing: true };
  }
  const code = withoutMagic(cell.source);
  const source = kind === "python" ? `${PYTHON_MAGIC}\n${code}` : code;
  const { attachments: _dropped, ...rest } = cell;
  return { ...rest, cellType: "code", source, editing: false };
}
