// TypeScript's lib files served to the notebook's program as one (kernel/executor/lib-bundle.ts):
// the program has ~55 fewer files, and what a user sees of the lib's types — errors, overloads
// and their order, completions, hovers — is what TypeScript answers over its own lib files.
// Drives the real TypeScript language service; no Python.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { NotebookLanguageService } from "../../kernel/executor/language-service";
import { LibBundle } from "../../kernel/executor/lib-bundle";
import { notebookCompilerOptions } from "../../kernel/executor/typecheck-options";

/** A cell using lib types that merge across lib files (Array over es5/es2015/es2016/es2019/es2022, Promise, Object, String). */
const CELL = [
  "const a = [3, 1, 2];",
  "const s: string = a.at(-1);", // es2022's at: number | undefined is not a string
  "a.flatMap((x) => [x, x]).includes(4, 'x');", // es2019 + es2016; a string index: TS2345
  "Object.hasOwn({}, 1n);", // es2022; a bigint key: TS2345
  "'abc'.replaceAll('b', 2);", // es2021; a number replacement: TS2769
  "Promise.any([1]).then((v) => v.toFixed());",
  "new Map<string, number>().get(1);", // TS2345
].join("\n");

/** A cell completed at its end: an array's members. */
const MEMBERS = "const b = [3, 1, 2];\nb.";

/** Where a hover or completion is asked in {@link CELL}: the member names. */
const ASKED = ["at(", "flatMap", "includes", "hasOwn", "replaceAll", "then", ".get"];

/** TypeScript's own answers for a one-file program with `options` over its unbundled lib files. */
function plainAnswers(options: ts.CompilerOptions, cwd: string) {
  const file = path.join(cwd, "cell.ts");
  const membersFile = path.join(cwd, "members.ts");
  const texts = new Map([
    [file, CELL],
    [membersFile, MEMBERS],
  ]);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [file, membersFile],
    getScriptVersion: () => "1",
    getScriptSnapshot: (f) => {
      const text = texts.get(f) ?? ts.sys.readFile(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => cwd,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => texts.has(f) || ts.sys.fileExists(f),
    readFile: (f) => texts.get(f) ?? ts.sys.readFile(f),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const ls = ts.createLanguageService(host);
  const program = ls.getProgram()!;
  return {
    errors: ls.getSemanticDiagnostics(file).map((d) => [d.code, ts.flattenDiagnosticMessageText(d.messageText, "\n")]),
    hovers: ASKED.map((word) => {
      const info = ls.getQuickInfoAtPosition(file, CELL.indexOf(word) + 1);
      return info ? ts.displayPartsToString(info.displayParts) : null;
    }),
    members: ls
      .getCompletionsAtPosition(membersFile, MEMBERS.length, { includeCompletionsWithInsertText: true, includeCompletionsForModuleExports: false })!
      .entries.map((e) => e.insertText ?? e.name)
      .sort(),
    libFiles: program.getSourceFiles().filter((f) => program.isSourceFileDefaultLibrary(f)).length,
  };
}

test("the_notebook_sees_the_lib_types_typescript_sees_with_its_own_lib_files_in_far_fewer_files", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-lib-"));
  const expected = plainAnswers(notebookCompilerOptions(cwd), cwd);
  const notebook = new NotebookLanguageService(cwd);
  const errors = notebook.diagnostics(CELL).map((d) => [d.code, d.message]);
  assert.deepEqual(errors, expected.errors);
  assert.deepEqual(
    errors.map(([code]) => code),
    [2322, 2345, 2345, 2769, 2345],
  );
  const hovers = ASKED.map((word) => notebook.quickInfo(CELL, CELL.indexOf(word) + 1, 0)?.split("\n\n")[0] ?? null);
  assert.deepEqual(hovers, expected.hovers);
  // Overloads and their order are the lib's: includes' first overload from es2016, `+N overloads` where merged.
  assert.match(String(hovers[2]), /includes\(searchElement: number, fromIndex\?: number\): boolean/);
  const members = notebook
    .complete(MEMBERS, MEMBERS.length)
    .map((c) => c.text)
    .sort();
  assert.deepEqual(members, expected.members);
  assert.ok(members.includes("at") && members.includes("flatMap") && members.includes("findLast") === false, members.join());
  const program = (notebook as unknown as { ls: ts.LanguageService }).ls.getProgram()!;
  const libFiles = program.getSourceFiles().filter((f) => program.isSourceFileDefaultLibrary(f)).length;
  assert.ok(expected.libFiles > 50, `TypeScript's own program has ${expected.libFiles} lib files`);
  assert.ok(libFiles <= 3, `the notebook's program has ${libFiles} lib files`);
  // The declarations are spread over the lib files the program reads (the warm-up parses each in a step of its own).
  const bundle = new LibBundle(notebookCompilerOptions(cwd), ts.sys.readFile);
  const parts = program
    .getSourceFiles()
    .filter((f) => program.isSourceFileDefaultLibrary(f))
    .map((f) => bundle.textOf(f.fileName)?.length ?? 0);
  const total = parts.reduce((a, b) => a + b, 0);
  assert.ok(parts.length >= 2 && Math.max(...parts) < total * 0.6, `parts of ${parts.join(", ")} characters`);
});

test("a_narrower_lib_keeps_what_it_lacks_out_and_lib_files_outside_the_bundle_keep_their_text", () => {
  const options: ts.CompilerOptions = { lib: ["lib.es2015.d.ts"], types: [], target: ts.ScriptTarget.ES2015 };
  const bundle = new LibBundle(options, ts.sys.readFile);
  const folder = path.dirname(ts.getDefaultLibFilePath(options));
  const root = bundle.textOf(path.join(folder, "lib.es2015.d.ts")) ?? "";
  assert.match(root, /interface ArrayConstructor/);
  assert.match(root, /interface PromiseConstructor/);
  assert.doesNotMatch(root, /<reference lib=/);
  assert.doesNotMatch(root, /\bflatMap\b/);
  assert.equal(bundle.textOf(path.join(folder, "lib.es5.d.ts")), "");
  assert.equal(bundle.textOf(path.join(folder, "lib.es2019.array.d.ts")), undefined);
  // A lib file that does not exist is in no part (the program reports it missing); the others still are.
  const missing = new LibBundle({ lib: ["lib.nonexistent.d.ts", "lib.es2015.d.ts"], types: [] }, ts.sys.readFile);
  assert.equal(missing.textOf(path.join(folder, "lib.nonexistent.d.ts")), undefined);
  assert.match(missing.textOf(path.join(folder, "lib.es2015.d.ts")) ?? "", /interface PromiseConstructor/);
});
