// The typed messages between the kernel's main thread (sockets, protocol) and the executor
// worker thread (user code). Plain data only: they cross `postMessage`.

import type { ErrorContent, InterpreterIopubType, MimeBundle } from "../protocol/interpreter";

export type { ErrorContent, MimeBundle };

/** Requests the executor answers with a reply content built by the language side (xeus' *_impl). */
export type ExecutorRequestType = "complete_request" | "inspect_request" | "comm_info_request" | "comm_open" | "comm_msg" | "comm_close";

/**
 * Main thread -> executor. `id` pairs a request with its events and its reply; `parentHeader` is the
 * header of the Jupyter request being served (what Python's `comm.kernel.get_parent()` gives ipywidgets).
 */
export type ToExecutor =
  | {
      kind: "execute";
      id: number;
      code: string;
      executionCount: number;
      silent: boolean;
      allowStdin: boolean;
      userExpressions: Record<string, string>;
      parentHeader?: Record<string, unknown>;
    }
  | { kind: "is_complete"; id: number; code: string }
  | {
      kind: "request";
      id: number;
      msgType: ExecutorRequestType;
      content: Record<string, unknown>;
      parentHeader?: Record<string, unknown>;
      /** A comm message's message-level metadata. */
      metadata?: Record<string, unknown>;
      /** A comm message's binary buffers (copied once from the wire's frames, then transferred); TS comm handlers get them as DataViews, Python as memoryviews. */
      buffers?: Uint8Array[];
    }
  | { kind: "interrupt" }
  /** Run Python's exit work (atexit, close files: tspy_streams.shutdown), then answer `shutdown_done`. */
  | { kind: "shutdown" }
  /** End the process now with this status (after `shutdown_done`, once the sockets are flushed). */
  | { kind: "exit"; code: number };

/** iopub messages the executor produces while it works (the main thread adds headers and parent). */
export type ExecutorIopubType = InterpreterIopubType;

/** How a cell (or a step of it: its magics, its type check) ended, as the executor reports it. */
export type CellOutcome =
  | {
      status: "ok";
      result: { data: MimeBundle; metadata: Record<string, unknown> } | null;
      userExpressions?: Record<string, unknown>;
    }
  | { status: "error"; error: ErrorContent };

/** Executor -> main thread. Events of request `id` arrive before its `*_done`. */
export type FromExecutor =
  | { kind: "ready"; python: string | null; pythonError: string | null }
  /** fds 1 and 2 are now pipes (tspy_streams.capture): their read ends, and copies of the original fds 1 and 2 for the kernel's log. */
  | { kind: "captured"; stdout: number; stderr: number; savedStdout: number; savedStderr: number }
  /** A cell called `process.exit(code)`: the kernel shuts down with that status. */
  | { kind: "exit_requested"; code: number }
  | { kind: "shutdown_done" }
  | { kind: "stream"; id: number; name: "stdout" | "stderr"; text: string }
  | {
      kind: "display";
      id: number;
      msgType: ExecutorIopubType;
      content: Record<string, unknown>;
      /** A comm message's message-level metadata (ipywidgets' protocol version). */
      metadata?: Record<string, unknown>;
      /**
       * A comm message's binary buffers, their ArrayBuffers transferred: a Python `bytes` object's own
       * memory (no copy), or a TS comm's copies of what it sent (comms.ts frameCopies).
       */
      buffers?: Uint8Array[];
    }
  | { kind: "input_request"; id: number; prompt: string; password: boolean }
  | { kind: "reply"; id: number; content: Record<string, unknown> }
  | ({ kind: "execute_done"; id: number } & CellOutcome)
  | { kind: "is_complete_done"; id: number; status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string };

/** Data the main thread hands the worker at start (`workerData`). */
export interface ExecutorData {
  /** One Int32 cell: 1 while an interrupt is pending for TypeScript code (read with Atomics). */
  interruptFlag: SharedArrayBuffer;
  /**
   * One Int32 cell: how many executor messages the main thread has handled. The executor waits
   * for its count after each message (a barrier), so that output it writes to the captured fds
   * afterwards can never be read, and published, before that message (a display, a reply).
   */
  handled: SharedArrayBuffer;
  /** The notebook's working directory, where `import` resolves packages first. */
  cwd: string;
  /** The stdin handoff: see {@link STDIN_LAYOUT}. */
  stdin: SharedArrayBuffer;
}

/**
 * Layout of ExecutorData.stdin: Int32 [0] = state (see the STDIN_* values), Int32 [1] = byte
 * length of the answer, bytes from offset 8 = the answer in UTF-8. The executor waits on [0]
 * with Atomics.wait while the main thread gets an input_reply; the main thread writes and notifies.
 */
export const STDIN_LAYOUT = { capacity: 1 << 20, header: 8 } as const;
/** Waiting for the frontend. */
export const STDIN_WAITING = 0;
/** The answer is in the buffer. */
export const STDIN_ANSWERED = 1;
/** The user interrupted while the executor waited. */
export const STDIN_INTERRUPTED = 2;
