// The app's side of the `tspy.notebook` comm (Jupyter messaging spec, "Custom Messages"): one comm
// per kernel connection, opened by the app, over which it asks the kernel for the variables of
// both languages and for a TypeScript cell's type errors, and hears the variables after each
// execution. The message shapes are kernel/contracts/notebook-comm.ts; knows nothing of React or Monaco.
import type { Kernel } from "@jupyterlab/services";
import {
  NOTEBOOK_COMM_TARGET,
  type Diagnostic,
  type NotebookCommMessage,
  type NotebookCommRequest,
  type VariableRow,
} from "../../kernel/contracts/notebook-comm";

export { NOTEBOOK_COMM_TARGET } from "../../kernel/contracts/notebook-comm";
export type { Diagnostic, NotebookCommMessage, NotebookCommRequest, VariableRow } from "../../kernel/contracts/notebook-comm";

/** `Omit` applied to each member of a union (a request without its id). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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

  /**
   * The type errors of a TypeScript cell's source against the notebook's state.
   * @param code the whole cell.
   * @param unrunCellsAbove the sources of the TypeScript cells above it that have not run since their
   *   last edit, in notebook order: a name one of them declares is reported as `info`, not an error
   *   (see the contract's NotebookCommRequest). Left out: checked against the cells that ran only.
   * @throws Error (rejects) as described on the class.
   */
  async diagnostics(code: string, unrunCellsAbove?: string[]): Promise<Diagnostic[]> {
    const m = await this.request(unrunCellsAbove ? { request: "diagnostics", code, unrunCellsAbove } : { request: "diagnostics", code });
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

  private request(body: DistributiveOmit<NotebookCommRequest, "id">): Promise<NotebookCommMessage> {
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
