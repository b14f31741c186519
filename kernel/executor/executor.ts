// The main thread's handle on the executor worker: starts it, sends requests, routes the
// worker's events back to the request that caused them, and delivers interrupts.
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import { SHARE_ENV, Worker } from "node:worker_threads";
import { errorReply, namedError } from "../protocol/error-content";
import type { ExecutionEvents, ExecutionOutcome, MessageAttachments } from "../protocol/interpreter";
import type { ExecutorData, ExecutorRequestType, FromExecutor, ToExecutor } from "./messages";
import { StreamBatcher, type StreamTarget } from "./output";
import { answerInput, createStdinBuffer, interruptInput } from "./stdin";

export type { ExecutionEvents, ExecutionOutcome };

/** Called on the main thread to interrupt Python code running on the executor (bridge.interrupt). */
export type PythonInterrupter = () => void;

/** Called on the main thread to terminate the TS code the executor runs (bridge.requestTermination). */
export type TsTerminator = () => void;

/** How long an interrupt waits for the cell's own loop checks before terminating its TS code, in ms. */
export const TERMINATE_AFTER_MS = 300;
/** Between two termination requests while the interrupted cell still runs, in ms. */
const TERMINATE_RETRY_MS = 200;

/**
 * How much V8 lets a heap grow past its live size before the next full collection, in percent
 * (V8's `--heap-growing-percent`; its default picks a factor up to 4× from GC and mutator speed).
 * Every type-checked cell leaves a program and a checker (~0.5 MB) that live just long enough to be
 * promoted to the old generation; with V8's factor 600 trivial cells grew the executor's heap from
 * ~110 to ~330 MB (84 MB live) and the kernel's RSS from ~270 to ~560 MB. With 30 % the heap
 * peaked at ~160 MB over 800 checks in-process, at the same speed (bench/README.md).
 */
const HEAP_GROWING_PERCENT = 30;

/**
 * Runs the executor worker (kernel/executor/worker.ts) and talks to it with typed messages.
 * Requests are answered in order; events of a request arrive before its answer, because the
 * worker posts them on the same port.
 */
export class Executor {
  private readonly worker: Worker;
  private readonly interruptFlag = new SharedArrayBuffer(4);
  private readonly stdin = createStdinBuffer();
  /** ExecutorData.handled: counts the executor's messages handled here. */
  private readonly handled = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, { events?: ExecutionEvents; resolve: (m: FromExecutor) => void }>();
  private nextId = 1;
  /** The id of the request whose output the worker is producing (late output goes to it). */
  private lastEvents: ExecutionEvents | undefined;
  private running = 0;
  private exited: string | null = null;
  /** Stream output of every request, batched (kernel/executor/output.ts). */
  private readonly output = new StreamBatcher();
  /** The status a cell asked for with `process.exit(code)`, until the kernel acts on it. */
  private exitRequested: number | null = null;
  private onShutdownDone: (() => void) | null = null;
  /** The executor's V8 old-generation limit in MiB (TSPY_MAX_HEAP_MB), or undefined for V8's default. */
  private readonly heapLimitMb: number | undefined;
  /** Called once when the executor thread died (out of memory, a fatal error): the kernel cannot go on. */
  onDeath: ((why: string) => void) | null = null;
  /** Resolves when the worker has started (Python loaded or failed to). */
  readonly ready: Promise<Extract<FromExecutor, { kind: "ready" }>>;

  /** The pending termination request of an interrupt (see {@link interrupt}). */
  private terminationTimer: NodeJS.Timeout | null = null;

  /**
   * @param cwd the notebook's folder.
   * @param interruptPython interrupts Python code on the executor thread; may be a no-op when the bridge is unavailable.
   * @param terminateTs asks the executor to terminate the TS code it runs (V8 TerminateExecution); none: only loop checks stop TS.
   */
  constructor(
    cwd: string,
    private readonly interruptPython: PythonInterrupter,
    private readonly terminateTs: TsTerminator | null = null,
  ) {
    const data: ExecutorData = { interruptFlag: this.interruptFlag, cwd, stdin: this.stdin, handled: this.handled.buffer as SharedArrayBuffer };
    // SHARE_ENV: %env in a cell changes the process's environment, as a user expects.
    this.heapLimitMb = heapLimitMb();
    // V8 reads it at each full collection, for every isolate of the process (the worker's too).
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    this.worker = new Worker(path.join(__dirname, "worker-entry.js"), {
      workerData: data,
      stdout: false,
      stderr: false,
      env: SHARE_ENV,
      // With a limit, V8 running out of heap ends the worker with ERR_WORKER_OUT_OF_MEMORY instead of the process.
      ...(this.heapLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb } } : {}),
    });
    let readyResolve: (m: Extract<FromExecutor, { kind: "ready" }>) => void;
    this.ready = new Promise((r) => (readyResolve = r));
    this.worker.on("message", (m: FromExecutor) => {
      try {
        this.onWorkerMessage(m, readyResolve);
      } finally {
        Atomics.add(this.handled, 0, 1);
        Atomics.notify(this.handled, 0);
      }
    });
    const fail = (why: string, ename: string) => {
      if (this.exited) return;
      this.exited = why;
      this.output.drain(this.streamTarget());
      readyResolve({ kind: "ready", python: null, pythonError: why });
      for (const [id, p] of this.pending) {
        p.resolve({ kind: "execute_done", id, status: "error", error: namedError(ename, why) });
      }
      this.pending.clear();
      this.onDeath?.(why);
    };
    this.worker.on("error", (e) => {
      const oom = (e as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
      fail(
        oom
          ? `the TypeScript heap is full: the executor's V8 heap reached its limit of ${this.heapLimitMb ?? Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20)} MiB (TSPY_MAX_HEAP_MB sets it). The kernel exits so that the frontend restarts it; the variables of both languages are lost.`
          : `the executor thread failed: ${e.stack ?? e.message}`,
        oom ? "OutOfMemoryError" : "ExecutorDied",
      );
    });
    this.worker.on("exit", (code) => fail(`the executor thread exited with code ${code}`, "ExecutorDied"));
  }

  /** Routes one executor message; runs before the executor is told it was handled. */
  private onWorkerMessage(m: FromExecutor, readyResolve: (m: Extract<FromExecutor, { kind: "ready" }>) => void): void {
    if (m.kind === "ready") return readyResolve(m);
    if (m.kind === "captured") return this.captured(m);
    if (m.kind === "shutdown_done") return this.onShutdownDone?.();
    if (m.kind === "exit_requested") return void (this.exitRequested = m.code);
    // Text written before this event (to the captured fds) is published before it.
    this.output.drain(this.streamTarget());
    if (m.kind === "stream") return this.output.append(this.pending.get(m.id)?.events ?? this.streamTarget(), m.name, m.text);
    this.output.flush();
    if (m.kind === "input_request") {
      const target = this.pending.get(m.id)?.events ?? this.lastEvents;
      if (target?.inputRequest) target.inputRequest(m.prompt, m.password);
      else this.provideInput("");
      return;
    }
    if (m.kind === "display") {
      const target = this.pending.get(m.id)?.events ?? this.lastEvents;
      // Buffer views over the transferred memory: the bytes reach the ZeroMQ frames without a copy.
      const buffers = (m.buffers ?? []).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      target?.display(m.msgType, m.content, m.metadata || buffers.length ? { metadata: m.metadata, buffers } : undefined);
      return;
    }
    const p = this.pending.get(m.id);
    this.output.finish(p?.events);
    this.pending.delete(m.id);
    p?.resolve(m);
  }

  /** The request whose output the worker produces now: the oldest unanswered one with events, else the last cell. */
  private streamTarget(): StreamTarget | undefined {
    for (const p of this.pending.values()) if (p.events) return p.events;
    return this.lastEvents;
  }

  /** fds 1 and 2 are pipes now: read them, and write the kernel's own log to the original stderr. */
  private captured(m: Extract<FromExecutor, { kind: "captured" }>): void {
    for (const [fd, name] of [
      [m.stdout, "stdout"],
      [m.stderr, "stderr"],
    ] as const)
      this.output.attach(fd, name, () => this.streamTarget());
    redirectLog(process.stdout, m.savedStdout);
    redirectLog(process.stderr, m.savedStderr);
  }

  /** Posts `m` (moving the `transfer` ArrayBuffers to the executor) and resolves with its answer; never rejects. */
  private request(m: ToExecutor & { id: number }, events?: ExecutionEvents, transfer: ArrayBuffer[] = []): Promise<FromExecutor> {
    if (this.exited)
      return Promise.resolve({
        kind: "execute_done",
        id: m.id,
        status: "error",
        error: namedError("ExecutorDied", this.exited, [this.exited, "Restart the kernel to continue."]),
      });
    return new Promise((resolve) => {
      this.pending.set(m.id, { events, resolve });
      this.worker.postMessage(m, transfer);
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
      const exitCode = this.exitRequested ?? undefined;
      if (exitCode !== undefined) return { status: "ok", result: null, userExpressions: {}, exitCode };
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
   * @param attachments a comm message's metadata and binary buffers (copied once to the executor thread).
   * @returns the reply content; never rejects.
   */
  async ask(
    msgType: ExecutorRequestType,
    content: Record<string, unknown>,
    events?: ExecutionEvents,
    parentHeader?: Record<string, unknown>,
    attachments: MessageAttachments = {},
  ): Promise<Record<string, unknown>> {
    // One copy each into memory of its own, which is transferred (a frame's Buffer may share a pool).
    const buffers = attachments.buffers?.map((b) => new Uint8Array(b));
    const m = await this.request(
      { kind: "request", id: this.nextId++, msgType, content, parentHeader, metadata: attachments.metadata, buffers },
      events,
      buffers?.map((b) => b.buffer),
    );
    if (m.kind === "reply") return m.content;
    if (m.kind === "execute_done" && m.status === "error") return errorReply(m.error);
    return errorReply(namedError("ExecutorError", `unexpected executor answer ${m.kind}`, []));
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
   * an awaiting cell is rejected, Python raises KeyboardInterrupt at its next bytecode. When the
   * flag is still not taken after {@link TERMINATE_AFTER_MS} (TS code without a loop check: a
   * callback in `forEach`, a regular expression, a recursion), the executor is asked to terminate
   * the TS code it runs, again every few hundred ms while the cell runs and the flag is not taken.
   * Does nothing when no cell runs, so a stale interrupt never hits the next cell.
   */
  interrupt(): void {
    if (!this.busy) return;
    const flag = new Int32Array(this.interruptFlag);
    Atomics.store(flag, 0, 1);
    interruptInput(this.stdin);
    this.worker.postMessage({ kind: "interrupt" } satisfies ToExecutor);
    this.interruptPython();
    if (!this.terminateTs || this.terminationTimer) return;
    const terminate = this.terminateTs;
    const tick = (): void => {
      this.terminationTimer = null;
      // The cell stopped, or its loop check (or the termination) took the interrupt.
      if (!this.busy || this.exited || Atomics.load(flag, 0) === 0) return;
      terminate();
      this.terminationTimer = setTimeout(tick, TERMINATE_RETRY_MS).unref();
    };
    this.terminationTimer = setTimeout(tick, TERMINATE_AFTER_MS).unref();
  }

  /**
   * Python's exit work on the executor (atexit handlers, open files flushed and closed:
   * tspy_streams.shutdown), after interrupting a running cell; then every output is published.
   * @param timeoutMs how long to wait for the executor, in ms; a wedged executor is given up on.
   * @returns whether the executor finished its exit work in time.
   */
  async shutdown(timeoutMs = 10_000): Promise<boolean> {
    if (this.exited) return false;
    this.interrupt();
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.onShutdownDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.worker.postMessage({ kind: "shutdown" } satisfies ToExecutor);
    });
    this.output.drain(this.streamTarget());
    this.output.finish(this.streamTarget());
    return done;
  }

  /**
   * Ends the process with `code` at once (_exit: bridge.exitProcess), from the executor thread
   * when it answers, else from this thread. Call after {@link shutdown} and after the sockets
   * were flushed. Never returns.
   */
  exitProcess(code: number): void {
    if (!this.exited) this.worker.postMessage({ kind: "exit", code } satisfies ToExecutor);
    // The executor may be wedged in C code: end the process from here if it has not after 2 s.
    setTimeout(() => hardExit(code), this.exited ? 0 : 2000);
  }
}

/**
 * The executor's V8 heap limit from TSPY_MAX_HEAP_MB (MiB), or undefined for V8's default.
 * @throws Error when the variable is set and not a positive number.
 */
function heapLimitMb(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.TSPY_MAX_HEAP_MB;
  if (raw === undefined || raw === "") return undefined;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`TSPY_MAX_HEAP_MB must be a number of MiB > 0, not ${JSON.stringify(raw)}`);
  return mb;
}

/** Makes a stream of this thread write to `fd` synchronously (the kernel's log, once fds 1 and 2 are the cells' pipes). */
function redirectLog(stream: NodeJS.WriteStream, fd: number): void {
  stream.write = ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    try {
      fs.writeSync(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    } catch {
      // The log's reader went away (a closed terminal): the kernel goes on without its log.
    }
    const cb = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
    if (typeof cb === "function") queueMicrotask(() => (cb as () => void)());
    return true;
  }) as typeof stream.write;
}

/** Ends the process now with `code` (bridge.exitProcess: _exit), or through process.exit when the bridge cannot load. */
export function hardExit(code: number): never {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("../../bridge/lib/index") as typeof import("../../bridge/lib/index")).exitProcess(code);
  } catch {
    // No bridge (no Python configured): nothing of Python can crash at exit.
  }
  process.exit(code);
}
