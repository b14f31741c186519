// The cell-language rule (kernel/contracts/cell-language.ts), the one the kernel runs cells by and
// the app highlights and saves them by: IPython's reading of magic lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cellLanguage } from "../../kernel/contracts/cell-language";
import { parseCell } from "../../kernel/executor/magics";

const CASES: [string, "typescript" | "python"][] = [
  ["%%python\nprint(1)", "python"],
  ["%%python", "python"],
  ["%%python  \r\nx = 1", "python"],
  ["\n\n%%python\nx = 1", "python"], // IPython drops leading empty lines before reading a cell magic
  ["  \n%%python\nx = 1", "python"],
  ["%%time\n%%python\nx = 1", "python"],
  ["%who\n%%python\nx = 1", "python"],
  ["%%ts\nconst x = 1;", "typescript"],
  ["const x = 1;\n%%python", "typescript"],
  ["%%time\n\n%%python\nx = 1", "typescript"], // a blank line ends the magic lines
  [" %%python\nx = 1", "python"], // and indentation before a magic (leading_indent)
  ["%%pythonic\nx", "typescript"],
  ["// %%python", "typescript"],
  ["", "typescript"],
];

test("cell_language_reads_magic_lines_as_ipython_does", () => {
  for (const [source, language] of CASES) assert.equal(cellLanguage(source), language, JSON.stringify(source));
});

test("the_kernels_cell_plan_uses_the_same_rule_and_keeps_line_numbers", () => {
  for (const [source, language] of CASES) {
    let plan;
    try {
      plan = parseCell(source);
    } catch {
      continue; // an unknown magic (%%pythonic) is the kernel's UsageError, whatever the language
    }
    assert.equal(plan.language, language, JSON.stringify(source));
    assert.equal(plan.code.split("\n").length, source.split("\n").length, "magic lines become empty lines");
  }
  assert.equal(parseCell("\n\n%%python\nx = 1").code, "\n\n\nx = 1");
});
