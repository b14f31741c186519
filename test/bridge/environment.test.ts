// Issue 16 (environments, reticulate-style) in the bridge: tspy.pyConfig() reports the running
// interpreter, tspy.usePython() chooses the Python before it starts and refuses clearly after,
// tspy.pyInstall() validates its input and rejects with pip's own words when pip fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { loadPythonConfig } from "../../python-env/config.js";
import { tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

useBridge();
const configured = loadPythonConfig();

test("pyConfig reports the running interpreter like reticulate's py_config", () => {
  const c = tspy.pyConfig();
  const sys = tspy.import("sys");
  try {
    assert.equal(c.executable, sys.executable);
    assert.equal(c.prefix, sys.prefix);
    assert.equal(c.basePrefix, sys.base_prefix);
    assert.deepEqual(c.sysPath, tspy.toJS(sys.path));
  } finally {
    tspy.destroy(sys);
  }
  assert.equal(c.version, tspy.import("platform").python_version());
  assert.equal(c.libpython, fs.realpathSync(configured.libpython));
  assert.equal(c.numpy, configured.numpy);
  assert.ok(
    c.sysPath.some((p) => path.basename(p) === "site-packages"),
    c.sysPath.join(", "),
  );
  assert.equal(tspy.config, tspy.pyConfig, "tspy.config is the same function under its first name");
});

test("usePython after Python has started throws an Error naming the kernel and TSPY_PYTHON ways", () => {
  assert.throws(
    () => tspy.usePython(configured.baseExecutable),
    (e: Error) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /already started in this process/);
      assert.ok(e.message.includes(`npx tspy install --python ${configured.baseExecutable}`), e.message);
      assert.ok(e.message.includes(`TSPY_PYTHON=${configured.baseExecutable}`), e.message);
      return true;
    },
  );
  assert.equal(tspy.eval("1 + 1"), 2, "the running Python is untouched");
});

test("usePython before Python starts selects that interpreter for initialize()", () => {
  // A fresh process: the base interpreter the project's venv was made from (same libpython,
  // another prefix), chosen from TS instead of TSPY_PYTHON / python-env/config.json.
  const indexJs = path.resolve(__dirname, "..", "..", "bridge", "lib", "index.js");
  const script = `
const b = require(${JSON.stringify(indexJs)});
const chosen = b.tspy.usePython(${JSON.stringify(configured.baseExecutable)});
b.initialize();
console.log(JSON.stringify({ chosen: chosen.executable, running: b.tspy.pyConfig() }));
`;
  const env = { ...process.env };
  delete env.TSPY_PYTHON;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { chosen: string; running: { executable: string; prefix: string } };
  assert.equal(out.running.executable, out.chosen);
  assert.equal(out.running.prefix, configured.basePrefix);
  assert.notEqual(out.running.prefix, configured.prefix, "the venv (the default) was not used");
});

test("usePython rejects an executable that cannot be run", () => {
  assert.throws(() => tspy.usePython(""), TypeError);
});

test("pyInstall refuses a package list that is not one", () => {
  assert.throws(() => tspy.pyInstall([]), TypeError);
  assert.throws(() => tspy.pyInstall(["--upgrade"]), /pip options go in options.pipOptions/);
  assert.throws(() => tspy.pyInstall("tabulate" as unknown as string[]), TypeError);
});

test("pyInstall rejects with the end of pip's output when the package does not exist", async () => {
  const missing = "tspy-no-such-package-9f3e2";
  await assert.rejects(tspy.pyInstall([missing], { pipOptions: ["--no-index"] }), (e: Error) => {
    assert.ok(e.message.includes(`pip install ${missing} failed`), e.message);
    assert.match(e.message, /No matching distribution found for tspy-no-such-package-9f3e2/);
    return true;
  });
});
