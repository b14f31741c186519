// The main thread's handle on the executor worker: starts it, sends requests, routes the
// worker's events back to the request that caused them, and delivers interrupts.
import * as path from "node:path";
import { SHARE_ENV, Worker } from "node:worker_threads";
import type { ErrorContent, ExecutorData, ExecutorIopubType, ExecutorRequestType, FromExecutor, MimeBundle, ToExecutor } from "./messages";
import { answerInput, createStdinBuffer, interruptInput } from "./stdin";

/** Output events of a running request, published by the caller on iopub. */
export interface ExecutionEvents {
  stream(name: "stdout" | "stderr", text: string): void;
  /** display_data, update_display_data, clear_output and comm messages. */
  display(msgType: ExecutorIopubType, content: Record<string, unknown>): void;
  /** The cell asks the frontend for a line (stdin input_request); answer with {@link Executor.provideInput}. */
  inputRequest?(prompt: string, password: boolean): void;
}

/** How a cell ended. */
export type ExecutionOutcome =
  | { status: "ok"; result: { data: MimeBundle; metadata: Record<string, unknown> } | null; userExpressions: Record<string, unknown> }
  | { status: "error"; error: ErrorContent };

/** Called on the main thread to interrupt Python code running on the executor (bridge.interrupt). */
export type PythonInterrupter = () => void;

/**
 * Runs the executor worker (kernel/executor/worker.ts) and talks to it with typed messages.
 * Requests are answered in order; events of a request arrive before its answer, because the
 * worker posts them on the same port.
 */
export class Executor {
  private readonly worker: Worker;
  private readonly interruptFlag = new SharedArrayBuffer(4);
  private readonly stdin = createStdinBuffer();
  private readonly pending = new Map<number, { events?: ExecutionEvents; resolve: (m: FromExecutor) => void }>();
  private nextId = 1;
  /** The id of the request whose output the worker is producing (late output goes to it). */
  private lastEvents: ExecutionEvents | undefined;
  private running = 0;
  private exited: string | null = null;
  /** Resolves when the worker has started (Python loaded or failed to). */
  readonly ready: Promise<Extract<FromExecutor, { kind: "ready" }>>;

  /**
   * @param cwd the notebook's folder.
   * @param interruptPython interrupts Python code on the executor thread; may be a no-op when the bridge is unavailable.
   */
  constructor(
    cwd: string,
    private readonly interruptPython: PythonInterrupter,
  ) {
    const data: ExecutorData = { interruptFlag: this.interruptFlag, cwd, stdin: this.stdin };
    // SHARE_ENV: %env in a cell changes the process's environment, as a user expects.
    this.worker = new Worker(path.join(__dirname, "worker.js"), { workerData: data, stdout: false, stderr: false, env: SHARE_ENV });
    let readyResolve: (m: Extract<FromExecutor, { kind: "ready" }>) => void;
    this.ready = new Promise((r) => (readyResolve = r));
    this.worker.on("message", (m: FromExecutor) => {
      if (m.kind === "ready") return readyResolve(m);
      if (m.kind === "input_request") {
        const target = this.pending.get(m.id)?.events ?? this.lastEvents;
        if (target?.inputRequest) target.inputRequest(m.prompt, m.password);
        else this.provideInput("");
        return;
      }
      if (m.kind === "stream" || m.kind === "display") {
        const target = this.pending.get(m.id)?.events ?? this.lastEvents;
        if (m.kind === "stream") target?.stream(m.name, m.text);
        else target?.display(m.msgType, m.content);
        return;
      }
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m);
    });
    const fail = (why: string) => {
      this.exited = why;
      readyResolve({ kind: "ready", python: null, pythonError: why });
      for (const [id, p] of this.pending) {
        p.resolve({
          kind: "execute_done",
          id,
          status: "error",
          error: { ename: "ExecutorDied", evalue: why, traceback: [why, "Restart the kernel to continue."] },
        });
      }
      this.pending.clear();
    };
    this.worker.on("error", (e) => fail(`the executor thread failed: ${e.stack ?? e.message}`));
    this.worker.on("exit", (code) => fail(`the executor thread exited with code ${code}`));
  }

  private request(m: ToExecutor & { id: number }, events?: ExecutionEvents): Promise<FromExecutor> {
    if (this.exited)
      return Promise.resolve({
        kind: "execute_done",
        id: m.id,
        status: "error",
        error: { ename: "ExecutorDied", evalue: this.exited, traceback: [this.exited, "Restart the kernel to continue."] },
      });
    return new Promise((resolve) => {
      this.pending.set(m.id, { events, resolve });
      this.worker.postMessage(m);
    });
  }

  /**
   * Runs a cell (TypeScript, or Python when its first line is `%%python`).
   * @param executionCount the cell's execution count (names the cell in tracebacks).
   * @param events receives the cell's stream and display output as it happens.
   * @param parentHeader the execute_request's header (Python's `comm.kernel.get_parent()` during the cell).
   * @returns how the cell ended; never rejects.
   */
  async execute(
    code: string,
    executionCount: number,
    silent: boolean,
    allowStdin: boolean,
    events: ExecutionEvents,
    userExpressions: Record<string, string> = {},
    parentHeader?: Record<string, unknown>,
  ): Promise<ExecutionOutcome> {
    const id = this.nextId++;
    this.lastEvents = events;
    this.running++;
    try {
      const m = await this.request({ kind: "execute", id, code, executionCount, silent, allowStdin, userExpressions, parentHeader }, events);
      if (m.kind !== "execute_done") throw new Error(`unexpected executor answer ${m.kind}`);
      return m.status === "ok" ? { status: "ok", result: m.result, userExpressions: m.userExpressions ?? {} } : { status: "error", error: m.error };
    } finally {
      this.running--;
    }
  }

  /** is_complete_request for a cell: TypeScript by its parser, Python by codeop. */
  async isComplete(code: string): Promise<{ status: string; indent?: string }> {
    const m = await this.request({ kind: "is_complete", id: this.nextId++, code });
    return m.kind === "is_complete_done" ? { status: m.status, ...(m.indent !== undefined ? { indent: m.indent } : {}) } : { status: "unknown" };
  }

  /**
   * A request the language side answers with a reply content (complete, inspect, comm_info) or
   * handles (comm_open/comm_msg/comm_close from the frontend, whose output goes to `events`).
   * @param parentHeader the request's header (Python's `comm.kernel.get_parent()` while it is handled).
   * @returns the reply content; never rejects.
   */
  async ask(
    msgType: ExecutorRequestType,
    content: Record<string, unknown>,
    events?: ExecutionEvents,
    parentHeader?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const m = await this.request({ kind: "request", id: this.nextId++, msgType, content, parentHeader }, events);
    if (m.kind === "reply") return m.content;
    if (m.kind === "execute_done" && m.status === "error") return { status: "error", ...m.error };
    return { status: "error", ename: "ExecutorError", evalue: `unexpected executor answer ${m.kind}`, traceback: [] };
  }

  /** Hands the frontend's input_reply to the cell waiting for it. */
  provideInput(text: string): void {
    answerInput(this.stdin, text);
  }

  /** Whether a cell is running now. */
  get busy(): boolean {
    return this.running > 0;
  }

  /**
   * Interrupts the running cell: TypeScript loops see the shared flag at their next iteration,
   * an awaiting cell is rejected, Python raises KeyboardInterrupt at its next bytecode.
   * Does nothing when no cell runs, so a stale interrupt never hits the next cell.
   */
  interrupt(): void {
    if (!this.busy) return;
    Atomics.store(new Int32Array(this.interruptFlag), 0, 1);
    interruptInput(this.stdin);
    this.worker.postMessage({ kind: "interrupt" } satisfies ToExecutor);
    this.interruptPython();
  }
}
