// The executor worker thread: owns the embedded CPython and the TypeScript global scope, runs
// every cell, and posts stream/display/result messages to the main thread. Never touches sockets.
import { Console } from "node:console";
import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import * as util from "node:util";
import * as vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import * as bridge from "../../bridge/lib/index";
import type { ErrorContent, ExecutorData, FromExecutor, MimeBundle, ToExecutor } from "./messages";
import { KeyboardInterrupt, TsRuntime } from "./ts-runtime";
import { typescriptCompleteness } from "./cell-completeness";
import { cellLanguage } from "../contracts/cell-language";
import { createDisplay } from "../display/display";
import { CommRegistry } from "./comms";
import { Introspection } from "./introspection";
import { NotebookLanguageService } from "./language-service";
import { NotebookCommTarget } from "./notebook-comm";
import {
  describeTsValue,
  envMagic,
  formatVariables,
  parseCell,
  pipMagic,
  typecheckMagic,
  typecheckProfile,
  type CellPlan,
  type TypecheckMode,
  type VariableInfo,
} from "./magics";
import { waitForInput } from "./stdin";

/** Folder of tspy_cell.py (kept in the source tree; this file runs from dist/kernel/executor). */
const PYTHON_HELPERS = path.resolve(__dirname, "..", "..", "..", "kernel", "executor");

const port = parentPort!;
const data = workerData as ExecutorData;
const interruptFlag = new Int32Array(data.interruptFlag);
const handled = new Int32Array(data.handled);
let posted = 0;
/**
 * Sends a message to the main thread and waits (up to 1 s) until it was handled there: a barrier,
 * so that what this thread writes to the captured fds afterwards is never read, and published,
 * before this message (a display after a print, the next cell's output after a reply).
 */
function post(m: FromExecutor): void {
  port.postMessage(m);
  const count = ++posted;
  const deadline = performance.now() + 1000;
  for (let seen = Atomics.load(handled, 0); seen < count; seen = Atomics.load(handled, 0)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(handled, 0, seen, left);
  }
}
/** The request whose output is being produced; output of a cell's leftover timers goes to the last one. */
let currentId = 0;
/** The Jupyter header of that request (execute_request or comm_msg), as JSON; "" when none came with it. */
let currentParent = "";
let rejectInterrupted: ((e: Error) => void) | null = null;

/**
 * The captured standard file descriptors (tspy_streams.capture): once set, every write of this
 * thread's streams goes to fd 1 or 2, the same pipes Python, C libraries and subprocesses write
 * to, which the main thread reads and batches. Null until Python started (or when it did not):
 * then writes travel as `stream` messages.
 */
let captured: { stdout: number; stderr: number } | null = null;

/**
 * Writes a cell's output: to the captured fd (blocking while the pipe is full, so a fast writer
 * is slowed down, never dropped), or as a stream message before capture.
 */
function writeStream(name: "stdout" | "stderr", text: string | Uint8Array): void {
  if (text.length === 0) return;
  if (!captured) return post({ kind: "stream", id: currentId, name, text: typeof text === "string" ? text : Buffer.from(text).toString() });
  const fd = captured[name];
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
}

function streamWriter(name: "stdout" | "stderr"): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      writeStream(name, chunk);
      callback();
    },
  });
}
/**
 * `process.exit(code)` in a cell shuts the kernel down with that status after the cell's reply (as
 * IPython's `exit()`), instead of ending only this thread. The cell stops with {@link ProcessExit}.
 */
class ProcessExit extends Error {
  override name = "ProcessExit";
  constructor(readonly code: number) {
    super(`process.exit(${code}): the kernel shuts down after this cell`);
  }
}
const exitThread = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const status = Number(code ?? process.exitCode ?? 0) | 0;
  post({ kind: "exit_requested", code: status });
  throw new ProcessExit(status);
}) as typeof process.exit;
/** Gives cells a fresh `console` over new stream writers (also after an interrupt terminated code that may have been in the middle of a write). */
function installConsole(): void {
  (globalThis as Record<string, unknown>).console = new Console({ stdout: streamWriter("stdout"), stderr: streamWriter("stderr"), colorMode: false });
}
installConsole();
// process.stdout.write in a cell is output of the cell, as in a terminal.
for (const name of ["stdout", "stderr"] as const) {
  const stream = process[name] as Writable & { write: (...args: unknown[]) => boolean };
  stream.write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    writeStream(name, typeof chunk === "string" || chunk instanceof Uint8Array ? chunk : String(chunk));
    const cb = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof cb === "function") queueMicrotask(() => (cb as () => void)());
    return true;
  };
}
// Cells run under the bridge's terminable guard: an interrupt stops TS code that has no loop check too.
const runtime = new TsRuntime(data.cwd, interruptFlag, bridge.runTerminable);
runtime.onTermination = installConsole;

// Errors thrown by a cell's leftover callbacks must not end the executor (and the notebook's state).
process.on("uncaughtException", (e) => writeStream("stderr", `Uncaught ${util.inspect(e, { colors: false })}\n`));
process.on("unhandledRejection", (e) => writeStream("stderr", `Unhandled promise rejection: ${util.inspect(e, { colors: false })}\n`));

interface PythonSide {
  py: bridge.Py;
  cell: bridge.PyProxy;
  /** The tspy_display module (kernel/display): MIME bundles, display messages, figures. */
  display: bridge.PyProxy;
  /** The tspy_introspect module: jedi completion, inspection, %who, stdin and comms. */
  introspect: bridge.PyProxy;
}

/** Whether the running request allows stdin (execute_request's allow_stdin). */
let allowStdin = false;

/**
 * Asks the frontend for a line (input_request) and blocks until it answers; used by Python's
 * input()/getpass and by TS cells' `input()`.
 * @returns [status, text] with status "ok", "interrupted" or "unavailable" (allow_stdin false).
 */
function requestInput(prompt: string, password: boolean): [string, string] {
  if (!allowStdin) return ["unavailable", ""];
  const r = waitForInput(data.stdin, () => post({ kind: "input_request", id: currentId, prompt, password }));
  return r.status === "ok" ? ["ok", r.text] : [r.status, ""];
}

/** Starts CPython and wires `py`, `ts` and Python's streams; on failure TS cells still run and Python cells report why. */
function startPython(): { side: PythonSide | null; version: string | null; error: string | null } {
  try {
    const py = bridge.initialize();
    bridge.tspy.import("sys").path.insert(0, PYTHON_HELPERS);
    bridge.tspy.import("sys").path.insert(0, path.join(PYTHON_HELPERS, "..", "display"));
    const cell = bridge.tspy.import("tspy_cell");
    const fds = bridge.tspy.toJS(bridge.tspy.import("tspy_streams").capture()) as [number, number, number, number];
    captured = { stdout: 1, stderr: 2 };
    post({ kind: "captured", stdout: fds[0], stderr: fds[1], savedStdout: fds[2], savedStderr: fds[3] });
    const introspect = bridge.tspy.import("tspy_introspect");
    introspect.install_stdin((prompt: string, password: boolean) => requestInput(prompt, password));
    introspect.install_comms(
      (msgType: "comm_open" | "comm_msg" | "comm_close" | "error", content: bridge.PyProxy) =>
        post({ kind: "display", id: currentId, msgType, content: bridge.tspy.toJS(content) as Record<string, unknown> }),
      () => currentParent,
    );
    const display = bridge.tspy.import("tspy_display");
    display.install((msgType: "display_data" | "update_display_data" | "clear_output", json: string) =>
      post({ kind: "display", id: currentId, msgType, content: JSON.parse(json) as Record<string, unknown> }),
    );
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
    g.tspy = bridge.tspy;
    g.PythonError = bridge.PythonError;
    const version = String(bridge.tspy.import("platform").python_version());
    return { side: { py, cell, display, introspect }, version, error: null };
  } catch (e) {
    return { side: null, version: null, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
const python = startPython();

/** The display API of TS cells (globals display, updateDisplay, clearOutput); Python objects render through tspy_display. */
const displayApi = createDisplay(
  {
    post: (msgType, content) => post({ kind: "display", id: currentId, msgType, content }),
    pythonBundle: (value) => (python.side && bridge.isPyProxy(value) ? (JSON.parse(python.side.display.mime_bundle_json(value)) as MimeBundle) : null),
  },
  python.side ? { getLivePlot: () => Boolean(python.side!.display.live_plot), setLivePlot: (on) => void (python.side!.display.live_plot = on) } : undefined,
);
Object.assign(globalThis, { display: displayApi.display, updateDisplay: displayApi.updateDisplay, clearOutput: displayApi.clearOutput });

/** MIME bundle for a cell's value (kernel/display): Python objects through IPython's display protocol and tspy's views. */
function mimeBundle(value: unknown): MimeBundle {
  return displayApi.mimeBundle(value);
}

/** After every cell: open matplotlib figures are shown inline and closed; display messages queued by Python threads are sent. */
function afterCell(): void {
  try {
    python.side?.display.after_cell();
  } catch (e) {
    writeStream("stderr", `tspy: showing figures failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/**
 * Runs a %%python cell through tspy_cell.run_cell (IPython's InteractiveShell in `__main__`).
 * @param cellName names the code in tracebacks (`cell-N.py`); `executionCount` numbers `Out`/`_N`.
 * @returns the execute_done outcome: the result's MIME bundle, or the error content.
 */
function runPython(source: string, cellName: string, executionCount: number): FromExecutor {
  if (!python.side) {
    return {
      kind: "execute_done",
      id: currentId,
      status: "error",
      error: { ename: "PythonUnavailable", evalue: "the embedded Python did not start", traceback: (python.error ?? "").split("\n") },
    };
  }
  // `source` is parseCell's code: the magic lines are empty lines, so line numbers stay the cell's.
  const reply = python.side.cell.run_cell(source, `${cellName}.py`, executionCount);
  let r: { status: string; data: MimeBundle | null } & ErrorContent;
  try {
    r = bridge.tspy.toJS(reply) as typeof r;
  } finally {
    bridge.tspy.destroy(reply);
  }
  if (r.status === "error")
    return { kind: "execute_done", id: currentId, status: "error", error: { ename: r.ename, evalue: r.evalue, traceback: r.traceback } };
  return { kind: "execute_done", id: currentId, status: "ok", result: r.data ? { data: r.data, metadata: {} } : null };
}

async function runTypeScript(source: string, cellName: string): Promise<FromExecutor> {
  const interrupted = new Promise<never>((_, reject) => (rejectInterrupted = reject));
  interrupted.catch(() => undefined);
  try {
    const value = await runtime.run(source, cellName, interrupted);
    // Like IPython hiding None: no result for undefined or null (a Python call that returned None, e.g. model.summary()).
    return {
      kind: "execute_done",
      id: currentId,
      status: "ok",
      result: value === undefined || value === null ? null : { data: await Promise.race([displayApi.mimeBundleAsync(value), interrupted]), metadata: {} },
    };
  } catch (e) {
    return { kind: "execute_done", id: currentId, status: "error", error: runtime.errorContent(e) };
  } finally {
    rejectInterrupted = null;
  }
}

/** The notebook's TypeScript language service (created lazily on first use) and introspection. */
const languageService = new NotebookLanguageService(data.cwd);
const introspection = new Introspection(
  languageService,
  python.side ? { module: python.side.introspect, isPyProxy: bridge.isPyProxy, tspy: bridge.tspy } : null,
);

/** Comms of both languages; TS cells use the global `comms`. */
const comms = new CommRegistry(
  (msgType, content) => post({ kind: "display", id: currentId, msgType, content }),
  () =>
    python.side
      ? {
          incoming: (t, c) => Boolean(python.side!.introspect.comm_incoming(t, c)),
          list: () => bridge.tspy.toJS(python.side!.introspect.comm_list()) as Record<string, string>,
        }
      : null,
  (e) => writeStream("stderr", `comm handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
);
Object.assign(globalThis, {
  comms,
  input: async (prompt = "", options: { password?: boolean } = {}): Promise<string> => {
    const [status, text] = requestInput(String(prompt), Boolean(options.password));
    if (status === "interrupted") throw new KeyboardInterrupt();
    if (status !== "ok") throw new Error("input() was called, but this frontend does not support input requests (allow_stdin is false)");
    return text;
  },
});

/**
 * Asks tspy_stubs.py for TypeScript declarations of the modules a TS cell names in
 * `tspy.import("...")` (or the older `py.import("...")`): read from the disk cache, or generated, on
 * a Python background thread, so the cell's reply is not delayed; {@link collectPythonDeclarations}
 * hands them to the language service, and the type check of the next cell waits for them.
 */
function declarePythonModules(code: string): void {
  if (!python.side) return;
  for (const m of code.matchAll(/\b(?:tspy|py)\.import\(\s*["']([\w.]+)["']\s*\)/g)) {
    bridge.tspy.import("tspy_stubs").request(m[1]);
  }
}

/**
 * Longest wait (ms) of a cell's type check for declarations still being generated
 * (`TSPY_STUBS_WAIT_MS`, default 60000): Run All sends the next cell at once, and it must be
 * checked against the declarations of the modules the previous cells imported.
 */
const STUBS_WAIT_MS = Number(process.env.TSPY_STUBS_WAIT_MS ?? 60000);
/** Longest wait (ms) of a completion or inspection for pending declarations: they must stay interactive. */
const STUBS_WAIT_INTERACTIVE_MS = 1000;

/**
 * Adds the declarations finished since last time to the language service, after waiting up to
 * `waitMs` for those still being generated (the GIL is released while waiting).
 */
function collectPythonDeclarations(waitMs = 0): void {
  if (!python.side) return;
  const stubs = bridge.tspy.import("tspy_stubs");
  if (waitMs > 0) stubs.wait(waitMs / 1000);
  const ready = stubs.take_ready();
  for (const [, chunks] of bridge.tspy.toJS(ready) as [string, [string, string][]][]) languageService.addPythonDeclarations(chunks);
  bridge.tspy.destroy(ready);
}

/** %typecheck: how type errors of TS cells are treated. */
let typecheckMode: TypecheckMode = "warn";

/**
 * Type-checks a TS cell against the notebook's declarations. In "warn" mode the errors are
 * printed on stderr (with cell line numbers) and the cell runs; in "strict" mode they are the
 * cell's error and it does not run.
 */
function typecheck(code: string, cellName: string): FromExecutor | null {
  if (typecheckMode === "off") return null;
  collectPythonDeclarations(STUBS_WAIT_MS);
  const found = languageService.diagnostics(code);
  if (found.length === 0) return null;
  const lines = found.map((d) => `${cellName}.ts:${d.line}:${d.column} - error TS${d.code}: ${d.message}`);
  if (typecheckMode === "strict") {
    return {
      kind: "execute_done",
      id: currentId,
      status: "error",
      error: { ename: "TypeScriptError", evalue: `${found.length} type error${found.length > 1 ? "s" : ""} (%typecheck strict)`, traceback: lines },
    };
  }
  writeStream("stderr", lines.join("\n") + "\n");
  return null;
}

/** The variables of both languages: TS globals declared by cells, then Python's `__main__` names (%who's rows). */
function variableRows(): VariableInfo[] {
  const g = globalThis as Record<string, unknown>;
  const describePython = python.side
    ? (v: unknown) => bridge.tspy.toJS(python.side!.introspect.describe_value(v)) as [string, string, string, number | null]
    : null;
  const rows: VariableInfo[] = [...runtime.declared].filter((n) => n in g).map((n) => describeTsValue(n, g[n], describePython, bridge.isPyProxy));
  if (python.side) {
    const list = python.side.introspect.who();
    for (const [name, type, shape, dtype, size] of bridge.tspy.toJS(list) as [string, string, string, string, number | null][])
      rows.push({ name, language: "Python", type, shape, dtype, size });
    bridge.tspy.destroy(list);
  }
  return rows;
}

/** %who: the variables of both languages. */
function whoTable(): string {
  return formatVariables(variableRows());
}

/** The app's `tspy.notebook` comms: variables and type errors on request, variables after each execution. */
const notebookComm = new NotebookCommTarget(
  comms,
  {
    variables: variableRows,
    typeErrors: (code) => (collectPythonDeclarations(), languageService.diagnostics(code)),
  },
  // To the kernel's log, not the cell: the panel's failure is no fault of the cell.
  (e) => void process.stderr.write(`tspy: the tspy.notebook comm failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
);

/** Runs the line magics at the top of a cell; returns an error outcome when one fails. */
async function runLineMagics(plan: CellPlan): Promise<FromExecutor | null> {
  const stream = writeStream;
  for (const magic of plan.lineMagics) {
    if (magic.name === "who") stream("stdout", whoTable());
    else if (magic.name === "env") {
      stream(
        "stdout",
        envMagic(magic.args, (name, value) => python.side && void bridge.tspy.setItem(bridge.tspy.import("os").environ, name, value)),
      );
    } else if (magic.name === "typecheck") {
      typecheckMode = typecheckMagic(magic.args, typecheckMode);
      languageService.useProfile(typecheckProfile(typecheckMode));
      stream("stdout", `typecheck: ${typecheckMode}\n`);
    } else if (magic.name === "pip") {
      const executable = python.side ? String(bridge.tspy.import("sys").executable) : "python3";
      const status = await pipMagic(magic.args, executable, stream);
      if (python.side) bridge.tspy.import("importlib").invalidate_caches();
      if (status !== 0) {
        return {
          kind: "execute_done",
          id: currentId,
          status: "error",
          error: { ename: "PipError", evalue: `pip exited with status ${status}`, traceback: [`%pip ${magic.args}`, `pip exited with status ${status}`] },
        };
      }
    }
  }
  return null;
}

async function execute(m: Extract<ToExecutor, { kind: "execute" }>): Promise<void> {
  currentId = m.id;
  currentParent = m.parentHeader ? JSON.stringify(m.parentHeader) : "";
  allowStdin = m.allowStdin;
  Atomics.store(interruptFlag, 0, 0);
  bridge.clearInterrupt();
  const cellName = `cell-${m.executionCount}`;
  let plan: CellPlan;
  try {
    plan = parseCell(m.code);
  } catch (e) {
    const err = e as Error;
    notebookComm.publishVariables();
    return post({
      kind: "execute_done",
      id: m.id,
      status: "error",
      error: { ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`] },
    });
  }
  const started = performance.now();
  let done = await runLineMagics(plan);
  if (!done && plan.code.trim() === "") done = { kind: "execute_done", id: m.id, status: "ok", result: null };
  if (!done && plan.language === "python") done = runPython(plan.code, cellName, m.executionCount);
  if (!done) done = typecheck(plan.code, cellName);
  if (!done) {
    done = await runTypeScript(plan.code, cellName);
    if (!(done.kind === "execute_done" && done.status === "error" && done.error.ename === "SyntaxError")) {
      languageService.addExecutedCell(plan.code);
      declarePythonModules(plan.code);
    }
  }
  if (plan.time) writeStream("stdout", `Wall time: ${formatDuration(performance.now() - started)}\n`);
  if (done.kind === "execute_done" && done.status === "ok" && Object.keys(m.userExpressions).length > 0) {
    done.userExpressions = evaluateUserExpressions(m.userExpressions, plan.language);
  }
  afterCell();
  notebookComm.publishVariables();
  post(done);
}

/**
 * execute_request's user_expressions, evaluated after the cell in the cell's language: each
 * name maps to {status: "ok", data, metadata} or {status: "error", ename, evalue, traceback}.
 */
function evaluateUserExpressions(expressions: Record<string, string>, language: "typescript" | "python"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(expressions)) {
    try {
      const value = language === "python" && python.side ? bridge.tspy.eval(expression) : vm.runInThisContext(expression);
      out[name] = { status: "ok", data: mimeBundle(value), metadata: {} };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      out[name] = { status: "error", ename: err.name, evalue: err.message, traceback: (err.stack ?? "").split("\n") };
    }
  }
  return out;
}

/** "812 µs", "12.3 ms", "4.56 s" (IPython's %%time style). */
function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Requests answered with a reply content by the language side, by msg_type. A Map: a msg_type that
 * is not one of these (e.g. `constructor`) finds nothing, never a member of Object.prototype.
 */
const requestHandlers = new Map<Extract<ToExecutor, { kind: "request" }>["msgType"], (content: Record<string, unknown>) => Record<string, unknown>>([
  ["complete_request", (c) => (collectPythonDeclarations(STUBS_WAIT_INTERACTIVE_MS), introspection.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0)))],
  [
    "inspect_request",
    (c) => (
      collectPythonDeclarations(STUBS_WAIT_INTERACTIVE_MS),
      introspection.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0), Number(c.detail_level ?? 0))
    ),
  ],
  ["comm_info_request", (c) => comms.info(typeof c.target_name === "string" ? c.target_name : undefined)],
  ["comm_open", (c) => comms.incoming("comm_open", c)],
  ["comm_msg", (c) => comms.incoming("comm_msg", c)],
  ["comm_close", (c) => comms.incoming("comm_close", c)],
]);

function isComplete(m: Extract<ToExecutor, { kind: "is_complete" }>): void {
  if (/^%[^%]/.test(m.code) && !m.code.includes("\n")) return post({ kind: "is_complete_done", id: m.id, status: "complete" });
  if (cellLanguage(m.code) === "python") {
    if (!python.side) return post({ kind: "is_complete_done", id: m.id, status: "unknown" });
    // The Python code after the magic lines (IPython's is_complete knows no %%python).
    const body = m.code.split("\n");
    const r = python.side.cell.is_complete(body.slice(body.findIndex((l) => /^\s*%%python\s*$/.test(l)) + 1).join("\n"));
    const [status, indent] = bridge.tspy.toJS(r) as ["complete" | "incomplete" | "invalid", string];
    bridge.tspy.destroy(r);
    return post({ kind: "is_complete_done", id: m.id, status, indent });
  }
  post({ kind: "is_complete_done", id: m.id, ...typescriptCompleteness(m.code) });
}

/** Python's exit work (atexit handlers; files left open are flushed and closed). Never throws. */
function shutdownPython(): void {
  try {
    if (python.side) bridge.tspy.import("tspy_streams").shutdown();
  } catch (e) {
    writeStream("stderr", `tspy: Python's exit handlers failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** Ends the process with `code` (_exit), after the main thread flushed the sockets. */
function exitNow(code: number): never {
  try {
    bridge.exitProcess(code);
  } catch {
    // No bridge: the main thread ends the process (Executor.exitProcess).
  }
  return exitThread(code);
}

/** Requests run one at a time in arrival order; interrupts act at once. */
let chain: Promise<void> = Promise.resolve();
port.on("message", (m: ToExecutor) => {
  if (m.kind === "interrupt") {
    rejectInterrupted?.(new KeyboardInterrupt());
    return;
  }
  if (m.kind === "exit") exitNow(m.code);
  if (m.kind === "shutdown") {
    chain = chain.then(() => {
      shutdownPython();
      post({ kind: "shutdown_done" });
    });
    return;
  }
  chain = chain.then(async () => {
    try {
      if (m.kind === "request") {
        currentId = m.id;
        currentParent = m.parentHeader ? JSON.stringify(m.parentHeader) : "";
        const handler = requestHandlers.get(m.msgType);
        if (!handler) throw new Error(`the executor has no handler for ${JSON.stringify(m.msgType)}`);
        post({ kind: "reply", id: m.id, content: handler(m.content) });
      } else await (m.kind === "execute" ? execute(m) : isComplete(m));
    } catch (e) {
      // A fault of the executor itself (not of the cell): report it on the request, keep serving.
      const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
      if (m.kind === "execute") {
        notebookComm.publishVariables();
        post({ kind: "execute_done", id: m.id, status: "error", error: { ename: "ExecutorError", evalue: String(e), traceback: text.split("\n") } });
      } else if (m.kind === "request")
        post({ kind: "reply", id: m.id, content: { status: "error", ename: "ExecutorError", evalue: String(e), traceback: text.split("\n") } });
      else post({ kind: "is_complete_done", id: m.id, status: "unknown" });
    }
  });
});
post({ kind: "ready", python: python.version, pythonError: python.error });
// While the kernel waits for its first request, build the language service's program (lib files,
// Node's typings, the globals): the first TS cell's check, completion or hover then starts warm.
// Queued like a request, so a request that arrives meanwhile runs after it, never alongside.
chain = chain.then(
  () =>
    new Promise<void>((resolve) =>
      setImmediate(() => {
        try {
          languageService.warmUp();
        } catch (e) {
          process.stderr.write(`tspy: warming up the type checker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        }
        resolve();
      }),
    ),
);
