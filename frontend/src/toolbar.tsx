// The notebook's two toolbars: the notebook's (new, rename, save, run all, the kernel's controls,
// picker and status, the suggest-while-typing setting) and the selected cell's (insert, delete,
// move, kind, run above/below). Buttons keep the focus where it was, as JupyterLab's do.
import { useState, type MouseEvent } from "react";
import { isDirty, notebookKernelName, type CellKind, type NotebookState } from "./model";
import type { Action } from "./notebook-reducer";
import type { CellCommand } from "./command-keys";
import { setSuggestWhileTyping, suggestWhileTyping } from "./editor";
import { canRun, statusLabel, useKernelState, type KernelSession } from "./kernel-session";
import type { KernelSpecRow } from "./kernel-specs";

/** A toolbar's mouse-down: a button keeps the focus where it was (the notebook or an editor), as JupyterLab's do. */
function keepFocus(e: MouseEvent) {
  if ((e.target as Element).closest("button")) e.preventDefault();
}

/**
 * The notebook's toolbar (a sticky header): the title (click to rename; a dot while unsaved), file
 * and kernel buttons, the kernel picker (changing it changes the notebook's kernelspec), the
 * kernel's status and websocket connection.
 */
export function NotebookToolbar(props: {
  /** The open notebook, or null (most buttons are then disabled). */
  notebook: NotebookState | null;
  kernelSession: KernelSession;
  /** The server's kernelspecs, for the picker. */
  kernelSpecs: KernelSpecRow[];
  /** The title is an input (the notebook being renamed). */
  renaming: boolean;
  setRenaming: (renaming: boolean) => void;
  /** Renames the open notebook to `name` in its folder. */
  rename: (name: string) => void;
  create: () => void;
  save: () => void;
  /** Runs every code cell in order (also after Restart & Run All's restart). */
  runAll: () => Promise<void>;
  /** Restarts the kernel after asking, then runs `then` (Restart & Run All). */
  confirmRestart: (then?: () => Promise<void>) => void;
  /** Asks before shutting the kernel down. */
  confirmShutdown: () => void;
  dispatch: (action: Action) => void;
  /** Gives the keys back to the notebook (command mode). */
  focusNotebook: () => void;
}) {
  const { notebook, kernelSession, kernelSpecs, renaming, setRenaming, rename, create, save, runAll, confirmRestart, dispatch } = props;
  const kernelState = useKernelState(kernelSession);
  const { session, status } = kernelState;
  const [suggestTyping, setSuggestTyping] = useState(suggestWhileTyping);
  return (
    <header className="tspy-toolbar" onMouseDown={keepFocus}>
      <button className="tspy-new" title="New notebook" onClick={() => create()}>
        New
      </button>
      {renaming && notebook ? (
        <input
          className="tspy-rename-input"
          aria-label="notebook name"
          autoFocus
          defaultValue={notebook.path.split("/").pop()}
          onKeyDown={(e) => {
            if (e.key === "Enter") rename(e.currentTarget.value);
            else if (e.key === "Escape") setRenaming(false);
          }}
          onBlur={() => setRenaming(false)}
        />
      ) : (
        <strong className="tspy-title" data-dirty={notebook && isDirty(notebook) ? "true" : "false"}>
          <span className="tspy-title-name" title={notebook ? "click to rename" : undefined} onClick={() => notebook && setRenaming(true)}>
            {notebook?.path ?? "tspy"}
          </span>
          {notebook && isDirty(notebook) && (
            <span className="tspy-dirty" title="unsaved changes">
              {" "}
              ●
            </span>
          )}
        </strong>
      )}
      <button className="tspy-rename" aria-label="Rename" title="Rename the notebook" disabled={!notebook} onClick={() => setRenaming(true)}>
        ✎
      </button>
      <button className="tspy-save" disabled={!notebook} title="Save (Ctrl+S)" onClick={() => save()}>
        Save
      </button>
      <button className="tspy-run-all" aria-label="Run All" title="Run all cells" disabled={!canRun(kernelState)} onClick={() => void runAll()}>
        ▶▶
      </button>
      <button
        className="tspy-interrupt"
        aria-label="Interrupt"
        title="Interrupt the kernel (I I)"
        disabled={!session || status === "dead"}
        onClick={() => void kernelSession.interrupt()}
      >
        ■
      </button>
      <button className="tspy-restart" aria-label="Restart" title="Restart the kernel (0 0)" disabled={!notebook} onClick={() => confirmRestart()}>
        ↻
      </button>
      <button
        className="tspy-restart-run-all"
        aria-label="Restart & Run All"
        title="Restart the kernel and run all cells"
        disabled={!notebook}
        onClick={() => confirmRestart(runAll)}
      >
        ↻▶▶
      </button>
      <button className="tspy-shutdown" disabled={!session} onClick={props.confirmShutdown}>
        Shut Down
      </button>
      <button className="tspy-clear-outputs" title="Clear all outputs" disabled={!notebook} onClick={() => dispatch({ type: "clearOutputs" })}>
        Clear
      </button>
      <select
        className="tspy-kernel-picker"
        aria-label="kernel"
        disabled={!notebook}
        value={notebook ? notebookKernelName(notebook.metadata) : ""}
        onChange={(e) => {
          const name = e.target.value;
          const spec = kernelSpecs.find(([n]) => n === name);
          if (!spec) return;
          dispatch({ type: "kernelspec", kernelspec: { name, display_name: spec[1], language: spec[2] } });
          void kernelSession.changeKernel(name);
          props.focusNotebook();
        }}
      >
        {notebook && !kernelSpecs.some(([n]) => n === notebookKernelName(notebook.metadata)) && (
          <option value={notebookKernelName(notebook.metadata)}>{notebookKernelName(notebook.metadata)}</option>
        )}
        {kernelSpecs.map(([name, display]) => (
          <option key={name} value={name}>
            {display}
          </option>
        ))}
      </select>
      <span className="tspy-kernel-status" data-status={status}>
        {kernelSession.kernelSpecName}: {statusLabel(status)}
      </span>
      <label className="tspy-suggest-setting" title="Open completions while typing (otherwise Tab opens them)">
        <input
          type="checkbox"
          checked={suggestTyping}
          onChange={(e) => {
            setSuggestWhileTyping(e.target.checked);
            setSuggestTyping(e.target.checked);
          }}
        />{" "}
        suggest
      </label>
      <span
        className="tspy-connection-status"
        data-status={kernelState.connection}
        title={`the kernel's websocket: ${kernelState.connection}`}
        aria-label={`websocket ${kernelState.connection}`}
      >
        {kernelState.connection === "connected" ? "●" : kernelState.connection === "connecting" ? "reconnecting…" : kernelState.connection}
      </span>
      {kernelState.connection === "disconnected" && kernelState.kernel && !kernelState.kernel.isDisposed && (
        <button className="tspy-reconnect" onClick={() => void kernelSession.reconnect()}>
          Reconnect
        </button>
      )}
    </header>
  );
}

/** The selected cell's toolbar: insert above/below, delete and undo, move, its kind, run above/below. */
export function CellToolbar(props: {
  notebook: NotebookState;
  /** The selected cell's kind, or null when no cell is selected. */
  selectedKind: CellKind | null;
  /** Whether cells can run now (a connected, live kernel). */
  canRun: boolean;
  /** Carries out a notebook command on the selected cell. */
  command: (cmd: CellCommand) => void;
  /** Runs the cells above the selected one, or it and those below. */
  runRange: (which: "above" | "below") => void;
  dispatch: (action: Action) => void;
  focusNotebook: () => void;
}) {
  const { notebook, selectedKind, command, dispatch } = props;
  const selectedId = notebook.selectedId ?? null;
  return (
    <div className="tspy-cell-toolbar" role="toolbar" aria-label="cell" onMouseDown={keepFocus}>
      <button className="tspy-insert-above" title="Insert cell above (A)" onClick={() => command("insertAbove")}>
        + Above
      </button>
      <button className="tspy-insert-below" title="Insert cell below (B)" onClick={() => command("insertBelow")}>
        + Below
      </button>
      <button className="tspy-delete-cell" title="Delete cell (D D; Z undoes)" disabled={!selectedId} onClick={() => command("delete")}>
        Delete
      </button>
      <button
        className="tspy-undo-delete"
        title="Undo the last cell operation (Z; Shift+Z redoes)"
        disabled={!notebook.undo?.length}
        onClick={() => command("undo")}
      >
        Undo
      </button>
      <button className="tspy-move-up" title="Move cell up" disabled={!selectedId} onClick={() => command("moveUp")}>
        ↑
      </button>
      <button className="tspy-move-down" title="Move cell down" disabled={!selectedId} onClick={() => command("moveDown")}>
        ↓
      </button>
      <select
        className="tspy-cell-kind"
        aria-label="cell kind"
        disabled={!selectedKind}
        value={selectedKind ?? ""}
        onChange={(e) => {
          dispatch({ type: "setKind", kind: e.target.value as "typescript" | "python" | "markdown" });
          props.focusNotebook();
        }}
      >
        {!selectedKind && <option value="" />}
        <option value="typescript">TypeScript</option>
        <option value="python">Python</option>
        <option value="markdown">Markdown</option>
        {selectedKind === "raw" && <option value="raw">raw</option>}
      </select>
      <button
        className="tspy-run-above"
        title="Run the cells above the selected one"
        disabled={!props.canRun || !selectedId}
        onClick={() => props.runRange("above")}
      >
        Run Above
      </button>
      <button
        className="tspy-run-below"
        title="Run the selected cell and those below"
        disabled={!props.canRun || !selectedId}
        onClick={() => props.runRange("below")}
      >
        Run Below
      </button>
    </div>
  );
}
