// What Monaco learns from the kernel: completions (complete_request), hover (inspect_request) and
// TypeScript type errors (the tspy.notebook comm) for every cell editor, through one module-level
// registry of the current kernel connection. Knows Monaco and the messaging spec, not React or cells.
import * as monaco from "monaco-editor/editor/editor.api";
import Anser from "anser";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import type { Diagnostic, NotebookComm } from "./notebook-comm";

/** The Monaco language ids whose cells the kernel answers for. */
export const KERNEL_LANGUAGES = ["typescript", "python"] as const;

/** Owner of the kernel's markers on a model (`monaco.editor.setModelMarkers`). */
export const DIAGNOSTICS_OWNER = "tspy.kernel";

/** ms after the last edit before a cell's type errors are asked for. */
export const DIAGNOSTICS_DELAY_MS = 400;

/**
 * Why the registry's listeners are called: `kernel` when the kernel connection or the comm changed,
 * `executed` when an execute_request finished (iopub `status: idle` whose parent is one).
 */
export type LanguageKernelEvent = "kernel" | "executed";

let currentKernel: Kernel.IKernelConnection | null = null;
let currentComm: NotebookComm | null = null;
const listeners = new Set<(event: LanguageKernelEvent) => void>();
/**
 * The sources the current kernel has run (iopub `execute_input`'s code), forgotten when the kernel
 * changes or restarts: a cell whose text is not here has not run since its last edit.
 */
const executedSources = new Set<string>();
/** The cell editors {@link watchDiagnostics} watches, each with the function that schedules its refresh. */
const watchedEditors = new Map<monaco.editor.ICodeEditor, (ms: number) => void>();

function emit(event: LanguageKernelEvent): void {
  for (const listener of [...listeners]) listener(event);
}

function onIopub(_sender: Kernel.IKernelConnection, msg: KernelMessage.IIOPubMessage): void {
  if (msg.header.msg_type === "execute_input") executedSources.add((msg.content as KernelMessage.IExecuteInputMsg["content"]).code);
  if (msg.header.msg_type !== "status") return;
  const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
  if ((msg.content as KernelMessage.IStatusMsg["content"]).execution_state === "idle" && parent.msg_type === "execute_request") emit("executed");
}

/** A restarting or dead kernel has lost what it ran. */
function onStatus(_sender: Kernel.IKernelConnection, status: Kernel.Status): void {
  if (status === "restarting" || status === "autorestarting" || status === "dead") executedSources.clear();
}

/**
 * Tells every cell editor which kernel answers completions and hover, and which comm answers
 * type errors. Call it whenever the session's kernel or its `tspy.notebook` comm changes.
 * @param kernel the notebook's kernel connection, or null when none (providers then answer nothing).
 * @param comm the kernel's `tspy.notebook` comm, or null when none (no type errors are shown).
 */
export function setLanguageKernel(kernel: Kernel.IKernelConnection | null, comm: NotebookComm | null): void {
  if (kernel === currentKernel && comm === currentComm) return;
  if (kernel !== currentKernel) {
    currentKernel?.iopubMessage.disconnect(onIopub);
    currentKernel?.statusChanged.disconnect(onStatus);
    kernel?.iopubMessage.connect(onIopub);
    kernel?.statusChanged.connect(onStatus);
    executedSources.clear();
  }
  currentKernel = kernel;
  currentComm = comm;
  emit("kernel");
}

/** The kernel connection and comm last given to {@link setLanguageKernel}. */
export function languageKernel(): { kernel: Kernel.IKernelConnection | null; comm: NotebookComm | null } {
  return { kernel: currentKernel, comm: currentComm };
}

/**
 * Calls `listener` on each {@link LanguageKernelEvent}.
 * @returns a function that removes the listener.
 */
export function onLanguageKernelEvent(listener: (event: LanguageKernelEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A UTF-16 offset (Monaco's, JavaScript's) as a code point offset (the messaging spec's cursor_pos,
 * 5.2+). An offset inside a surrogate pair counts the pair's high half as one code point.
 * @param text the whole cell source.
 * @param offset UTF-16 code units from the start of `text` (clamped to its length).
 * @returns code points in `text` before `offset`.
 */
export function utf16ToCodePoints(text: string, offset: number): number {
  const end = Math.min(Math.max(offset, 0), text.length);
  let points = 0;
  for (let i = 0; i < end; i++) {
    const unit = text.charCodeAt(i);
    points += 1;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return points;
}

/**
 * A code point offset (cursor_start, cursor_end of a reply) as a UTF-16 offset for Monaco.
 * @param text the whole cell source.
 * @param points code points from the start of `text` (clamped to the text's code point length).
 * @returns UTF-16 code units in `text` before that code point.
 */
export function codePointsToUtf16(text: string, points: number): number {
  let i = 0;
  for (let seen = 0; seen < points && i < text.length; seen++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    i += unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return i;
}

const KINDS: Record<string, monaco.languages.CompletionItemKind> = (() => {
  const K = monaco.languages.CompletionItemKind;
  const table: [monaco.languages.CompletionItemKind, string[]][] = [
    [K.Function, ["function", "local function", "call", "construct"]],
    [K.Method, ["method"]],
    [K.Constructor, ["constructor"]],
    [K.Class, ["class", "local class"]],
    [K.Interface, ["interface"]],
    [K.TypeParameter, ["type", "type parameter", "alias", "primitive type"]],
    [K.Enum, ["enum"]],
    [K.EnumMember, ["enum member"]],
    [K.Variable, ["var", "local var", "let", "variable", "statement", "instance", "param", "parameter"]],
    [K.Constant, ["const"]],
    [K.Property, ["property", "getter", "setter", "accessor", "jsx attribute", "index", "python"]],
    [K.Module, ["module", "external module name", "script"]],
    [K.Keyword, ["keyword", "magic"]],
    [K.Folder, ["path", "directory"]],
    [K.Value, ["string"]],
  ];
  return Object.fromEntries(table.flatMap(([kind, names]) => names.map((n) => [n, kind])));
})();

/**
 * The Monaco kind of a completion's `_jupyter_types_experimental` type: TypeScript's
 * ScriptElementKind (`function`, `local var`, `property`...), jedi's (`module`, `instance`,
 * `statement`...) or tspy's `python` (a live Python object's member).
 * @param type the type word; unknown words give `Text`.
 */
export function completionKind(type: string | undefined): monaco.languages.CompletionItemKind {
  return (type ? KINDS[type.toLowerCase()] : undefined) ?? monaco.languages.CompletionItemKind.Text;
}

/** One entry of a complete_reply's `metadata._jupyter_types_experimental` (offsets in code points). */
export interface JupyterTypedMatch {
  text: string;
  type?: string;
  start?: number;
  end?: number;
  signature?: string;
}

/**
 * Monaco completion items from a complete_reply's content (messaging spec "Completion"): one per
 * match, replacing cursor_start..cursor_end; with `metadata._jupyter_types_experimental`, its
 * entries instead (their own start/end when given), the type as kind and the signature as detail.
 * Items keep the kernel's order (sortText).
 * @param code the cell source the request was sent with.
 * @param content the reply's content; a non-`ok` status gives no items.
 * @param positionAt a UTF-16 offset of `code` as a Monaco position (the model's getPositionAt).
 */
export function completionItems(
  code: string,
  content: KernelMessage.ICompleteReplyMsg["content"],
  positionAt: (offset: number) => monaco.IPosition,
): monaco.languages.CompletionItem[] {
  if (content.status !== "ok") return [];
  const typed = (content.metadata as { _jupyter_types_experimental?: JupyterTypedMatch[] } | undefined)?._jupyter_types_experimental;
  const matches: JupyterTypedMatch[] = Array.isArray(typed) && typed.length ? typed : content.matches.map((text) => ({ text }));
  const range = (start: number, end: number): monaco.IRange => {
    const from = positionAt(codePointsToUtf16(code, start));
    const to = positionAt(codePointsToUtf16(code, end));
    return { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column };
  };
  const width = String(matches.length).length;
  return matches.map((m, i) => ({
    label: m.text,
    kind: completionKind(m.type),
    detail: m.signature || m.type || undefined,
    insertText: m.text,
    sortText: String(i).padStart(width, "0"),
    range: range(m.start ?? content.cursor_start, m.end ?? content.cursor_end),
  }));
}

/**
 * The hover of an inspect_reply's content: its text/markdown as is, else its text/plain with
 * ANSI escapes stripped, as a fenced Markdown code block.
 * @param content the reply's content.
 * @returns null when the reply is not `ok`, found nothing, or holds neither MIME type.
 */
export function hoverContents(content: KernelMessage.IInspectReplyMsg["content"]): monaco.IMarkdownString | null {
  if (content.status !== "ok" || !content.found) return null;
  const markdown = content.data["text/markdown"];
  if (typeof markdown === "string" && markdown.trim()) return { value: markdown };
  const plain = content.data["text/plain"];
  if (typeof plain !== "string" || !plain.trim()) return null;
  const text = Anser.ansiToText(plain).replace(/\s+$/, "");
  const longestTicks = Math.max(0, ...(text.match(/`+/g) ?? []).map((t) => t.length));
  const fence = "`".repeat(Math.max(3, longestTicks + 1));
  return { value: `${fence}\n${text}\n${fence}` };
}

const MARKER_SEVERITY: Record<Diagnostic["severity"], monaco.MarkerSeverity> = {
  error: monaco.MarkerSeverity.Error,
  warning: monaco.MarkerSeverity.Warning,
  info: monaco.MarkerSeverity.Info,
};

/**
 * Monaco markers from the kernel's type errors of a TypeScript cell (same 1-based lines and
 * UTF-16 columns; an empty range is widened to one character so that it shows). Severity `info`
 * (a name a cell above that has not run declares) is Monaco's Info: a blue squiggle, not an error.
 * @param diagnostics the `diagnostics` reply of the tspy.notebook comm.
 */
export function markersFromDiagnostics(diagnostics: Diagnostic[]): monaco.editor.IMarkerData[] {
  return diagnostics.map((d) => {
    const empty = d.endLine === d.line && d.endColumn <= d.column;
    return {
      severity: MARKER_SEVERITY[d.severity],
      message: d.message,
      code: String(d.code),
      source: "ts",
      startLineNumber: d.line,
      startColumn: d.column,
      endLineNumber: d.endLine,
      endColumn: empty ? d.column + 1 : d.endColumn,
    };
  });
}

async function provideCompletions(
  model: monaco.editor.ITextModel,
  position: monaco.Position,
  _context: monaco.languages.CompletionContext,
  token: monaco.CancellationToken,
) {
  const kernel = currentKernel;
  if (!kernel) return { suggestions: [] };
  const code = model.getValue();
  const cursor = utf16ToCodePoints(code, model.getOffsetAt(position));
  try {
    const reply = await kernel.requestComplete({ code, cursor_pos: cursor });
    if (token.isCancellationRequested || model.isDisposed()) return { suggestions: [] };
    return { suggestions: completionItems(code, reply.content, (offset) => model.getPositionAt(offset)) };
  } catch {
    // the kernel went away or restarted mid-request: no completions
    return { suggestions: [] };
  }
}

async function provideHover(model: monaco.editor.ITextModel, position: monaco.Position, token: monaco.CancellationToken) {
  const kernel = currentKernel;
  if (!kernel) return null;
  const code = model.getValue();
  const cursor = utf16ToCodePoints(code, model.getOffsetAt(position));
  try {
    const reply = await kernel.requestInspect({ code, cursor_pos: cursor, detail_level: 0 });
    if (token.isCancellationRequested || model.isDisposed()) return null;
    const contents = hoverContents(reply.content);
    if (!contents) return null;
    const word = model.getWordAtPosition(position);
    const range = word
      ? new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn)
      : new monaco.Range(position.lineNumber, position.column, position.lineNumber, position.column);
    return { contents: [contents], range };
  } catch {
    return null;
  }
}

let providersRegistered = false;

/**
 * Registers, once per page, the completion provider (triggered by `.` and by typing) and the
 * hover provider for {@link KERNEL_LANGUAGES}; both ask the kernel of {@link setLanguageKernel}
 * and answer nothing while there is none. Later calls do nothing.
 */
export function registerKernelLanguageProviders(): void {
  if (providersRegistered) return;
  providersRegistered = true;
  for (const language of KERNEL_LANGUAGES) {
    monaco.languages.registerCompletionItemProvider(language, { triggerCharacters: ["."], provideCompletionItems: provideCompletions });
    monaco.languages.registerHoverProvider(language, { provideHover });
  }
}

/** The subset of a Monaco editor {@link unrunCellsAbove} reads. */
export type CellEditorLike = Pick<monaco.editor.ICodeEditor, "getContainerDomNode" | "getModel">;

/** Whether `a`'s node comes before `b`'s in the page (notebook order: cells are laid out in order). */
function isBefore(a: CellEditorLike, b: CellEditorLike): boolean {
  return (a.getContainerDomNode().compareDocumentPosition(b.getContainerDomNode()) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
}

/**
 * The sources of the TypeScript cells above `editor` that the kernel has not run since their last
 * edit (their text is not among `executed`), in notebook order: what a diagnostics request sends
 * as `unrunCellsAbove` (kernel/contracts/notebook-comm.ts).
 * @param editor the cell editor being checked.
 * @param editors the notebook's cell editors (default: those {@link watchDiagnostics} watches).
 * @param executed the sources the kernel has run (default: the current kernel's `execute_input`s).
 */
export function unrunCellsAbove(
  editor: CellEditorLike,
  editors: Iterable<CellEditorLike> = watchedEditors.keys(),
  executed: ReadonlySet<string> = executedSources,
): string[] {
  const sources: string[] = [];
  for (const other of [...editors].filter((e) => e !== editor && isBefore(e, editor)).sort((a, b) => (isBefore(a, b) ? -1 : 1))) {
    const model = other.getModel();
    if (!model || model.isDisposed() || model.getLanguageId() !== "typescript") continue;
    const source = model.getValue();
    if (!executed.has(source)) sources.push(source);
  }
  return sources;
}

/**
 * Keeps a TypeScript cell editor's kernel markers current: asks the comm for the cell's type errors
 * {@link DIAGNOSTICS_DELAY_MS} after the last edit of this cell or of a cell above, after the kernel
 * or comm changes and after each execution (the delay again, so that a Run All's cells run back to
 * back). Each request carries the {@link unrunCellsAbove}, so that a name only they declare is an
 * Info marker, not an error. A reply for a source that has changed since is dropped; a failed request (no
 * comm on the kernel side yet, a timeout, a closed comm) leaves the markers as they are. Other
 * languages (`%%python` cells) get no markers.
 * @param editor the cell's editor.
 * @param delayMs ms of quiet after an edit before asking.
 * @returns a disposable that stops watching.
 */
export function watchDiagnostics(editor: monaco.editor.ICodeEditor, delayMs = DIAGNOSTICS_DELAY_MS): monaco.IDisposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const refresh = async () => {
    const model = editor.getModel();
    if (!model || model.isDisposed()) return;
    const asked = ++generation;
    const comm = currentComm;
    if (model.getLanguageId() !== "typescript" || !comm) {
      monaco.editor.setModelMarkers(model, DIAGNOSTICS_OWNER, []);
      return;
    }
    const version = model.getVersionId();
    try {
      const diagnostics = await comm.diagnostics(model.getValue(), unrunCellsAbove(editor));
      if (asked !== generation || model.isDisposed() || model.getVersionId() !== version) return;
      monaco.editor.setModelMarkers(model, DIAGNOSTICS_OWNER, markersFromDiagnostics(diagnostics));
    } catch {
      // the kernel cannot answer (yet): keep what is shown
    }
  };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), ms);
  };
  // An edit changes what the cells below may use too.
  const scheduleThisAndBelow = () => {
    for (const [other, scheduleOther] of watchedEditors) if (other === editor || isBefore(editor, other)) scheduleOther(delayMs);
  };
  const subscriptions = [editor.onDidChangeModelContent(scheduleThisAndBelow), editor.onDidChangeModelLanguage(scheduleThisAndBelow)];
  watchedEditors.set(editor, schedule);
  // Not at once: the kernel would answer between the execute_requests of a Run All.
  const stopListening = onLanguageKernelEvent(() => schedule(delayMs));
  schedule(0);
  return {
    dispose: () => {
      clearTimeout(timer);
      generation++;
      stopListening();
      // A removed cell no longer declares anything for the cells below it.
      if (watchedEditors.delete(editor)) for (const scheduleOther of watchedEditors.values()) scheduleOther(delayMs);
      for (const s of subscriptions) s.dispose();
    },
  };
}
