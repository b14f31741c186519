// JupyterLab's multi-cell notebook commands on the reducer (NotebookActions: extendSelectionBelow,
// deleteCells, paste, mergeCells, toggleOutput): a contiguous selection from an anchor to the
// active cell, deleted and restored as one, pasted below or above, merged, outputs collapsed.
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
    nb = notebookReducer(nb, { type: "undoDelete" });
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
});
