// The language service's warm-up after start-up (kernel/executor/language-service.ts warmUpStep):
// it runs in many short steps the executor interleaves with requests, and a notebook checked,
// completed or hovered before, during or after it gets the same answers. Drives the real
// TypeScript language service; no Python.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { NotebookLanguageService } from "../../kernel/executor/language-service";

/** A language service over an empty notebook folder (no tsconfig.json). */
function notebook(): NotebookLanguageService {
  return new NotebookLanguageService(fs.mkdtempSync(path.join(os.tmpdir(), "tspy-warm-")));
}

/** What a user sees of a notebook: a type error of a later cell, Node's and lib typings, completions, hover. */
function answers(ls: NotebookLanguageService): unknown {
  ls.addExecutedCell('import * as fs from "node:fs";\nconst greeting = "hello";');
  return {
    errors: ls.diagnostics("const n: number = greeting;\nfs.readFileSync(1, 2, 3);").map((d) => [d.line, d.code]),
    math: ls.complete("Math.ma", 7).map((c) => c.text),
    members: ls.complete("greeting.toUpp", 14).map((c) => c.text),
    hover: ls.quickInfo("fs.existsSync", 5, 0),
  };
}

test("the_warm_up_runs_in_many_steps_and_a_warm_notebook_answers_as_a_cold_one", () => {
  const warm = notebook();
  let steps = 0;
  while (warm.warmUpStep()) steps++;
  // One step per file parsed ahead (lib files, @types/node, ...), then the program.
  assert.ok(steps > 50, `only ${steps} warm-up steps`);
  assert.equal(warm.warmUpStep(), false);
  const expected = answers(notebook());
  assert.deepEqual(answers(warm), expected);
  assert.deepEqual((expected as { errors: unknown }).errors, [
    [1, 2322],
    [2, 2554],
  ]);
  assert.ok((expected as { math: string[] }).math.includes("max"));
  assert.deepEqual((expected as { members: string[] }).members, ["toUpperCase"]);
  assert.match(String((expected as { hover: unknown }).hover), /function existsSync\(path: fs\.PathLike\): boolean/);
});

test("a_request_in_the_middle_of_the_warm_up_is_answered_and_ends_it", () => {
  const ls = notebook();
  for (let i = 0; i < 20; i++) assert.equal(ls.warmUpStep(), true);
  assert.deepEqual(
    ls.diagnostics("const s: string = 1;").map((d) => d.code),
    [2322],
  );
  // The program exists: nothing is left to warm.
  assert.equal(ls.warmUpStep(), false);
  assert.deepEqual(answers(ls), answers(notebook()));
});
