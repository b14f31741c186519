// python-env after `npm install`: re-running the set-up is a quick no-op (no pip, config.json
// untouched), the recorded Python is embeddable, and the base-Python choice follows its rule.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CONFIG_FILE, loadPythonConfig } from "../../python-env/config";
import { choosePython, PREFERRED_MINOR } from "../../python-env/find-python";
import { REPO_ROOT, STAMP_FILE, venvBin } from "../../python-env/venv";

const SETUP = path.join(REPO_ROOT, "dist", "python-env", "setup.js");

/** process.env without TSPY_PYTHON: these tests are about the default environment. */
function defaultEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TSPY_PYTHON;
  return env;
}

function runSetup() {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [SETUP], { encoding: "utf8", env: defaultEnv(), cwd: REPO_ROOT });
  return { ...r, ms: performance.now() - t0 };
}

test("setup_rerun_runs_no_pip_and_leaves_config_json_unchanged", () => {
  // The first run brings the tree to its set-up state (normally already there after npm install).
  const first = runSetup();
  assert.equal(first.status, 0, `setup failed: ${first.stdout}\n${first.stderr}`);
  const configMtime = fs.statSync(CONFIG_FILE).mtimeMs;
  const stampMtime = fs.statSync(STAMP_FILE).mtimeMs;
  const configText = fs.readFileSync(CONFIG_FILE, "utf8");

  const again = runSetup();
  assert.equal(again.status, 0, `setup failed: ${again.stdout}\n${again.stderr}`);
  assert.match(again.stdout, /tspy: Python requirements are up to date .*pip not run/);
  assert.match(again.stdout, /config\.json unchanged/);
  assert.doesNotMatch(again.stdout + again.stderr, /Requirement already satisfied|Looking in indexes|Collecting /, "pip ran");
  assert.equal(fs.statSync(CONFIG_FILE).mtimeMs, configMtime, "config.json was rewritten");
  assert.equal(fs.statSync(STAMP_FILE).mtimeMs, stampMtime, "the requirements stamp was rewritten");
  assert.equal(fs.readFileSync(CONFIG_FILE, "utf8"), configText);
  assert.ok(again.ms < 15000, `a no-op set-up took ${Math.round(again.ms)} ms`);
});

test("load_python_config_gives_the_venv_python_with_shared_libpython_and_numpy", () => {
  const saved = process.env.TSPY_PYTHON;
  delete process.env.TSPY_PYTHON;
  try {
    const config = loadPythonConfig();
    assert.equal(config.executable, venvBin("python"));
    const [major, minor] = config.versionInfo;
    assert.equal(major, 3);
    assert.ok(minor >= 10 && minor <= 13, `Python ${config.version} is outside 3.10–3.13`);
    assert.ok(path.isAbsolute(config.libpython) && fs.statSync(config.libpython).isFile(), `libpython ${config.libpython} is not a file`);
    assert.match(path.basename(config.libpython), /^libpython3\.\d+\.so/);
    assert.ok(fs.existsSync(path.join(config.include, "Python.h")), `no Python.h in ${config.include}`);
    assert.equal(config.numpy, "2.4.6");
    const r = spawnSync(config.executable, ["-c", "import numpy, sys; print(numpy.__version__, sys.prefix)"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `2.4.6 ${config.prefix}`);
  } finally {
    if (saved !== undefined) process.env.TSPY_PYTHON = saved;
  }
});

test("choose_python_prefers_3_11_among_usable_pythons", () => {
  const saved = process.env.TSPY_PYTHON;
  delete process.env.TSPY_PYTHON;
  try {
    const { chosen, examined } = choosePython();
    const usable = examined.filter((c) => c.problem === null);
    assert.ok(usable.length > 0);
    assert.ok(
      usable.some((c) => c.config?.executable === chosen.executable),
      "chosen Python is not among the usable ones",
    );
    if (usable.some((c) => c.config?.versionInfo[1] === PREFERRED_MINOR)) assert.equal(chosen.versionInfo[1], PREFERRED_MINOR);
    assert.ok(chosen.libpython, "chosen Python has no shared libpython");
  } finally {
    if (saved !== undefined) process.env.TSPY_PYTHON = saved;
  }
});

test("setup_rejects_tspy_python_outside_3_10_to_3_13_with_one_message", () => {
  // A stand-in "python" that answers the probe as a CPython 3.9 with everything else in place.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-fake-python-"));
  const fake = path.join(dir, "python3");
  const probe = {
    executable: fake,
    baseExecutable: fake,
    version: "3.9.18",
    versionInfo: [3, 9],
    libpython: fake,
    include: dir,
    prefix: dir,
    basePrefix: dir,
    sysPath: [],
    numpy: null,
  };
  fs.writeFileSync(fake, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(probe)}\nEOF\n`, { mode: 0o755 });
  try {
    const r = spawnSync(process.execPath, [SETUP], { encoding: "utf8", env: { ...defaultEnv(), TSPY_PYTHON: fake }, cwd: REPO_ROOT });
    assert.equal(r.status, 1);
    assert.ok(r.stderr.startsWith(`tspy: TSPY_PYTHON=${fake}: Python 3.9.18 is not 3.10–3.13.`), r.stderr);
    assert.match(r.stderr, /--enable-shared/);
    assert.equal(r.stderr.trim().split("\n").length, 1, `more than one message: ${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
