// The tspy kernelspec as the venv's own `jupyter` sees it after `npm install`, and the installer's
// idempotence. Needs python-env/.venv set up; knows nothing of the kernel's internals.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_VENV } from "../../python-env/config";
import { kernelspecDir, REPO_ROOT, venvBin } from "../../python-env/venv";
import { renderKernelJson } from "../../jupyter-kernelspec/install";

interface KernelspecList {
  kernelspecs: Record<
    string,
    { resource_dir: string; spec: { argv: string[]; display_name: string; language: string; interrupt_mode?: string; env?: Record<string, string> } }
  >;
}

function listKernelspecs(): KernelspecList {
  const r = spawnSync(venvBin("jupyter"), ["kernelspec", "list", "--json"], { encoding: "utf8", env: { ...process.env, PYTHONNOUSERSITE: "1" } });
  assert.equal(r.status, 0, `jupyter kernelspec list failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as KernelspecList;
}

test("kernelspec_tspy_is_listed_by_the_venv_jupyter", () => {
  const tspy = listKernelspecs().kernelspecs.tspy;
  assert.ok(tspy, "no kernelspec named tspy");
  assert.equal(tspy.spec.display_name, "TypeScript + Python");
  assert.equal(tspy.spec.language, "typescript");
  assert.equal(tspy.spec.interrupt_mode, "signal");
  assert.equal(fs.realpathSync(tspy.resource_dir), fs.realpathSync(kernelspecDir()));
  assert.ok(fs.realpathSync(tspy.resource_dir).startsWith(fs.realpathSync(DEFAULT_VENV) + path.sep), "installed outside the venv");
  for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
    const png = fs.readFileSync(path.join(tspy.resource_dir, logo));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from("PNG")], `${logo} is not a PNG`);
  }
});

test("kernelspec_argv_runs_an_existing_node_on_dist_kernel_main", () => {
  const { argv, env } = listKernelspecs().kernelspecs.tspy.spec;
  assert.equal(argv.length, 4);
  assert.ok(path.isAbsolute(argv[0]) && fs.existsSync(argv[0]), `node ${argv[0]} does not exist`);
  const v = spawnSync(argv[0], ["-p", "process.versions.node"], { encoding: "utf8" });
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/, `${argv[0]} is not node`);
  assert.ok(Number(v.stdout.split(".")[0]) >= 20, `node ${v.stdout.trim()} is older than 20`);
  assert.equal(argv[1], path.join(REPO_ROOT, "dist", "kernel", "main.js"));
  assert.ok(fs.existsSync(argv[1]), `${argv[1]} does not exist (npm run build)`);
  assert.deepEqual(argv.slice(2), ["-f", "{connection_file}"]);
  assert.equal(env?.TF_CPP_MIN_LOG_LEVEL, "2");
  assert.equal(env?.PYTHONNOUSERSITE, "1");
});

test("kernelspec_install_rerun_rewrites_nothing", () => {
  const kernelJson = path.join(kernelspecDir(), "kernel.json");
  assert.equal(fs.readFileSync(kernelJson, "utf8"), renderKernelJson(), "installed kernel.json differs from the template's rendering");
  const before = fs.statSync(kernelJson).mtimeMs;
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "jupyter-kernelspec", "install.js")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /kernelspec "tspy" in .* is up to date/);
  assert.equal(fs.statSync(kernelJson).mtimeMs, before);
});
