// `npm run notebook -- nb.ipynb -p name value`: papermill-style parameters injected after the cell
// tagged `parameters`, as TypeScript or Python literals, through the real kernel and nbclient.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { injectParameters, type NotebookJson, parseParameterValue, pythonLiteral, typescriptLiteral } from "../../python-env/notebook-parameters";
import { REPO_ROOT } from "../../python-env/venv";

/** A notebook cell as the test writes it: its source, or its source and tags. */
type CellSpec = string | [source: string, tags: string[]];

/** Writes an nbformat 4.5 notebook of code cells into a new temporary folder; returns its path. */
function writeNotebook(cells: CellSpec[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-params-"));
  const file = path.join(dir, "nb.ipynb");
  const nbCells = cells.map((spec, i) => ({
    cell_type: "code",
    execution_count: null,
    id: `cell-${i}`,
    metadata: typeof spec === "string" ? {} : { tags: spec[1] },
    outputs: [],
    source: typeof spec === "string" ? spec : spec[0],
  }));
  fs.writeFileSync(file, JSON.stringify({ cells: nbCells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

/** `npm run notebook -- <args>` in a folder of the user's (npm --prefix finds the project; relative paths are taken from `cwd`). */
function npmRunNotebook(cwd: string, args: string[]) {
  const env = { ...process.env };
  delete env.INIT_CWD; // npm sets it to where it was run, as it does for a user
  return spawnSync("npm", ["--prefix", REPO_ROOT, "run", "--silent", "notebook", "--", ...args], { cwd, encoding: "utf8", env, timeout: 300_000 });
}

/** The stdout text of each cell of an executed notebook, in order. */
function cellStdout(file: string): string[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { outputs: { name?: string; text?: string | string[] }[] }[] };
  return nb.cells.map((c) =>
    c.outputs
      .filter((o) => o.name === "stdout")
      .map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))
      .join(""),
  );
}

test("notebook_p_epochs_3_changes_a_typescript_run", () => {
  const file = writeNotebook([
    ['const epochs = 10;\nlet label: string = "default";', ["parameters"]],
    'label = label + "!";\nconsole.log(`epochs=${epochs} ${typeof epochs} label=${label} big=${typeof big}`);',
  ]);
  const dir = path.dirname(file);
  try {
    const r = npmRunNotebook(dir, ["nb.ipynb", "-p", "epochs", "3", "-p", "label", "hi", "-p", "big", "12345678901234567890"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /tspy: parameters epochs, label, big injected as a typescript cell \(#1\)/);
    const out = JSON.parse(fs.readFileSync(path.join(dir, "nb.executed.ipynb"), "utf8")) as NotebookJson;
    assert.deepEqual(out.cells[1].metadata?.tags, ["injected-parameters"]);
    assert.equal(cellStdout(path.join(dir, "nb.executed.ipynb"))[2], "epochs=3 number label=hi! big=bigint\n");
    // The input notebook is left as it was.
    assert.equal((JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson).cells.length, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("notebook_python_parameters_cell_gets_a_python_cell_of_python_literals", () => {
  const file = writeNotebook([
    ["%%python\nepochs = 10\nrate = 0.5\nlabel = 'x'\nflag = True", ["parameters"]],
    "%%python\nprint(repr(epochs), repr(rate), repr(label), repr(flag))",
    "console.log(`ts sees ${py.epochs}`);",
  ]);
  const dir = path.dirname(file);
  try {
    const r = npmRunNotebook(dir, ["nb.ipynb", "-o", "out/run.ipynb", "-p", "epochs", "3", "-p", "rate", "2.0", "-r", "label", "007", "-p", "flag", "False"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const stdout = cellStdout(path.join(dir, "out", "run.ipynb"));
    assert.equal(stdout[2], "3 2.0 '007' False\n");
    assert.equal(stdout[3], "ts sees 3\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("notebook_parameter_usage_errors_exit_2_with_a_message", () => {
  const file = writeNotebook(["1"]);
  const dir = path.dirname(file);
  try {
    const missing = npmRunNotebook(dir, ["nb.ipynb", "-p", "epochs"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /tspy: -p needs a name and a value\nusage: npm run notebook -- /);
    const badName = npmRunNotebook(dir, ["nb.ipynb", "-p", "2x", "3"]);
    assert.equal(badName.status, 2);
    assert.match(badName.stderr, /tspy: -p: parameter name "2x" is not an identifier/);
    fs.writeFileSync(path.join(dir, "old.ipynb"), JSON.stringify({ worksheets: [], nbformat: 3 }));
    const oldFormat = npmRunNotebook(dir, ["old.ipynb", "-p", "epochs", "3"]);
    assert.equal(oldFormat.status, 2);
    assert.match(oldFormat.stderr, /tspy: cannot inject parameters into .*old\.ipynb: not an nbformat 4 notebook/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("parameter_values_are_typed_as_papermill_types_them", () => {
  const cases: [string, string, string][] = [
    // text, TypeScript literal, Python literal
    ["3", "3", "3"],
    ["-1_000", "-1000", "-1000"],
    ["12345678901234567890", "12345678901234567890n", "12345678901234567890"],
    ["2.0", "2", "2.0"],
    ["1e-3", "0.001", "0.001"],
    ["-inf", "-Infinity", '-float("inf")'],
    ["nan", "NaN", 'float("nan")'],
    ["True", "true", "True"],
    ["false", "false", "False"],
    ["None", "null", "None"],
    ["hello world", '"hello world"', '"hello world"'],
    ['say "hi"\n', '"say \\"hi\\"\\n"', '"say \\"hi\\"\\n"'],
    ["0x10", '"0x10"', '"0x10"'],
  ];
  for (const [text, ts, python] of cases) {
    const v = parseParameterValue(text);
    assert.equal(typescriptLiteral(v), ts, `TypeScript literal of ${JSON.stringify(text)}`);
    assert.equal(pythonLiteral(v), python, `Python literal of ${JSON.stringify(text)}`);
  }
});

test("injected_cell_replaces_an_earlier_one_and_goes_first_without_a_parameters_cell", () => {
  const code = (source: string, tags?: string[]) => ({ cell_type: "code", metadata: tags ? { tags } : {}, outputs: [], source });
  const nb: NotebookJson = {
    cells: [code("a"), code("// Parameters\nlet n = 1;", ["injected-parameters"]), code("b")],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 4,
  };
  const again = injectParameters(nb, new Map([["n", parseParameterValue("2")]]));
  assert.deepEqual(
    again.notebook.cells.map((c) => c.source),
    ["a", "// Parameters\nlet n = 2;", "b"],
  );
  assert.equal("id" in again.notebook.cells[1], false, "nbformat 4.4 cells have no id");
  const first = injectParameters({ ...nb, cells: [code("a")], nbformat_minor: 5 }, new Map([["n", parseParameterValue("2")]]));
  assert.equal(first.index, 0);
  assert.match(String(first.notebook.cells[0].id), /^[a-zA-Z0-9-_]{1,64}$/);
});
