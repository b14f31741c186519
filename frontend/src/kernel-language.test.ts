// The pure parts of kernel-language.ts: UTF-16 <-> code point offsets, complete_reply -> Monaco
// completion items, inspect_reply -> hover, type errors -> markers, and the kernel registry's events.
import { describe, expect, test } from "vitest";
import * as monaco from "monaco-editor/editor/editor.api";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import {
  codePointsToUtf16,
  completionItems,
  completionKind,
  hoverContents,
  languageKernel,
  markersFromDiagnostics,
  onLanguageKernelEvent,
  setLanguageKernel,
  unrunCellsAbove,
  utf16ToCodePoints,
  type CellEditorLike,
  type LanguageKernelEvent,
} from "./kernel-language";

/** Monaco's getPositionAt for a text whose lines end with \n (1-based line and column). */
function positionAt(text: string) {
  return (offset: number): monaco.IPosition => {
    const before = text.slice(0, offset).split("\n");
    return { lineNumber: before.length, column: before[before.length - 1].length + 1 };
  };
}

describe("offsets", () => {
  // "𝑥" (U+1D465) and "😀" are two UTF-16 code units each, one code point.
  const text = 'const 𝑥 = "😀";\nx.';

  test("utf16_to_code_points_counts_astral_characters_once", () => {
    expect(utf16ToCodePoints(text, 0)).toBe(0);
    expect(utf16ToCodePoints(text, 6)).toBe(6);
    expect(utf16ToCodePoints(text, 8)).toBe(7); // after 𝑥
    expect(utf16ToCodePoints(text, text.length)).toBe([...text].length);
    expect(utf16ToCodePoints(text, text.length + 5)).toBe([...text].length);
  });

  test("code_points_to_utf16_is_the_inverse_at_character_boundaries", () => {
    for (let cp = 0; cp <= [...text].length; cp++) {
      const utf16 = codePointsToUtf16(text, cp);
      expect(utf16ToCodePoints(text, utf16)).toBe(cp);
      expect(utf16).toBe([...text].slice(0, cp).join("").length);
    }
    expect(codePointsToUtf16(text, 1000)).toBe(text.length);
  });

  test("an_offset_inside_a_surrogate_pair_counts_its_high_half", () => {
    expect(utf16ToCodePoints("😀a", 1)).toBe(1);
    expect(utf16ToCodePoints("😀a", 2)).toBe(1);
    expect(utf16ToCodePoints("😀a", 3)).toBe(2);
  });
});

describe("completions", () => {
  test("matches_replace_cursor_start_to_cursor_end_mapped_from_code_points", () => {
    // Cursor after "np.ze" on line 2; the astral "😀" before it shifts UTF-16 offsets by one.
    const code = 'const s = "😀";\nnp.ze';
    const cursor = [...code].length;
    const content = { status: "ok", matches: ["zeros", "zeros_like"], cursor_start: cursor - 2, cursor_end: cursor, metadata: {} } as const;
    const items = completionItems(code, content as unknown as KernelMessage.ICompleteReplyMsg["content"], positionAt(code));
    expect(items.map((i) => i.label)).toEqual(["zeros", "zeros_like"]);
    expect(items.map((i) => i.insertText)).toEqual(["zeros", "zeros_like"]);
    expect(items[0].range).toEqual({ startLineNumber: 2, startColumn: 4, endLineNumber: 2, endColumn: 6 });
    expect(items[0].kind).toBe(monaco.languages.CompletionItemKind.Text);
    expect(items.map((i) => i.sortText)).toEqual(["0", "1"]);
  });

  test("jupyter_types_give_kind_and_signature_as_detail", () => {
    const code = "math.s";
    const content = {
      status: "ok",
      matches: ["sin", "sqrt"],
      cursor_start: 5,
      cursor_end: 6,
      metadata: {
        _jupyter_types_experimental: [
          { start: 5, end: 6, text: "sin", type: "function", signature: "(x, /)" },
          { start: 5, end: 6, text: "sqrt", type: "instance" },
        ],
      },
    };
    const items = completionItems(code, content as unknown as KernelMessage.ICompleteReplyMsg["content"], positionAt(code));
    expect(items.map((i) => [i.label, i.kind, i.detail])).toEqual([
      ["sin", monaco.languages.CompletionItemKind.Function, "(x, /)"],
      ["sqrt", monaco.languages.CompletionItemKind.Variable, "instance"],
    ]);
    expect(items[1].range).toEqual({ startLineNumber: 1, startColumn: 6, endLineNumber: 1, endColumn: 7 });
  });

  test("an_error_reply_gives_no_items", () => {
    const content = { status: "error", ename: "E", evalue: "", traceback: [] };
    expect(completionItems("x.", content as KernelMessage.ICompleteReplyMsg["content"], positionAt("x."))).toEqual([]);
  });

  test("completion_kind_maps_typescript_jedi_and_tspy_types", () => {
    const K = monaco.languages.CompletionItemKind;
    expect(completionKind("method")).toBe(K.Method);
    expect(completionKind("local var")).toBe(K.Variable);
    expect(completionKind("class")).toBe(K.Class);
    expect(completionKind("module")).toBe(K.Module);
    expect(completionKind("keyword")).toBe(K.Keyword);
    expect(completionKind("python")).toBe(K.Property);
    expect(completionKind("something new")).toBe(K.Text);
    expect(completionKind(undefined)).toBe(K.Text);
  });

  test("completion_kind_maps_every_jedi_type_the_kernel_gives_python_members", () => {
    const K = monaco.languages.CompletionItemKind;
    const kinds = ["function", "class", "module", "instance", "keyword", "statement", "property", "param", "path"].map(completionKind);
    expect(kinds).toEqual([K.Function, K.Class, K.Module, K.Variable, K.Keyword, K.Variable, K.Property, K.Variable, K.Folder]);
  });
});

describe("hover", () => {
  test("text_plain_is_a_code_block_without_ansi_escapes", () => {
    const content = { status: "ok", found: true, data: { "text/plain": "\u001b[31mSignature:\u001b[0m sqrt(x, /)\n\n" }, metadata: {} } as const;
    expect(hoverContents(content as unknown as KernelMessage.IInspectReplyMsg["content"])).toEqual({ value: "```\nSignature: sqrt(x, /)\n```" });
  });

  test("a_fence_is_longer_than_backticks_in_the_text", () => {
    const content = { status: "ok", found: true, data: { "text/plain": "use ```code``` here" }, metadata: {} };
    expect(hoverContents(content as unknown as KernelMessage.IInspectReplyMsg["content"])?.value).toBe("````\nuse ```code``` here\n````");
  });

  test("text_markdown_is_shown_as_is", () => {
    const content = { status: "ok", found: true, data: { "text/plain": "x", "text/markdown": "**x**: number" }, metadata: {} };
    expect(hoverContents(content as unknown as KernelMessage.IInspectReplyMsg["content"])).toEqual({ value: "**x**: number" });
  });

  test("nothing_found_gives_no_hover", () => {
    const content = { status: "ok", found: false, data: {}, metadata: {} };
    expect(hoverContents(content as unknown as KernelMessage.IInspectReplyMsg["content"])).toBeNull();
  });
});

describe("diagnostics", () => {
  test("type_errors_become_markers_with_severity_and_code", () => {
    const markers = markersFromDiagnostics([
      { line: 1, column: 7, endLine: 1, endColumn: 8, code: 2322, message: "Type 'string' is not assignable to type 'number'.", severity: "error" },
      { line: 2, column: 3, endLine: 2, endColumn: 3, code: 6133, message: "unused", severity: "warning" },
    ]);
    expect(markers[0]).toEqual({
      severity: monaco.MarkerSeverity.Error,
      message: "Type 'string' is not assignable to type 'number'.",
      code: "2322",
      source: "ts",
      startLineNumber: 1,
      startColumn: 7,
      endLineNumber: 1,
      endColumn: 8,
    });
    expect(markers[1].severity).toBe(monaco.MarkerSeverity.Warning);
    // An empty range is widened to one character, so that it shows.
    expect([markers[1].startColumn, markers[1].endColumn]).toEqual([3, 4]);
  });

  test("a_name_from_an_unrun_cell_above_is_an_info_marker_not_an_error", () => {
    const [marker] = markersFromDiagnostics([
      { line: 1, column: 1, endLine: 1, endColumn: 7, code: 2304, message: "'images' is defined by a cell above that has not run yet", severity: "info" },
    ]);
    expect(marker.severity).toBe(monaco.MarkerSeverity.Info);
    expect(marker.message).toBe("'images' is defined by a cell above that has not run yet");
  });
});

/** A stand-in for a cell editor: a node in the page and a model with a language and a text. */
function cellEditor(parent: HTMLElement, language: string, text: string): CellEditorLike {
  const node = document.createElement("div");
  parent.appendChild(node);
  const model = { isDisposed: () => false, getLanguageId: () => language, getValue: () => text } as unknown as monaco.editor.ITextModel;
  return { getContainerDomNode: () => node, getModel: () => model };
}

type Slot<T> = (sender: unknown, value: T) => void;

/** A kernel connection whose iopub messages and status changes the test sends. */
function fakeKernel() {
  const iopub = new Set<Slot<KernelMessage.IIOPubMessage>>();
  const status = new Set<Slot<Kernel.Status>>();
  const kernel = {
    iopubMessage: { connect: (s: Slot<KernelMessage.IIOPubMessage>) => iopub.add(s), disconnect: (s: Slot<KernelMessage.IIOPubMessage>) => iopub.delete(s) },
    statusChanged: { connect: (s: Slot<Kernel.Status>) => status.add(s), disconnect: (s: Slot<Kernel.Status>) => status.delete(s) },
  } as unknown as Kernel.IKernelConnection;
  return {
    kernel,
    iopub,
    status,
    send: (msg: KernelMessage.IIOPubMessage) => iopub.forEach((s) => s(kernel, msg)),
    setStatus: (value: Kernel.Status) => status.forEach((s) => s(kernel, value)),
  };
}

describe("unrun cells above", () => {
  test("typescript_cells_above_whose_text_has_not_run_in_notebook_order", () => {
    const page = document.createElement("main");
    const first = cellEditor(page, "typescript", "const a = 1;");
    const python = cellEditor(page, "python", "%%python\nb = 2");
    const markdown = cellEditor(page, "markdown", "# c");
    const ran = cellEditor(page, "typescript", "const d = 4;");
    const second = cellEditor(page, "typescript", "const e = 5;");
    const checked = cellEditor(page, "typescript", "a + e;");
    const below = cellEditor(page, "typescript", "const f = 6;");
    // Given out of order: the result is in the page's order all the same.
    const editors = [below, checked, second, ran, markdown, python, first];
    expect(unrunCellsAbove(checked, editors, new Set(["const d = 4;"]))).toEqual(["const a = 1;", "const e = 5;"]);
    expect(unrunCellsAbove(first, editors, new Set())).toEqual([]);
  });

  test("a_cell_counts_as_run_once_the_kernel_echoes_its_code_until_a_restart", () => {
    const page = document.createElement("main");
    const above = cellEditor(page, "typescript", "const images = load();");
    const checked = cellEditor(page, "typescript", "images;");
    const fake = fakeKernel();
    try {
      setLanguageKernel(fake.kernel, null);
      expect(unrunCellsAbove(checked, [above, checked])).toEqual(["const images = load();"]);
      fake.send({
        header: { msg_type: "execute_input" },
        parent_header: {},
        content: { code: "const images = load();", execution_count: 1 },
      } as unknown as KernelMessage.IIOPubMessage);
      expect(unrunCellsAbove(checked, [above, checked])).toEqual([]);
      fake.setStatus("restarting");
      expect(unrunCellsAbove(checked, [above, checked])).toEqual(["const images = load();"]);
    } finally {
      setLanguageKernel(null, null);
    }
    expect(fake.iopub.size + fake.status.size).toBe(0);
  });
});

describe("registry", () => {
  test("set_language_kernel_notifies_on_change_and_after_each_execution", () => {
    const { kernel, iopub: slots } = fakeKernel();
    const events: LanguageKernelEvent[] = [];
    const stop = onLanguageKernelEvent((e) => events.push(e));
    const idle = (parentType: string) =>
      ({
        header: { msg_type: "status" },
        parent_header: { msg_type: parentType },
        content: { execution_state: "idle" },
      }) as unknown as KernelMessage.IIOPubMessage;
    try {
      setLanguageKernel(kernel, null);
      setLanguageKernel(kernel, null); // unchanged: no event
      expect(languageKernel().kernel).toBe(kernel);
      for (const s of slots) s(kernel, idle("complete_request"));
      for (const s of slots) s(kernel, idle("execute_request"));
      expect(events).toEqual(["kernel", "executed"]);
      setLanguageKernel(null, null);
      expect(slots.size).toBe(0);
      expect(events).toEqual(["kernel", "executed", "kernel"]);
    } finally {
      stop();
      setLanguageKernel(null, null);
    }
  });
});
