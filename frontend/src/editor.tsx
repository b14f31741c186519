// The code editor of a cell: Monaco (its core, the editing contributions a notebook needs, and the
// TypeScript and Python tokenizers; no TypeScript worker), sized to its content, with the notebook's
// run keys. Completions, hover and type errors come from the kernel through kernel-language.ts;
// this file knows nothing of kernels or of what a command does.
import { useEffect, useRef } from "react";
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/languages/definitions/typescript/register";
import "monaco-editor/languages/definitions/python/register";
import "monaco-editor/languages/definitions/markdown/register";
// editor.api is the bare core: suggest, hover and the usual editing contributions are opt-in.
import "monaco-editor/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/features/codicon/register";
import "monaco-editor/features/suggest/register";
import "monaco-editor/features/hover/register";
import "monaco-editor/features/snippet/register";
import "monaco-editor/features/bracketMatching/register";
import "monaco-editor/features/clipboard/register";
import "monaco-editor/features/comment/register";
import "monaco-editor/features/contextmenu/register";
import "monaco-editor/features/cursorUndo/register";
import "monaco-editor/features/find/register";
import "monaco-editor/features/gotoError/register";
import "monaco-editor/features/linesOperations/register";
import "monaco-editor/features/multicursor/register";
import "monaco-editor/features/wordOperations/register";
import "monaco-editor/features/wordHighlighter/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import { registerKernelLanguageProviders, watchDiagnostics } from "./kernel-language";
import { EditorEchoes } from "./editor-value";

// Monaco's editor worker (diffing, links, word-based suggestions) is bundled by Vite.
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};
registerKernelLanguageProviders();

/**
 * What a key in a cell's editor asks the notebook to do (Jupyter's keys):
 * - `runAndAdvance` (Shift+Enter): run the cell and move to the next one;
 * - `run` (Ctrl+Enter): run the cell and stay;
 * - `runAndInsertBelow` (Alt+Enter): run the cell and insert a new one below it;
 * - `commandMode` (Escape, when no suggest list, hover, find or parameter hints are open): leave the editor.
 */
export type EditorCommand = "runAndAdvance" | "run" | "runAndInsertBelow" | "commandMode";

/** Monaco's context when Escape belongs to the editor itself (closing a widget, dropping extra cursors). */
const ESCAPE_IS_MONACOS =
  "suggestWidgetVisible || editorHoverVisible || parameterHintsVisible || findWidgetVisible || renameInputVisible || inlineSuggestionVisible || inSnippetMode || editorHasMultipleSelections";

/** Height in px of an empty editor (one line). */
const MIN_HEIGHT = 19;

/**
 * A Monaco editor for one cell's source. It grows with its content (long lines wrap: no inner
 * scrollbar either way) and turns the notebook's keys into {@link EditorCommand}s.
 * @param props.value the source; a change from outside replaces the editor's text.
 * @param props.language Monaco language id ("typescript", "python" or "plaintext").
 * @param props.onChange called with the whole new source after each edit.
 * @param props.onCommand called with the command of a notebook key pressed in the editor.
 * @param props.onReady receives the editor once made (null when it is disposed), e.g. to focus it.
 */
export function CodeEditor(props: {
  value: string;
  language: string;
  onChange: (value: string) => void;
  onCommand: (command: EditorCommand) => void;
  onReady?: (editor: monaco.editor.IStandaloneCodeEditor | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  // The values this editor reported, so that a render lagging behind the typing is not applied.
  const echoes = useRef(new EditorEchoes());
  // The latest callbacks, so that the editor, made once, never calls stale ones.
  const latest = useRef(props);
  // eslint-disable-next-line react-hooks/refs -- the latest-callbacks ref, read only by the editor's event handlers
  latest.current = props;

  useEffect(() => {
    // Monaco lives in an inner element without border or padding: the outer one's box (border,
    // padding from app.css) would otherwise take its height from the editor's content area.
    const inner = document.createElement("div");
    inner.className = "tspy-editor-monaco";
    inner.style.height = `${MIN_HEIGHT}px`;
    host.current!.appendChild(inner);
    const editor = monaco.editor.create(inner, {
      value: latest.current.value,
      language: latest.current.language,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      wordWrap: "on",
      scrollbar: { vertical: "hidden", horizontal: "hidden", alwaysConsumeMouseWheel: false },
      overviewRulerLanes: 0,
      lineNumbers: "off",
      glyphMargin: false,
      folding: false,
      renderLineHighlight: "none",
      // Suggest and hover widgets may reach past a short cell's editor.
      fixedOverflowWidgets: true,
      automaticLayout: true,
      fontSize: 13,
      tabSize: 2,
    });
    editorRef.current = editor;
    // The content height changes with edits, wrapping (width) and font loading; the editor's
    // height follows, and Monaco lays out at once rather than on its next resize observation.
    const fit = () => {
      const height = Math.max(editor.getContentHeight(), MIN_HEIGHT);
      if (inner.style.height !== `${height}px`) {
        inner.style.height = `${height}px`;
        editor.layout({ width: inner.clientWidth, height });
      }
    };
    fit();
    const subscriptions = [
      editor.onDidContentSizeChange(fit),
      editor.onDidChangeModelContent(() => {
        const value = editor.getValue();
        if (value !== latest.current.value) {
          echoes.current.reportedByEditor(value);
          latest.current.onChange(value);
        }
      }),
      watchDiagnostics(editor),
    ];
    // Actions, not addCommand: Monaco binds addCommand's keys for every editor to the last one made.
    const command = (id: EditorCommand, label: string, keybindings: number[], keybindingContext?: string) =>
      editor.addAction({ id: `tspy.${id}`, label, keybindings, keybindingContext, run: () => latest.current.onCommand(id) });
    command("runAndAdvance", "Run cell and select below", [monaco.KeyMod.Shift | monaco.KeyCode.Enter]);
    command("run", "Run cell", [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, monaco.KeyMod.WinCtrl | monaco.KeyCode.Enter]);
    command("runAndInsertBelow", "Run cell and insert below", [monaco.KeyMod.Alt | monaco.KeyCode.Enter]);
    command("commandMode", "Enter command mode", [monaco.KeyCode.Escape], `!(${ESCAPE_IS_MONACOS})`);
    latest.current.onReady?.(editor);
    return () => {
      latest.current.onReady?.(null);
      for (const s of subscriptions) s.dispose();
      editor.getModel()?.dispose();
      editor.dispose();
      inner.remove();
      editorRef.current = null;
    };
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    if (editor && echoes.current.shouldApply(props.value, editor.getValue())) editor.setValue(props.value);
  }, [props.value]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model) monaco.editor.setModelLanguage(model, props.language);
  }, [props.language]);

  return <div ref={host} className="tspy-editor" data-language={props.language} />;
}
