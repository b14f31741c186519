// Names defined by cells above that have not run yet (kernel/executor/unrun-cells.ts): which names
// a cell declares at top level, and how a "Cannot find name" on one of them becomes an
// informational diagnostic while real errors stay errors. Drives the real TypeScript language
// service of the notebook, as the `tspy.notebook` comm's diagnostics request does; no Python.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { NotebookLanguageService } from "../../kernel/executor/language-service";
import { cellDiagnostics } from "../../kernel/executor/notebook-comm";
import { markUnrunNames, unrunCellNames, unrunNameMessage } from "../../kernel/executor/unrun-cells";

/** The diagnostics of `cell` as the comm answers them, with `unrun` as the cells above that have not run. */
function diagnose(cell: string, unrun: string[], executed: string[] = []) {
  const ls = new NotebookLanguageService(fs.mkdtempSync(path.join(os.tmpdir(), "tspy-unrun-")));
  for (const source of executed) ls.addExecutedCell(source);
  return markUnrunNames(
    cellDiagnostics(cell, (code) => ls.diagnostics(code)),
    unrunCellNames(unrun),
  );
}

test("top_level_declarations_of_every_kind_are_collected", () => {
  const names = unrunCellNames([
    [
      'import fs, { join as joinPath } from "node:fs";',
      'import * as os from "node:os";',
      "const [first, , { deep, other: renamed }, ...rest] = [1, 2, { deep: 3, other: 4 }, 5];",
      "let counter = 0; var legacy = 1;",
      "function helper() { const inner = 1; return inner; }",
      "class Model {}",
      "enum Color { Red }",
      "interface Row { x: number }",
      "type Pair = [number, number];",
      "namespace Tools { export const t = 1; }",
      "for (const loopVar of [1]) counter += loopVar;",
    ].join("\n"),
  ]);
  assert.deepEqual(
    [...names].sort(),
    ["Color", "Model", "Pair", "Row", "Tools", "counter", "deep", "first", "fs", "helper", "joinPath", "legacy", "os", "renamed", "rest"].sort(),
  );
});

test("python_cells_and_line_magics_are_read_as_the_kernel_runs_them", () => {
  const names = unrunCellNames(["%%python\nimages = load()\ndef fit(): pass", "%who\nconst fromTs = 1;", "%nosuchmagic\nconst unreadable = 1;"]);
  assert.deepEqual([...names], ["fromTs"]);
});

test("a_malformed_unrun_cells_field_is_a_type_error", () => {
  assert.equal(unrunCellNames(undefined).size, 0);
  assert.throws(() => unrunCellNames("const a = 1;"), TypeError);
  assert.throws(() => unrunCellNames([1, 2]), /unrunCellsAbove must be an array of cell sources/);
});

test("a_name_from_an_unrun_cell_above_is_info_and_a_real_error_stays_an_error", () => {
  const found = diagnose('images.reshape(8, 8);\nconst z: number = "s";', ["const images = loadImages();\nconst labels = [1, 2];"]);
  assert.equal(found.length, 2, JSON.stringify(found));
  const [info, error] = found;
  assert.deepEqual({ ...info }, { line: 1, column: 1, endLine: 1, endColumn: 7, code: 2304, message: unrunNameMessage("images"), severity: "info" });
  assert.equal(error.code, 2322);
  assert.equal(error.severity, "error");
  assert.match(error.message, /Type 'string' is not assignable to type 'number'/);
});

test("did_you_mean_on_an_unrun_name_is_info_too", () => {
  // `label` is close to the executed `labels`: TypeScript says 2552 "Did you mean 'labels'?".
  const [d] = diagnose("label.length;", ["const label = 'seven';"], ["const labels = [1, 2];"]);
  assert.equal(d.code, 2552);
  assert.equal(d.severity, "info");
  assert.equal(d.message, unrunNameMessage("label"));
});

test("names_no_unrun_cell_declares_stay_errors", () => {
  const found = diagnose("missing + 1;\nimages;", ["%%python\nmissing = 1", "// uses images but declares nothing\nimages;"]);
  assert.deepEqual(
    found.map((d) => [d.code, d.severity]),
    [
      [2304, "error"],
      [2304, "error"],
    ],
  );
  // Without the field the request is answered as before.
  assert.deepEqual(
    diagnose("images;", []).map((d) => d.severity),
    ["error"],
  );
});
