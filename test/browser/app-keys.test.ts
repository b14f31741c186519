// Issue 15, JupyterLab's command-mode keys for cells, in headless Chromium on a real Jupyter Server,
// each test written as the user's keystrokes (after Escape, as JupyterLab's notebook:* commands do):
// C / X copy and cut, V / Shift+V paste below and above, Shift+M merges (with the cell below, or a
// selection), Shift+Down / Shift+Up extend a selection that D D, C, X and Shift+M act on, Z brings
// back what D D deleted and Shift+Z deletes it again, and O collapses and shows a cell's outputs. Asserts the cells' kinds and
// sources as the page shows them, polling until they match.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { notebookOf, openFromList, startApp, type RunningApp } from "../support/app";

/** ms: the server's start and a notebook's opening on a loaded machine. */
const OPEN_TIMEOUT = 120_000;
/** ms: how long the page may take to show the cells a keystroke made. */
const SHOW_TIMEOUT = 15_000;

/** A notebook whose first cell has printed "hello" (for O). */
function printedNotebook(): object {
  const nb = notebookOf([
    ["code", 'console.log("hello")', "printed"],
    ["code", "after"],
  ]) as { cells: object[] };
  const printed = { ...nb.cells[0], execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: ["hello\n"] }] };
  return { ...nb, cells: [printed, nb.cells[1]] };
}

/** Five TypeScript cells "1" to "5", the third one Python. */
function fiveCells(): object {
  return notebookOf([
    ["code", "1"],
    ["code", "2"],
    ["code", "%%python\n3"],
    ["code", "4"],
    ["code", "5"],
  ]);
}

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp({
    "keys-copy.ipynb": notebookOf([
      ["code", "a = 1"],
      ["code", "%%python\nb = 2"],
      ["code", "c = 3"],
    ]),
    "keys-merge.ipynb": notebookOf([
      ["code", "a"],
      ["code", "b"],
      ["code", "c"],
      ["code", "d"],
      ["code", "e"],
    ]),
    "keys-cut.ipynb": fiveCells(),
    "keys-select.ipynb": fiveCells(),
    "keys-output.ipynb": printedNotebook(),
    "keys-redo.ipynb": fiveCells(),
  });
  page = app.page;
  // Leaving a notebook with unsaved changes (the next test's page.goto) asks first: the user leaves.
  page.on("dialog", (d) => void d.accept());
});

after(async () => {
  await app?.stop();
});

/** Opens a notebook from the list; its first cell is selected in command mode (autosave put off: the files stay as they were). */
async function openNotebook(name: string): Promise<void> {
  await openFromList(app!, name, { show: OPEN_TIMEOUT });
  await page.locator(".tspy-notebook[data-mode='command'] .tspy-cell[data-selected='true']").waitFor({ timeout: OPEN_TIMEOUT });
}

/** Presses keys one after another, as a user in command mode does ("Shift+ArrowDown", "d", ...). */
async function press(...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key);
}

/** Every cell as the page shows it: [kind, source] (the source as its editor's lines). */
function shownCells(): Promise<[string, string][]> {
  return page.locator(".tspy-cell").evaluateAll((cells) =>
    cells.map((c) => {
      const el = c as unknown as {
        getAttribute(n: string): string | null;
        querySelectorAll(s: string): ArrayLike<{ style: { top: string }; textContent: string }>;
      };
      const lines = Array.from(el.querySelectorAll(".view-line"))
        .map((n) => ({ top: parseFloat(n.style.top), text: n.textContent }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text);
      return [el.getAttribute("data-kind") ?? "", lines.join("\n").replace(/\u00a0/g, " ")] as [string, string];
    }),
  );
}

/** TypeScript cells with these sources, as {@link shownCells} gives them. */
function ts(...sources: string[]): [string, string][] {
  return sources.map((source) => ["typescript", source]);
}
/** The Python cells of the stored notebooks, as {@link shownCells} gives them. */
const PY_B: [string, string] = ["python", "%%python\nb = 2"];
const PY_3: [string, string] = ["python", "%%python\n3"];

/** Asserts that the page shows these cells, polling up to SHOW_TIMEOUT; fails with the last cells seen. */
async function expectCells(expected: [string, string][]): Promise<void> {
  const deadline = Date.now() + SHOW_TIMEOUT;
  let seen = await shownCells();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await shownCells();
  }
  assert.deepEqual(seen, expected);
}

/** Asserts how many cells the multi-cell selection highlights, polling up to SHOW_TIMEOUT. */
async function expectSelection(count: number): Promise<void> {
  const selection = page.locator(".tspy-cell[data-in-selection='true']");
  const deadline = Date.now() + SHOW_TIMEOUT;
  while ((await selection.count()) !== count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await selection.count(), count);
}

test("c_copies_v_pastes_below_and_shift_v_pastes_above", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-copy.ipynb");
  await expectCells([...ts("a = 1"), PY_B, ...ts("c = 3")]);
  // Copy the Python cell, paste it below the last cell, then above the first.
  await press("j", "c", "j", "v");
  await expectCells([...ts("a = 1"), PY_B, ...ts("c = 3"), PY_B]);
  await press("k", "k", "k", "Shift+V");
  await expectCells([PY_B, ...ts("a = 1"), PY_B, ...ts("c = 3"), PY_B]);
  // Shift+V leaves the cell it pasted above selected (JupyterLab's paste): D D deletes "a = 1".
  await press("d", "d");
  await expectCells([PY_B, PY_B, ...ts("c = 3"), PY_B]);
});

test("x_cuts_the_cell_and_v_pastes_it_where_the_user_moved", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-cut.ipynb");
  // Cut the Python cell ("3"), move to the last cell, paste it below.
  await press("j", "j", "x");
  await expectCells(ts("1", "2", "4", "5"));
  await press("j", "v");
  await expectCells([...ts("1", "2", "4", "5"), PY_3]);
});

test("shift_m_merges_with_the_cell_below_and_merges_a_shift_down_selection", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-merge.ipynb");
  await press("Shift+M");
  await expectCells(ts("a\n\nb", "c", "d", "e"));
  await press("j", "Shift+ArrowDown", "Shift+ArrowDown");
  await expectSelection(3);
  await press("Shift+M");
  await expectCells(ts("a\n\nb", "c\n\nd\n\ne"));
  await expectSelection(0);
});

test("shift_down_and_shift_up_extend_a_selection_that_c_x_and_d_d_act_on", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-select.ipynb");
  await press("Shift+ArrowDown", "Shift+ArrowDown");
  await expectSelection(3);
  await press("Shift+ArrowUp");
  await expectSelection(2);
  // C copies "1" and "2" and ends the selection; pasted below "3".
  await press("c");
  await expectSelection(0);
  await press("j", "v");
  await expectCells([...ts("1", "2"), PY_3, ...ts("1", "2", "4", "5")]);
  // X on a selection of the pasted "2" and "4"; V puts both below "5".
  await press("Shift+ArrowDown", "x");
  await expectCells([...ts("1", "2"), PY_3, ...ts("1", "5")]);
  await press("v");
  await expectCells([...ts("1", "2"), PY_3, ...ts("1", "5", "2", "4")]);
  // D D on the first three cells (selected from the top with Shift+Down), Z brings all three back.
  for (let i = 0; i < 6; i++) await press("k");
  await press("Shift+ArrowDown", "Shift+ArrowDown", "d", "d");
  await expectCells(ts("1", "5", "2", "4"));
  await press("z");
  await expectCells([...ts("1", "2"), PY_3, ...ts("1", "5", "2", "4")]);
});

test("shift_z_redoes_the_delete_z_undid_and_a_new_cell_operation_after_z_clears_redo", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-redo.ipynb");
  await press("d", "d");
  await expectCells([...ts("2"), PY_3, ...ts("4", "5")]);
  await press("z");
  await expectCells([...ts("1", "2"), PY_3, ...ts("4", "5")]);
  await press("Shift+Z");
  await expectCells([...ts("2"), PY_3, ...ts("4", "5")]);
  // Undo again, then B adds a cell below "1": there is nothing left to redo.
  await press("z", "b");
  await expectCells([...ts("1", "", "2"), PY_3, ...ts("4", "5")]);
  await press("Shift+Z");
  await expectCells([...ts("1", "", "2"), PY_3, ...ts("4", "5")]);
  // Z takes back the new cell, Shift+Z puts it back.
  await press("z");
  await expectCells([...ts("1", "2"), PY_3, ...ts("4", "5")]);
  await press("Shift+Z");
  await expectCells([...ts("1", "", "2"), PY_3, ...ts("4", "5")]);
});

test("o_collapses_the_cells_outputs_and_o_again_shows_them", { timeout: OPEN_TIMEOUT * 2 }, async () => {
  await openNotebook("keys-output.ipynb");
  const printed = page.locator(".tspy-cell[data-cell-id='printed']");
  await printed.locator(".tspy-stream", { hasText: "hello" }).waitFor({ timeout: SHOW_TIMEOUT });
  await press("o");
  await printed.locator(".tspy-outputs-collapsed").waitFor({ timeout: SHOW_TIMEOUT });
  assert.equal(await printed.locator(".tspy-stream").count(), 0);
  await press("o");
  await printed.locator(".tspy-stream", { hasText: "hello" }).waitFor({ timeout: SHOW_TIMEOUT });
  assert.equal(await printed.locator(".tspy-outputs-collapsed").count(), 0);
  // Collapsing is part of the document (nbformat's metadata.collapsed): the notebook is unsaved.
  await page.locator(".tspy-title[data-dirty='true']").waitFor({ timeout: SHOW_TIMEOUT });
});
