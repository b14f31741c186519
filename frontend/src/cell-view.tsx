// One notebook cell as the user sees it (prompt, kind badge, Monaco editor or rendered Markdown,
// outputs, a pending input() prompt) and the list of the open notebook's cells.
import type { ReactNode } from "react";
import { cellKind, newCellId, selectionRange, type Cell, type Mode, type NotebookState } from "./model";
import type { Action } from "./notebook-reducer";
import { OutputArea } from "./outputs";
import { CodeEditor } from "./editor";
import { MarkdownView } from "./markdown";
import { StdinPrompt, type StdinRequest } from "./stdin";

/** What the app needs of a cell's editor: focusing it (Shift+Enter moves to the next cell). */
export interface Focusable {
  focus(): void;
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
  /** One of the cells of a multi-cell selection (Shift+Up/Down), highlighted. */
  inSelection?: boolean;
  /** Shows the outputs again when they are collapsed (a click on their placeholder). */
  onShowOutputs?: () => void;
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
    "data-in-selection": props.inSelection ? "true" : undefined,
    onMouseDown: (e: React.MouseEvent) => props.onSelect?.(inEditor(e.target) ? "edit" : "command"),
    onFocus: (e: React.FocusEvent) => {
      if (inEditor(e.target)) props.onSelect?.("edit");
    },
  };
  const selectedClass = (props.selected ? " tspy-selected" : "") + (props.inSelection ? " tspy-in-selection" : "");
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
        {cell.metadata?.collapsed ? (
          // Collapsed outputs (O, or nbformat's `collapsed` in the file): a bar, as JupyterLab's placeholder.
          <div className="tspy-outputs-collapsed" title="outputs collapsed: click (or O) to show them" onClick={props.onShowOutputs}>
            …
          </div>
        ) : (
          <OutputArea outputs={cell.outputs} />
        )}
        {props.stdin}
      </div>
    </div>
  );
}

/**
 * The open notebook's cells, each a {@link CellView} wired to the notebook: edits and selection
 * dispatched to its reducer, Shift/Ctrl/Alt+Enter to the runner, its editor registered in `editors`
 * (so that edit mode can focus it), and a cell's pending `input()` shown under it.
 */
export function CellList(props: {
  notebook: NotebookState;
  /** What a code cell is without `%%python` (see notebookCodeKind). */
  codeKind: "typescript" | "python";
  dispatch: (action: Action) => void;
  /** Shift+Enter in a cell's editor. */
  runAndAdvance: (cellId: string) => void;
  /** Ctrl+Enter in a cell's editor. */
  runInPlace: (cellId: string) => void;
  /** Pending stdin input_requests, by cell id. */
  stdin: Record<string, StdinRequest>;
  /** Answers a cell's input_request with what the user typed. */
  answer: (cellId: string, request: StdinRequest, value: string) => void;
  /** The cells' editors by cell id, kept up to date as editors mount and unmount. */
  editors: Map<string, Focusable>;
}) {
  const { notebook, dispatch, stdin } = props;
  const range = notebook.anchorId ? selectionRange(notebook) : null;
  return notebook.cells.map((cell, i) => (
    <CellView
      key={cell.id}
      cell={cell}
      codeKind={props.codeKind}
      onEdit={(source) => dispatch({ type: "edit", cellId: cell.id, source })}
      onRun={() => props.runAndAdvance(cell.id)}
      onRunInPlace={() => props.runInPlace(cell.id)}
      onInsertBelow={() => dispatch({ type: "insert", where: "below", cellId: cell.id, id: newCellId(), mode: "edit" })}
      onCommandMode={() => dispatch({ type: "mode", mode: "command" })}
      selected={cell.id === notebook.selectedId}
      inSelection={range !== null && i >= range[0] && i <= range[1]}
      onShowOutputs={() => {
        dispatch({ type: "select", cellId: cell.id });
        dispatch({ type: "toggleOutputs" });
      }}
      onSelect={(m) => dispatch({ type: "select", cellId: cell.id, mode: m })}
      onEditMarkdown={() => {
        dispatch({ type: "select", cellId: cell.id });
        dispatch({ type: "mode", mode: "edit" });
      }}
      stdin={
        stdin[cell.id] && (
          <StdinPrompt key={stdin[cell.id].parent.msg_id} request={stdin[cell.id]} onSubmit={(value) => props.answer(cell.id, stdin[cell.id], value)} />
        )
      }
      editorRef={(el) => {
        if (el) props.editors.set(cell.id, el);
        else props.editors.delete(cell.id);
      }}
    />
  ));
}
