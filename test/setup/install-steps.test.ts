// The install steps that make a second `npm install` quick (issue 16): run again with nothing changed,
// the TypeScript build, the notebook app's build and the test command's Python step each say so and
// do no work (no tsc, no vite, no pip), leaving their outputs untouched; the benchmark peers are not
// the project's dependencies.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DEV_STAMP_FILE, REPO_ROOT } from "../../python-env/venv";

/** Runs one step as postinstall does (from the repository root); fails the test with its output when it fails. */
function step(...args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 20 * 60 * 1000 });
  assert.equal(r.status, 0, `node ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

test("the typescript build step runs no tsc when no input changed", () => {
  step("python-env/build-if-changed.mjs"); // builds when the tree changed since the last build
  const stamp = path.join(REPO_ROOT, "dist", ".tspy-build-inputs.sha256");
  const mainJs = path.join(REPO_ROOT, "dist", "kernel", "main.js");
  const before = [fs.statSync(stamp).mtimeMs, fs.statSync(mainJs).mtimeMs];
  const again = step("python-env/build-if-changed.mjs");
  assert.match(again, /dist\/ is up to date with the TypeScript sources; tsc not run/);
  assert.doesNotMatch(again, /> tspy@[^ ]+ build/, "npm run build ran");
  assert.deepEqual([fs.statSync(stamp).mtimeMs, fs.statSync(mainJs).mtimeMs], before, "dist/ was rewritten");
});

test("the notebook app build step runs no vite build when no input changed", () => {
  step("dist/python-env/frontend-build.js");
  const index = path.join(REPO_ROOT, "frontend", "dist", "tspy", "index.html");
  const before = fs.statSync(index).mtimeMs;
  const again = step("dist/python-env/frontend-build.js");
  assert.match(again, /the notebook app \(frontend\/dist\/tspy\) is up to date; not rebuilt/);
  assert.doesNotMatch(again, /vite|built in/, "the app was rebuilt");
  assert.equal(fs.statSync(index).mtimeMs, before, "frontend/dist/tspy/index.html was rewritten");
});

test("the test command's python step installs requirements-dev once and then runs no pip", () => {
  step("dist/python-env/dev-setup.js");
  const before = fs.statSync(DEV_STAMP_FILE).mtimeMs;
  const again = step("dist/python-env/dev-setup.js");
  assert.match(again, /requirements-dev\.txt is up to date; pip not run/);
  assert.doesNotMatch(again, /Requirement already satisfied|Collecting /, "pip ran");
  assert.equal(fs.statSync(DEV_STAMP_FILE).mtimeMs, before, "the stamp was rewritten");
});

test("the benchmark peers are bench's own dependencies, not the project's, and need no legacy peer deps", () => {
  const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const bench = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "bench", "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  for (const peer of ["tslab", "pythonia", "node-calls-python"]) {
    assert.ok(bench.dependencies?.[peer], `bench/package.json lacks ${peer}`);
    assert.equal(root.dependencies?.[peer], undefined, `${peer} is a dependency of the project`);
    assert.equal(root.devDependencies?.[peer], undefined, `${peer} is a devDependency of the project`);
  }
  assert.equal(root.dependencies?.["@jupyterlab/services"], undefined, "@jupyterlab/services is used only by tests and the app's build");
  const npmrc = path.join(REPO_ROOT, ".npmrc");
  if (fs.existsSync(npmrc)) assert.doesNotMatch(fs.readFileSync(npmrc, "utf8"), /legacy-peer-deps/);
});
