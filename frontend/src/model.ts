// The notebook as the app holds it: cells with their kind, source, outputs and execution count, the
// selected cell and the command/edit mode, read from and written to nbformat 4.5, changed by a pure
// reducer (cell editing and the kernel's iopub messages). Knows nothing of React, of the network or
// of how outputs are drawn.
import type { KernelMessage } from "@jupyterlab/services";
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

/** A deleted cell and the index it had, kept so that `undoDelete` can put it back. */
export interface DeletedCell {
  cell: Cell;
  index: number;
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
  /** Command or edit mode (command when absent). */
  mode?: Mode;
  /** Bumped by every change to the document (sources, cells, outputs); not by selection or mode. */
  version?: number;
  /** The `version` last written to disk: the notebook is dirty while they differ. */
  savedVersion?: number;
  /** Deleted cells, most recent last, for `undoDelete`. */
  deleted?: DeletedCell[];
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
 * Joins an nbformat multiline string (a string or a list of lines that keep their "\n").
 * @param source the `source` or `text` field as stored in the .ipynb.
 * @returns one string.
 */
export function joinSource(source: nbformat.MultilineString | undefined): string {
  if (source === undefined) return "";
  return Array.isArray(source) ? source.join("") : source;
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
 * Stream text as a terminal leaves it, by the rules of JupyterLab's output area: a backspace
 * (`\b`) removes the character before it on its line; a carriage return (`\r`) not followed by
 * `\n` goes back to the start of the line, and the text after it overwrites the line from there
 * (what is longer stays); `\r\n` is a newline. A trailing `\r` is kept, so that the next chunk
 * of the stream (appended, then cleaned again) overwrites the line. This is how progress bars
 * (tqdm, Keras' `Progbar`) update in place. Hand-written because JupyterLab's own
 * (`removeOverwrittenChars` in @jupyterlab/outputarea's model) lives in that package's private
 * namespace: it is not exported, and the package would bring Lumino widgets and rendermime for it.
 * @param text the stream text so far.
 * @returns the text with no `\b`, and no `\r` but possibly a last one.
 */
export function cleanStreamText(text: string): string {
  if (!text.includes("\r") && !text.includes("\b")) return text;
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  let returned = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") {
      lines.push(line.join(""));
      line = [];
      col = 0;
      returned = false;
    } else if (ch === "\r") {
      if (text[i + 1] !== "\n") {
        col = 0;
        returned = true;
      }
    } else if (ch === "\b") {
      if (col > 0) {
        line.splice(col - 1, 1);
        col -= 1;
      }
    } else {
      line[col] = ch;
      col += 1;
      returned = false;
    }
  }
  lines.push(line.join(""));
  return lines.join("\n") + (returned ? "\r" : "");
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

/** nbformat 4.5's cell id pattern. */
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/** Normalises an output read from a file: multiline `text` and MIME values joined into strings. */
function readOutput(o: nbformat.IOutput): Output {
  if (o.output_type === "stream") return { ...o, text: cleanStreamText(joinSource((o as nbformat.IStream).text)) };
  if (o.output_type === "execute_result" || o.output_type === "display_data") {
    // Object.fromEntries defines own properties: a MIME key such as `__proto__` stays a key.
    const data: Record<string, unknown> = Object.fromEntries(
      Object.entries((o as nbformat.IDisplayData).data ?? {}).map(([mime, value]) => [
        mime,
        Array.isArray(value) && !mime.endsWith("json") ? value.join("") : value,
      ]),
    );
    return { ...o, data } as Output;
  }
  return o;
}

/**
 * Reads an nbformat 4 notebook (the `content` of a Contents API model) into app cells.
 * @param path the notebook's path relative to the server's root.
 * @param nb the notebook JSON.
 */
export function readNotebook(path: string, nb: nbformat.INotebookContent): NotebookState {
  const seen = new Set<string>();
  const cells = nb.cells.map((c): Cell => {
    const cellType = c.cell_type === "code" || c.cell_type === "markdown" ? c.cell_type : "raw";
    const code = c.cell_type === "code" ? (c as nbformat.ICodeCell) : null;
    // Files before nbformat 4.5 have no ids; a missing, invalid or repeated id gets a new one.
    const id = typeof c.id === "string" && CELL_ID.test(c.id) && !seen.has(c.id) ? c.id : newCellId();
    seen.add(id);
    const attachments = (c as nbformat.IMarkdownCell).attachments;
    return {
      id,
      cellType,
      source: joinSource(c.source),
      outputs: code ? (code.outputs ?? []).map(readOutput) : [],
      executionCount: code ? (code.execution_count ?? null) : null,
      running: false,
      clearPending: false,
      metadata: c.metadata ?? {},
      ...(attachments && !code ? { attachments } : {}),
    };
  });
  return {
    path,
    cells,
    metadata: nb.metadata ?? {},
    selectedId: cells[0]?.id ?? null,
    mode: "command",
    version: 0,
    savedVersion: 0,
    deleted: [],
  };
}

/**
 * Splits a string into nbformat's line list (each line keeps its "\n"), the form Jupyter writes.
 * @param text a source or a stream's text.
 * @returns [] for "", else lines whose join is `text`.
 */
export function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** An output as nbformat 4.5 stores it: only its schema's fields, app-only metadata (tspy_display_id) dropped. */
function writeOutput(o: Output): nbformat.IOutput {
  const metadata = (): nbformat.OutputMetadata => {
    const { tspy_display_id: _dropped, ...rest } = (o.metadata ?? {}) as nbformat.OutputMetadata & { tspy_display_id?: string };
    return rest;
  };
  switch (o.output_type) {
    case "stream": {
      const s = o as nbformat.IStream;
      return { output_type: "stream", name: s.name, text: splitLines(joinSource(s.text)) };
    }
    case "error": {
      const e = o as nbformat.IError;
      return { output_type: "error", ename: e.ename, evalue: e.evalue, traceback: e.traceback };
    }
    case "execute_result": {
      const r = o as nbformat.IExecuteResult;
      return { output_type: "execute_result", execution_count: r.execution_count ?? null, data: r.data ?? {}, metadata: metadata() };
    }
    case "display_data": {
      const d = o as nbformat.IDisplayData;
      return { output_type: "display_data", data: d.data ?? {}, metadata: metadata() };
    }
    default:
      return o;
  }
}

/**
 * Writes the notebook as nbformat 4.5 JSON (what the Contents API saves with type "notebook"):
 * every cell with its id and metadata, sources as line lists, code cells with their outputs and
 * execution counts, app-only fields (running, the `tspy_display_id` output metadata) left out.
 * Python cells stay code cells whose source starts with `%%python`.
 * @param state the notebook.
 * @param metadata the notebook metadata to write (by default the one read from the file); tspy's
 *   kernelspec and language_info are added when it has none.
 * @returns an nbformat 4.5 notebook.
 */
export function writeNotebook(state: NotebookState, metadata: nbformat.INotebookMetadata = state.metadata ?? {}): nbformat.INotebookContent {
  const cells = state.cells.map((c): nbformat.ICell => {
    const base = { id: c.id, metadata: c.metadata ?? {}, source: splitLines(c.source) };
    if (c.cellType === "code") {
      return { ...base, cell_type: "code", execution_count: c.executionCount, outputs: c.outputs.map(writeOutput) };
    }
    return { ...base, cell_type: c.cellType, ...(c.attachments ? { attachments: c.attachments } : {}) };
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      ...metadata,
      kernelspec: metadata.kernelspec ?? TSPY_KERNELSPEC,
      ...(metadata.language_info || notebookKernelName(metadata) !== TSPY_KERNELSPEC.name ? {} : { language_info: TSPY_LANGUAGE_INFO }),
    },
    cells,
  };
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

/**
 * Changes to the notebook; `iopub` carries one message the kernel sent for a cell's execution.
 * Where `cellId` is optional it defaults to the selected cell.
 * - `insert`: a new cell of `kind` (TypeScript by default) with id `id` above or below the cell; it becomes selected.
 * - `delete`: removes the cell (kept for `undoDelete`); its neighbour below (else above) becomes selected.
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
  | { type: "finish"; cellId: string; executionCount: number | null }
  | { type: "insert"; where: "above" | "below"; id: string; kind?: Exclude<CellKind, "raw">; cellId?: string; mode?: Mode }
  | { type: "delete"; cellId?: string }
  | { type: "undoDelete" }
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
 * Which output a stream chunk continues: the last output when it is text of the same stream (as in
 * JupyterLab); also, for a chunk that starts by going back on its line (`\r`, `\b`: a progress
 * bar's next frame), the last stream output when it has the same name and its line is unfinished,
 * even with rich outputs (a live training chart) shown after it.
 * @returns the output's index, or -1 for a new output.
 */
function continuedStream(outputs: Output[], name: unknown, text: string): number {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const o = outputs[i];
    if (o.output_type !== "stream") {
      if (/^[\r\b]/.test(text)) continue;
      return -1;
    }
    return o.name === name && (i === outputs.length - 1 || !String(o.text).endsWith("\n")) ? i : -1;
  }
  return -1;
}

/** Adds an output to a cell, honouring a pending clear_output(wait=True) and merging stream text (see continuedStream). */
function appendOutput(cell: Cell, output: Output): Cell {
  const outputs = cell.clearPending ? [] : cell.outputs.slice();
  const at = output.output_type === "stream" ? continuedStream(outputs, output.name, String(output.text)) : -1;
  if (at >= 0) {
    outputs[at] = { ...outputs[at], text: cleanStreamText(String(outputs[at].text) + String(output.text)) };
  } else {
    outputs.push(output.output_type === "stream" ? { ...output, text: cleanStreamText(String(output.text)) } : output);
  }
  return { ...cell, outputs, clearPending: false };
}

/** The display_id of a display_data / update_display_data message, or undefined. */
function displayId(content: { transient?: { display_id?: string } }): string | undefined {
  return content.transient?.display_id;
}

/** Replaces, in every cell, the outputs that carry `id` as their display_id with new data and metadata. */
function updateDisplay(cells: Cell[], id: string, data: nbformat.IMimeBundle, metadata: nbformat.OutputMetadata): Cell[] {
  return cells.map((cell) => {
    if (!cell.outputs.some((o) => (o.metadata as { tspy_display_id?: string } | undefined)?.tspy_display_id === id)) return cell;
    const outputs = cell.outputs.map((o) =>
      (o.metadata as { tspy_display_id?: string } | undefined)?.tspy_display_id === id ? { ...o, data, metadata: { ...metadata, tspy_display_id: id } } : o,
    );
    return { ...cell, outputs };
  });
}

/** Applies one iopub message of `cellId`'s execution (Jupyter messaging spec, "IOPub"). */
function applyIOPub(cells: Cell[], cellId: string, msg: KernelMessage.IIOPubMessage): Cell[] {
  const at = (f: (c: Cell) => Cell) => cells.map((c) => (c.id === cellId ? f(c) : c));
  switch (msg.header.msg_type) {
    case "stream": {
      const c = msg.content as KernelMessage.IStreamMsg["content"];
      return at((cell) => appendOutput(cell, { output_type: "stream", name: c.name, text: c.text }));
    }
    case "error": {
      const c = msg.content as KernelMessage.IErrorMsg["content"];
      return at((cell) => appendOutput(cell, { output_type: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback }));
    }
    case "execute_result": {
      const c = msg.content as KernelMessage.IExecuteResultMsg["content"];
      return at((cell) => appendOutput(cell, { output_type: "execute_result", execution_count: c.execution_count, data: c.data, metadata: c.metadata }));
    }
    case "display_data": {
      const c = msg.content as KernelMessage.IDisplayDataMsg["content"];
      const id = displayId(c);
      // The display_id rides in metadata so that update_display_data can find the output again.
      const metadata = id ? { ...c.metadata, tspy_display_id: id } : c.metadata;
      return at((cell) => appendOutput(cell, { output_type: "display_data", data: c.data, metadata }));
    }
    case "update_display_data": {
      const c = msg.content as KernelMessage.IUpdateDisplayDataMsg["content"];
      const id = displayId(c);
      return id ? updateDisplay(cells, id, c.data, c.metadata) : cells;
    }
    case "clear_output": {
      const c = msg.content as KernelMessage.IClearOutputMsg["content"];
      return at((cell) => (c.wait ? { ...cell, clearPending: true } : { ...cell, outputs: [], clearPending: false }));
    }
    default:
      return cells;
  }
}

/** The index of `cellId` (or of the selected cell), -1 when there is none. */
function indexOf(state: NotebookState, cellId: string | undefined): number {
  const id = cellId ?? state.selectedId;
  return id ? state.cells.findIndex((c) => c.id === id) : -1;
}

/** The state after a change to the document: its version bumped (so it is dirty). */
function changed(state: NotebookState, patch: Partial<NotebookState>): NotebookState {
  return { ...state, ...patch, version: (state.version ?? 0) + 1 };
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
      const next = cells.filter((_, j) => j !== i);
      const selectedId = state.selectedId === cells[i].id ? ((next[i] ?? next[i - 1])?.id ?? null) : (state.selectedId ?? null);
      const deleted = [...(state.deleted ?? []), { cell: { ...cells[i], running: false }, index: i }];
      return changed(state, { cells: next, selectedId, deleted, mode: "command" });
    }
    case "undoDelete": {
      const deleted = state.deleted ?? [];
      const last = deleted[deleted.length - 1];
      if (!last) return state;
      const at = Math.min(last.index, cells.length);
      return changed(state, {
        cells: [...cells.slice(0, at), last.cell, ...cells.slice(at)],
        deleted: deleted.slice(0, -1),
        selectedId: last.cell.id,
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
 * The notebook reducer: pure, so that React state and the component tests share it.
 * @param state the notebook, or null when none is open.
 * @param action what happened.
 * @returns the new state (the same object when nothing changed).
 */
export function notebookReducer(state: NotebookState | null, action: Action): NotebookState | null {
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
      return at(action.cellId, (c) => ({ ...c, running: false, executionCount: action.executionCount }));
    default:
      return editCells(state, action) ?? state;
  }
}

/** What a key does in command mode (see {@link commandModeKey}). */
export type NotebookCommand =
  | "edit"
  | "selectAbove"
  | "selectBelow"
  | "insertAbove"
  | "insertBelow"
  | "delete"
  | "undoDelete"
  | "toMarkdown"
  | "toTypeScript"
  | "toPython"
  | "runAndAdvance"
  | "run"
  | "runAndInsertBelow"
  | "interrupt"
  | "restart";

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
 * deletes, Z undoes the last delete, M/Y/P make the cell Markdown/TypeScript/Python, Shift+Enter
 * runs and advances, Ctrl/Cmd+Enter runs, Alt+Enter runs and inserts below, I I interrupts the
 * kernel, 0 0 restarts it.
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
  switch (key.key) {
    case "ArrowUp":
      return "selectAbove";
    case "ArrowDown":
      return "selectBelow";
  }
  if (key.shiftKey) return null;
  switch (key.key.toLowerCase()) {
    case "k":
      return "selectAbove";
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
      return "undoDelete";
    case "m":
      return "toMarkdown";
    case "y":
      return "toTypeScript";
    case "p":
      return "toPython";
    default:
      return null;
  }
}
