// The executor worker thread: owns the embedded CPython and the TypeScript global scope, runs
// every cell, and posts stream/display/result messages to the main thread. Never touches sockets.
import { Console } from "node:console";
import * as path from "node:path";
import { Writable } from "node:stream";
import * as util from "node:util";
import { parentPort, workerData } from "node:worker_threads";
import * as bridge from "../../bridge/lib/index";
import type { ErrorContent, ExecutorData, FromExecutor, MimeBundle, ToExecutor } from "./messages";
import { KeyboardInterrupt, TsRuntime } from "./ts-runtime";
import { typescriptCompleteness } from "./ts-transform";

/** Folder of tspy_cell.py (kept in the source tree; this file runs from dist/kernel/executor). */
const PYTHON_HELPERS = path.resolve(__dirname, "..", "..", "..", "kernel", "executor");
/** First line that makes a cell a Python cell. */
const PYTHON_MAGIC = /^%%python[ \t]*(\r?\n|$)/;

const port = parentPort!;
const data = workerData as ExecutorData;
const interruptFlag = new Int32Array(data.interruptFlag);
const post = (m: FromExecutor) => port.postMessage(m);
/** The request whose output is being produced; output of a cell's leftover timers goes to the last one. */
let currentId = 0;
let rejectInterrupted: ((e: Error) => void) | null = null;

function streamWriter(name: "stdout" | "stderr"): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      post({ kind: "stream", id: currentId, name, text: chunk.toString() });
      callback();
    },
  });
}
(globalThis as Record<string, unknown>).console = new Console({ stdout: streamWriter("stdout"), stderr: streamWriter("stderr"), colorMode: false });
const runtime = new TsRuntime(data.cwd, interruptFlag);

// Errors thrown by a cell's leftover callbacks must not end the executor (and the notebook's state).
process.on("uncaughtException", (e) => post({ kind: "stream", id: currentId, name: "stderr", text: `Uncaught ${util.inspect(e, { colors: false })}\n` }));
process.on("unhandledRejection", (e) => post({ kind: "stream", id: currentId, name: "stderr", text: `Unhandled promise rejection: ${util.inspect(e, { colors: false })}\n` }));

interface PythonSide {
  py: bridge.Py;
  cell: bridge.PyProxy;
}

/** Starts CPython and wires `py`, `ts` and Python's streams; on failure TS cells still run and Python cells report why. */
function startPython(): { side: PythonSide | null; version: string | null; error: string | null } {
  try {
    const py = bridge.initialize();
    py.import("sys").path.insert(0, PYTHON_HELPERS);
    const cell = py.import("tspy_cell");
    cell.install((name: "stdout" | "stderr", text: string) => post({ kind: "stream", id: currentId, name, text }));
    const g = globalThis as Record<string, unknown>;
    bridge.setTsNamespace({
      get: (name) => g[name],
      set: (name, value) => {
        g[name] = value;
        runtime.declared.add(name);
      },
      keys: () => [...runtime.declared],
    });
    g.py = py;
    g.PythonError = bridge.PythonError;
    const version = String(py.import("platform").python_version());
    return { side: { py, cell }, version, error: null };
  } catch (e) {
    return { side: null, version: null, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
const python = startPython();

/** MIME bundle for a cell's value: a Python object through IPython's display protocol, anything else through util.inspect. */
function mimeBundle(value: unknown): MimeBundle {
  if (python.side && bridge.isPyProxy(value)) {
    const bundle = python.side.cell.mime_bundle(value);
    try {
      return bundle.toJS() as MimeBundle;
    } finally {
      bundle.destroy();
    }
  }
  return { "text/plain": util.inspect(value, { colors: false, depth: 4, maxArrayLength: 100, breakLength: 100 }) };
}

function runPython(source: string, cellName: string): FromExecutor {
  if (!python.side) {
    return { kind: "execute_done", id: currentId, status: "error", error: { ename: "PythonUnavailable", evalue: "the embedded Python did not start", traceback: (python.error ?? "").split("\n") } };
  }
  // Keep the cell's line numbers: the magic line becomes an empty line.
  const code = source.replace(PYTHON_MAGIC, "\n");
  const reply = python.side.cell.run_cell(code, `${cellName}.py`);
  let r: { status: string; data: MimeBundle | null } & ErrorContent;
  try {
    r = reply.toJS() as typeof r;
  } finally {
    reply.destroy();
  }
  if (r.status === "error") return { kind: "execute_done", id: currentId, status: "error", error: { ename: r.ename, evalue: r.evalue, traceback: r.traceback } };
  return { kind: "execute_done", id: currentId, status: "ok", result: r.data ? { data: r.data, metadata: {} } : null };
}

async function runTypeScript(source: string, cellName: string): Promise<FromExecutor> {
  const interrupted = new Promise<never>((_, reject) => (rejectInterrupted = reject));
  interrupted.catch(() => undefined);
  try {
    const value = await runtime.run(source, cellName, interrupted);
    // Like IPython hiding None: no result for undefined or null (a Python call that returned None, e.g. model.summary()).
    return { kind: "execute_done", id: currentId, status: "ok", result: value === undefined || value === null ? null : { data: mimeBundle(value), metadata: {} } };
  } catch (e) {
    return { kind: "execute_done", id: currentId, status: "error", error: runtime.errorContent(e) };
  } finally {
    rejectInterrupted = null;
  }
}

async function execute(m: Extract<ToExecutor, { kind: "execute" }>): Promise<void> {
  currentId = m.id;
  Atomics.store(interruptFlag, 0, 0);
  bridge.clearInterrupt();
  const cellName = `cell-${m.executionCount}`;
  const done = PYTHON_MAGIC.test(m.code) ? runPython(m.code, cellName) : await runTypeScript(m.code, cellName);
  post(done);
}

function isComplete(m: Extract<ToExecutor, { kind: "is_complete" }>): void {
  if (PYTHON_MAGIC.test(m.code)) {
    if (!python.side) return post({ kind: "is_complete_done", id: m.id, status: "unknown" });
    const r = python.side.cell.is_complete(m.code.replace(PYTHON_MAGIC, ""));
    const [status, indent] = r.toJS() as ["complete" | "incomplete" | "invalid", string];
    r.destroy();
    return post({ kind: "is_complete_done", id: m.id, status, indent });
  }
  const status = typescriptCompleteness(m.code);
  post({ kind: "is_complete_done", id: m.id, status, ...(status === "incomplete" ? { indent: "" } : {}) });
}

/** Requests run one at a time in arrival order; interrupts act at once. */
let chain: Promise<void> = Promise.resolve();
port.on("message", (m: ToExecutor) => {
  if (m.kind === "interrupt") {
    rejectInterrupted?.(new KeyboardInterrupt());
    return;
  }
  chain = chain.then(async () => {
    try {
      await (m.kind === "execute" ? execute(m) : isComplete(m));
    } catch (e) {
      // A fault of the executor itself (not of the cell): report it on the request, keep serving.
      const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
      if (m.kind === "execute") post({ kind: "execute_done", id: m.id, status: "error", error: { ename: "ExecutorError", evalue: String(e), traceback: text.split("\n") } });
      else post({ kind: "is_complete_done", id: m.id, status: "unknown" });
    }
  });
});
post({ kind: "ready", python: python.version, pythonError: python.error });
