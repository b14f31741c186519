// The typed messages between the kernel's main thread (sockets, protocol) and the executor
// worker thread (user code). Plain data only: they cross `postMessage`.

/** A MIME bundle: MIME type -> data (strings, or JSON for +json types). */
export type MimeBundle = Record<string, unknown>;

/** An error as the messaging spec's `error` content carries it. */
export interface ErrorContent {
  ename: string;
  evalue: string;
  /** Lines of the traceback, plain text (no ANSI colour codes). */
  traceback: string[];
}

/** Main thread -> executor. `id` pairs a request with its events and its reply. */
export type ToExecutor =
  | { kind: "execute"; id: number; code: string; executionCount: number; silent: boolean }
  | { kind: "is_complete"; id: number; code: string }
  | { kind: "interrupt" };

/** Executor -> main thread. Events of request `id` arrive before its `*_done`. */
export type FromExecutor =
  | { kind: "ready"; python: string | null; pythonError: string | null }
  | { kind: "stream"; id: number; name: "stdout" | "stderr"; text: string }
  | { kind: "display"; id: number; msgType: "display_data" | "update_display_data" | "clear_output"; content: Record<string, unknown> }
  | { kind: "execute_done"; id: number; status: "ok"; result: { data: MimeBundle; metadata: Record<string, unknown> } | null }
  | { kind: "execute_done"; id: number; status: "error"; error: ErrorContent }
  | { kind: "is_complete_done"; id: number; status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string };

/** Data the main thread hands the worker at start (`workerData`). */
export interface ExecutorData {
  /** One Int32 cell: 1 while an interrupt is pending for TypeScript code (read with Atomics). */
  interruptFlag: SharedArrayBuffer;
  /** The notebook's working directory, where `import` resolves packages first. */
  cwd: string;
}
