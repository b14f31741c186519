// The executor worker thread: owns the embedded CPython and the TypeScript global scope, runs
// every cell, and answers the main thread's requests one at a time, each with its RequestContext.
// Never touches sockets; output leaves through the ExecutorChannel (channel.ts).
import * as util from "node:util";
import * as vm from "node:vm";
import type { MessagePort } from "node:worker_threads";
import * as bridge from "../../bridge/lib/index";
import { cellLanguage } from "../contracts/cell-language";
import { createDisplay, type DisplayApi } from "../display/display";
import { errorContent, errorReply, namedError } from "../protocol/error-content";
import { typescriptCompleteness } from "./cell-completeness";
import { ExecutorChannel, requestContext } from "./channel";
import { CommRegistry } from "./comms";
import { Introspection } from "./introspection";
import { NotebookLanguageService } from "./language-service";
import { describeTsValue, LINE_MAGICS, parseCell, typecheckProfile, type CellPlan, type MagicHost, type TypecheckMode, type VariableInfo } from "./magics";
import type { CellOutcome, ExecutorData, FromExecutor, ToExecutor } from "./messages";
import { NotebookCommTarget } from "./notebook-comm";
import { PythonSide, pythonUnavailable, type PythonStart } from "./python-side";
import { KeyboardInterrupt, TsRuntime } from "./ts-runtime";

/**
 * Longest wait (ms) of a cell's type check for declarations still being generated
 * (`TSPY_STUBS_WAIT_MS`, default 60000): Run All sends the next cell at once, and it must be
 * checked against the declarations of the modules the previous cells imported.
 */
const STUBS_WAIT_MS = Number(process.env.TSPY_STUBS_WAIT_MS ?? 60000);
/** Longest wait (ms) of a completion or inspection for pending declarations: they must stay interactive. */
const STUBS_WAIT_INTERACTIVE_MS = 1000;

/**
 * `process.exit(code)` in a cell shuts the kernel down with that status after the cell's reply (as
 * IPython's `exit()`), instead of ending only this thread. The cell stops with this error.
 */
class ProcessExit extends Error {
  override name = "ProcessExit";
  constructor(readonly code: number) {
    super(`process.exit(${code}): the kernel shuts down after this cell`);
  }
}

/** "812 µs", "12.3 ms", "4.56 s" (IPython's %%time style). */
function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The text of a thrown value for the kernel's log: its stack when it has one. */
function describeFault(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** The executor thread's state and its request handling, made once by {@link startExecutor}. */
class ExecutorThread implements MagicHost {
  private readonly channel: ExecutorChannel;
  private readonly runtime: TsRuntime;
  private readonly python: PythonStart;
  private readonly displayApi: DisplayApi;
  /** The notebook's TypeScript language service (its program built lazily, or by the warm-up). */
  private readonly languageService: NotebookLanguageService;
  private readonly introspection: Introspection;
  /** Comms of both languages; TS cells use the global `comms`. */
  private readonly comms: CommRegistry;
  /** The app's `tspy.notebook` comms: variables and type errors on request, variables after each execution. */
  private readonly notebookComm: NotebookCommTarget;
  /** %typecheck: how type errors of TS cells are treated. */
  typecheckMode: TypecheckMode = "warn";
  /** Rejects the running TS cell's `interrupted` promise (an interrupt while it awaits). */
  private rejectInterrupted: ((e: Error) => void) | null = null;
  /** Requests run one at a time in arrival order; interrupts act at once. */
  private chain: Promise<void> = Promise.resolve();
  /** One Int32: 1 while an interrupt is pending for TypeScript code (ExecutorData.interruptFlag). */
  private readonly interruptFlag: Int32Array;
  /** Node's own process.exit, which ends only this thread (cells get the patched one, see ProcessExit). */
  private readonly exitThread = process.exit.bind(process) as (code: number) => never;

  constructor(
    private readonly port: MessagePort,
    data: ExecutorData,
  ) {
    this.channel = new ExecutorChannel(port, data);
    this.interruptFlag = new Int32Array(data.interruptFlag);
    process.exit = ((code?: number | string | null) => {
      const status = Number(code ?? process.exitCode ?? 0) | 0;
      this.channel.post({ kind: "exit_requested", code: status });
      throw new ProcessExit(status);
    }) as typeof process.exit;
    this.channel.installConsole();
    this.channel.installProcessStreams();
    // Cells run under the bridge's terminable guard: an interrupt stops TS code that has no loop check too.
    this.runtime = new TsRuntime(data.cwd, this.interruptFlag, bridge.runTerminable);
    this.runtime.onTermination = () => this.channel.installConsole();
    // Errors thrown by a cell's leftover callbacks must not end the executor (and the notebook's state).
    process.on("uncaughtException", (e) => this.channel.write("stderr", `Uncaught ${util.inspect(e, { colors: false })}\n`));
    process.on("unhandledRejection", (e) => this.channel.write("stderr", `Unhandled promise rejection: ${util.inspect(e, { colors: false })}\n`));

    this.python = PythonSide.start(this.channel, this.runtime.declared);
    const side = this.python.side;
    // The display API of TS cells (globals display, updateDisplay, clearOutput); Python objects render through tspy_display.
    this.displayApi = createDisplay(
      { post: (msgType, content) => this.channel.publish(msgType, content), pythonBundle: (v) => (side && bridge.isPyProxy(v) ? side.mimeBundle(v) : null) },
      side ? { getLivePlot: () => side.livePlot, setLivePlot: (on) => void (side.livePlot = on) } : undefined,
    );
    this.languageService = new NotebookLanguageService(data.cwd);
    this.introspection = new Introspection(this.languageService, side ? { module: side.introspect, isPyProxy: bridge.isPyProxy, tspy: bridge.tspy } : null);
    this.comms = new CommRegistry(
      (msgType, content, attachments) => this.channel.publish(msgType, content, attachments),
      () => (side ? { incoming: (t, c, a) => side.commIncoming(t, c, a), list: () => side.commList() } : null),
      (e) => this.channel.write("stderr", `comm handler failed: ${describeFault(e)}\n`),
    );
    this.notebookComm = new NotebookCommTarget(
      this.comms,
      { variables: () => this.variables(), typeErrors: (code) => (this.collectDeclarations(0), this.languageService.diagnostics(code)) },
      // To the kernel's log, not the cell: the panel's failure is no fault of the cell.
      (e) => void process.stderr.write(`tspy: the tspy.notebook comm failed: ${describeFault(e)}\n`),
    );
    const { display, updateDisplay, clearOutput } = this.displayApi;
    Object.assign(globalThis, { display, updateDisplay, clearOutput, comms: this.comms, input: this.input });
  }

  /** TS cells' global `input(prompt, {password})`: asks the frontend for a line. */
  private readonly input = async (prompt = "", options: { password?: boolean } = {}): Promise<string> => {
    const [status, text] = this.channel.requestInput(String(prompt), Boolean(options.password));
    if (status === "interrupted") throw new KeyboardInterrupt();
    if (status !== "ok") throw new Error("input() was called, but this frontend does not support input requests (allow_stdin is false)");
    return text;
  };

  /** Serves the main thread's messages; tells it the executor is ready, then warms up the type checker. */
  start(): void {
    this.port.on("message", (m: ToExecutor) => this.onMessage(m));
    this.channel.post({ kind: "ready", python: this.python.version, pythonError: this.python.error });
    this.warmUpStep();
  }

  /**
   * While the kernel waits for requests after start-up, builds the language service's program (lib
   * files, Node's typings, the globals) a step at a time: the first TS cell's check, completion or
   * hover then starts warm. Each step is queued like a request, and the next one after whatever
   * arrived meanwhile, so a request waits for one step (one file parsed, or the final build), never
   * for the whole warm-up, and never runs alongside one.
   */
  private warmUpStep(): void {
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            let more = false;
            try {
              more = this.languageService.warmUpStep();
            } catch (e) {
              process.stderr.write(`tspy: warming up the type checker failed: ${describeFault(e)}\n`);
            }
            resolve();
            if (more) this.warmUpStep();
          }),
        ),
    );
  }

  // MagicHost: what line magics act on.
  write(name: "stdout" | "stderr", text: string): void {
    this.channel.write(name, text);
  }
  setTypecheckMode(mode: TypecheckMode): void {
    this.typecheckMode = mode;
    this.languageService.useProfile(typecheckProfile(mode));
  }
  setPythonEnv(name: string, value: string): void {
    this.python.side?.setEnv(name, value);
  }
  pythonExecutable(): string {
    return this.python.side?.executable() ?? "python3";
  }
  packagesChanged(): void {
    this.python.side?.invalidateImportCaches();
  }
  /** The variables of both languages: TS globals declared by cells, then Python's `__main__` names (%who's rows). */
  variables(): VariableInfo[] {
    const g = globalThis as Record<string, unknown>;
    const side = this.python.side;
    const describePython = side ? (v: unknown) => side.describe(v) : null;
    const rows = [...this.runtime.declared].filter((n) => n in g).map((n) => describeTsValue(n, g[n], describePython, bridge.isPyProxy));
    return side ? [...rows, ...side.variables()] : rows;
  }

  /** Adds the Python declarations finished since last time to the language service, waiting up to `waitMs` for pending ones. */
  private collectDeclarations(waitMs: number): void {
    for (const chunks of this.python.side?.takeDeclarations(waitMs) ?? []) this.languageService.addPythonDeclarations(chunks);
  }

  /**
   * Type-checks a TS cell against the notebook's declarations. In "warn" mode the errors are
   * printed on stderr (with cell line numbers) and the cell runs; in "strict" mode they are the
   * cell's error and it does not run.
   */
  private typecheck(code: string, cellName: string): CellOutcome | null {
    if (this.typecheckMode === "off") return null;
    this.collectDeclarations(STUBS_WAIT_MS);
    const found = this.languageService.diagnostics(code);
    if (found.length === 0) return null;
    const lines = found.map((d) => `${cellName}.ts:${d.line}:${d.column} - error TS${d.code}: ${d.message}`);
    if (this.typecheckMode === "strict")
      return { status: "error", error: namedError("TypeScriptError", `${found.length} type error${found.length > 1 ? "s" : ""} (%typecheck strict)`, lines) };
    this.channel.write("stderr", lines.join("\n") + "\n");
    return null;
  }

  /** Runs the line magics at the top of a cell through the LINE_MAGICS table; returns an error outcome when one fails. */
  private async runLineMagics(plan: CellPlan): Promise<CellOutcome | null> {
    for (const magic of plan.lineMagics) {
      const error = await LINE_MAGICS.get(magic.name)!.run(magic.args, this);
      if (error) return { status: "error", error };
    }
    return null;
  }

  /** Runs a TypeScript cell; an interrupt while it awaits rejects it with KeyboardInterrupt. */
  private async runTypeScript(source: string, cellName: string): Promise<CellOutcome> {
    const interrupted = new Promise<never>((_, reject) => (this.rejectInterrupted = reject));
    interrupted.catch(() => undefined);
    try {
      const value = await this.runtime.run(source, cellName, interrupted);
      // Like IPython hiding None: no result for undefined or null (a Python call that returned None, e.g. model.summary()).
      if (value === undefined || value === null) return { status: "ok", result: null };
      return { status: "ok", result: { data: await Promise.race([this.displayApi.mimeBundleAsync(value), interrupted]), metadata: {} } };
    } catch (e) {
      return { status: "error", error: this.runtime.errorContent(e) };
    } finally {
      this.rejectInterrupted = null;
    }
  }

  /** Runs a cell: its magics, then its code in its language, then the after-cell work. */
  private async execute(m: Extract<ToExecutor, { kind: "execute" }>): Promise<CellOutcome> {
    Atomics.store(this.interruptFlag, 0, 0);
    bridge.clearInterrupt();
    const cellName = `cell-${m.executionCount}`;
    let plan: CellPlan;
    try {
      plan = parseCell(m.code);
    } catch (e) {
      const err = e as Error;
      this.notebookComm.publishVariables();
      return { status: "error", error: namedError(err.name, err.message) };
    }
    const started = performance.now();
    let done = await this.runLineMagics(plan);
    if (!done && plan.code.trim() === "") done = { status: "ok", result: null };
    const side = this.python.side;
    if (!done && plan.language === "python") done = side ? side.runCell(plan.code, cellName, m.executionCount) : pythonUnavailable(this.python.error);
    done ??= this.typecheck(plan.code, cellName);
    if (!done) {
      done = await this.runTypeScript(plan.code, cellName);
      if (!(done.status === "error" && done.error.ename === "SyntaxError")) {
        this.languageService.addExecutedCell(plan.code);
        side?.declareModules(plan.code);
      }
    }
    if (plan.time) this.channel.write("stdout", `Wall time: ${formatDuration(performance.now() - started)}\n`);
    if (done.status === "ok" && Object.keys(m.userExpressions).length > 0) done.userExpressions = this.userExpressions(m.userExpressions, plan.language);
    try {
      side?.afterCell();
    } catch (e) {
      this.channel.write("stderr", `tspy: showing figures failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    this.notebookComm.publishVariables();
    return done;
  }

  /**
   * execute_request's user_expressions, evaluated after the cell in the cell's language: each
   * name maps to {status: "ok", data, metadata} or a failed reply's content.
   */
  private userExpressions(expressions: Record<string, string>, language: "typescript" | "python"): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const side = this.python.side;
    for (const [name, expression] of Object.entries(expressions)) {
      try {
        const value = language === "python" && side ? side.eval(expression) : vm.runInThisContext(expression);
        out[name] = { status: "ok", data: this.displayApi.mimeBundle(value), metadata: {} };
      } catch (e) {
        out[name] = errorReply(errorContent(e));
      }
    }
    return out;
  }

  /** is_complete: a line magic is complete; Python code by IPython (after the magic lines); TS by its parser. */
  private isComplete(code: string): Omit<Extract<FromExecutor, { kind: "is_complete_done" }>, "kind" | "id"> {
    if (/^%[^%]/.test(code) && !code.includes("\n")) return { status: "complete" };
    if (cellLanguage(code) !== "python") return typescriptCompleteness(code);
    if (!this.python.side) return { status: "unknown" };
    const body = code.split("\n");
    const [status, indent] = this.python.side.isComplete(body.slice(body.findIndex((l) => /^\s*%%python\s*$/.test(l)) + 1).join("\n"));
    return { status, indent };
  }

  /** A request answered with a reply content (complete, inspect, comm_info) or handled (comm_*). */
  private reply(m: Extract<ToExecutor, { kind: "request" }>): Record<string, unknown> {
    const c = m.content;
    switch (m.msgType) {
      case "complete_request":
        this.collectDeclarations(STUBS_WAIT_INTERACTIVE_MS);
        return this.introspection.complete(String(c.code ?? ""), Number(c.cursor_pos ?? 0));
      case "inspect_request":
        this.collectDeclarations(STUBS_WAIT_INTERACTIVE_MS);
        return this.introspection.inspect(String(c.code ?? ""), Number(c.cursor_pos ?? 0), Number(c.detail_level ?? 0));
      case "comm_info_request":
        return this.comms.info(typeof c.target_name === "string" ? c.target_name : undefined);
      case "comm_open":
      case "comm_msg":
      case "comm_close":
        return this.comms.incoming(m.msgType, c, { metadata: m.metadata, buffers: m.buffers });
      default:
        throw new Error(`the executor has no handler for ${JSON.stringify(m.msgType)}`);
    }
  }

  /**
   * Serves one request; an execute or a request becomes the channel's current context (its output,
   * input requests and comm messages are attributed to it). A fault of the executor itself (not of
   * a cell) is reported on the request.
   */
  private async serve(m: Exclude<ToExecutor, { kind: "interrupt" | "shutdown" | "exit" }>): Promise<void> {
    if (m.kind !== "is_complete") this.channel.current = requestContext(m);
    try {
      if (m.kind === "request") this.channel.post({ kind: "reply", id: m.id, content: this.reply(m) });
      else if (m.kind === "execute") this.channel.post({ kind: "execute_done", id: m.id, ...(await this.execute(m)) });
      else this.channel.post({ kind: "is_complete_done", id: m.id, ...this.isComplete(m.code) });
    } catch (e) {
      const error = errorContent(e, "ExecutorError");
      if (m.kind === "execute") {
        this.notebookComm.publishVariables();
        this.channel.post({ kind: "execute_done", id: m.id, status: "error", error });
      } else if (m.kind === "request") this.channel.post({ kind: "reply", id: m.id, content: errorReply(error) });
      else this.channel.post({ kind: "is_complete_done", id: m.id, status: "unknown" });
    }
  }

  private onMessage(m: ToExecutor): void {
    if (m.kind === "interrupt") return this.rejectInterrupted?.(new KeyboardInterrupt());
    if (m.kind === "exit") return this.exitNow(m.code);
    if (m.kind === "shutdown") {
      this.chain = this.chain.then(() => {
        try {
          this.python.side?.shutdown();
        } catch (e) {
          this.channel.write("stderr", `tspy: Python's exit handlers failed: ${e instanceof Error ? e.message : String(e)}\n`);
        }
        this.channel.post({ kind: "shutdown_done" });
      });
      return;
    }
    this.chain = this.chain.then(() => this.serve(m));
    if (m.kind === "execute") this.settleStep();
  }

  /**
   * Queues, after a cell (and so after its reply), the language service's {@link NotebookLanguageService.settle}:
   * what that cell left for the next check is done then, not while the next cell's reply waits.
   * A request that arrives meanwhile is served after it, as after a warm-up step.
   */
  private settleStep(): void {
    this.chain = this.chain.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            try {
              this.languageService.settle();
            } catch (e) {
              process.stderr.write(`tspy: preparing the type checker for the next cell failed: ${describeFault(e)}\n`);
            }
            resolve();
          }),
        ),
    );
  }

  /** Ends the process with `code` (_exit), after the main thread flushed the sockets. */
  private exitNow(code: number): never {
    try {
      bridge.exitProcess(code);
    } catch {
      // No bridge: the main thread ends the process (Executor.exitProcess).
    }
    return this.exitThread(code);
  }
}

/**
 * Starts the executor on this worker thread: patches the thread's `console`, `process.stdout`/
 * `stderr` and `process.exit` for cells, starts Python, and serves `port`'s messages.
 * @param port the worker's parentPort. @param data the main thread's workerData.
 */
export function startExecutor(port: MessagePort, data: ExecutorData): void {
  new ExecutorThread(port, data).start();
}
