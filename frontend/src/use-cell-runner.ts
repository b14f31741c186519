// Running the open notebook's cells on its kernel: one cell (its iopub messages into the notebook,
// its input() requests as prompts under it), Shift/Ctrl/Alt+Enter, Run All and Run Above/Below,
// and the answers to input(). A restart or a crash ends every run in flight.
import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from "react";
import { KernelMessage, type Session } from "@jupyterlab/services";
import { newCellId } from "./model";
import type { NotebookStateHandle } from "./use-notebook-state";
import type { KernelSession } from "./kernel-session";
import { stdinEchoMessage, type StdinRequest } from "./stdin";

/** What {@link useCellRunner} needs of the app. */
export interface CellRunnerOptions extends Omit<NotebookStateHandle, "notebook"> {
  kernelSession: KernelSession;
  /** The kernel session's connection (null while none). */
  session: Session.ISessionConnection | null;
  /** Shows the app's error line. */
  setError: Dispatch<SetStateAction<string | null>>;
  /** Gives the keys to the notebook (command mode). */
  focusNotebook: () => void;
}

/** The ways to run cells; the cell-taking ones ignore an id that is not in the notebook. */
export interface CellRunner {
  /** Pending stdin input_requests, by cell id. */
  stdin: Record<string, StdinRequest>;
  /** Drops every pending input prompt (a notebook was opened). */
  clearStdin: () => void;
  /** Runs one cell; resolves to false when it failed or could not run (no kernel, a dead one). */
  run: (cellId: string) => Promise<boolean>;
  /**
   * Shift+Enter: runs a code cell (renders a Markdown one) and selects the next cell, in edit mode
   * when coming from an editor into a code cell; after the last cell a new TypeScript cell is made.
   */
  runAndAdvance: (cellId: string) => void;
  /** Ctrl+Enter: runs a code cell, or renders a Markdown one and leaves its editor. */
  runInPlace: (cellId: string) => void;
  /** Runs the code cells above the selected one ("above") or it and those below ("below"), stopping at an error. */
  runRange: (which: "above" | "below") => Promise<void>;
  /** Runs every code cell in order, stopping at an error. */
  runAll: () => Promise<void>;
  /** Answers a cell's input_request and echoes prompt and answer into its output, as JupyterLab does. */
  answer: (cellId: string, request: StdinRequest, value: string) => void;
}

/** Runs the open notebook's cells; see {@link CellRunner}. */
export function useCellRunner(options: CellRunnerOptions): CellRunner {
  const { kernelSession, session, notebookRef, dispatch, setError, focusNotebook } = options;
  const [stdin, setStdin] = useState<Record<string, StdinRequest>>({});
  const dropStdin = useCallback(
    (cellId: string) =>
      setStdin((pending) => {
        if (!(cellId in pending)) return pending;
        const rest = { ...pending };
        delete rest[cellId];
        return rest;
      }),
    [],
  );
  const clearStdin = useCallback(() => setStdin({}), []);

  // A restart or a crash cancels every request in flight: no cell is running any more, no prompt
  // waits; after a crash the cells that were running say so in their outputs.
  useEffect(
    () =>
      kernelSession.onReset((cause) => {
        for (const c of notebookRef.current?.cells ?? []) {
          if (c.running) dispatch({ type: "finish", cellId: c.id, executionCount: c.executionCount, died: cause === "crash" });
        }
        setStdin({});
      }),
    [kernelSession, notebookRef, dispatch],
  );

  const run = useCallback(
    async (cellId: string): Promise<boolean> => {
      const cell = notebookRef.current?.cells.find((c) => c.id === cellId);
      if (!cell || cell.cellType !== "code") return true;
      // The session's kernel, or a new session when the server forgot the old one (it was restarted).
      const kernel = await kernelSession.ready();
      if (!kernel) return false;
      if (kernel.isDisposed || kernel.status === "dead") {
        kernelSession.report("The kernel is dead: press Restart to start a new one, then run the cell again.");
        return false;
      }
      dispatch({ type: "start", cellId });
      const future = kernel.requestExecute({ code: cell.source, stop_on_error: true });
      future.onIOPub = (msg) => dispatch({ type: "iopub", cellId, msg });
      // input()/getpass in the cell: a prompt under the cell until the user answers (see stdin.tsx).
      future.onStdin = (msg) => {
        if (!KernelMessage.isInputRequestMsg(msg)) return;
        const request: StdinRequest = { prompt: msg.content.prompt, password: msg.content.password, parent: msg.header };
        setStdin((pending) => ({ ...pending, [cellId]: request }));
      };
      try {
        const reply = await future.done;
        const count = "execution_count" in reply.content ? (reply.content.execution_count as number | null) : null;
        dispatch({ type: "finish", cellId, executionCount: count });
        return reply.content.status === "ok";
      } catch (e) {
        dispatch({ type: "finish", cellId, executionCount: null });
        // A restart or a crash cancels the requests in flight; the kernel's notice says what happened.
        if (!/^Canceled future/.test(e instanceof Error ? e.message : "")) setError(`execution failed: ${String(e)}`);
        return false;
      } finally {
        dropStdin(cellId);
      }
    },
    [kernelSession, notebookRef, dispatch, setError, dropStdin],
  );

  const runAndAdvance = useCallback(
    (cellId: string) => {
      const nb = notebookRef.current;
      const i = nb?.cells.findIndex((c) => c.id === cellId) ?? -1;
      if (!nb || i < 0) return;
      if (nb.cells[i].cellType !== "code") dispatch({ type: "render", cellId });
      const next = nb.cells[i + 1];
      if (next) dispatch({ type: "select", cellId: next.id, mode: nb.mode === "edit" && next.cellType === "code" ? "edit" : "command" });
      else dispatch({ type: "insert", where: "below", cellId, id: newCellId(), mode: "edit" });
      void run(cellId);
    },
    [run, notebookRef, dispatch],
  );

  const runInPlace = useCallback(
    (cellId: string) => {
      const cell = notebookRef.current?.cells.find((c) => c.id === cellId);
      if (cell && cell.cellType !== "code") {
        dispatch({ type: "render", cellId });
        dispatch({ type: "mode", mode: "command" });
      } else void run(cellId);
    },
    [run, notebookRef, dispatch],
  );

  const runRange = useCallback(
    async (which: "above" | "below") => {
      const nb = notebookRef.current;
      const i = nb?.cells.findIndex((c) => c.id === nb.selectedId) ?? -1;
      if (!nb || i < 0) return;
      const ids = (which === "above" ? nb.cells.slice(0, i) : nb.cells.slice(i)).filter((c) => c.cellType === "code").map((c) => c.id);
      for (const id of ids) if (!(await run(id))) break;
    },
    [run, notebookRef],
  );

  const runAll = useCallback(async () => {
    for (const cell of notebookRef.current?.cells ?? []) {
      if (cell.cellType !== "code") continue;
      if (!(await run(cell.id))) break;
    }
  }, [run, notebookRef]);

  const answer = useCallback(
    (cellId: string, request: StdinRequest, value: string) => {
      const kernel = session?.kernel;
      if (!kernel || kernel.isDisposed) return;
      kernel.sendInputReply({ status: "ok", value }, request.parent);
      dispatch({ type: "iopub", cellId, msg: stdinEchoMessage(request, value) });
      // The text box goes away: the keys go back to the notebook (command mode), as in JupyterLab.
      dispatch({ type: "mode", mode: "command" });
      focusNotebook();
      dropStdin(cellId);
    },
    [session, dispatch, focusNotebook, dropStdin],
  );

  return { stdin, clearStdin, run, runAndAdvance, runInPlace, runRange, runAll, answer };
}
