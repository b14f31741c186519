// The notebook as the app holds it: cells with their kind, source, outputs and execution count,
// read from nbformat 4 and changed by a pure reducer fed with the kernel's iopub messages. Knows
// nothing of React, of the network or of how outputs are drawn.
import type { KernelMessage } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";

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
}

/** The open notebook. */
export interface NotebookState {
  path: string;
  cells: Cell[];
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
 * The kind of a cell as tspy's kernel sees it: a code cell is Python when its first line is
 * `%%python` (after leading blank lines, as the kernel strips them), TypeScript otherwise.
 * @param cellType the nbformat cell_type.
 * @param source the cell's whole source.
 */
export function cellKind(cellType: Cell["cellType"], source: string): CellKind {
  if (cellType === "markdown") return "markdown";
  if (cellType === "raw") return "raw";
  const first = source.replace(/^\s*\n/, "").split("\n", 1)[0].trim();
  return first === "%%python" ? "python" : "typescript";
}

let nextId = 0;
/** A cell id unique within this page (nbformat 4.5 allows 1–64 of [a-zA-Z0-9-_]). */
function makeId(): string {
  nextId += 1;
  return `tspy-${Date.now().toString(36)}-${nextId}`;
}

/** Normalises an output read from a file: multiline `text` and MIME values joined into strings. */
function readOutput(o: nbformat.IOutput): Output {
  if (o.output_type === "stream") return { ...o, text: joinSource((o as nbformat.IStream).text) };
  if (o.output_type === "execute_result" || o.output_type === "display_data") {
    const data: Record<string, unknown> = {};
    for (const [mime, value] of Object.entries((o as nbformat.IDisplayData).data ?? {})) {
      data[mime] = Array.isArray(value) && !mime.endsWith("json") ? value.join("") : value;
    }
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
  const cells = nb.cells.map((c): Cell => {
    const cellType = c.cell_type === "code" || c.cell_type === "markdown" ? c.cell_type : "raw";
    const code = c.cell_type === "code" ? (c as nbformat.ICodeCell) : null;
    return {
      id: typeof c.id === "string" && c.id ? c.id : makeId(),
      cellType,
      source: joinSource(c.source),
      outputs: code ? code.outputs.map(readOutput) : [],
      executionCount: code ? code.execution_count : null,
      running: false,
      clearPending: false,
    };
  });
  return { path, cells };
}

/** Changes to the notebook; `iopub` carries one message the kernel sent for a cell's execution. */
export type Action =
  | { type: "load"; notebook: NotebookState }
  | { type: "edit"; cellId: string; source: string }
  | { type: "start"; cellId: string }
  | { type: "iopub"; cellId: string; msg: KernelMessage.IIOPubMessage }
  | { type: "finish"; cellId: string; executionCount: number | null };

/** Adds an output to a cell, honouring a pending clear_output(wait=True) and merging consecutive stream text of one name. */
function appendOutput(cell: Cell, output: Output): Cell {
  const outputs = cell.clearPending ? [] : cell.outputs.slice();
  const last = outputs[outputs.length - 1];
  if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
    outputs[outputs.length - 1] = { ...last, text: String(last.text) + String(output.text) };
  } else {
    outputs.push(output);
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
      (o.metadata as { tspy_display_id?: string } | undefined)?.tspy_display_id === id
        ? { ...o, data, metadata: { ...metadata, tspy_display_id: id } }
        : o,
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
      return at((cell) =>
        appendOutput(cell, { output_type: "execute_result", execution_count: c.execution_count, data: c.data, metadata: c.metadata }),
      );
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

/**
 * The notebook reducer: pure, so that React state and the component tests share it.
 * @param state the notebook, or null when none is open.
 * @param action what happened.
 * @returns the new state (the same object when nothing changed).
 */
export function notebookReducer(state: NotebookState | null, action: Action): NotebookState | null {
  if (action.type === "load") return action.notebook;
  if (!state) return state;
  const at = (id: string, f: (c: Cell) => Cell) => ({ ...state, cells: state.cells.map((c) => (c.id === id ? f(c) : c)) });
  switch (action.type) {
    case "edit":
      return at(action.cellId, (c) => ({ ...c, source: action.source }));
    case "start":
      return at(action.cellId, (c) => ({ ...c, outputs: [], executionCount: null, running: true, clearPending: false }));
    case "iopub":
      return { ...state, cells: applyIOPub(state.cells, action.cellId, action.msg) };
    case "finish":
      return at(action.cellId, (c) => ({ ...c, running: false, executionCount: action.executionCount }));
  }
}
