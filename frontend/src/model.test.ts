// The notebook model: cell kinds as the kernel sees them, reading and writing .ipynb cells, the
// reducer applying iopub messages (stream merging, clear_output, update_display_data in place) and
// cell editing (insert, delete/undo, move, kind changes, selection, modes, dirty tracking).
import { describe, expect, test } from "vitest";
import type { KernelMessage } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import { cellKind, notebookCodeKind, notebookKernelName, isDirty, TSPY_KERNELSPEC, TSPY_LANGUAGE_INFO, type NotebookState } from "./model";
import { readNotebook, splitLines, writeNotebook } from "./nbformat-io";
import { cleanStreamText } from "./cell-outputs";
import { notebookReducer } from "./notebook-reducer";
import { commandModeKey } from "./command-keys";

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
    for (const [name, text] of [
      ["stdout", "a"],
      ["stdout", "b\n"],
      ["stderr", "oops"],
    ]) {
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

describe("cell editing", () => {
  const ids = (nb: NotebookState | null) => nb!.cells.map((c) => c.id);
  const kinds = (nb: NotebookState | null) => nb!.cells.map((c) => cellKind(c.cellType, c.source));

  test("read_notebook_selects_the_first_cell_in_command_mode_and_is_clean", () => {
    const nb = oneCell();
    expect(nb).toMatchObject({ selectedId: "a", mode: "command" });
    expect(isDirty(nb)).toBe(false);
  });

  test("read_notebook_replaces_missing_invalid_and_repeated_ids", () => {
    const code = (id: string | undefined) => ({ id, cell_type: "code", source: "", outputs: [], execution_count: null, metadata: {} });
    const nb = readNotebook("t.ipynb", {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [code("same"), code("same"), code(undefined), code("no spaces allowed")] as nbformat.ICell[],
    });
    const got = ids(nb);
    expect(got[0]).toBe("same");
    expect(new Set(got).size).toBe(4);
    for (const id of got) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
  });

  test("insert_above_and_below_the_selected_cell_selects_the_new_cell_and_marks_dirty", () => {
    let nb = notebookReducer(oneCell(), { type: "select", cellId: "b" });
    nb = notebookReducer(nb, { type: "insert", where: "below", id: "n1" });
    expect(ids(nb)).toEqual(["a", "b", "n1", "c"]);
    expect(nb!.selectedId).toBe("n1");
    expect(isDirty(nb!)).toBe(true);
    nb = notebookReducer(nb, { type: "insert", where: "above", id: "n2", kind: "python" });
    expect(ids(nb)).toEqual(["a", "b", "n2", "n1", "c"]);
    expect(nb!.cells[2].source).toBe("%%python\n");
    nb = notebookReducer(nb, { type: "insert", where: "below", id: "n3", kind: "markdown", cellId: "c" });
    expect(ids(nb)).toEqual(["a", "b", "n2", "n1", "c", "n3"]);
    expect(nb!.cells[5]).toMatchObject({ cellType: "markdown", editing: true });
  });

  test("insert_into_an_empty_notebook", () => {
    let nb: NotebookState | null = { ...oneCell(), cells: [], selectedId: null };
    nb = notebookReducer(nb, { type: "insert", where: "above", id: "only" });
    expect(ids(nb)).toEqual(["only"]);
    expect(nb!.selectedId).toBe("only");
  });

  test("delete_selects_the_next_cell_and_undo_delete_puts_it_back_where_it_was", () => {
    let nb = notebookReducer(oneCell(), { type: "select", cellId: "b" });
    nb = notebookReducer(nb, { type: "delete" });
    expect(ids(nb)).toEqual(["a", "c"]);
    expect(nb!.selectedId).toBe("c");
    nb = notebookReducer(nb, { type: "delete" });
    expect(ids(nb)).toEqual(["a"]);
    expect(nb!.selectedId).toBe("a");
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "c"]);
    expect(nb!.selectedId).toBe("c");
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "b", "c"]);
    expect(nb!.cells[1].source).toBe("%%python\nprint(1)");
    expect(nb!.cells[1].executionCount).toBe(3);
    expect(notebookReducer(nb, { type: "undo" })).toBe(nb);
  });

  test("move_up_and_down_stops_at_the_ends", () => {
    let nb = notebookReducer(oneCell(), { type: "move", by: 1 });
    expect(ids(nb)).toEqual(["b", "a", "c"]);
    nb = notebookReducer(nb, { type: "move", by: 1 });
    expect(ids(nb)).toEqual(["b", "c", "a"]);
    const last = nb;
    expect(notebookReducer(last, { type: "move", by: 1 })).toBe(last);
    nb = notebookReducer(nb, { type: "move", by: -1, cellId: "b" });
    expect(ids(nb)).toEqual(["b", "c", "a"]);
    nb = notebookReducer(nb, { type: "move", by: -1, cellId: "a" });
    expect(ids(nb)).toEqual(["b", "a", "c"]);
  });

  test("set_kind_typescript_to_python_adds_the_magic_line_and_back_removes_it", () => {
    let nb = notebookReducer(oneCell(), { type: "setKind", kind: "python", cellId: "a" });
    expect(nb!.cells[0].source).toBe("%%python\nconst x = 1;\nx");
    expect(kinds(nb)[0]).toBe("python");
    nb = notebookReducer(nb, { type: "setKind", kind: "typescript", cellId: "a" });
    expect(nb!.cells[0].source).toBe("const x = 1;\nx");
    nb = notebookReducer(nb, { type: "setKind", kind: "typescript", cellId: "b" });
    expect(nb!.cells[1].source).toBe("print(1)");
  });

  test("set_kind_code_to_markdown_keeps_the_text_and_drops_outputs", () => {
    let nb = notebookReducer(oneCell(), { type: "iopub", cellId: "b", msg: iopub("stream", { name: "stdout", text: "1\n" }) });
    nb = notebookReducer(nb, { type: "setKind", kind: "markdown", cellId: "b" });
    expect(nb!.cells[1]).toMatchObject({ cellType: "markdown", source: "%%python\nprint(1)", outputs: [], executionCount: null });
    nb = notebookReducer(nb, { type: "setKind", kind: "python", cellId: "c" });
    expect(nb!.cells[2]).toMatchObject({ cellType: "code", source: "%%python\n# Title" });
  });

  test("set_kind_to_the_same_kind_changes_nothing", () => {
    const nb = oneCell();
    expect(notebookReducer(nb, { type: "setKind", kind: "typescript", cellId: "a" })).toBe(nb);
    expect(notebookReducer(nb, { type: "setKind", kind: "markdown", cellId: "c" })).toBe(nb);
  });

  test("select_relative_moves_the_selection_within_bounds_without_dirtying", () => {
    let nb = notebookReducer(oneCell(), { type: "selectRelative", by: 1 });
    expect(nb!.selectedId).toBe("b");
    nb = notebookReducer(nb, { type: "selectRelative", by: 1 });
    nb = notebookReducer(nb, { type: "selectRelative", by: 1 });
    expect(nb!.selectedId).toBe("c");
    nb = notebookReducer(nb, { type: "selectRelative", by: -1 });
    expect(nb!.selectedId).toBe("b");
    expect(isDirty(nb!)).toBe(false);
  });

  test("edit_mode_on_a_markdown_cell_opens_its_editor_and_render_closes_it", () => {
    let nb = notebookReducer(oneCell(), { type: "select", cellId: "c" });
    expect(nb!.cells[2].editing).toBeFalsy();
    nb = notebookReducer(nb, { type: "mode", mode: "edit" });
    expect(nb).toMatchObject({ mode: "edit" });
    expect(nb!.cells[2].editing).toBe(true);
    nb = notebookReducer(nb, { type: "mode", mode: "command" });
    expect(nb!.cells[2].editing).toBe(true);
    nb = notebookReducer(nb, { type: "render" });
    expect(nb!.cells[2].editing).toBe(false);
    expect(isDirty(nb!)).toBe(false);
  });

  test("saved_clears_dirty_only_for_the_version_written", () => {
    let nb = notebookReducer(oneCell(), { type: "edit", cellId: "a", source: "1" });
    const written = nb!.version!;
    nb = notebookReducer(nb, { type: "edit", cellId: "a", source: "12" });
    nb = notebookReducer(nb, { type: "saved", version: written });
    expect(isDirty(nb!)).toBe(true);
    nb = notebookReducer(nb, { type: "saved", version: nb!.version! });
    expect(isDirty(nb!)).toBe(false);
  });
});

describe("writeNotebook", () => {
  test("write_notebook_gives_nbformat_4_5_with_ids_line_lists_outputs_and_counts", () => {
    let nb = notebookReducer(oneCell(), { type: "start", cellId: "b" });
    nb = notebookReducer(nb, { type: "iopub", cellId: "b", msg: iopub("stream", { name: "stdout", text: "1\n2\n" }) });
    nb = notebookReducer(nb, { type: "finish", cellId: "b", executionCount: 4 });
    const out = writeNotebook(nb!);
    expect(out).toMatchObject({ nbformat: 4, nbformat_minor: 5 });
    expect(out.cells).toEqual([
      { id: "a", cell_type: "code", metadata: {}, source: ["const x = 1;\n", "x"], execution_count: null, outputs: [] },
      {
        id: "b",
        cell_type: "code",
        metadata: {},
        source: ["%%python\n", "print(1)"],
        execution_count: 4,
        outputs: [{ output_type: "stream", name: "stdout", text: ["1\n", "2\n"] }],
      },
      { id: "c", cell_type: "markdown", metadata: {}, source: ["# Title"] },
    ]);
  });

  test("write_notebook_strips_tspy_display_id_and_keeps_other_output_metadata", () => {
    let nb: NotebookState | null = oneCell();
    nb = notebookReducer(nb, {
      type: "iopub",
      cellId: "a",
      msg: iopub("display_data", { data: { "text/plain": "chart" }, metadata: { width: 3 }, transient: { display_id: "d1" } }),
    });
    nb = notebookReducer(nb, {
      type: "iopub",
      cellId: "a",
      msg: iopub("execute_result", { execution_count: 2, data: { "text/plain": "2" }, metadata: {} }),
    });
    expect(nb!.cells[0].outputs[0].metadata).toMatchObject({ tspy_display_id: "d1" });
    const outputs = (writeNotebook(nb!).cells[0] as nbformat.ICodeCell).outputs;
    expect(outputs).toEqual([
      { output_type: "display_data", data: { "text/plain": "chart" }, metadata: { width: 3 } },
      { output_type: "execute_result", execution_count: 2, data: { "text/plain": "2" }, metadata: {} },
    ]);
  });

  test("write_notebook_keeps_the_files_metadata_and_adds_tspys_kernelspec_when_absent", () => {
    const nb = oneCell();
    expect(writeNotebook(nb).metadata).toEqual({ kernelspec: TSPY_KERNELSPEC, language_info: TSPY_LANGUAGE_INFO });
    const mine = { kernelspec: { name: "tspy", display_name: "Mine" }, language_info: { name: "typescript", version: "6" }, authors: ["x"] };
    expect(writeNotebook(nb, mine).metadata).toEqual(mine);
  });

  test("write_then_read_round_trips_cells_outputs_counts_and_cell_metadata", () => {
    const source: nbformat.INotebookContent = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: TSPY_KERNELSPEC },
      cells: [
        {
          id: "x1",
          cell_type: "code",
          metadata: { tags: ["keep"] },
          source: "%%python\nprint('hi')",
          execution_count: 9,
          outputs: [
            { output_type: "stream", name: "stdout", text: "hi\n" },
            { output_type: "error", ename: "E", evalue: "v", traceback: ["t"] },
          ],
        },
        { id: "x2", cell_type: "raw", metadata: {}, source: "raw text" },
      ],
    };
    const again = readNotebook("r.ipynb", writeNotebook(readNotebook("r.ipynb", source)));
    expect(again.cells.map((c) => [c.id, c.cellType, c.source, c.executionCount, c.metadata])).toEqual([
      ["x1", "code", "%%python\nprint('hi')", 9, { tags: ["keep"] }],
      ["x2", "raw", "raw text", null, {}],
    ]);
    expect(again.cells[0].outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "hi\n" },
      { output_type: "error", ename: "E", evalue: "v", traceback: ["t"] },
    ]);
  });

  test("split_lines_keeps_newlines_and_joins_back", () => {
    expect(splitLines("")).toEqual([]);
    expect(splitLines("a\n\nb\n")).toEqual(["a\n", "\n", "b\n"]);
    expect(splitLines("a\r\nb")).toEqual(["a\r\n", "b"]);
  });
});

describe("commandModeKey", () => {
  const press = (key: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
    key,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...mods,
  });

  test("command_mode_keys_map_to_jupyters_commands", () => {
    const table: [ReturnType<typeof press>, string | null][] = [
      [press("Enter"), "edit"],
      [press("Enter", { shiftKey: true }), "runAndAdvance"],
      [press("Enter", { ctrlKey: true }), "run"],
      [press("Enter", { metaKey: true }), "run"],
      [press("Enter", { altKey: true }), "runAndInsertBelow"],
      [press("ArrowUp"), "selectAbove"],
      [press("k"), "selectAbove"],
      [press("ArrowDown"), "selectBelow"],
      [press("J"), "selectBelow"],
      [press("a"), "insertAbove"],
      [press("b"), "insertBelow"],
      [press("m"), "toMarkdown"],
      [press("y"), "toTypeScript"],
      [press("p"), "toPython"],
      [press("z"), "undo"],
      [press("Z", { shiftKey: true }), "redo"],
      [press("c"), "copy"],
      [press("x"), "cut"],
      [press("v"), "pasteBelow"],
      [press("V", { shiftKey: true }), "pasteAbove"],
      [press("M", { shiftKey: true }), "merge"],
      [press("o"), "toggleOutputs"],
      [press("ArrowDown", { shiftKey: true }), "extendBelow"],
      [press("ArrowUp", { shiftKey: true }), "extendAbove"],
      [press("q"), null],
      [press("a", { ctrlKey: true }), null],
      [press("s", { metaKey: true }), null],
    ];
    for (const [key, command] of table) expect([key, commandModeKey(key, null)]).toEqual([key, command]);
  });

  test("d_deletes_only_when_pressed_twice", () => {
    expect(commandModeKey(press("d"), null)).toBe("pending");
    expect(commandModeKey(press("d"), "d")).toBe("delete");
    expect(commandModeKey(press("d"), "j")).toBe("pending");
  });
});

describe("issue 15: progress bars, kernelspecs, I I and 0 0", () => {
  test("cleanStreamText_applies_backspace_and_carriage_return_as_jupyterlab_does", () => {
    expect(cleanStreamText("abc\bd")).toBe("abd");
    expect(cleanStreamText("10%\r20%\r30%")).toBe("30%");
    expect(cleanStreamText("long line\rshort")).toBe("shortline");
    expect(cleanStreamText("a\r\nb")).toBe("a\nb");
    expect(cleanStreamText("50%\r")).toBe("50%\r");
    expect(cleanStreamText(cleanStreamText("50%\r") + "60%")).toBe("60%");
    // Keras' Progbar: backspaces over the visible width, then a carriage return and the next frame.
    expect(cleanStreamText("Epoch 1/2\n1/8 [==  ] 4s" + "\b".repeat(14) + "\r8/8 [====] 2s\n")).toBe("Epoch 1/2\n8/8 [====] 2s\n");
  });

  test("a_progress_frame_after_a_rich_output_updates_the_bar_above_it", () => {
    const out = (msg: KernelMessage.IIOPubMessage) => ({ type: "iopub" as const, cellId: "a", msg });
    let nb = notebookReducer(oneCell(), out(iopub("stream", { name: "stdout", text: "1/8 [=   ]" })));
    nb = notebookReducer(nb, out(iopub("display_data", { data: { "text/plain": "chart" }, metadata: {} })));
    nb = notebookReducer(nb, out(iopub("stream", { name: "stdout", text: "\b".repeat(10) + "\r8/8 [====]\n" })));
    nb = notebookReducer(nb, out(iopub("stream", { name: "stdout", text: "Epoch 2/2\n" })));
    const outputs = nb!.cells[0].outputs;
    expect(outputs.map((o) => o.output_type)).toEqual(["stream", "display_data", "stream"]);
    expect(outputs[0].text).toBe("8/8 [====]\n");
    expect(outputs[2].text).toBe("Epoch 2/2\n");
  });

  test("the_kernelspec_decides_the_kernel_and_the_code_cells_language", () => {
    expect(notebookKernelName(undefined)).toBe("tspy");
    expect(notebookKernelName({ kernelspec: { name: "python3", display_name: "Python 3" } })).toBe("python3");
    expect(notebookCodeKind({ kernelspec: { name: "python3", display_name: "Python 3", language: "python" } })).toBe("python");
    expect(notebookCodeKind({ kernelspec: TSPY_KERNELSPEC })).toBe("typescript");
    expect(cellKind("code", "print(1)", "python")).toBe("python");
    // A python3 notebook is not given tspy's language_info on save.
    const nb = notebookReducer(oneCell(), { type: "kernelspec", kernelspec: { name: "python3", display_name: "Python 3", language: "python" } });
    expect(writeNotebook(nb!).metadata.language_info).toBeUndefined();
    expect(writeNotebook(nb!).metadata.kernelspec?.name).toBe("python3");
    expect(isDirty(nb!)).toBe(true);
  });

  test("clear_outputs_empties_every_code_cell", () => {
    let nb = notebookReducer(oneCell(), { type: "iopub", cellId: "a", msg: iopub("stream", { name: "stdout", text: "x\n" }) });
    nb = notebookReducer(nb, { type: "finish", cellId: "a", executionCount: 3 });
    nb = notebookReducer(nb, { type: "clearOutputs" });
    expect(nb!.cells[0].outputs).toEqual([]);
    expect(nb!.cells[0].executionCount).toBeNull();
  });

  test("i_i_interrupts_and_0_0_restarts_in_command_mode", () => {
    const key = (k: string) => ({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });
    expect(commandModeKey(key("i"), null)).toBe("pending");
    expect(commandModeKey(key("i"), "i")).toBe("interrupt");
    expect(commandModeKey(key("0"), "0")).toBe("restart");
    expect(commandModeKey(key("i"), "d")).toBe("pending");
  });
});
