// The notebook app's top-level component: the server's notebook list, the open notebook's cells,
// its tspy kernel session and the running of cells. Talks to Jupyter Server only through
// @jupyterlab/services (ContentsManager, SessionManager, KernelManager).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { marked } from "marked";
import { ContentsManager, KernelManager, SessionManager, type ServerConnection, type Session } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import { cellKind, notebookReducer, readNotebook, type Action, type Cell, type NotebookState } from "./model";
import { OutputArea, SandboxedHtml } from "./outputs";
import { CodeEditor } from "./editor";

/** What the app needs of a cell's editor: focusing it (Shift+Enter moves to the next cell). */
export interface Focusable {
  focus(): void;
}

/** The kernelspec name the app starts for every notebook. */
export const KERNEL_NAME = "tspy";

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
  onRun: () => void;
  editorRef?: (editor: Focusable | null) => void;
}) {
  const { cell } = props;
  const kind = cellKind(cell.cellType, cell.source);
  if (kind === "markdown") {
    return (
      <div className="tspy-cell" data-kind={kind} data-cell-id={cell.id}>
        <div className="tspy-prompt" />
        <SandboxedHtml html={marked.parse(cell.source, { async: false })} className="tspy-markdown" />
      </div>
    );
  }
  return (
    <div className={`tspy-cell${cell.running ? " tspy-running" : ""}`} data-kind={kind} data-cell-id={cell.id}>
      <div className="tspy-prompt">{kind === "raw" ? "" : promptText(cell)}</div>
      <div className="tspy-cell-body">
        <div className="tspy-editor-wrap">
          <span className="tspy-kind-badge">{kind === "python" ? "Python" : kind === "typescript" ? "TypeScript" : "raw"}</span>
          <CodeEditor
            value={cell.source}
            language={kind === "raw" ? "plaintext" : kind}
            onChange={props.onEdit}
            onRun={() => {
              if (kind !== "raw") props.onRun();
            }}
            onReady={props.editorRef}
          />
        </div>
        <OutputArea outputs={cell.outputs} />
      </div>
    </div>
  );
}

/** The app: notebooks of the server's root on the left, the open notebook on the right. */
export function App({ settings }: { settings: ServerConnection.ISettings }) {
  const contents = useMemo(() => new ContentsManager({ serverSettings: settings }), [settings]);
  const sessions = useMemo(
    () => new SessionManager({ serverSettings: settings, kernelManager: new KernelManager({ serverSettings: settings }) }),
    [settings],
  );
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notebook, setNotebook] = useState<NotebookState | null>(null);
  const [session, setSession] = useState<Session.ISessionConnection | null>(null);
  const [status, setStatus] = useState("no kernel");
  // The notebook as of the last action, ahead of React's render: a cell run right after an edit
  // (Shift+Enter after typing) must run the edited source.
  const notebookRef = useRef<NotebookState | null>(null);
  const dispatch = useCallback((action: Action) => {
    notebookRef.current = notebookReducer(notebookRef.current, action);
    setNotebook(notebookRef.current);
  }, []);
  const editors = useRef(new Map<string, Focusable>());

  useEffect(() => {
    contents
      .get("", { content: true })
      .then((dir) => setFiles((dir.content as { type: string; path: string }[]).filter((f) => f.type === "notebook").map((f) => f.path).sort()))
      .catch((e: unknown) => setError(`cannot list notebooks: ${String(e)}`));
  }, [contents]);

  useEffect(() => () => session?.dispose(), [session]);

  const open = useCallback(
    async (path: string) => {
      setError(null);
      try {
        const model = await contents.get(path, { type: "notebook", content: true });
        dispatch({ type: "load", notebook: readNotebook(path, model.content as nbformat.INotebookContent) });
        setStatus("starting");
        const s = await sessions.startNew({ path, name: path, type: "notebook", kernel: { name: KERNEL_NAME } });
        s.statusChanged.connect((_, st) => setStatus(st));
        setStatus(s.kernel?.status ?? "unknown");
        setSession(s);
      } catch (e) {
        setError(`cannot open ${path}: ${String(e)}`);
        setStatus("no kernel");
      }
    },
    [contents, sessions, dispatch],
  );

  /** Runs one cell; resolves to false when it failed or could not run (no kernel). */
  const run = useCallback(
    async (cellId: string): Promise<boolean> => {
      const kernel = session?.kernel;
      const cell = notebookRef.current?.cells.find((c) => c.id === cellId);
      if (!kernel || !cell || cell.cellType !== "code") return cell?.cellType !== "code";
      dispatch({ type: "start", cellId });
      const future = kernel.requestExecute({ code: cell.source, stop_on_error: true });
      future.onIOPub = (msg) => dispatch({ type: "iopub", cellId, msg });
      try {
        const reply = await future.done;
        const count = "execution_count" in reply.content ? (reply.content.execution_count as number | null) : null;
        dispatch({ type: "finish", cellId, executionCount: count });
        return reply.content.status === "ok";
      } catch (e) {
        dispatch({ type: "finish", cellId, executionCount: null });
        setError(`execution failed: ${String(e)}`);
        return false;
      }
    },
    [session, dispatch],
  );

  const runAndAdvance = useCallback(
    (cellId: string) => {
      const cells = notebookRef.current?.cells ?? [];
      const next = cells.slice(cells.findIndex((c) => c.id === cellId) + 1).find((c) => c.cellType === "code");
      if (next) editors.current.get(next.id)?.focus();
      void run(cellId);
    },
    [run],
  );

  const runAll = useCallback(async () => {
    for (const cell of notebookRef.current?.cells ?? []) {
      if (cell.cellType !== "code") continue;
      if (!(await run(cell.id))) break;
    }
  }, [run]);

  return (
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
      <main className="tspy-notebook">
        <header className="tspy-toolbar">
          <strong className="tspy-title">{notebook?.path ?? "tspy"}</strong>
          <button className="tspy-run-all" disabled={!session} onClick={() => void runAll()}>
            Run All
          </button>
          <span className="tspy-kernel-status" data-status={status}>
            {KERNEL_NAME}: {status}
          </span>
        </header>
        {error && <div className="tspy-app-error">{error}</div>}
        {notebook ? (
          notebook.cells.map((cell) => (
            <CellView
              key={cell.id}
              cell={cell}
              onEdit={(source) => dispatch({ type: "edit", cellId: cell.id, source })}
              onRun={() => runAndAdvance(cell.id)}
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
    </div>
  );
}
