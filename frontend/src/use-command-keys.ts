// The notebook's commands and command mode (JupyterLab's notebook commands): the command-mode keys
// on the notebook (command-keys.ts says which key is which command), the commands themselves (also
// the cell toolbar's buttons), and the focus following the mode (edit mode: the selected cell's
// editor; command mode: the notebook).
import { useCallback, useEffect, useRef, type KeyboardEvent, type RefObject } from "react";
import { newCellId, selectionRange, type Cell } from "./model";
import type { NotebookStateHandle } from "./use-notebook-state";
import { commandModeKey, type CellCommand } from "./command-keys";
import type { KernelSession } from "./kernel-session";
import type { Focusable } from "./cell-view";

/** What {@link useCommandKeys} needs of the app. */
export interface CommandKeysOptions extends NotebookStateHandle {
  /** The notebook's element: it holds the keys in command mode. */
  mainRef: RefObject<HTMLElement | null>;
  /** The cells' editors by cell id. */
  editors: Map<string, Focusable>;
  /** Shift+Enter on a cell (see use-cell-runner.ts). */
  runAndAdvance: (cellId: string) => void;
  /** Ctrl+Enter on a cell. */
  runInPlace: (cellId: string) => void;
  kernelSession: KernelSession;
  /** Restarts the kernel after asking. */
  confirmRestart: () => void;
}

/** The notebook's commands and its command-mode key handler. */
export interface CommandKeys {
  /** Carries out a command on the selected cell. */
  command: (cmd: CellCommand) => void;
  /** The notebook element's keydown: command-mode keys (never while typing in an editor, an input or on a button). */
  onNotebookKey: (e: KeyboardEvent) => void;
}

/** The notebook's commands, its command-mode keys and the focus following the mode; see {@link CommandKeys}. */
export function useCommandKeys(options: CommandKeysOptions): CommandKeys {
  const { notebook, notebookRef, dispatch, mainRef, editors, runAndAdvance, runInPlace, kernelSession, confirmRestart } = options;
  // The previous command-mode key, for D D, I I, 0 0.
  const lastKey = useRef<string | null>(null);
  // The cells last copied or cut (JupyterLab's application clipboard of cells), for V and Shift+V.
  const clipboard = useRef<Cell[]>([]);
  /** Puts the selected cells on the clipboard (as they are now, not running). */
  const copySelection = useCallback(() => {
    const nb = notebookRef.current;
    const range = nb && selectionRange(nb);
    if (!nb || !range) return;
    clipboard.current = nb.cells.slice(range[0], range[1] + 1).map((c) => ({ ...c, running: false, clearPending: false }));
  }, [notebookRef]);

  const command = useCallback(
    (cmd: CellCommand) => {
      const id = notebookRef.current?.selectedId ?? null;
      switch (cmd) {
        case "edit":
          return dispatch({ type: "mode", mode: "edit" });
        case "selectAbove":
        case "selectBelow":
          return dispatch({ type: "selectRelative", by: cmd === "selectAbove" ? -1 : 1 });
        case "insertAbove":
        case "insertBelow":
          return dispatch({ type: "insert", where: cmd === "insertAbove" ? "above" : "below", id: newCellId(), mode: "command" });
        case "delete":
          return dispatch({ type: "delete" });
        case "undo":
        case "redo":
          return dispatch({ type: cmd });
        case "moveUp":
        case "moveDown":
          return dispatch({ type: "move", by: cmd === "moveUp" ? -1 : 1 });
        case "toMarkdown":
          return dispatch({ type: "setKind", kind: "markdown" });
        case "toTypeScript":
          return dispatch({ type: "setKind", kind: "typescript" });
        case "toPython":
          return dispatch({ type: "setKind", kind: "python" });
        case "runAndAdvance":
          return id ? runAndAdvance(id) : undefined;
        case "run":
          return id ? runInPlace(id) : undefined;
        case "runAndInsertBelow":
          if (!id) return;
          runInPlace(id);
          return dispatch({ type: "insert", where: "below", cellId: id, id: newCellId(), mode: "edit" });
        case "interrupt":
          return void kernelSession.interrupt();
        case "restart":
          return confirmRestart();
        case "copy":
          copySelection();
          // As JupyterLab's copy: the selected cell stays, a multi-cell selection ends.
          return id ? dispatch({ type: "select", cellId: id }) : undefined;
        case "cut":
          copySelection();
          return dispatch({ type: "delete" });
        case "pasteBelow":
        case "pasteAbove": {
          // Each paste makes new cells: new ids, so that a cell pasted twice is two cells.
          const cells = clipboard.current.map((c) => ({ ...c, id: newCellId() }));
          return dispatch({ type: "paste", where: cmd === "pasteAbove" ? "above" : "below", cells });
        }
        case "merge":
          return dispatch({ type: "merge" });
        case "toggleOutputs":
          return dispatch({ type: "toggleOutputs" });
        case "extendAbove":
        case "extendBelow":
          return dispatch({ type: "extendSelection", by: cmd === "extendAbove" ? -1 : 1 });
      }
    },
    [notebookRef, dispatch, runAndAdvance, runInPlace, kernelSession, confirmRestart, copySelection],
  );

  const onNotebookKey = useCallback(
    (e: KeyboardEvent) => {
      const target = e.target as Element;
      if (!notebookRef.current || e.defaultPrevented || target.closest(".tspy-editor, input, textarea, select, button, [contenteditable='true']")) return;
      const cmd = commandModeKey(e, lastKey.current);
      lastKey.current = cmd === "pending" ? e.key.toLowerCase() : null;
      if (cmd === null) return;
      e.preventDefault();
      if (cmd !== "pending") command(cmd);
    },
    [notebookRef, command],
  );

  // The keys follow the mode: edit mode focuses the selected cell's editor, command mode the
  // notebook (when the focus was in an editor or nowhere); the selected cell scrolls into view.
  const selectedId = notebook?.selectedId ?? null;
  const mode = notebook?.mode ?? "command";
  const selectedEditing = notebook?.cells.find((c) => c.id === selectedId)?.editing ?? false;
  const openPath = notebook?.path ?? null;
  useEffect(() => {
    const main = mainRef.current;
    const el = selectedId ? main?.querySelector(`.tspy-cell[data-cell-id="${CSS.escape(selectedId)}"]`) : null;
    const active = document.activeElement;
    if (mode === "edit") {
      if (selectedId && !el?.querySelector(".tspy-editor")?.contains(active)) editors.get(selectedId)?.focus();
    } else if (!active || active === document.body || active.closest(".tspy-editor")) {
      main?.focus({ preventScroll: true });
    }
    el?.scrollIntoView?.({ block: "nearest" });
  }, [selectedId, mode, selectedEditing, openPath, mainRef, editors]);

  return { command, onNotebookKey };
}
