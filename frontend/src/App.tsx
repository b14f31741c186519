// The notebook app's top-level component: the server's notebook list, the open notebook's cells,
// its kernel session and the running of cells, put together from hooks (the notebook's file,
// running cells, command keys) and components (toolbars, banners, cells). Talks to Jupyter Server
// only through @jupyterlab/services (ContentsManager, SessionManager, KernelManager).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ContentsManager, KernelManager, SessionManager, type ServerConnection } from "@jupyterlab/services";
import { cellKind, notebookCodeKind, notebookKernelName, type NotebookState } from "./model";
import { setLanguageKernel } from "./kernel-language";
import { canRun, useKernelSession, useKernelState } from "./kernel-session";
import { useKernelSpecs } from "./kernel-specs";
import { WidgetManagerContext, useWidgetManager } from "./widgets";
import { VariablesPanel, useNotebookComm, useVariables } from "./variables";
import { useNotebookState } from "./use-notebook-state";
import { useNotebookFile } from "./use-notebook-file";
import { useCellRunner } from "./use-cell-runner";
import { useCommandKeys } from "./use-command-keys";
import { CellList, type Focusable } from "./cell-view";
import { CellToolbar, NotebookToolbar } from "./toolbar";
import { BackupBanner, ConfirmDialog, ConflictBanner, KernelNoticeBanner, type Confirmation } from "./banners";

/** The kernelspec name the app starts for a notebook whose metadata names none. */
export const KERNEL_NAME = "tspy";

/** The app: notebooks of the server's root on the left, the open notebook on the right. */
export function App({ settings }: { settings: ServerConnection.ISettings }) {
  const contents = useMemo(() => new ContentsManager({ serverSettings: settings }), [settings]);
  const sessions = useMemo(() => new SessionManager({ serverSettings: settings, kernelManager: new KernelManager({ serverSettings: settings }) }), [settings]);
  const [error, setError] = useState<string | null>(null);
  const { notebook, notebookRef, dispatch } = useNotebookState();
  // The kernel session (status, connection, interrupt, restart) lives in kernel-session.ts.
  const kernelSession = useKernelSession(sessions, KERNEL_NAME);
  const kernelState = useKernelState(kernelSession);
  const { session } = kernelState;
  const kernelSpecs = useKernelSpecs(settings, setError);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  // The cells' editors by cell id (one Map for the app's life; CellList keeps it up to date).
  const [editors] = useState(() => new Map<string, Focusable>());
  /** Gives the keys to the notebook (command mode) without scrolling. */
  const focusNotebook = useCallback(() => mainRef.current?.focus({ preventScroll: true }), []);

  // ipywidgets: one widget manager per kernel process; output of a widget's callbacks goes to its cell.
  const widgets = useWidgetManager(kernelState.kernel, kernelState.generation, (cellId, msg) => {
    if (cellId) dispatch({ type: "iopub", cellId, msg });
  });
  // The kernel's tspy.notebook comm (variables, type errors): one per kernel process, made again
  // after a restart; the variables panel follows it.
  const notebookComm = useNotebookComm(kernelState.kernel, kernelState.generation);
  const variables = useVariables(notebookComm);
  // Completions, hover and type errors of every cell editor come from this kernel and its
  // tspy.notebook comm.
  useEffect(() => {
    setLanguageKernel(kernelState.kernel, notebookComm);
    return () => setLanguageKernel(null, null);
  }, [kernelState.kernel, notebookComm]);

  const runner = useCellRunner({ kernelSession, session, notebookRef, dispatch, setError, focusNotebook });
  const { clearStdin } = runner;
  const onOpened = useCallback(
    async (opened: NotebookState) => {
      clearStdin();
      await kernelSession.start(opened.path, notebookKernelName(opened.metadata));
    },
    [kernelSession, clearStdin],
  );
  const file = useNotebookFile({ contents, session, notebook, notebookRef, dispatch, setError, focusNotebook, onOpened });

  /** Asks before restarting (JupyterLab's "Restart Kernel?"); a dead or shut down kernel restarts at once. */
  const confirmRestart = useCallback(
    (then?: () => Promise<void>) => {
      const go = () => void kernelSession.restart().then((ok) => (ok && then ? then() : undefined));
      const live = kernelSession.getState().kernel;
      if (!live || live.isDisposed || live.status === "dead") return go();
      setConfirmation({
        text: then
          ? "Restart the kernel and run all cells? The variables of both languages will be lost."
          : "Restart the kernel? The variables of both languages will be lost.",
        ok: "Restart",
        run: go,
      });
    },
    [kernelSession],
  );
  const { command, onNotebookKey } = useCommandKeys({
    notebook,
    notebookRef,
    dispatch,
    mainRef,
    editors,
    runAndAdvance: runner.runAndAdvance,
    runInPlace: runner.runInPlace,
    kernelSession,
    confirmRestart,
  });

  const codeKind = notebookCodeKind(notebook?.metadata);
  const selectedCell = notebook?.cells.find((c) => c.id === notebook.selectedId);
  const selectedKind = selectedCell ? cellKind(selectedCell.cellType, selectedCell.source, codeKind) : null;
  return (
    <WidgetManagerContext.Provider value={widgets}>
      <div className="tspy-app">
        <nav className="tspy-files">
          <h2>Notebooks</h2>
          <ul>
            {file.files.map((f) => (
              <li key={f}>
                <button className={`tspy-file${notebook?.path === f ? " tspy-open" : ""}`} onClick={() => void file.open(f)}>
                  {f}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="tspy-notebook" ref={mainRef} tabIndex={-1} data-mode={notebook ? (notebook.mode ?? "command") : undefined} onKeyDown={onNotebookKey}>
          <NotebookToolbar
            notebook={notebook}
            kernelSession={kernelSession}
            kernelSpecs={kernelSpecs}
            renaming={file.renaming}
            setRenaming={file.setRenaming}
            rename={(name) => void file.rename(name)}
            create={() => void file.create()}
            save={() => void file.save()}
            runAll={runner.runAll}
            confirmRestart={confirmRestart}
            confirmShutdown={() => setConfirmation({ text: "Shut down the kernel?", ok: "Shut Down", run: () => void kernelSession.shutdown() })}
            dispatch={dispatch}
            focusNotebook={focusNotebook}
          />
          {notebook && (
            <CellToolbar
              notebook={notebook}
              selectedKind={selectedKind}
              canRun={canRun(kernelState)}
              command={command}
              runRange={(which) => void runner.runRange(which)}
              dispatch={dispatch}
              focusNotebook={focusNotebook}
            />
          )}
          {file.conflict && notebook && <ConflictBanner path={notebook.path} onOverwrite={() => void file.save(true)} onReload={() => void file.reload()} />}
          {error && <div className="tspy-app-error">{error}</div>}
          {file.offeredBackup && notebook && <BackupBanner path={notebook.path} backup={file.offeredBackup} onTake={file.takeBackup} />}
          {confirmation && (
            <ConfirmDialog
              confirmation={confirmation}
              onClose={() => {
                setConfirmation(null);
                focusNotebook();
              }}
              onEscape={() => setConfirmation(null)}
            />
          )}
          {kernelState.notice && <KernelNoticeBanner notice={kernelState.notice} onDismiss={() => kernelSession.dismissNotice()} />}
          {notebook ? (
            <CellList
              notebook={notebook}
              codeKind={codeKind}
              dispatch={dispatch}
              runAndAdvance={runner.runAndAdvance}
              runInPlace={runner.runInPlace}
              stdin={runner.stdin}
              answer={runner.answer}
              editors={editors}
            />
          ) : (
            <p className="tspy-hint">Open a notebook from the list.</p>
          )}
        </main>
        {notebook && <VariablesPanel rows={variables.rows} error={variables.error} />}
      </div>
    </WidgetManagerContext.Provider>
  );
}
