// The notebook model: cell kinds as the kernel sees them, reading .ipynb cells, and the reducer
// applying iopub messages (stream merging, clear_output, update_display_data in place).
import { describe, expect, test } from "vitest";
import type { KernelMessage } from "@jupyterlab/services";
import { cellKind, notebookReducer, readNotebook, type NotebookState } from "./model";

/** An iopub message of `type` with `content`, enough for the reducer. */
function iopub(type: string, content: object): KernelMessage.IIOPubMessage {
  return { header: { msg_type: type }, content, parent_header: {}, metadata: {}, channel: "iopub" } as unknown as KernelMessage.IIOPubMessage;
}

function oneCell(): NotebookState {
  return readNotebook("t.ipynb", {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { id: "a", cell_type: "code", source: ["const x = 1;\n", "x"], outputs: [], execution_count: null, metadata: {} },
      { id: "b", cell_type: "code", source: "%%python\nprint(1)", outputs: [], execution_count: 3, metadata: {} },
      { id: "c", cell_type: "markdown", source: "# Title", metadata: {} },
    ],
  });
}

describe("cellKind", () => {
  test("a code cell whose first line is %%python is Python", () => {
    expect(cellKind("code", "%%python\nprint(1)")).toBe("python");
    expect(cellKind("code", "\n  %%python  \nx = 1")).toBe("python");
  });
  test("any other code cell is TypeScript, even with %%python further down", () => {
    expect(cellKind("code", "const a = 1;\n%%python")).toBe("typescript");
    expect(cellKind("code", "%%pythonx\n")).toBe("typescript");
    expect(cellKind("code", "")).toBe("typescript");
  });
  test("markdown and raw cells keep their type", () => {
    expect(cellKind("markdown", "%%python")).toBe("markdown");
    expect(cellKind("raw", "x")).toBe("raw");
  });
});

describe("readNotebook", () => {
  test("joins multiline sources and keeps ids and execution counts", () => {
    const nb = oneCell();
    expect(nb.cells.map((c) => [c.id, c.cellType, c.source, c.executionCount])).toEqual([
      ["a", "code", "const x = 1;\nx", null],
      ["b", "code", "%%python\nprint(1)", 3],
      ["c", "markdown", "# Title", null],
    ]);
  });
});

describe("notebookReducer", () => {
  test("start clears outputs and marks the cell running; finish sets the execution count", () => {
    let nb = notebookReducer(oneCell(), { type: "iopub", cellId: "a", msg: iopub("stream", { name: "stdout", text: "old" }) });
    nb = notebookReducer(nb, { type: "start", cellId: "a" });
    expect(nb!.cells[0]).toMatchObject({ outputs: [], running: true, executionCount: null });
    nb = notebookReducer(nb, { type: "finish", cellId: "a", executionCount: 7 });
    expect(nb!.cells[0]).toMatchObject({ running: false, executionCount: 7 });
  });

  test("consecutive stream messages of one name merge; another name starts a new output", () => {
    let nb: NotebookState | null = oneCell();
    for (const [name, text] of [["stdout", "a"], ["stdout", "b\n"], ["stderr", "oops"]]) {
      nb = notebookReducer(nb, { type: "iopub", cellId: "a", msg: iopub("stream", { name, text }) });
    }
    expect(nb!.cells[0].outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "ab\n" },
      { output_type: "stream", name: "stderr", text: "oops" },
    ]);
  });

  test("update_display_data replaces the output with that display_id in place, in any cell", () => {
    let nb: NotebookState | null = oneCell();
    const show = (v: string) => ({ data: { "text/plain": v }, metadata: {}, transient: { display_id: "chart" } });
    nb = notebookReducer(nb, { type: "iopub", cellId: "a", msg: iopub("display_data", show("epoch 1")) });
    nb = notebookReducer(nb, { type: "iopub", cellId: "a", msg: iopub("stream", { name: "stdout", text: "after" }) });
    nb = notebookReducer(nb, { type: "iopub", cellId: "b", msg: iopub("update_display_data", show("epoch 2")) });
    const outputs = nb!.cells[0].outputs;
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toMatchObject({ output_type: "display_data", data: { "text/plain": "epoch 2" } });
    expect(nb!.cells[1].outputs).toEqual([]);
  });

  test("clear_output(wait=True) clears at the next output; clear_output() at once", () => {
    let nb: NotebookState | null = oneCell();
    const out = (text: string) => ({ type: "iopub" as const, cellId: "a", msg: iopub("stream", { name: "stdout", text }) });
    nb = notebookReducer(nb, out("1"));
    nb = notebookReducer(nb, { type: "iopub", cellId: "a", msg: iopub("clear_output", { wait: true }) });
    expect(nb!.cells[0].outputs).toHaveLength(1);
    nb = notebookReducer(nb, out("2"));
    expect(nb!.cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "2" }]);
    nb = notebookReducer(nb, { type: "iopub", cellId: "a", msg: iopub("clear_output", { wait: false }) });
    expect(nb!.cells[0].outputs).toEqual([]);
  });

  test("error messages become error outputs with their traceback", () => {
    const nb = notebookReducer(oneCell(), {
      type: "iopub",
      cellId: "b",
      msg: iopub("error", { ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["Traceback", "ZeroDivisionError: division by zero"] }),
    });
    expect(nb!.cells[1].outputs[0]).toEqual({
      output_type: "error",
      ename: "ZeroDivisionError",
      evalue: "division by zero",
      traceback: ["Traceback", "ZeroDivisionError: division by zero"],
    });
  });
});
