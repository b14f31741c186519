// The app's side of the `tspy.notebook` comm (Jupyter messaging spec, "Custom Messages"): one comm
// per kernel connection, opened by the app, over which it asks the kernel for the variables of
// both languages and for a TypeScript cell's type errors, and hears the variables after each
// execution. Knows the comm's message shapes, not React or Monaco.
import type { Kernel } from "@jupyterlab/services";

/** The comm's target name, registered by the kernel's executor. */
export const NOTEBOOK_COMM_TARGET = "tspy.notebook";

/** One variable of either language, as the variables panel lists it. */
export interface VariableRow {
  name: string;
  language: "TypeScript" | "Python";
  /** Type name: `number`, `Float32Array`, `ndarray`, `Sequential`, ... */
  type: string;
  /** Shape in elements, e.g. "(1797, 64)"; "" when the value has none. */
  shape: string;
  /** dtype (numpy/TypedArray element type); "" when none. */
  dtype: string;
  /** Size in bytes of the value's data where known (buffers, arrays), else null. */
  size: number | null;
}

/** A type error of a TypeScript cell; lines and columns are 1-based, columns in UTF-16 code units (as Monaco counts). */
export interface Diagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** TypeScript's error number (2322, ...). */
  code: number;
  message: string;
  severity: "error" | "warning";
}

/**
 * Messages of the comm. The app sends requests `{request, id, ...}`; the kernel answers each
 * with a comm_msg `{reply, id, ...}` (same id), and after every execute_request it publishes
 * `{event: "variables", variables}` on every open `tspy.notebook` comm.
 * - `{request: "variables", id}` -> `{reply: "variables", id, variables: VariableRow[]}`
 * - `{request: "diagnostics", id, code}` -> `{reply: "diagnostics", id, diagnostics: Diagnostic[]}`
 *   (`code` is a whole cell; a `%%python` cell has no diagnostics)
 * - a request the kernel cannot serve -> `{reply: "error", id, message}`
 */
export type NotebookCommRequest = { request: "variables"; id: string } | { request: "diagnostics"; id: string; code: string };

/** What the kernel sends on the comm (see {@link NotebookCommRequest}). */
export type NotebookCommMessage =
  | { reply: "variables"; id: string; variables: VariableRow[] }
  | { reply: "diagnostics"; id: string; diagnostics: Diagnostic[] }
  | { reply: "error"; id: string; message: string }
  | { event: "variables"; variables: VariableRow[] };

/**
 * The app's end of one `tspy.notebook` comm on one kernel connection. Requests resolve with the
 * kernel's reply; they reject when the kernel answers with an error, when the comm closes, or
 * after `timeoutMs` (the kernel answers between cells: a long-running cell delays the reply).
 */
export class NotebookComm {
  private readonly comm: Kernel.IComm;
  private readonly pending = new Map<string, { resolve: (m: NotebookCommMessage) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly variableListeners = new Set<(rows: VariableRow[]) => void>();
  private nextId = 0;
  private closed = false;

  /**
   * Opens the comm on `kernel` (comm_open to {@link NOTEBOOK_COMM_TARGET}).
   * @param kernel a kernel connection from @jupyterlab/services.
   * @param timeoutMs how long a request waits for its reply, ms.
   */
  constructor(
    kernel: Kernel.IKernelConnection,
    private readonly timeoutMs = 30_000,
  ) {
    this.comm = kernel.createComm(NOTEBOOK_COMM_TARGET);
    this.comm.onMsg = (msg) => this.receive(msg.content.data as unknown as NotebookCommMessage);
    this.comm.onClose = () => this.fail(new Error("the tspy.notebook comm was closed"));
    this.comm.open({});
  }

  /** The variables of both languages now. @throws Error (rejects) as described on the class. */
  async variables(): Promise<VariableRow[]> {
    const m = await this.request({ request: "variables" });
    return "reply" in m && m.reply === "variables" ? m.variables : [];
  }

  /** The type errors of a TypeScript cell's source against the notebook's state. @throws Error (rejects) as described on the class. */
  async diagnostics(code: string): Promise<Diagnostic[]> {
    const m = await this.request({ request: "diagnostics", code });
    return "reply" in m && m.reply === "diagnostics" ? m.diagnostics : [];
  }

  /**
   * Calls `listener` with the variables the kernel publishes after each execution.
   * @returns a function that removes the listener.
   */
  onVariables(listener: (rows: VariableRow[]) => void): () => void {
    this.variableListeners.add(listener);
    return () => this.variableListeners.delete(listener);
  }

  /** Closes the comm; pending requests reject. */
  dispose(): void {
    if (this.closed) return;
    try {
      if (!this.comm.isDisposed) this.comm.close();
    } catch {
      // the kernel connection is already gone
    }
    this.fail(new Error("the tspy.notebook comm was closed"));
  }

  private request(body: { request: "variables" } | { request: "diagnostics"; code: string }): Promise<NotebookCommMessage> {
    if (this.closed) return Promise.reject(new Error("the tspy.notebook comm is closed"));
    this.nextId += 1;
    const id = String(this.nextId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the kernel did not answer ${body.request} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.comm.send({ ...body, id } as NotebookCommRequest as never);
      } catch (e) {
        // The comm was disposed under us (a kernel restart disposes every comm).
        clearTimeout(timer);
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private receive(m: NotebookCommMessage): void {
    if ("event" in m) {
      if (m.event === "variables") for (const l of this.variableListeners) l(m.variables);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.reply === "error") p.reject(new Error(m.message));
    else p.resolve(m);
  }

  private fail(e: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}
