// The notebook's language service over many cells (kernel/executor/language-service.ts,
// notebook-cells.ts): cells older than a block or two are frozen into chunk files of their
// declarations, and a later cell still sees their names, types, TSDoc and redeclarations as a
// user wrote them. Drives the real TypeScript language service; no Python.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { NotebookLanguageService } from "../../kernel/executor/language-service";
import { CELL_SLOTS } from "../../kernel/executor/notebook-cells";

/** A language service over an empty notebook folder (no tsconfig.json). */
function notebook(): NotebookLanguageService {
  return new NotebookLanguageService(fs.mkdtempSync(path.join(os.tmpdir(), "tspy-ls-")));
}

/** Runs `count` cells that each declare a name of their own, as a notebook's later cells do. */
function runFillerCells(ls: NotebookLanguageService, count: number, prefix = "filler"): void {
  for (let i = 0; i < count; i++) ls.addExecutedCell(`const ${prefix}${i} = ${i};`);
}

/** The TS error codes of a cell. */
function codes(ls: NotebookLanguageService, cell: string): number[] {
  return ls.diagnostics(cell).map((d) => d.code);
}

test("names_of_frozen_cells_keep_their_types_tsdoc_and_completions", () => {
  const ls = notebook();
  ls.addExecutedCell(
    [
      'import * as path from "node:path";',
      "/** Width of the box, in pixels. */",
      "const width = 3;",
      "function area(height: number) { return width * height; }",
      "class Box { size = 1; label = 'b'; }",
      "const parts = path.parse('/tmp/a.txt');",
    ].join("\n"),
  );
  runFillerCells(ls, 3 * CELL_SLOTS);

  assert.deepEqual(codes(ls, "const a: number = area(2);\nconst b = new Box();\nb.size.toFixed(1);\nparts.ext.toUpperCase();"), []);
  assert.deepEqual(codes(ls, "const s: string = area(2);"), [2322]);
  assert.deepEqual(codes(ls, "new Box().colour;"), [2339]);
  assert.deepEqual(codes(ls, "const p: path.ParsedPath = path.parse('/x');"), []);

  const hover = ls.quickInfo("width", 2, 0);
  assert.match(hover ?? "", /const width: 3|const width: number/);
  assert.match(hover ?? "", /Width of the box, in pixels\./);
  const names = ls.complete("wid", 3).map((c) => c.text);
  assert.ok(names.includes("width"), names.join(", "));
  assert.ok(ls.complete("filler1", 7).some((c) => c.text === "filler10"));
});

test("a_name_declared_again_takes_its_newest_type_across_frozen_cells", () => {
  const ls = notebook();
  ls.addExecutedCell("let x = 1;\nfunction f() { return x + 1; }");
  runFillerCells(ls, 3 * CELL_SLOTS);
  ls.addExecutedCell("let x = true;");
  runFillerCells(ls, 2 * CELL_SLOTS, "more");

  assert.deepEqual(codes(ls, "const b: boolean = x;\nconst n: number = f();"), []);
  assert.deepEqual(codes(ls, "const n: number = x;"), [2322]);
  // The cell being edited declares it again, as a user re-running an edited cell does.
  assert.deepEqual(codes(ls, 'let x = "s";\nconst t: string = x;'), []);
  assert.deepEqual(codes(ls, "const b: boolean = x;"), []);
});

test("strict_mode_checks_a_cell_against_frozen_declarations", () => {
  const ls = notebook();
  ls.addExecutedCell("let maybe: string | null = null;");
  runFillerCells(ls, 3 * CELL_SLOTS);
  assert.deepEqual(codes(ls, "maybe.length;\nfunction g(a) { return a; }"), []);
  ls.useProfile("strict");
  assert.deepEqual(codes(ls, "maybe.length;\nfunction g(a) { return a; }").sort(), [18047, 7006].sort());
});

test("a_long_chain_of_cells_each_using_the_previous_one_checks_without_overflowing", () => {
  // Each cell's type comes from the previous one's: with every cell a source file, the checker
  // followed the chain back through all of them and overflowed the stack.
  const ls = notebook();
  const cells = 1500;
  ls.addExecutedCell("const v0 = 0;");
  for (let i = 1; i <= cells; i++) ls.addExecutedCell(`const v${i} = v${i - 1} + 1;`);
  assert.deepEqual(codes(ls, `const next: number = v${cells} + 1;`), []);
  const found = ls.diagnostics(`const s: string = v${cells};`);
  assert.deepEqual(
    found.map((d) => [d.code, d.message]),
    [[2322, "Type 'number' is not assignable to type 'string'."]],
  );
});

test("settle_does_the_freeze_the_next_cell_would_wait_for_and_later_cells_still_see_frozen_types", () => {
  const ls = notebook();
  ls.addExecutedCell("/** How many apples. */\nconst apples = 3;");
  assert.deepEqual(codes(ls, "apples"), []);
  // Idle after a cell that leaves nothing to do: nothing is done.
  assert.equal(ls.settle(), false);
  // One cell short of the second block boundary: the next cell would freeze the first block.
  runFillerCells(ls, 2 * CELL_SLOTS - 2);
  assert.equal(ls.settle(), true, "the freeze due before the next cell is done while idle");
  assert.equal(ls.settle(), false, "and only once");
  const declared = (ls as unknown as { cells: { frozen: number } }).cells.frozen;
  assert.equal(declared, CELL_SLOTS, "the oldest block is frozen");
  ls.addExecutedCell("const pears = apples + 1;");
  assert.equal((ls as unknown as { cells: { frozen: number } }).cells.frozen, CELL_SLOTS, "the next cell froze nothing more");
  // The frozen cell's name keeps its type: a wrong use is still an error, a right one is not.
  assert.deepEqual(codes(ls, "const ok: number = apples + pears;"), []);
  assert.deepEqual(codes(ls, "const wrong: string = apples;"), [2322]);
});
