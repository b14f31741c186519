// The kernel's end of the `tspy.notebook` comm (the message contract is kernel/contracts/notebook-comm.ts,
// the app's end frontend/src/notebook-comm.ts): answers variables/diagnostics requests and pushes the variables
// after each execution. Gets rows and type errors from its sources; knows nothing of sockets.
import type { Comm, CommRegistry } from "./comms";
import type { TsDiagnostic } from "./language-service";
import { parseCell, type VariableInfo } from "./magics";
import { NOTEBOOK_COMM_TARGET } from "../contracts/notebook-comm";
import { markUnrunNames, unrunCellNames } from "./unrun-cells";

/** Where the comm's answers come from (the executor's state). */
export interface NotebookCommSources {
  /** The variables of both languages now, as %who lists them (Python shapes `3x4`). */
  variables(): VariableInfo[];
  /**
   * Type errors of TypeScript code whose magic lines are already blanked (same line count).
   * @throws whatever the language service throws; the comm answers with an error reply.
   */
  typeErrors(code: string): TsDiagnostic[];
}

/**
 * A variable's shape as the panel shows it: a Python object's (a numpy array's, a tensor's) as a
 * Python tuple, `3x4` -> `(3, 4)` and `10` -> `(10,)`; a TypeScript value's length as it is (`10`).
 * @param row a row of {@link NotebookCommSources.variables}.
 * @returns the shape text, "" when the value has none.
 */
export function panelShape(row: Pick<VariableInfo, "language" | "type" | "shape">): string {
  const python = row.language === "Python" || row.type.startsWith("PyProxy<");
  if (!python || row.shape === "") return row.shape;
  const dims = row.shape.split("x");
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/**
 * The type errors of a whole cell as the app's editor shows them: a `%%python` cell has none, a
 * cell whose magics cannot be read (unknown magic) has none (running it reports the UsageError),
 * line magics keep their lines so positions are the cell's.
 * @param source the cell as typed.
 * @param typeErrors checks TypeScript code (see {@link NotebookCommSources.typeErrors}).
 */
export function cellDiagnostics(source: string, typeErrors: (code: string) => TsDiagnostic[]): TsDiagnostic[] {
  let plan: ReturnType<typeof parseCell>;
  try {
    plan = parseCell(source);
  } catch {
    return [];
  }
  if (plan.language === "python" || plan.code.trim() === "") return [];
  return typeErrors(plan.code);
}

/**
 * Serves every `tspy.notebook` comm the app opens. A request's reply goes out as a comm_msg while
 * the comm_msg is being handled, so it has that message as parent. Faults of the sources become
 * `{reply: "error"}` (or are reported through `onError` for events); they never reach the caller.
 */
export class NotebookCommTarget {
  private readonly open = new Set<Comm>();

  /**
   * Registers {@link NOTEBOOK_COMM_TARGET} on `registry`.
   * @param onError reports a failure to compute or send the variables event (never throws).
   */
  constructor(
    registry: CommRegistry,
    private readonly sources: NotebookCommSources,
    private readonly onError: (e: unknown) => void,
  ) {
    registry.registerTarget(NOTEBOOK_COMM_TARGET, (comm) => {
      this.open.add(comm);
      comm.onMessage((data) => this.answer(comm, data));
      comm.onClose(() => this.open.delete(comm));
    });
  }

  /** The number of open `tspy.notebook` comms. */
  get size(): number {
    return this.open.size;
  }

  /** Publishes `{event: "variables", variables}` on each open comm; does nothing when none is open. */
  publishVariables(): void {
    if (this.open.size === 0) return;
    try {
      const variables = this.variables();
      for (const comm of this.open) {
        if (comm.closed) this.open.delete(comm);
        else comm.send({ event: "variables", variables });
      }
    } catch (e) {
      this.onError(e);
    }
  }

  private variables(): VariableInfo[] {
    return this.sources.variables().map((row) => ({ ...row, shape: panelShape(row) }));
  }

  private answer(comm: Comm, data: unknown): void {
    const request = (data && typeof data === "object" ? data : {}) as Record<string, unknown>;
    const id = typeof request.id === "string" ? request.id : String(request.id ?? "");
    let reply: Record<string, unknown>;
    try {
      if (request.request === "variables") reply = { reply: "variables", id, variables: this.variables() };
      else if (request.request === "diagnostics" && typeof request.code === "string") {
        const found = cellDiagnostics(request.code, (code) => this.sources.typeErrors(code));
        reply = { reply: "diagnostics", id, diagnostics: markUnrunNames(found, unrunCellNames(request.unrunCellsAbove)) };
      } else reply = { reply: "error", id, message: `unknown tspy.notebook request: ${JSON.stringify(data)}` };
    } catch (e) {
      reply = { reply: "error", id, message: e instanceof Error ? e.message : String(e) };
    }
    try {
      comm.send(reply);
    } catch (e) {
      this.onError(e);
    }
  }
}
