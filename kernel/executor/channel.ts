// The executor thread's side of its channel to the main thread: typed messages posted with a
// barrier, the cells' stdout/stderr (the captured fds), stdin requests, and the request being
// served (a RequestContext). Knows the executor's messages; nothing of Jupyter's wire or of Python.
import { Console } from "node:console";
import * as fs from "node:fs";
import { Writable } from "node:stream";
import type { MessagePort } from "node:worker_threads";
import type { InterpreterIopubType } from "../protocol/interpreter";
import type { CommAttachments } from "./comms";
import type { ExecutorData, FromExecutor } from "./messages";
import { waitForInput } from "./stdin";

/**
 * The request the executor serves: what its output, input requests and comm messages are
 * attributed to. Made when a request starts and passed to what runs it; output that comes later
 * (a cell's leftover timers, Python threads) goes to the last request's context.
 */
export interface RequestContext {
  /** The executor request's id: its events and its answer are paired with it on the main thread. */
  readonly id: number;
  /** The Jupyter header of the request (execute_request, comm_msg, ...) as JSON; "" when none came with it. */
  readonly parentHeader: string;
  /** Whether the frontend accepts input_request (execute_request's allow_stdin; false for other requests). */
  readonly allowStdin: boolean;
}

/** A request's context from the executor message that carries it. */
export function requestContext(m: { id: number; parentHeader?: Record<string, unknown>; allowStdin?: boolean }): RequestContext {
  return { id: m.id, parentHeader: m.parentHeader ? JSON.stringify(m.parentHeader) : "", allowStdin: m.allowStdin ?? false };
}

/** Longest wait of {@link ExecutorChannel.post}'s barrier, in ms. */
const BARRIER_TIMEOUT_MS = 1000;

/** The executor thread's channel to the main thread (see the file comment). */
export class ExecutorChannel {
  private posted = 0;
  private readonly handled: Int32Array;
  /**
   * The captured standard file descriptors (tspy_streams.capture): once set, every write of this
   * thread's streams goes to fd 1 or 2, the pipes Python, C libraries and subprocesses write to,
   * which the main thread reads and batches. Null until Python started (or when it did not):
   * then writes travel as `stream` messages.
   */
  private captured: { stdout: number; stderr: number } | null = null;
  /** The request being served (see {@link RequestContext}); id 0 before the first. */
  current: RequestContext = { id: 0, parentHeader: "", allowStdin: false };

  constructor(
    private readonly port: MessagePort,
    private readonly data: ExecutorData,
  ) {
    this.handled = new Int32Array(data.handled);
  }

  /**
   * Sends a message to the main thread and waits (up to 1 s) until it was handled there: a
   * barrier, so that what this thread writes to the captured fds afterwards is never read, and
   * published, before this message (a display after a print, the next cell's output after a reply).
   * @param transfer ArrayBuffers moved (not copied) to the main thread; detached here afterwards.
   */
  post(m: FromExecutor, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(m, transfer);
    const count = ++this.posted;
    const deadline = performance.now() + BARRIER_TIMEOUT_MS;
    for (let seen = Atomics.load(this.handled, 0); seen < count; seen = Atomics.load(this.handled, 0)) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(this.handled, 0, seen, left);
    }
  }

  /**
   * Publishes an iopub message of the current request (display_data, comm_msg, ...). The buffers'
   * ArrayBuffers are transferred: each must be a view over the whole of its own ArrayBuffer's span
   * that nothing else uses afterwards (the bridge's fresh buffer views and comms.ts's frameCopies are).
   */
  publish(msgType: InterpreterIopubType, content: Record<string, unknown>, attachments: CommAttachments = {}): void {
    const buffers = attachments.buffers ?? [];
    this.post({ kind: "display", id: this.current.id, msgType, content, metadata: attachments.metadata, buffers }, [
      ...new Set(buffers.map((b) => b.buffer as ArrayBuffer)),
    ]);
  }

  /** fds 1 and 2 are the captured pipes from now on (tspy_streams.capture ran). */
  useCapturedFds(): void {
    this.captured = { stdout: 1, stderr: 2 };
  }

  /**
   * Writes a cell's output: to the captured fd (blocking while the pipe is full, so a fast writer
   * is slowed down, never dropped), or as a stream message before capture.
   */
  write(name: "stdout" | "stderr", text: string | Uint8Array): void {
    if (text.length === 0) return;
    if (!this.captured) return this.post({ kind: "stream", id: this.current.id, name, text: typeof text === "string" ? text : Buffer.from(text).toString() });
    const fd = this.captured[name];
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
  }

  /** A Writable over {@link write}, for a cell's `console`. */
  private writer(name: "stdout" | "stderr"): Writable {
    return new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, callback) => {
        this.write(name, chunk);
        callback();
      },
    });
  }

  /** Gives cells a fresh `console` over new stream writers (also after an interrupt terminated code that may have been in the middle of a write). */
  installConsole(): void {
    (globalThis as Record<string, unknown>).console = new Console({ stdout: this.writer("stdout"), stderr: this.writer("stderr"), colorMode: false });
  }

  /** `process.stdout.write`/`process.stderr.write` in a cell are output of the cell, as in a terminal. */
  installProcessStreams(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name] as Writable & { write: (...args: unknown[]) => boolean };
      stream.write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
        this.write(name, typeof chunk === "string" || chunk instanceof Uint8Array ? chunk : String(chunk));
        const cb = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
        if (typeof cb === "function") queueMicrotask(() => (cb as () => void)());
        return true;
      };
    }
  }

  /**
   * Asks the frontend for a line (input_request) for the current request and blocks until it
   * answers; used by Python's input()/getpass and by TS cells' `input()`.
   * @returns [status, text] with status "ok", "interrupted" or "unavailable" (allow_stdin false).
   */
  requestInput(prompt: string, password: boolean): [string, string] {
    const ctx = this.current;
    if (!ctx.allowStdin) return ["unavailable", ""];
    const r = waitForInput(this.data.stdin, () => this.post({ kind: "input_request", id: ctx.id, prompt, password }));
    return r.status === "ok" ? ["ok", r.text] : [r.status, ""];
  }
}
