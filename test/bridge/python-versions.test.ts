// Which Python: tspy.config() reports the running interpreter; asking for another Python once one
// is loaded is an Error; and a second CPython minor version (3.12, else 3.13 or 3.10) runs the
// bridge in a child process from its own per-version addon build, chosen by TSPY_PYTHON at run
// time without rebuilding the default one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { loadPythonConfig, type PythonConfig } from "../../python-env/config.js";
import { examine, searchOrder } from "../../python-env/find-python.js";
import { buildBridge } from "../../bridge/lib/build.js";
import { addonPaths, initialize, loadBridge, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();
const configured = loadPythonConfig();

/** A usable CPython of another minor version than the configured one: 3.12 first, then 3.13, 3.10. */
function otherPython(): PythonConfig {
  const seen = new Set<string>();
  const usable: PythonConfig[] = [];
  for (const exe of searchOrder()) {
    const c = examine(exe);
    if (!c.config || c.problem || seen.has(c.config.libpython)) continue;
    seen.add(c.config.libpython);
    if (c.config.versionInfo[1] !== configured.versionInfo[1]) usable.push(c.config);
  }
  for (const minor of [12, 13, 10]) {
    const found = usable.find((c) => c.versionInfo[1] === minor);
    if (found) return found;
  }
  throw new Error(`no second CPython (3.10–3.13 with a shared libpython) besides ${configured.version} was found; install one with pyenv`);
}

const other = otherPython();

// Runs in a child node process with TSPY_PYTHON set to the other Python; prints one JSON line.
const CHILD = (indexJs: string, otherLoadConfig: PythonConfig): string => `
const assert = require("node:assert/strict");
const b = require(${JSON.stringify(indexJs)});
const py = b.initialize();
const start = [b.liveProxyCount(), b.liveJsRefCount()];
const c = b.tspy.config();
// conversions
assert.equal(b.tspy.eval("1 + 2"), 3);
assert.equal(b.tspy.eval("'é' * 2"), "éé");
assert.deepEqual(b.tspy.toJS(b.tspy.eval("[1, 2.5, None, True, 'x']")), [1, 2.5, null, true, "x"]);
assert.deepEqual(b.tspy.toJS(b.tspy.eval("{'a': (1, 2)}")), { a: [1, 2] });
assert.equal(b.tspy.eval("2 ** 70"), 2n ** 70n);
// a TypedArray shared with Python's memoryview: writes cross both ways
const f64 = new Float64Array([1, 2, 3]);
py.x = f64;
b.tspy.exec("m = memoryview(x).cast('B').cast('d')\\nm[1] = 20.0\\ns = sum(m)");
assert.equal(f64[1], 20);
assert.equal(b.tspy.eval("s"), 24);
f64[2] = 100;
assert.equal(b.tspy.eval("m[2]"), 100);
// an array.array seen from TS without a copy
b.tspy.exec("import array\\na = array.array('i', [5, 6, 7])");
const buf = b.tspy.getBuffer(py.a);
assert.equal(buf.dtype, "int32");
buf.data[0] = 50;
assert.equal(b.tspy.eval("a[0]"), 50);
buf.release();
// a TS callback, also from a Python thread while the executor joins it
py.cb = (v) => v * 2;
assert.equal(b.tspy.eval("cb(21)"), 42);
b.tspy.exec("import threading\\nout = []\\nt = threading.Thread(target=lambda: out.append(cb(5)))\\nt.start()\\nt.join()");
assert.deepEqual(b.tspy.toJS(b.tspy.eval("out")), [10]);
// errors
assert.throws(() => b.tspy.eval("1 / 0"), (e) => e instanceof b.PythonError && e.type === "ZeroDivisionError");
// another Python after this one: refused
assert.throws(() => b.loadBridge(${JSON.stringify(otherLoadConfig)}), /already loaded in this process/);
b.tspy.exec("del x, m, s, a, cb, out, t");
(async () => {
  for (let i = 0; i < 3; i++) {
    b.tspy.exec("import gc; gc.collect()");
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  b.tspy.exec("import gc; gc.collect()");
  const end = [b.liveProxyCount(), b.liveJsRefCount()];
  process.stdout.write(JSON.stringify({ version: c.version, libpython: c.libpython, executable: c.executable, numpy: c.numpy, start, end }) + "\\n");
})();
`;

test("py_config_reports_the_running_interpreter", () => {
  const c = tspy.config();
  assert.equal(c.version, configured.version);
  assert.equal(c.executable, configured.executable);
  assert.equal(c.prefix, configured.prefix);
  assert.equal(c.basePrefix, configured.basePrefix);
  assert.equal(c.libpython, fs.realpathSync(configured.libpython));
  assert.equal(c.numpy, configured.numpy);
  assert.ok(c.numpy !== null, "numpy is installed in the default environment");
  assert.ok(
    c.sysPath.some((p) => p.endsWith("site-packages") && p.startsWith(configured.prefix)),
    "the venv's site-packages is on sys.path",
  );
  assert.deepEqual(Object.keys(c).sort(), ["basePrefix", "executable", "libpython", "numpy", "prefix", "sysPath", "version"]);
});

test("asking_for_another_python_after_one_is_loaded_is_an_error", () => {
  assert.throws(
    () => loadBridge(other),
    (e: unknown) => e instanceof Error && /already loaded in this process/.test(e.message) && e.message.includes(other.version),
  );
  assert.throws(() => initialize(other), /already loaded in this process/);
  // Same libpython, another executable (e.g. a venv) after initialisation: also refused.
  assert.throws(() => initialize({ ...configured, executable: configured.baseExecutable + "-other" }), /already initialised from/);
  // The configured Python again is fine.
  assert.equal(initialize(configured), py);
});

test("second_python_version_runs_the_bridge_from_its_own_build", { timeout: 120_000 }, () => {
  const t0 = Date.now();
  const defaultBridge = addonPaths(configured.versionInfo).bridge;
  const defaultMtime = fs.statSync(defaultBridge).mtimeMs;
  const rc = buildBridge(other, { stdio: "pipe" });
  assert.equal(rc, 0, `the addon builds for Python ${other.version}`);
  const otherPaths = addonPaths(other.versionInfo);
  assert.ok(fs.existsSync(otherPaths.bridge));
  assert.notEqual(otherPaths.bridge, defaultBridge);
  assert.equal(fs.statSync(defaultBridge).mtimeMs, defaultMtime, "the default Python's addon was not rebuilt");

  const indexJs = path.resolve(__dirname, "..", "..", "bridge", "lib", "index.js");
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", CHILD(indexJs, configured)], {
    encoding: "utf8",
    env: { ...process.env, TSPY_PYTHON: other.executable },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `child failed:\n${r.stdout}\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
    version: string;
    libpython: string;
    executable: string;
    numpy: string | null;
    start: number[];
    end: number[];
  };
  assert.ok(out.version.startsWith(`${other.versionInfo[0]}.${other.versionInfo[1]}.`), `tspy.config().version is ${out.version}`);
  assert.equal(out.version, other.version);
  assert.equal(out.libpython, fs.realpathSync(other.libpython));
  assert.equal(out.executable, other.executable);
  assert.equal(out.numpy, other.numpy);
  assert.deepEqual(out.end, out.start, "live references back to start in the child");
  assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
});

// Runs after the test above, which builds the other version's addon.
test("another_thread_asking_for_another_python_is_refused_by_the_loader", async () => {
  // A worker has its own module state, so only the process-wide check (which libpython already
  // provides Py_IsInitialized) can see that a Python is loaded.
  const indexJs = path.resolve(__dirname, "..", "..", "bridge", "lib", "index.js");
  const code = `
const { parentPort, workerData } = require("node:worker_threads");
const b = require(workerData.indexJs);
let message = "loaded";
try { b.loadBridge(workerData.other); } catch (e) { message = e.message; }
parentPort.postMessage(message);
`;
  const worker = new Worker(code, { eval: true, workerData: { indexJs, other } });
  const message = await new Promise<string>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  assert.match(message, /already loaded in this process/);
  assert.ok(message.includes(fs.realpathSync(configured.libpython)) || message.includes(configured.libpython), message);
});
