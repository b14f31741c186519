// JupyterLab's multi-cell notebook commands on the reducer (NotebookActions: extendSelectionBelow,
// deleteCells, paste, mergeCells, toggleOutput): a contiguous selection from an anchor to the
// active cell, deleted and restored as one, pasted below or above, merged, outputs collapsed; and
// undo-cell-action / redo-cell-action (Z, Shift+Z) over those operations.
import { describe, expect, test } from "vitest";
import { emptyCell, isDirty, selectionRange, type NotebookState } from "./model";
import { notebookReducer } from "./notebook-reducer";
import { readNotebook } from "./nbformat-io";

/** Cells a (TypeScript, two lines), b (Python, ran as [3]) and c (Markdown); a selected, in command mode. */
function threeCells(): NotebookState {
  const empty = readNotebook("t.ipynb", { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
  const cells = [
    { ...emptyCell("typescript", "a"), source: "const x = 1;\nx" },
    { ...emptyCell("python", "b"), source: "%%python\nprint(1)", executionCount: 3 },
    { ...emptyCell("markdown", "c"), source: "# Title", editing: false },
  ];
  return { ...empty, cells, selectedId: "a" };
}

describe("JupyterLab's multi-cell commands", () => {
  const ids = (nb: NotebookState | null) => nb!.cells.map((c) => c.id);
  const sources = (nb: NotebookState | null) => nb!.cells.map((c) => c.source);

  test("extend_selection_moves_the_active_cell_keeps_the_anchor_and_stops_at_the_ends", () => {
    let nb = notebookReducer(threeCells(), { type: "extendSelection", by: -1 });
    expect(nb!.anchorId ?? null).toBe(null);
    nb = notebookReducer(nb, { type: "extendSelection", by: 1 });
    nb = notebookReducer(nb, { type: "extendSelection", by: 1 });
    expect(nb).toMatchObject({ anchorId: "a", selectedId: "c" });
    expect(selectionRange(nb!)).toEqual([0, 2]);
    expect(notebookReducer(nb, { type: "extendSelection", by: 1 })).toBe(nb);
    nb = notebookReducer(nb, { type: "extendSelection", by: -1 });
    expect(selectionRange(nb!)).toEqual([0, 1]);
    // Selecting one cell ends the multi-cell selection.
    nb = notebookReducer(nb, { type: "selectRelative", by: 1 });
    expect(selectionRange(nb!)).toEqual([2, 2]);
  });

  test("delete_removes_the_selection_and_undo_delete_puts_it_back_in_one_step", () => {
    let nb = notebookReducer(threeCells(), { type: "extendSelection", by: 1 });
    nb = notebookReducer(nb, { type: "delete" });
    expect(ids(nb)).toEqual(["c"]);
    expect(nb).toMatchObject({ selectedId: "c", anchorId: null });
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "b", "c"]);
    expect(nb!.selectedId).toBe("a");
  });

  test("paste_below_selects_the_last_pasted_cell_and_paste_above_keeps_the_selected_one", () => {
    const copy = (id: string) => ({ ...threeCells().cells[1], id });
    let nb = notebookReducer(threeCells(), { type: "paste", where: "below", cells: [copy("p1"), copy("p2")] });
    expect(ids(nb)).toEqual(["a", "p1", "p2", "b", "c"]);
    expect(nb!.selectedId).toBe("p2");
    nb = notebookReducer(nb, { type: "paste", where: "above", cells: [copy("p3")] });
    expect(ids(nb)).toEqual(["a", "p1", "p3", "p2", "b", "c"]);
    expect(nb!.selectedId).toBe("p2");
    expect(isDirty(nb!)).toBe(true);
  });

  test("merge_joins_with_the_cell_below_or_the_selection_as_the_active_cells_kind_without_outputs", () => {
    let nb = notebookReducer(threeCells(), { type: "select", cellId: "b" });
    nb = notebookReducer(nb, { type: "merge" });
    expect(ids(nb)).toEqual(["a", "b"]);
    expect(sources(nb)).toEqual(["const x = 1;\nx", "%%python\nprint(1)\n\n# Title"]);
    expect(nb!.cells[1]).toMatchObject({ cellType: "code", executionCount: null, outputs: [] });
    // The last cell has no cell below: nothing happens.
    expect(notebookReducer(nb, { type: "merge" })).toBe(nb);
    nb = notebookReducer(nb, { type: "extendSelection", by: -1 });
    nb = notebookReducer(nb, { type: "merge" });
    expect(sources(nb)).toEqual(["const x = 1;\nx\n\n%%python\nprint(1)\n\n# Title"]);
    expect(nb).toMatchObject({ selectedId: "a", anchorId: null });
  });

  test("toggle_outputs_collapses_the_selected_code_cells_then_shows_them", () => {
    let nb = notebookReducer(threeCells(), { type: "extendSelection", by: 1 });
    nb = notebookReducer(nb, { type: "toggleOutputs" });
    expect(nb!.cells.map((c) => c.metadata?.collapsed)).toEqual([true, true, undefined]);
    expect(selectionRange(nb!)).toEqual([0, 1]);
    nb = notebookReducer(nb, { type: "toggleOutputs" });
    expect(nb!.cells.map((c) => c.metadata?.collapsed)).toEqual([false, false, undefined]);
  });

  test("redo_repeats_a_multi_cell_delete_that_undo_reversed", () => {
    let nb = notebookReducer(threeCells(), { type: "extendSelection", by: 1 });
    nb = notebookReducer(nb, { type: "delete" });
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "b", "c"]);
    nb = notebookReducer(nb, { type: "redo" });
    expect(ids(nb)).toEqual(["c"]);
    expect(nb!.selectedId).toBe("c");
    // Nothing left to redo; undo again brings both back.
    expect(notebookReducer(nb, { type: "redo" })).toBe(nb);
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "b", "c"]);
    expect(nb!.cells[1]).toMatchObject({ source: "%%python\nprint(1)", executionCount: 3 });
  });

  test("undo_and_redo_reverse_and_repeat_paste_merge_and_move", () => {
    const start = threeCells();
    const copy = { ...start.cells[1], id: "p1" };
    let nb = notebookReducer(start, { type: "paste", where: "below", cells: [copy] });
    nb = notebookReducer(nb, { type: "merge" });
    nb = notebookReducer(nb, { type: "move", by: -1 });
    const moved = ids(nb);
    const movedSources = sources(nb);
    expect(moved).toEqual(["p1", "a", "c"]);
    for (const expected of [
      ["a", "p1", "c"],
      ["a", "p1", "b", "c"],
      ["a", "b", "c"],
    ]) {
      nb = notebookReducer(nb, { type: "undo" });
      expect(ids(nb)).toEqual(expected);
    }
    // The merge undone gives p1 its own source back.
    expect(sources(nb)).toEqual(sources(start));
    for (let i = 0; i < 3; i++) nb = notebookReducer(nb, { type: "redo" });
    expect(ids(nb)).toEqual(moved);
    expect(sources(nb)).toEqual(movedSources);
  });

  test("a_new_cell_operation_after_undo_clears_redo_and_edits_made_since_are_kept", () => {
    let nb = notebookReducer(threeCells(), { type: "delete", cellId: "b" });
    nb = notebookReducer(nb, { type: "undo" });
    expect(nb!.redo).toHaveLength(1);
    nb = notebookReducer(nb, { type: "insert", where: "below", id: "n" });
    expect(nb!.redo).toEqual([]);
    const before = nb;
    expect(notebookReducer(nb, { type: "redo" })).toBe(before);
    // An edit after an operation survives its undo and redo; selection and edits are no operations.
    nb = notebookReducer(nb, { type: "edit", cellId: "a", source: "const y = 2;" });
    nb = notebookReducer(nb, { type: "select", cellId: "c" });
    nb = notebookReducer(nb, { type: "undo" });
    expect(ids(nb)).toEqual(["a", "b", "c"]);
    expect(nb!.cells[0].source).toBe("const y = 2;");
    nb = notebookReducer(nb, { type: "redo" });
    expect(ids(nb)).toEqual(["a", "b", "n", "c"]);
    expect(nb!.cells[0].source).toBe("const y = 2;");
    expect(isDirty(nb!)).toBe(true);
  });
});
