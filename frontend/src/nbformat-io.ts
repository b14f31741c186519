// The notebook's file format: nbformat 4.5 JSON (the Contents API's "notebook" content) read into
// the app's document (model.ts) and written back, sources and stream texts as nbformat's line lists.
import type * as nbformat from "@jupyterlab/nbformat";
import { newCellId, notebookKernelName, TSPY_KERNELSPEC, TSPY_LANGUAGE_INFO, type Cell, type NotebookState, type Output } from "./model";
import { cleanStreamText } from "./cell-outputs";

/**
 * Joins an nbformat multiline string (a string or a list of lines that keep their "\n").
 * @param source the `source` or `text` field as stored in the .ipynb.
 * @returns one string.
 */
export function joinSource(source: nbformat.MultilineString | undefined): string {
  if (source === undefined) return "";
  return Array.isArray(source) ? source.join("") : source;
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
    undo: [],
    redo: [],
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
