// The code editor of a cell: Monaco (only its core, with TypeScript and Python highlighting),
// sized to its content, running the cell on Shift+Enter. Knows nothing of kernels: completions,
// hover and diagnostics from the kernel are not wired here.
import { useEffect, useRef } from "react";
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/languages/definitions/typescript/register";
import "monaco-editor/languages/definitions/python/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

// Monaco's editor worker (diffing, links, word-based suggestions) is bundled by Vite.
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

/**
 * A Monaco editor for one cell's source. It grows with its content (no inner scrollbar) and
 * calls `onRun` on Shift+Enter instead of inserting a newline.
 * @param props.value the source; a change from outside replaces the editor's text.
 * @param props.language Monaco language id ("typescript" or "python").
 * @param props.onChange called with the whole new source after each edit.
 * @param props.onRun called on Shift+Enter.
 * @param props.onReady receives the editor once made (null when it is disposed), e.g. to focus it.
 */
export function CodeEditor(props: {
  value: string;
  language: string;
  onChange: (value: string) => void;
  onRun: () => void;
  onReady?: (editor: monaco.editor.IStandaloneCodeEditor | null) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  // The latest callbacks, so that the editor, made once, never calls stale ones.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const editor = monaco.editor.create(host.current!, {
      value: latest.current.value,
      language: latest.current.language,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      scrollbar: { vertical: "hidden", alwaysConsumeMouseWheel: false },
      overviewRulerLanes: 0,
      lineNumbers: "off",
      glyphMargin: false,
      folding: false,
      renderLineHighlight: "none",
      automaticLayout: true,
      fontSize: 13,
      tabSize: 2,
    });
    editorRef.current = editor;
    const fit = () => {
      host.current!.style.height = `${Math.max(editor.getContentHeight(), 19)}px`;
      editor.layout();
    };
    fit();
    editor.onDidContentSizeChange(fit);
    editor.onDidChangeModelContent(() => {
      const value = editor.getValue();
      if (value !== latest.current.value) latest.current.onChange(value);
    });
    // An action, not addCommand: Monaco binds addCommand's keys for every editor to the last one made.
    editor.addAction({
      id: "tspy.runCell",
      label: "Run cell",
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => latest.current.onRun(),
    });
    latest.current.onReady?.(editor);
    return () => {
      latest.current.onReady?.(null);
      editor.getModel()?.dispose();
      editor.dispose();
      editorRef.current = null;
    };
  }, []);

  useEffect(() => {
    const editor = editorRef.current;
    if (editor && editor.getValue() !== props.value) editor.setValue(props.value);
  }, [props.value]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model) monaco.editor.setModelLanguage(model, props.language);
  }, [props.language]);

  return <div ref={host} className="tspy-editor" data-language={props.language} />;
}
