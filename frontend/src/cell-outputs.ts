// A cell's outputs as the kernel's iopub messages change them (Jupyter messaging spec, "IOPub"):
// stream text merged and cleaned as a terminal leaves it, clear_output(wait=True), display ids
// updated in place. Pure functions over the document's cells (model.ts).
import type { KernelMessage } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import type { Cell, Output } from "./model";

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

/**
 * Applies one iopub message of `cellId`'s execution (Jupyter messaging spec, "IOPub"): stream,
 * error, execute_result and display_data add an output, update_display_data replaces the outputs
 * of its display_id in every cell, clear_output clears (at once, or at the next output with `wait`).
 * @param cells the notebook's cells.
 * @param cellId the cell whose execution sent the message.
 * @param msg the message; other msg_types change nothing.
 * @returns the new cells (the same array when nothing changed).
 */
export function applyIOPub(cells: Cell[], cellId: string, msg: KernelMessage.IIOPubMessage): Cell[] {
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
