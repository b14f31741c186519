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
import { KERNEL_LANGUAGES, registerKernelLanguageProviders, watchDiagnostics } from "./kernel-language";
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

/** Spaces per indent level by Monaco language id: PEP 8's 4 for Python, 2 (TypeScript's usual) elsewhere. */
export function indentSize(language: string): number {
  return language === "python" ? 4 : 2;
}

/** localStorage key of the "suggest while typing" setting ("true" when on). */
export const SUGGEST_WHILE_TYPING_KEY = "tspy.suggestWhileTyping";
const suggestSettingListeners = new Set<(on: boolean) => void>();

/**
 * Whether completions open by themselves while typing (on `.` and on words), as the user set it;
 * off by default, as in JupyterLab, where completions open on Tab.
 */
export function suggestWhileTyping(): boolean {
  try {
    return localStorage.getItem(SUGGEST_WHILE_TYPING_KEY) === "true";
  } catch {
    return false;
  }
}

/**
 * Turns "suggest while typing" on or off for every editor, and remembers it in localStorage.
 * @param on the new setting.
 */
export function setSuggestWhileTyping(on: boolean): void {
  try {
    localStorage.setItem(SUGGEST_WHILE_TYPING_KEY, String(on));
  } catch {
    // storage refused (private mode): the setting lasts for this page only
  }
  for (const l of suggestSettingListeners) l(on);
}

/** Monaco options that make completion follow {@link suggestWhileTyping}; Enter never accepts a suggestion by itself. */
function suggestOptions(on: boolean): monaco.editor.IEditorOptions {
  return { quickSuggestions: on, suggestOnTriggerCharacters: on, acceptSuggestionOnEnter: "off" };
}

/** The part of Monaco's suggest controller (contribution `editor.contrib.suggestController`) used here. */
interface SuggestControllerLike {
  /** The suggest session: `onDidTrigger` fires when a list is asked for (Tab, or typing with the setting on). */
  model: { onDidTrigger: monaco.IEvent<unknown> };
  widget: { value: { onDidHide: monaco.IEvent<unknown> } };
}

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
      ...suggestOptions(suggestWhileTyping()),
    });
    const indent = () => {
      const size = indentSize(editor.getModel()?.getLanguageId() ?? "");
      editor.getModel()?.updateOptions({ tabSize: size, indentSize: size, insertSpaces: true });
    };
    indent();
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
      editor.onDidChangeModelLanguage(indent),
    ];
    // Enter accepts a suggestion only after the user moved into the list with the arrow keys (or
    // PageUp/PageDown); otherwise it starts a new line, whatever the list shows.
    const navigated = editor.createContextKey<boolean>("tspy.suggestNavigated", false);
    const suggest = editor.getContribution<SuggestControllerLike & monaco.editor.IEditorContribution>("editor.contrib.suggestController");
    if (suggest) {
      subscriptions.push(suggest.model.onDidTrigger(() => navigated.set(false)));
      subscriptions.push(suggest.widget.value.onDidHide(() => navigated.set(false)));
    }
    const moves = [monaco.KeyCode.UpArrow, monaco.KeyCode.DownArrow, monaco.KeyCode.PageUp, monaco.KeyCode.PageDown];
    subscriptions.push(
      editor.onKeyDown((e) => {
        if (moves.includes(e.keyCode) && !e.shiftKey && !e.altKey) navigated.set(true);
      }),
    );
    const onSetting = (on: boolean) => editor.updateOptions(suggestOptions(on));
    suggestSettingListeners.add(onSetting);
    subscriptions.push({ dispose: () => suggestSettingListeners.delete(onSetting) });
    editor.addAction({
      id: "tspy.acceptNavigatedSuggestion",
      label: "Accept the suggestion moved to",
      keybindings: [monaco.KeyCode.Enter],
      keybindingContext: "suggestWidgetVisible && tspy.suggestNavigated",
      run: () => editor.trigger("keyboard", "acceptSelectedSuggestion", {}),
    });
    // Tab after text completes (JupyterLab's completer, from complete_request); at the start of a
    // line, or in Markdown, it indents. Shift+Tab after text shows the kernel's inspection
    // (inspect_request, as Monaco's hover) and outdents otherwise.
    const afterText = () => {
      const model = editor.getModel();
      const at = editor.getPosition();
      const selection = editor.getSelection();
      if (!model || !at || !selection?.isEmpty() || !KERNEL_LANGUAGES.includes(model.getLanguageId() as "python")) return false;
      return (
        model
          .getLineContent(at.lineNumber)
          .slice(0, at.column - 1)
          .trim() !== ""
      );
    };
    editor.addAction({
      id: "tspy.complete",
      label: "Complete (Tab)",
      keybindings: [monaco.KeyCode.Tab],
      keybindingContext: "editorTextFocus && !suggestWidgetVisible && !inSnippetMode && !editorTabMovesFocus",
      run: () => editor.trigger("keyboard", afterText() ? "editor.action.triggerSuggest" : "tab", {}),
    });
    editor.addAction({
      id: "tspy.inspect",
      label: "Show the kernel's inspection (Shift+Tab)",
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Tab],
      keybindingContext: "editorTextFocus && !suggestWidgetVisible && !inSnippetMode && !editorTabMovesFocus",
      run: () => editor.trigger("keyboard", afterText() ? "editor.action.showHover" : "outdent", {}),
    });
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
