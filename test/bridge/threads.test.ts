// TS functions called from Python threads other than the executor: the call runs on the JS thread
// and its result (or error) returns to the calling thread, also while the JS thread is itself
// inside Python (busy, joining, waiting on futures); Python threads progress while JS awaits.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { threadId } from "node:worker_threads";
import { tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("ts_function_called_from_a_thread_runs_on_js_thread_while_main_joins", () => {
  const seen: number[] = [];
  py.ts_fn = (x: number) => {
    seen.push(threadId);
    return x * 21;
  };
  tspy.exec(
    [
      "import threading",
      "results = []",
      "t = threading.Thread(target=lambda: results.append((ts_fn(2), threading.current_thread() is not threading.main_thread())))",
      "t.start()",
      "t.join()",
    ].join("\n"),
  );
  assert.deepEqual(tspy.toJS(tspy.eval("results")), [[42, true]]);
  assert.deepEqual(seen, [threadId], "the TS function ran on the JS thread");
  tspy.exec("del ts_fn, results, t");
});

test("ts_function_called_from_a_thread_while_main_runs_bytecode", () => {
  py.ts_fn = (s: string) => s.toUpperCase();
  tspy.exec(
    [
      "import threading, time",
      "out = []",
      "t = threading.Thread(target=lambda: out.append(ts_fn('abc')))",
      "t.start()",
      "deadline = time.monotonic() + 20",
      "while not out and time.monotonic() < deadline:",
      "    pass",
      "t.join()",
    ].join("\n"),
  );
  assert.deepEqual(tspy.toJS(tspy.eval("out")), ["ABC"]);
  tspy.exec("del ts_fn, out, t, deadline");
});

test("thread_pool_calls_ts_function_concurrently", () => {
  let calls = 0;
  py.square = (x: number) => {
    calls++;
    return x * x;
  };
  tspy.exec(
    [
      "from concurrent.futures import ThreadPoolExecutor",
      "with ThreadPoolExecutor(max_workers=6) as ex:",
      "    squares = list(ex.map(square, range(40)))",
    ].join("\n"),
  );
  assert.deepEqual(
    tspy.toJS(tspy.eval("squares")),
    Array.from({ length: 40 }, (_, i) => i * i),
  );
  assert.equal(calls, 40);
  tspy.exec("del square, squares, ex, ThreadPoolExecutor");
});

test("ts_error_raised_in_calling_thread", () => {
  py.fails = (why: string) => {
    throw new RangeError(`no: ${why}`);
  };
  tspy.exec(
    [
      "import threading, tspy",
      "caught = []",
      "def worker():",
      "    try:",
      "        fails('thread')",
      "    except tspy.JSError as e:",
      "        caught.append((type(e).__name__, e.message, threading.current_thread() is not threading.main_thread()))",
      "t = threading.Thread(target=worker)",
      "t.start()",
      "t.join()",
    ].join("\n"),
  );
  assert.deepEqual(tspy.toJS(tspy.eval("caught")), [["JSError", "RangeError: no: thread", true]]);
  tspy.exec("del fails, caught, worker, t");
});

test("ts_objects_usable_from_a_thread", () => {
  class Box {
    a = 1;
    nested = new (class Inner {
      b = "x";
    })();
    [key: string]: unknown;
  }
  const obj = new Box();
  py.obj = obj;
  tspy.exec(
    [
      "import threading",
      "got = []",
      "def worker():",
      "    got.append(obj.a)",
      "    got.append(obj.nested.b)",
      "    obj.c = 3",
      "    obj['d'] = 4",
      "    got.append(str(obj.nested))",
      "t = threading.Thread(target=worker)",
      "t.start()",
      "t.join()",
    ].join("\n"),
  );
  assert.deepEqual(tspy.toJS(tspy.eval("got")), [1, "x", "[object Object]"]);
  assert.equal(obj.c, 3);
  assert.equal(obj.d, 4);
  tspy.exec("del obj, got, worker, t");
});

test("thread_calls_ts_while_js_awaits_outside_python", async () => {
  py.ts_fn = (x: number) => x + 1;
  tspy.exec(["import threading", "late = []", "t = threading.Thread(target=lambda: late.append(ts_fn(9)))", "t.start()"].join("\n"));
  // The JS thread is back in its event loop: the call is served from there.
  const start = Date.now();
  while (tspy.eval("len(late)") === 0 && Date.now() - start < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  tspy.exec("t.join()");
  assert.deepEqual(tspy.toJS(tspy.eval("late")), [10]);
  tspy.exec("del ts_fn, late, t");
});

test("python_thread_progresses_while_ts_awaits_a_timer", async () => {
  tspy.exec(
    [
      "import threading, time",
      "counter = [0]",
      "stop = threading.Event()",
      "def spin():",
      "    while not stop.is_set():",
      "        counter[0] += 1",
      "        time.sleep(0.001)",
      "t = threading.Thread(target=spin)",
      "t.start()",
    ].join("\n"),
  );
  const before = tspy.eval("counter[0]") as number;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = tspy.eval("counter[0]") as number;
  tspy.exec("stop.set()\nt.join()\ndel counter, stop, spin, t");
  assert.ok(after - before >= 10, `the Python thread ran while JS awaited (${before} -> ${after})`);
});

// The kernel's layout: Python lives on a worker thread (the executor), not the process's main one.
const WORKER_CHILD = (indexJs: string): string => `
const { Worker } = require("node:worker_threads");
const code = \`
const { parentPort, workerData } = require("node:worker_threads");
const b = require(workerData.indexJs);
const py = b.initialize();
py.ts_fn = (x) => x * 3;
b.tspy.exec([
  "import threading",
  "from concurrent.futures import ThreadPoolExecutor",
  "out = []",
  "t = threading.Thread(target=lambda: out.append(ts_fn(7)))",
  "t.start()",
  "t.join()",
  "with ThreadPoolExecutor(4) as ex:",
  "    out.extend(ex.map(ts_fn, range(8)))",
].join("\\\\n"));
parentPort.postMessage(b.tspy.toJS(b.tspy.eval("out")));
\`;
const w = new Worker(code, { eval: true, workerData: { indexJs: ${JSON.stringify(indexJs)} } });
w.once("message", (m) => { process.stdout.write(JSON.stringify(m) + "\\n"); process.exit(0); });
w.once("error", (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

test("calls_from_python_threads_reach_an_executor_on_a_worker_thread", () => {
  const indexJs = path.resolve(__dirname, "..", "..", "bridge", "lib", "index.js");
  const r = spawnSync(process.execPath, ["-e", WORKER_CHILD(indexJs)], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `child failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").pop() ?? "null"), [21, 0, 3, 6, 9, 12, 15, 18, 21]);
});
