// The notebook app's top-level component: the server's notebook list, the open notebook's cells,
// its tspy kernel session and the running of cells. Talks to Jupyter Server only through
// @jupyterlab/services (ContentsManager, SessionManager, KernelManager).
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ContentsManager, KernelManager, KernelMessage, KernelSpecManager, SessionManager, type ServerConnection } from "@jupyterlab/services";
import {
  cellKind,
  commandModeKey,
  isDirty,
  newCellId,
  notebookCodeKind,
  notebookKernelName,
  notebookReducer,
  readNotebook,
  writeNotebook,
  type Action,
  type Cell,
  type Mode,
  type NotebookCommand,
  type NotebookState,
} from "./model";
import {
  autosaveIntervalMs,
  backupDiffers,
  clearBackup,
  createNotebook,
  loadNotebook,
  notebookFromUrl,
  readBackup,
  renamedPath,
  renameNotebook,
  saveNotebook,
  urlWithNotebook,
  writeBackup,
  type NotebookBackup,
} from "./document";
import { OutputArea } from "./outputs";
import { CodeEditor, setSuggestWhileTyping, suggestWhileTyping } from "./editor";
import { setLanguageKernel } from "./kernel-language";
import { MarkdownView } from "./markdown";
import { canRun, statusLabel, useKernelSession, useKernelState } from "./kernel-session";
import { StdinPrompt, stdinEchoMessage, type StdinRequest } from "./stdin";
import { WidgetManagerContext, useWidgetManager } from "./widgets";
import { VariablesPanel, useNotebookComm, useVariables } from "./variables";

/** What the app needs of a cell's editor: focusing it (Shift+Enter moves to the next cell). */
export interface Focusable {
  focus(): void;
}

/** The kernelspec name the app starts for a notebook whose metadata names none. */
export const KERNEL_NAME = "tspy";

/** A question the app asks before doing something that cannot be undone (restart, shut down). */
interface Confirmation {
  text: string;
  /** The OK button's label. */
  ok: string;
  run: () => void;
}

/**
 * The execution prompt of a code cell, as Jupyter shows it: `[*]` while running, `[n]` after, `[ ]` before.
 * @param cell the cell.
 */
export function promptText(cell: Pick<Cell, "running" | "executionCount">): string {
  if (cell.running) return "[*]:";
  return cell.executionCount === null ? "[ ]:" : `[${cell.executionCount}]:`;
}

/**
 * One cell: a Markdown cell rendered (in a sandboxed frame), a code cell as its prompt, a Monaco
 * editor (Shift+Enter runs it) and its outputs.
 */
export function CellView(props: {
  cell: Cell;
  onEdit: (source: string) => void;
  /** Runs the cell and moves to the next one (Shift+Enter). */
  onRun: () => void;
  /** Runs the cell and stays in it (Ctrl+Enter; Alt+Enter runs it too, then inserts below). */
  onRunInPlace?: () => void;
  /** Inserts a new cell below this one (Alt+Enter, after running it). */
  onInsertBelow?: () => void;
  /** Leaves the editor for the notebook's command mode (Escape). */
  onCommandMode?: () => void;
  editorRef?: (editor: Focusable | null) => void;
  /** Shown under the outputs: the input prompt while the cell waits for stdin. */
  stdin?: ReactNode;
  /** The selected (active) cell, highlighted. */
  selected?: boolean;
  /** Selects the cell: `edit` when the click or focus went into its editor, `command` otherwise. */
  onSelect?: (mode: Mode) => void;
  /** Opens a rendered Markdown cell's editor (double-click). */
  onEditMarkdown?: () => void;
  /** What a code cell is without `%%python`: the notebook's kernel language (see notebookCodeKind). */
  codeKind?: "typescript" | "python";
}) {
  const { cell } = props;
  const kind = cellKind(cell.cellType, cell.source, props.codeKind);
  const inEditor = (target: EventTarget) => target instanceof Element && target.closest(".tspy-editor") !== null;
  const cellProps = {
    "data-kind": kind,
    "data-cell-id": cell.id,
    "data-selected": props.selected ? "true" : undefined,
    onMouseDown: (e: React.MouseEvent) => props.onSelect?.(inEditor(e.target) ? "edit" : "command"),
    onFocus: (e: React.FocusEvent) => {
      if (inEditor(e.target)) props.onSelect?.("edit");
    },
  };
  const selectedClass = props.selected ? " tspy-selected" : "";
  if (kind === "markdown") {
    return (
      <div className={`tspy-cell${selectedClass}`} {...cellProps}>
        <div className="tspy-prompt" />
        {cell.editing ? (
          <div className="tspy-cell-body">
            <div className="tspy-editor-wrap">
              <span className="tspy-kind-badge">Markdown</span>
              <CodeEditor
                value={cell.source}
                language="markdown"
                onChange={props.onEdit}
                onCommand={(command) => {
                  if (command === "commandMode") props.onCommandMode?.();
                  else if (command === "runAndAdvance") props.onRun();
                  else {
                    props.onRunInPlace?.();
                    if (command === "runAndInsertBelow") props.onInsertBelow?.();
                  }
                }}
                onReady={props.editorRef}
              />
            </div>
          </div>
        ) : (
          // The rendered Markdown is a sandboxed frame, which keeps its mouse events: a cover over it
          // takes the click (select) and the double-click (edit).
          <div className="tspy-markdown-wrap" onDoubleClick={props.onEditMarkdown}>
            <MarkdownView source={cell.source} className="tspy-markdown" />
            <div className="tspy-markdown-cover" title="double-click to edit" />
          </div>
        )}
      </div>
    );
  }
  return (
    <div className={`tspy-cell${cell.running ? " tspy-running" : ""}${selectedClass}`} {...cellProps}>
      <div className="tspy-prompt">{kind === "raw" ? "" : promptText(cell)}</div>
      <div className="tspy-cell-body">
        <div className="tspy-editor-wrap">
          <span className="tspy-kind-badge">{kind === "python" ? "Python" : kind === "typescript" ? "TypeScript" : "raw"}</span>
          <CodeEditor
            value={cell.source}
            language={kind === "raw" ? "plaintext" : kind}
            onChange={props.onEdit}
            onCommand={(command) => {
              if (command === "commandMode") props.onCommandMode?.();
              else if (command === "runAndAdvance") {
                if (kind !== "raw") props.onRun();
              } else {
                if (kind !== "raw") props.onRunInPlace?.();
                if (command === "runAndInsertBelow") props.onInsertBelow?.();
              }
            }}
            onReady={props.editorRef}
          />
        </div>
        <OutputArea outputs={cell.outputs} />
        {props.stdin}
      </div>
    </div>
  );
}

/** The app: notebooks of the server's root on the left, the open notebook on the right. */
export function App({ settings }: { settings: ServerConnection.ISettings }) {
  const contents = useMemo(() => new ContentsManager({ serverSettings: settings }), [settings]);
  const sessions = useMemo(() => new SessionManager({ serverSettings: settings, kernelManager: new KernelManager({ serverSettings: settings }) }), [settings]);
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notebook, setNotebook] = useState<NotebookState | null>(null);
  // The kernel session (status, connection, interrupt, restart) lives in kernel-session.ts.
  const kernelSession = useKernelSession(sessions, KERNEL_NAME);
  // The server's kernelspecs ([name, display name, language]), for the kernel picker.
  const [kernelSpecs, setKernelSpecs] = useState<[string, string, string][]>([]);
  useEffect(() => {
    const specs = new KernelSpecManager({ serverSettings: settings });
    specs.ready
      .then(() => specs.refreshSpecs())
      .then(() =>
        setKernelSpecs(
          Object.values(specs.specs?.kernelspecs ?? {}).flatMap((k) => (k ? [[k.name, k.display_name, k.language] as [string, string, string]] : [])),
        ),
      )
      .catch((e: unknown) => setError(`cannot list kernels: ${String(e)}`));
    return () => specs.dispose();
  }, [settings]);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  // A backup of unsaved edits found on opening a notebook, offered back to the user.
  const [offeredBackup, setOfferedBackup] = useState<NotebookBackup | null>(null);
  const [suggestTyping, setSuggestTyping] = useState(suggestWhileTyping);
  const kernelState = useKernelState(kernelSession);
  const { session, status } = kernelState;
  // Pending stdin input_requests, by cell id.
  const [stdin, setStdin] = useState<Record<string, StdinRequest>>({});
  // The notebook as of the last action, ahead of React's render: a cell run right after an edit
  // (Shift+Enter after typing) must run the edited source.
  const notebookRef = useRef<NotebookState | null>(null);
  const dispatch = useCallback((action: Action) => {
    notebookRef.current = notebookReducer(notebookRef.current, action);
    setNotebook(notebookRef.current);
  }, []);
  const editors = useRef(new Map<string, Focusable>());
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

  const refreshFiles = useCallback(
    () =>
      contents
        .get("", { content: true })
        .then((dir) =>
          setFiles(
            (dir.content as { type: string; path: string }[])
              .filter((f) => f.type === "notebook")
              .map((f) => f.path)
              .sort(),
          ),
        )
        .catch((e: unknown) => setError(`cannot list notebooks: ${String(e)}`)),
    [contents],
  );
  useEffect(() => {
    void refreshFiles();
  }, [refreshFiles]);

  // The document on disk: the file's last_modified as of the load or the last save (another time
  // on disk is a conflict), the conflict's banner, and the title being renamed.
  const lastModified = useRef<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const saving = useRef(false);
  const [renaming, setRenaming] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  // The previous command-mode key, for D D.
  const lastKey = useRef<string | null>(null);

  /**
   * Saves the open notebook unless its file changed on disk (then the conflict banner shows);
   * `overwrite` writes anyway; `auto` (the autosave) saves only a dirty notebook with no conflict.
   */
  const save = useCallback(
    async (overwrite = false, auto = false) => {
      const nb = notebookRef.current;
      if (!nb || saving.current || (auto && !isDirty(nb))) return;
      saving.current = true;
      const version = nb.version ?? 0;
      try {
        const result = await saveNotebook(contents, nb.path, writeNotebook(nb), lastModified.current, overwrite);
        if (result.status === "conflict") {
          setConflict(result.diskModified);
        } else {
          lastModified.current = result.lastModified;
          setConflict(null);
          setError((shown) => (shown?.startsWith("cannot save") ? null : shown));
          dispatch({ type: "saved", version });
          if (notebookRef.current?.version === version) clearBackup(localStorage, nb.path);
        }
      } catch (e) {
        setError(`cannot save ${nb.path}: ${String(e)}`);
      } finally {
        saving.current = false;
      }
    },
    [contents, dispatch],
  );

  // Autosave every AUTOSAVE_INTERVAL_MS (or the page URL's `autosave` ms) while a notebook is open and not in conflict with its file.
  const openPath = notebook?.path ?? null;
  useEffect(() => {
    if (!openPath || conflict) return;
    const timer = setInterval(() => void save(false, true), autosaveIntervalMs(location.href));
    return () => clearInterval(timer);
  }, [openPath, conflict, save]);

  // Ctrl+S / Cmd+S saves, in the editors too (capture: before Monaco sees the key).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [save]);

  /** Reads the open notebook again from disk, dropping the changes made here (the conflict's "Reload"). */
  const reload = useCallback(async () => {
    const nb = notebookRef.current;
    if (!nb) return;
    try {
      const loaded = await loadNotebook(contents, nb.path);
      lastModified.current = loaded.lastModified;
      setConflict(null);
      dispatch({ type: "load", notebook: loaded.notebook });
      mainRef.current?.focus({ preventScroll: true });
    } catch (e) {
      setError(`cannot reload ${nb.path}: ${String(e)}`);
    }
  }, [contents, dispatch]);

  // A restart or a crash cancels every request in flight: no cell is running any more, no prompt waits.
  useEffect(
    () =>
      kernelSession.onReset(() => {
        for (const c of notebookRef.current?.cells ?? []) {
          if (c.running) dispatch({ type: "finish", cellId: c.id, executionCount: c.executionCount });
        }
        setStdin({});
      }),
    [kernelSession, dispatch],
  );

  const open = useCallback(
    async (path: string) => {
      setError(null);
      try {
        // Switching notebooks saves the one open (unless its file changed on disk).
        const current = notebookRef.current;
        if (current && current.path !== path && isDirty(current)) await save();
        const loaded = await loadNotebook(contents, path);
        lastModified.current = loaded.lastModified;
        setConflict(null);
        setRenaming(false);
        dispatch({ type: "load", notebook: loaded.notebook });
        history.replaceState(history.state, "", urlWithNotebook(location.href, path));
        // Unsaved edits kept in this browser (a reload, a closed tab, a server restart) are offered back.
        const backup = readBackup(localStorage, path);
        if (backup && !backupDiffers(backup.content, writeNotebook(loaded.notebook))) clearBackup(localStorage, path);
        setOfferedBackup(backup && backupDiffers(backup.content, writeNotebook(loaded.notebook)) ? backup : null);
        // Command mode's keys work at once, without a click into the notebook first.
        mainRef.current?.focus({ preventScroll: true });
        setStdin({});
        await kernelSession.start(path, notebookKernelName(loaded.notebook.metadata));
      } catch (e) {
        setError(`cannot open ${path}: ${String(e)}`);
      }
    },
    [contents, kernelSession, dispatch, save],
  );

  // The notebook the page URL names opens with the page (a reload reopens it).
  const opened = useRef(false);
  useEffect(() => {
    const named = notebookFromUrl(location.href);
    if (opened.current || !named) return;
    opened.current = true;
    void open(named);
  }, [open]);

  // Unsaved edits are kept in the browser (localStorage, per notebook path) a moment after each
  // change, and at once when the page goes away; leaving the page while dirty asks first.
  useEffect(() => {
    if (!notebook || !isDirty(notebook) || offeredBackup) return;
    const timer = setTimeout(() => writeBackup(localStorage, notebook.path, writeNotebook(notebook)), 300);
    return () => clearTimeout(timer);
  }, [notebook, offeredBackup]);
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      const nb = notebookRef.current;
      if (!nb || !isDirty(nb) || offeredBackup) return;
      writeBackup(localStorage, nb.path, writeNotebook(nb));
      e.preventDefault();
      // Older browsers need returnValue set to show the prompt.
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, [offeredBackup]);

  /** Puts the offered backup's cells in place of the file's (the notebook is then unsaved), or drops it. */
  const takeBackup = useCallback(
    (restore: boolean) => {
      const nb = notebookRef.current;
      if (!nb || !offeredBackup) return;
      if (restore) {
        const restored = readNotebook(nb.path, offeredBackup.content);
        dispatch({ type: "load", notebook: { ...restored, version: 1, savedVersion: 0 } });
      } else clearBackup(localStorage, nb.path);
      setOfferedBackup(null);
      mainRef.current?.focus({ preventScroll: true });
    },
    [offeredBackup, dispatch],
  );

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

  /** Creates an untitled tspy notebook in the server's root and opens it. */
  const create = useCallback(async () => {
    try {
      const path = await createNotebook(contents);
      await refreshFiles();
      await open(path);
    } catch (e) {
      setError(`cannot create a notebook: ${String(e)}`);
    }
  }, [contents, refreshFiles, open]);

  /** Renames the open notebook in its folder; the kernel session's path follows. */
  const rename = useCallback(
    async (name: string) => {
      setRenaming(false);
      const nb = notebookRef.current;
      if (!nb || !name.trim()) return;
      try {
        if (renamedPath(nb.path, name) === nb.path) return;
        const renamed = await renameNotebook(contents, nb.path, name);
        dispatch({ type: "rename", path: renamed.path });
        history.replaceState(history.state, "", urlWithNotebook(location.href, renamed.path));
        await session?.setPath(renamed.path);
        await session?.setName(renamed.path);
        await refreshFiles();
      } catch (e) {
        setError(`cannot rename ${nb.path}: ${String(e)}`);
      }
    },
    [contents, session, dispatch, refreshFiles],
  );

  /** Runs one cell; resolves to false when it failed or could not run (no kernel). */
  const run = useCallback(
    async (cellId: string): Promise<boolean> => {
      const kernel = session?.kernel;
      const cell = notebookRef.current?.cells.find((c) => c.id === cellId);
      if (!kernel || !cell || cell.cellType !== "code") return cell?.cellType !== "code";
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
        setStdin((pending) => {
          if (!(cellId in pending)) return pending;
          const rest = { ...pending };
          delete rest[cellId];
          return rest;
        });
      }
    },
    [session, kernelSession, dispatch],
  );

  /**
   * Shift+Enter: runs a code cell (renders a Markdown one) and selects the next cell, in edit mode
   * when coming from an editor into a code cell; after the last cell a new TypeScript cell is made.
   */
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
    [run, dispatch],
  );

  /** Ctrl+Enter: runs a code cell, or renders a Markdown one and leaves its editor. */
  const runInPlace = useCallback(
    (cellId: string) => {
      const cell = notebookRef.current?.cells.find((c) => c.id === cellId);
      if (cell && cell.cellType !== "code") {
        dispatch({ type: "render", cellId });
        dispatch({ type: "mode", mode: "command" });
      } else void run(cellId);
    },
    [run, dispatch],
  );

  /** Runs the code cells above the selected one ("above") or it and those below ("below"), stopping at an error. */
  const runRange = useCallback(
    async (which: "above" | "below") => {
      const nb = notebookRef.current;
      const i = nb?.cells.findIndex((c) => c.id === nb.selectedId) ?? -1;
      if (!nb || i < 0) return;
      const ids = (which === "above" ? nb.cells.slice(0, i) : nb.cells.slice(i)).filter((c) => c.cellType === "code").map((c) => c.id);
      for (const id of ids) if (!(await run(id))) break;
    },
    [run],
  );

  /** Carries out a notebook command (command-mode keys and the toolbar's cell buttons) on the selected cell. */
  const command = useCallback(
    (cmd: NotebookCommand | "moveUp" | "moveDown") => {
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
        case "undoDelete":
          return dispatch({ type: "undoDelete" });
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
      }
    },
    [dispatch, runAndAdvance, runInPlace, kernelSession, confirmRestart],
  );

  /** Command-mode keys, on the notebook (never while typing in an editor, an input or on a button). */
  const onNotebookKey = useCallback(
    (e: React.KeyboardEvent) => {
      const target = e.target as Element;
      if (!notebookRef.current || e.defaultPrevented || target.closest(".tspy-editor, input, textarea, select, button, [contenteditable='true']")) return;
      const cmd = commandModeKey(e, lastKey.current);
      lastKey.current = cmd === "pending" ? e.key.toLowerCase() : null;
      if (cmd === null) return;
      e.preventDefault();
      if (cmd !== "pending") command(cmd);
    },
    [command],
  );

  // The keys follow the mode: edit mode focuses the selected cell's editor, command mode the
  // notebook (when the focus was in an editor or nowhere); the selected cell scrolls into view.
  const selectedId = notebook?.selectedId ?? null;
  const mode = notebook?.mode ?? "command";
  const selectedEditing = notebook?.cells.find((c) => c.id === selectedId)?.editing ?? false;
  useEffect(() => {
    const main = mainRef.current;
    const el = selectedId ? main?.querySelector(`.tspy-cell[data-cell-id="${CSS.escape(selectedId)}"]`) : null;
    const active = document.activeElement;
    if (mode === "edit") {
      if (selectedId && !el?.querySelector(".tspy-editor")?.contains(active)) editors.current.get(selectedId)?.focus();
    } else if (!active || active === document.body || active.closest(".tspy-editor")) {
      main?.focus({ preventScroll: true });
    }
    el?.scrollIntoView?.({ block: "nearest" });
  }, [selectedId, mode, selectedEditing, openPath]);

  const selectedCell = notebook?.cells.find((c) => c.id === selectedId);
  const codeKind = notebookCodeKind(notebook?.metadata);
  const selectedKind = selectedCell ? cellKind(selectedCell.cellType, selectedCell.source, codeKind) : null;
  /** Toolbar buttons keep the focus where it was (the notebook or an editor), as JupyterLab's do. */
  const keepFocus = (e: React.MouseEvent) => {
    if ((e.target as Element).closest("button")) e.preventDefault();
  };

  const runAll = useCallback(async () => {
    for (const cell of notebookRef.current?.cells ?? []) {
      if (cell.cellType !== "code") continue;
      if (!(await run(cell.id))) break;
    }
  }, [run]);

  /** Answers a cell's input_request and echoes prompt and answer into its output, as JupyterLab does. */
  const answer = useCallback(
    (cellId: string, request: StdinRequest, value: string) => {
      const kernel = session?.kernel;
      if (!kernel || kernel.isDisposed) return;
      kernel.sendInputReply({ status: "ok", value }, request.parent);
      dispatch({ type: "iopub", cellId, msg: stdinEchoMessage(request, value) });
      // The text box goes away: the keys go back to the notebook (command mode), as in JupyterLab.
      dispatch({ type: "mode", mode: "command" });
      mainRef.current?.focus({ preventScroll: true });
      setStdin((pending) => {
        const rest = { ...pending };
        delete rest[cellId];
        return rest;
      });
    },
    [session, dispatch],
  );

  return (
    <WidgetManagerContext.Provider value={widgets}>
      <div className="tspy-app">
        <nav className="tspy-files">
          <h2>Notebooks</h2>
          <ul>
            {files.map((f) => (
              <li key={f}>
                <button className={`tspy-file${notebook?.path === f ? " tspy-open" : ""}`} onClick={() => void open(f)}>
                  {f}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="tspy-notebook" ref={mainRef} tabIndex={-1} data-mode={notebook ? mode : undefined} onKeyDown={onNotebookKey}>
          <header className="tspy-toolbar" onMouseDown={keepFocus}>
            <button className="tspy-new" title="New notebook" onClick={() => void create()}>
              New
            </button>
            {renaming && notebook ? (
              <input
                className="tspy-rename-input"
                aria-label="notebook name"
                autoFocus
                defaultValue={notebook.path.split("/").pop()}
                onKeyDown={(e) => {
                  if (e.key === "Enter") void rename(e.currentTarget.value);
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
            <button className="tspy-rename" disabled={!notebook} onClick={() => setRenaming(true)}>
              Rename
            </button>
            <button className="tspy-save" disabled={!notebook} title="Save (Ctrl+S)" onClick={() => void save()}>
              Save
            </button>
            <button className="tspy-run-all" disabled={!canRun(kernelState)} onClick={() => void runAll()}>
              Run All
            </button>
            <button className="tspy-interrupt" disabled={!session || status === "dead"} onClick={() => void kernelSession.interrupt()}>
              Interrupt
            </button>
            <button className="tspy-restart" title="Restart the kernel (0 0)" disabled={!notebook} onClick={() => confirmRestart()}>
              Restart
            </button>
            <button className="tspy-restart-run-all" disabled={!notebook} onClick={() => confirmRestart(runAll)}>
              Restart &amp; Run All
            </button>
            <button
              className="tspy-shutdown"
              disabled={!session}
              onClick={() => setConfirmation({ text: "Shut down the kernel?", ok: "Shut Down", run: () => void kernelSession.shutdown() })}
            >
              Shut Down
            </button>
            <button className="tspy-clear-outputs" disabled={!notebook} onClick={() => dispatch({ type: "clearOutputs" })}>
              Clear Outputs
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
                mainRef.current?.focus({ preventScroll: true });
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
              suggest while typing
            </label>
            <span className="tspy-connection-status" data-status={kernelState.connection} title="the kernel's websocket">
              {kernelState.connection === "connecting" ? "reconnecting…" : kernelState.connection}
            </span>
            {kernelState.connection === "disconnected" && kernelState.kernel && !kernelState.kernel.isDisposed && (
              <button className="tspy-reconnect" onClick={() => void kernelSession.reconnect()}>
                Reconnect
              </button>
            )}
          </header>
          {notebook && (
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
              <button className="tspy-undo-delete" title="Undo delete (Z)" disabled={!notebook.deleted?.length} onClick={() => command("undoDelete")}>
                Undo Delete
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
                  mainRef.current?.focus({ preventScroll: true });
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
                disabled={!canRun(kernelState) || !selectedId}
                onClick={() => void runRange("above")}
              >
                Run Above
              </button>
              <button
                className="tspy-run-below"
                title="Run the selected cell and those below"
                disabled={!canRun(kernelState) || !selectedId}
                onClick={() => void runRange("below")}
              >
                Run Below
              </button>
            </div>
          )}
          {conflict && notebook && (
            <div className="tspy-conflict" role="alert">
              <span>
                {notebook.path} changed on disk since it was opened or last saved. Overwrite the file with this notebook, or reload it from disk and lose the
                changes made here?
              </span>
              <button className="tspy-conflict-overwrite" onClick={() => void save(true)}>
                Overwrite
              </button>
              <button className="tspy-conflict-reload" onClick={() => void reload()}>
                Reload
              </button>
            </div>
          )}
          {error && <div className="tspy-app-error">{error}</div>}
          {offeredBackup && notebook && (
            <div className="tspy-backup" role="alert">
              <span>
                {notebook.path} has unsaved changes from {new Date(offeredBackup.savedAt).toLocaleString()}, kept in this browser. Restore them, or keep the
                file as it is on disk?
              </span>
              <button className="tspy-backup-restore" onClick={() => takeBackup(true)}>
                Restore
              </button>
              <button className="tspy-backup-discard" onClick={() => takeBackup(false)}>
                Discard
              </button>
            </div>
          )}
          {confirmation && (
            <div
              className="tspy-confirm"
              role="dialog"
              aria-modal="true"
              onKeyDown={(e) => {
                e.stopPropagation();
                if (e.key === "Escape") setConfirmation(null);
              }}
            >
              <span>{confirmation.text}</span>
              <button
                className="tspy-confirm-ok"
                autoFocus
                onClick={() => {
                  setConfirmation(null);
                  mainRef.current?.focus({ preventScroll: true });
                  confirmation.run();
                }}
              >
                {confirmation.ok}
              </button>
              <button
                className="tspy-confirm-cancel"
                onClick={() => {
                  setConfirmation(null);
                  mainRef.current?.focus({ preventScroll: true });
                }}
              >
                Cancel
              </button>
            </div>
          )}
          {kernelState.notice && (
            <div className="tspy-kernel-notice" data-kind={kernelState.notice.kind} role="status">
              <span>{kernelState.notice.text}</span>
              <button className="tspy-notice-dismiss" aria-label="dismiss" onClick={() => kernelSession.dismissNotice()}>
                ×
              </button>
            </div>
          )}
          {notebook ? (
            notebook.cells.map((cell) => (
              <CellView
                key={cell.id}
                cell={cell}
                codeKind={codeKind}
                onEdit={(source) => dispatch({ type: "edit", cellId: cell.id, source })}
                onRun={() => runAndAdvance(cell.id)}
                onRunInPlace={() => runInPlace(cell.id)}
                onInsertBelow={() => dispatch({ type: "insert", where: "below", cellId: cell.id, id: newCellId(), mode: "edit" })}
                onCommandMode={() => dispatch({ type: "mode", mode: "command" })}
                selected={cell.id === selectedId}
                onSelect={(m) => dispatch({ type: "select", cellId: cell.id, mode: m })}
                onEditMarkdown={() => {
                  dispatch({ type: "select", cellId: cell.id });
                  dispatch({ type: "mode", mode: "edit" });
                }}
                stdin={
                  stdin[cell.id] && (
                    <StdinPrompt key={stdin[cell.id].parent.msg_id} request={stdin[cell.id]} onSubmit={(value) => answer(cell.id, stdin[cell.id], value)} />
                  )
                }
                editorRef={(el) => {
                  if (el) editors.current.set(cell.id, el);
                  else editors.current.delete(cell.id);
                }}
              />
            ))
          ) : (
            <p className="tspy-hint">Open a notebook from the list.</p>
          )}
        </main>
        {notebook && <VariablesPanel rows={variables.rows} error={variables.error} />}
      </div>
    </WidgetManagerContext.Provider>
  );
}
