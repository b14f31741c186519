// The user-facing scripts: `npm run notebook` (usage errors, a passing and a failing notebook run
// through nbclient) and `npm start` (JupyterLab with token auth listing the tspy kernelspec).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultOutput, parseArgs, USAGE } from "../../python-env/notebook";
import { findServerUrl, labArgs } from "../../python-env/lab";
import { REPO_ROOT } from "../../python-env/venv";

const NOTEBOOK = path.join(REPO_ROOT, "dist", "python-env", "notebook.js");
const LAB = path.join(REPO_ROOT, "dist", "python-env", "lab.js");

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tspy-scripts-"));
}

/** A minimal nbformat 4 notebook with one code cell per source. */
function writeNotebook(file: string, sources: string[]): void {
  const cells = sources.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source }));
  fs.writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
}

test("npm_run_notebook_without_argument_exits_2_with_usage", () => {
  const r = spawnSync("npm", ["run", "--silent", "notebook"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.ok(r.stderr.split("\n").includes(USAGE), `no usage line in: ${r.stderr}`);
  assert.match(USAGE, /^usage: npm run notebook -- <notebook\.ipynb> \[--output <executed\.ipynb>\]/);
});

test("notebook_missing_file_or_unknown_option_exits_2", () => {
  const missing = spawnSync(process.execPath, [NOTEBOOK, "no-such-notebook.ipynb"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /tspy: no such notebook: .*no-such-notebook\.ipynb/);
  const bogus = spawnSync(process.execPath, [NOTEBOOK, "--bogus"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(bogus.status, 2);
  assert.match(bogus.stderr, /unknown option --bogus/);
});

test("notebook_args_resolve_against_the_invocation_dir_and_default_output_sits_next_to_input", () => {
  const dir = tmpdir();
  try {
    writeNotebook(path.join(dir, "a.ipynb"), ["1"]);
    const args = parseArgs(["a.ipynb", "--output=out/b.ipynb", "--timeout", "5"], dir);
    assert.deepEqual(args, { input: path.join(dir, "a.ipynb"), output: path.join(dir, "out", "b.ipynb"), timeoutS: 5, kernel: "tspy", parameters: new Map() });
    assert.equal(defaultOutput("/x/y/digits.ipynb"), "/x/y/digits.executed.ipynb");
    assert.throws(
      () => parseArgs(["a.ipynb", "--timeout", "0"], dir),
      (e: Error & { exitCode?: number }) => e.exitCode === 2,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("notebook_failing_cell_exits_1_and_still_writes_the_partial_notebook", () => {
  // The runner is kernel-agnostic: prove it with the venv's stock python3 kernel.
  const dir = tmpdir();
  try {
    writeNotebook(path.join(dir, "nb.ipynb"), ["print(6 * 7)", "1/0", "print('never')"]);
    const r = spawnSync(process.execPath, [NOTEBOOK, "nb.ipynb", "--kernel", "python3"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, INIT_CWD: dir },
      timeout: 120_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /tspy: a cell failed in .*nb\.ipynb/);
    assert.match(r.stderr, /ZeroDivisionError/);
    assert.match(r.stdout, /tspy: cell 2\/3 failed after/);
    const out = JSON.parse(fs.readFileSync(path.join(dir, "nb.executed.ipynb"), "utf8"));
    assert.equal(out.cells[0].outputs[0].text.join(""), "42\n");
    assert.equal(out.cells[1].outputs[0].output_type, "error");
    assert.deepEqual(out.cells[2].outputs, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("lab_args_let_the_user_override_port_without_duplicating_it", () => {
  const args = labArgs(["--port", "9123"]);
  assert.equal(args.filter((a) => /^--(ServerApp\.)?port(=|$)/.test(a)).length, 1);
  assert.ok(args.includes("--ServerApp.ip=127.0.0.1"));
  assert.ok(args.includes("--no-browser"));
  assert.ok(args.includes(`--ServerApp.root_dir=${path.join(REPO_ROOT, "examples")}`));
  assert.equal(findServerUrl("    http://127.0.0.1:8890/lab?token=abc\n"), "http://127.0.0.1:8890/lab");
  assert.equal(findServerUrl("http://127.0.0.1:8890/lab"), null);
});

test("npm_run_lab_serves_jupyterlab_with_token_auth_and_the_tspy_kernelspec", async (t) => {
  const child = spawn(process.execPath, [LAB], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /tspy: JupyterLab is at (http:\/\/127\.0\.0\.1:\d+\/lab\?token=[0-9a-f]{48})\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`lab exited ${code}:\n${stdout}\n${stderr}`)));
  });
  const base = url.replace(/\/lab\?token=.*$/, "");
  const token = url.replace(/^.*token=/, "");
  const withToken = await fetch(`${base}/api/kernelspecs`, { headers: { Authorization: `token ${token}` } });
  assert.equal(withToken.status, 200);
  const specs = (await withToken.json()) as { kernelspecs: Record<string, { spec: { display_name: string } }> };
  assert.equal(specs.kernelspecs.tspy?.spec.display_name, "TypeScript + Python");
  const without = await fetch(`${base}/api/kernelspecs`);
  assert.equal(without.status, 403);

  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.kill("SIGINT");
  assert.equal(await exited, 0);
  await assert.rejects(fetch(`${base}/api/status`), "the Jupyter server outlived npm start");
});
