// Output rendering: streams and tracebacks with ANSI colours, HTML in a sandboxed frame (no
// allow-same-origin), Markdown and LaTeX math (KaTeX MathML), JSON trees, images with their
// metadata sizes, plain text and the MIME preference order; tables in frames styled as JupyterLab
// styles them and maths sized as JupyterLab sizes it; and the app's URL parsing.
// @vitest-environment jsdom
import { afterEach, describe, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { MIME_ORDER, OutputView, imageStyle, pickMime, stripAnsi } from "./outputs";
import { ANSI_COLOURS, ansiSpans, xtermColour } from "./outputs-ansi";
import { LatexView, markdownToHtml } from "./markdown";
import { frameDocument } from "./outputs-frame";
import { katexFrameStylesheet } from "./maths-style";
import { CellView, promptText } from "./cell-view";
import { readNotebook } from "./nbformat-io";
import { serverFromLocation } from "./server";

afterEach(cleanup);

// jsdom has no DragEvent, which Lumino (under the Jupyter widgets that outputs.tsx can draw) uses
// when it loads; hoisted so that it exists before the imports run.
vi.hoisted(() => {
  const g = globalThis as { DragEvent?: unknown; MouseEvent: typeof MouseEvent };
  g.DragEvent ??= class DragEvent extends g.MouseEvent {};
});

// Monaco needs a real browser (the end-to-end test drives it); here the cell's editor is a button
// that shows what the cell handed it and runs the cell when clicked.
vi.mock("./editor", () => ({
  CodeEditor: (p: { value: string; language: string; onCommand: (command: "runAndAdvance") => void }) => (
    <button className="mock-editor" data-language={p.language} onClick={() => p.onCommand("runAndAdvance")}>
      {p.value}
    </button>
  ),
}));

describe("OutputView", () => {
  test("stream_ansi_colours_become_coloured_spans_with_the_plain_text_as_content", () => {
    const { container } = render(<OutputView output={{ output_type: "stream", name: "stderr", text: "\u001b[31mred\u001b[0m text\n" }} />);
    const pre = container.querySelector("pre.tspy-stream-stderr");
    expect(pre?.textContent).toBe("red text\n");
    const span = pre!.querySelector("span.ansi-red-fg") as HTMLElement;
    expect(span.textContent).toBe("red");
    expect(span.style.color).toBe("rgb(231, 92, 88)");
    expect(pre!.querySelectorAll("span")).toHaveLength(1);
  });

  test("stream_ansi_text_is_escaped_not_parsed_as_html", () => {
    const { container } = render(
      <OutputView output={{ output_type: "stream", name: "stdout", text: "\u001b[32m<img src=x onerror=alert(1)>\u001b[0m<b>x</b>" }} />,
    );
    const pre = container.querySelector("pre.tspy-stream-stdout")!;
    expect(pre.querySelector("img, b")).toBeNull();
    expect(pre.textContent).toBe("<img src=x onerror=alert(1)><b>x</b>");
  });

  test("error_traceback_keeps_its_ansi_colours", () => {
    const { container } = render(
      <OutputView
        output={{
          output_type: "error",
          ename: "ValueError",
          evalue: "bad",
          traceback: ["\u001b[0;31m---------\u001b[0m", "\u001b[1;31mValueError\u001b[0m: bad"],
        }}
      />,
    );
    const pre = container.querySelector("pre.tspy-error")!;
    expect(pre.textContent).toBe("---------\nValueError: bad");
    const bold = [...pre.querySelectorAll("span")].find((s) => s.textContent === "ValueError") as HTMLElement;
    expect(bold.style.fontWeight).toBe("bold");
    expect(bold.style.color).toBe("rgb(231, 92, 88)");
  });

  test("an error shows its traceback", () => {
    const { container } = render(
      <OutputView
        output={{ output_type: "error", ename: "TypeError", evalue: "x is not a function", traceback: ["TypeError: x is not a function", "    at <cell>:1:1"] }}
      />,
    );
    expect(container.querySelector("pre.tspy-error")?.textContent).toBe("TypeError: x is not a function\n    at <cell>:1:1");
  });

  test("text/html goes into an iframe sandboxed without allow-same-origin", () => {
    const { container } = render(
      <OutputView output={{ output_type: "display_data", data: { "text/html": "<b>bold</b>", "text/plain": "bold" }, metadata: {} }} />,
    );
    const frame = container.querySelector("iframe.tspy-html");
    expect(frame).not.toBeNull();
    expect(frame!.getAttribute("sandbox")).toBe("allow-scripts");
    expect(frame!.getAttribute("srcdoc")).toContain("<b>bold</b>");
    expect(container.textContent).not.toContain("bold");
  });

  test("image/png becomes a data: URL image", () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    const { container } = render(<OutputView output={{ output_type: "display_data", data: { "image/png": `${png}\n` }, metadata: {} }} />);
    expect(container.querySelector("img")?.getAttribute("src")).toBe(`data:image/png;base64,${png}`);
  });

  test("text_plain_with_ansi_colours_is_coloured_too", () => {
    const { container } = render(
      <OutputView output={{ output_type: "execute_result", execution_count: 2, data: { "text/plain": "\u001b[34mblue\u001b[0m!" }, metadata: {} }} />,
    );
    const pre = container.querySelector("pre.tspy-plain")!;
    expect(pre.textContent).toBe("blue!");
    expect((pre.querySelector("span.ansi-blue-fg") as HTMLElement).style.color).toBe("rgb(32, 143, 251)");
  });

  test("an execute_result with only text/plain is preformatted text", () => {
    const { container } = render(<OutputView output={{ output_type: "execute_result", execution_count: 1, data: { "text/plain": "42" }, metadata: {} }} />);
    expect(container.querySelector(".tspy-execute_result pre")?.textContent).toBe("42");
  });
});

describe("ansiSpans", () => {
  test("ansi_256_colours_truecolour_and_decorations", () => {
    const spans = ansiSpans("\u001b[38;5;208;1morange\u001b[0m \u001b[38;2;10;20;30;48;2;1;2;3mtc\u001b[0m \u001b[3;4;9mdeco\u001b[0m \u001b[94mbright");
    expect(spans.map((s) => s.text).join("")).toBe("orange tc deco bright");
    expect(spans[0]).toEqual({ text: "orange", style: { color: "rgb(255, 135, 0)", fontWeight: "bold" }, className: "ansi-bold" });
    expect(spans.find((s) => s.text === "tc")!.style).toEqual({ color: "rgb(10, 20, 30)", backgroundColor: "rgb(1, 2, 3)" });
    expect(spans.find((s) => s.text === "deco")!.style).toEqual({ fontStyle: "italic", textDecoration: "underline line-through" });
    expect(spans.find((s) => s.text === "bright")).toEqual({
      text: "bright",
      style: { color: ANSI_COLOURS["ansi-bright-blue"] },
      className: "ansi-bright-blue-fg",
    });
  });

  test("ansi_background_and_reverse_video", () => {
    const [bg] = ansiSpans("\u001b[43mwarn\u001b[0m");
    expect(bg).toEqual({ text: "warn", style: { backgroundColor: ANSI_COLOURS["ansi-yellow"] }, className: "ansi-yellow-bg" });
    const [rev] = ansiSpans("\u001b[7;31mrev\u001b[0m");
    expect(rev).toEqual({
      text: "rev",
      style: { color: ANSI_COLOURS["ansi-black"], backgroundColor: ANSI_COLOURS["ansi-red"] },
      className: "ansi-black-fg ansi-red-bg",
    });
  });

  test("ansi_non_sgr_sequences_are_dropped", () => {
    expect(
      ansiSpans("a\u001b[2Kb\u001b]0;title\u0007c")
        .map((s) => s.text)
        .join(""),
    ).toBe("abc");
    expect(ansiSpans("")).toEqual([]);
  });

  test("xterm_palette_cube_and_greys", () => {
    expect(xtermColour(16)).toBe("rgb(0, 0, 0)");
    expect(xtermColour(196)).toBe("rgb(255, 0, 0)");
    expect(xtermColour(231)).toBe("rgb(255, 255, 255)");
    expect(xtermColour(232)).toBe("rgb(8, 8, 8)");
    expect(xtermColour(255)).toBe("rgb(238, 238, 238)");
    expect(() => xtermColour(15)).toThrow(RangeError);
  });
});

describe("LaTeX and Markdown math", () => {
  test("latex_output_is_typeset_as_display_maths", () => {
    const { container } = render(
      <OutputView output={{ output_type: "display_data", data: { "text/latex": "$$\\frac{a}{b}$$", "text/plain": "<Latex>" }, metadata: {} }} />,
    );
    const math = container.querySelector(".tspy-latex .katex-display math");
    expect(math?.getAttribute("display")).toBe("block");
    expect(math?.querySelector("mfrac")).not.toBeNull();
    expect(container.querySelector(".tspy-latex .katex-display .katex-html .mfrac")).not.toBeNull();
    expect(container.textContent).not.toContain("$$");
  });

  test("latex_text_with_inline_math_keeps_its_text", () => {
    const { container } = render(<OutputView output={{ output_type: "display_data", data: { "text/latex": "Energy $E = mc^2$ holds" }, metadata: {} }} />);
    const el = container.querySelector(".tspy-latex")!;
    expect(el.textContent).toMatch(/^Energy .*holds$/);
    expect(el.querySelector("math msup")).not.toBeNull();
    expect(el.querySelector("math")?.getAttribute("display")).not.toBe("block");
  });

  test("latex_without_delimiters_is_typeset_whole", () => {
    const { container } = render(<OutputView output={{ output_type: "display_data", data: { "text/latex": "\\sqrt{2}" }, metadata: {} }} />);
    expect(container.querySelector(".tspy-latex math msqrt")).not.toBeNull();
  });

  test("latex_bad_tex_is_shown_not_thrown", () => {
    const { container } = render(<OutputView output={{ output_type: "display_data", data: { "text/latex": "$\\frac{a$" }, metadata: {} }} />);
    expect(container.querySelector(".tspy-latex")?.textContent).toContain("\\frac{a");
  });

  test("markdown_math_inline_and_display_become_katex_html_with_a_mathml_copy", () => {
    const html = markdownToHtml("Square: $x^2$, and\n\n$$\n\\sum_{i=1}^n i\n$$\n\n**bold** text");
    const doc = new DOMParser().parseFromString(html, "text/html");
    const maths = doc.querySelectorAll("math");
    expect(maths).toHaveLength(2);
    expect(maths[0].querySelector("msup")?.textContent).toContain("x");
    expect(maths[1].getAttribute("display")).toBe("block");
    expect(doc.querySelector("strong")?.textContent).toBe("bold");
    expect(doc.querySelectorAll(".katex-html")).toHaveLength(2);
  });

  test("markdown_output_goes_into_a_sandboxed_frame_with_math", async () => {
    const { container } = render(
      <OutputView output={{ output_type: "execute_result", execution_count: 1, data: { "text/markdown": "*a* $y_1$", "text/plain": "md" }, metadata: {} }} />,
    );
    const frame = await markdownFrame(container);
    expect(frame.getAttribute("sandbox")).toBe("allow-scripts");
    expect(frame.getAttribute("srcdoc")).toContain("<em>a</em>");
    expect(frame.getAttribute("srcdoc")).toContain("<msub>");
    expect(frame.getAttribute("srcdoc")).toMatch(/@font-face\{[^}]*KaTeX_Main[^}]*data:font\/woff2;base64,/);
  });
});

/** The Markdown frame in `container`, once shown (a frame with maths waits for the KaTeX fonts it uses). */
function markdownFrame(container: HTMLElement): Promise<Element> {
  return waitFor(() => {
    const frame = container.querySelector("iframe.tspy-markdown");
    expect(frame).not.toBeNull();
    return frame!;
  });
}

/**
 * A frame's document (its `srcdoc`) parsed, and what its stylesheets declare for an element: the
 * value of `property` in the last rule whose selector matches (jsdom's cascade is partial; its
 * selector matching and CSSOM are real).
 * @param srcdoc the frame's document text.
 */
function frameStyles(srcdoc: string): { doc: Document; declared(el: Element, property: string): string } {
  const doc = new DOMParser().parseFromString(srcdoc, "text/html");
  // jsdom builds style sheets only in a document with a window: parse the frame's there.
  const styles = [...doc.querySelectorAll("style")].map((s) => document.head.appendChild(document.importNode(s, true)));
  const rules = styles.flatMap((s) => [...s.sheet!.cssRules]).filter((r): r is CSSStyleRule => "selectorText" in r);
  styles.forEach((s) => s.remove());
  return {
    doc,
    declared: (el, property) =>
      rules
        .filter((r) => el.matches(r.selectorText) && r.style.getPropertyValue(property) !== "")
        .map((r) => r.style.getPropertyValue(property))
        .at(-1) ?? "",
  };
}

describe("output content styles (JupyterLab's look)", () => {
  /** pandas' to_html of DataFrame({"a": [1, 2], "b": [3.5, 4.25]}), as _repr_html_ sends it (without its scoped <style>). */
  const DATAFRAME =
    '<div><table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th>a</th><th>b</th></tr></thead>' +
    "<tbody><tr><th>0</th><td>1</td><td>3.50</td></tr><tr><th>1</th><td>2</td><td>4.25</td></tr></tbody></table></div>";

  test("dataframe_in_an_html_output_frame_has_a_header_rule_right_aligned_cells_and_shaded_rows", () => {
    const { container } = render(<OutputView output={{ output_type: "execute_result", execution_count: 1, data: { "text/html": DATAFRAME }, metadata: {} }} />);
    const { doc, declared } = frameStyles(container.querySelector("iframe.tspy-html")!.getAttribute("srcdoc")!);
    expect(doc.documentElement.className).toBe("tspy-html");
    expect(declared(doc.querySelector("thead th")!, "border-bottom")).toMatch(/solid/);
    expect(declared(doc.querySelector("tbody td")!, "text-align")).toBe("right");
    expect(declared(doc.querySelector("tbody td")!, "border")).toMatch(/none/);
    expect(declared(doc.querySelector("table")!, "font-size")).toBe("12px");
    const rows = doc.querySelectorAll("tbody tr");
    expect(declared(rows[0], "background")).not.toBe(declared(rows[1], "background"));
  });

  test("markdown_frame_tables_keep_their_own_alignment", () => {
    const { doc, declared } = frameStyles(frameDocument(markdownToHtml("| n | name |\n|--:|:--|\n| 1 | one |"), "tspy-markdown"));
    const cells = doc.querySelectorAll("tbody td");
    expect(declared(cells[0], "text-align")).toBe("");
    expect(cells[0].getAttribute("align")).toBe("right");
    expect(cells[1].getAttribute("align")).toBe("left");
    expect(declared(doc.querySelector("thead th")!, "border-bottom")).toMatch(/solid/);
  });

  test("a_frame_with_maths_gets_katex_styles_and_the_font_families_its_maths_uses_inlined", async () => {
    const html = markdownToHtml("Inline $x^2$ and\n\n$$\\int_0^1 x^2 dx$$");
    const srcdoc = frameDocument(html, "tspy-markdown", await katexFrameStylesheet(html));
    const { doc, declared } = frameStyles(srcdoc);
    const display = doc.querySelector(".katex-display .katex")!;
    expect(declared(display, "font")).toContain("1.21em");
    expect(declared(doc.querySelector(".katex-html .large-op")!, "font-family")).toBe("KaTeX_Size2");
    const families = [...srcdoc.matchAll(/@font-face\{[^}]*font-family:(KaTeX_\w+);[^}]*src:url\(data:font\/woff2;base64,/g)].map((m) => m[1]);
    // The ∫ (Size2), the italic x (Math) and the digits (Main); no Fraktur, script or typewriter fonts.
    expect(new Set(families)).toEqual(new Set(["KaTeX_Main", "KaTeX_Math", "KaTeX_Size2"]));
    expect(srcdoc).not.toMatch(/\.woff\)|\.ttf\)/);
  });

  test("a_frame_gets_katex_bold_faces_only_for_bold_maths", async () => {
    const boldFaces = async (tex: string) =>
      [...(await katexFrameStylesheet(markdownToHtml(tex))).matchAll(/@font-face\{[^}]*font-family:(KaTeX_\w+);[^}]*font-weight:700/g)].map((m) => m[1]);
    expect(await boldFaces("$\\int_0^1 x^2 dx$")).toEqual([]);
    expect(await boldFaces("$\\mathbf{v} = 2$")).toContain("KaTeX_Main");
  });

  test("a_frame_without_maths_gets_no_katex_stylesheet", async () => {
    expect(await katexFrameStylesheet(markdownToHtml("# Plain *text* with class=katex in words"))).toBe("");
  });

  test("latex_output_in_the_page_puts_katex_styles_with_every_font_by_url_into_the_page_once", () => {
    render(<LatexView latex={"$$\\frac{a}{b}$$"} />);
    render(<LatexView latex={"$x$"} />);
    const styles = document.querySelectorAll("style#tspy-katex");
    expect(styles).toHaveLength(1);
    const sources = [...styles[0].textContent!.matchAll(/@font-face\{[^}]*src:url\(([^)]*)\) format\("woff2"\)/g)].map((m) => m[1]);
    expect(sources).toHaveLength(20);
    expect(sources.filter((url) => /KaTeX_[\w-]+\.woff2$/.test(url) && !url.startsWith("data:"))).toHaveLength(20);
  });
});

describe("JSON tree", () => {
  const data = { name: "tspy", nested: { deep: 42 }, list: [1, 2, 3] };

  test("json_tree_opens_the_top_level_and_expands_nested_nodes_on_click", () => {
    const { container, getByText, queryByText } = render(
      <OutputView output={{ output_type: "display_data", data: { "application/json": data, "text/plain": "<JSON>" }, metadata: {} }} />,
    );
    expect(container.querySelector(".tspy-json")).not.toBeNull();
    expect(getByText("name:")).toBeTruthy();
    expect(getByText('"tspy"')).toBeTruthy();
    expect(queryByText("deep:")).toBeNull();
    const expanders = container.querySelectorAll<HTMLElement>(".tspy-json [role=button][aria-expanded=false]");
    expect(expanders).toHaveLength(2);
    fireEvent.click(expanders[0]);
    expect(getByText("deep:")).toBeTruthy();
    expect(getByText("42")).toBeTruthy();
  });

  test("json_metadata_expanded_opens_every_level", () => {
    const { getByText } = render(
      <OutputView output={{ output_type: "display_data", data: { "application/json": data }, metadata: { "application/json": { expanded: true } } }} />,
    );
    expect(getByText("deep:")).toBeTruthy();
  });

  test("json_scalar_is_json_text", () => {
    const { container } = render(<OutputView output={{ output_type: "display_data", data: { "application/json": "hi" }, metadata: {} }} />);
    expect(container.querySelector("pre.tspy-json")?.textContent).toBe('"hi"');
  });
});

describe("images", () => {
  const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

  test("image_metadata_width_and_height_size_the_image", () => {
    const { container } = render(
      <OutputView output={{ output_type: "display_data", data: { "image/png": png }, metadata: { "image/png": { width: 120, height: 60 } } }} />,
    );
    const img = container.querySelector("img")!;
    expect(img.style.width).toBe("120px");
    expect(img.style.height).toBe("60px");
  });

  test("image_style_reads_per_mime_then_top_level_metadata", () => {
    expect(imageStyle("image/png", undefined)).toEqual({});
    expect(imageStyle("image/jpeg", { width: 30 })).toEqual({ width: 30 });
    expect(imageStyle("image/svg+xml", { "image/svg+xml": { height: "40", unconfined: true } })).toEqual({ height: 40, maxWidth: "none" });
    expect(imageStyle("image/png", { "image/png": { width: -3, height: "big" } })).toEqual({});
  });
});

describe("pickMime and stripAnsi", () => {
  test("json_sits_after_rich_types_and_before_plain_text", () => {
    expect(pickMime({ "text/plain": "", "application/json": {} })).toBe("application/json");
    expect(pickMime({ "application/json": {}, "image/png": "" })).toBe("image/png");
    expect(pickMime({ "application/json": {}, "text/html": "" })).toBe("text/html");
    expect(pickMime({ "text/plain": "", "text/latex": "$x$", "image/png": "" })).toBe("text/latex");
    expect(MIME_ORDER.indexOf("application/json")).toBe(MIME_ORDER.indexOf("text/plain") - 1);
  });
  test("Vega-Lite beats HTML, HTML beats PNG, PNG beats text", () => {
    expect(pickMime({ "text/plain": "", "application/vnd.vegalite.v5+json": {}, "text/html": "" })).toBe("application/vnd.vegalite.v5+json");
    expect(pickMime({ "text/plain": "", "image/png": "", "text/html": "" })).toBe("text/html");
    expect(pickMime({ "text/plain": "", "image/png": "" })).toBe("image/png");
    expect(pickMime({ "application/x-unknown": 1 })).toBeNull();
  });
  test("stripAnsi removes colour codes only", () => {
    expect(stripAnsi("\u001b[1;32mok\u001b[0m [1]")).toBe("ok [1]");
  });
});

describe("CellView", () => {
  const nb = readNotebook("n.ipynb", {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { id: "md", cell_type: "markdown", source: "# Hello *there*\n\nArea $\\pi r^2$", metadata: {} },
      { id: "py", cell_type: "code", source: "%%python\nprint(2)", outputs: [], execution_count: 4, metadata: {} },
    ],
  });
  test("a Markdown cell is rendered HTML in a sandboxed frame", async () => {
    const { container } = render(<CellView cell={nb.cells[0]} onEdit={() => {}} onRun={() => {}} />);
    const frame = await markdownFrame(container);
    expect(frame?.getAttribute("sandbox")).toBe("allow-scripts");
    expect(frame?.getAttribute("srcdoc")).toContain("<h1>Hello <em>there</em></h1>");
  });
  test("markdown_cell_math_is_typeset_in_its_frame", async () => {
    const { container } = render(<CellView cell={nb.cells[0]} onEdit={() => {}} onRun={() => {}} />);
    const srcdoc = (await markdownFrame(container)).getAttribute("srcdoc") ?? "";
    expect(srcdoc).toMatch(/<math[^>]*><semantics><mrow><mi>π<\/mi>/);
    expect(srcdoc).toMatch(/class="katex-html"[^>]*>.*π/);
    expect(srcdoc).not.toContain("$");
  });
  test("a %%python cell is marked Python, edited as Python, shows its execution count and runs through its editor", () => {
    let runs = 0;
    const { container } = render(<CellView cell={nb.cells[1]} onEdit={() => {}} onRun={() => (runs += 1)} />);
    expect(container.querySelector(".tspy-cell")?.getAttribute("data-kind")).toBe("python");
    expect(container.querySelector(".tspy-prompt")?.textContent).toBe("[4]:");
    const editor = container.querySelector(".mock-editor")!;
    expect(editor.getAttribute("data-language")).toBe("python");
    expect(editor.textContent).toBe("%%python\nprint(2)");
    expect(runs).toBe(0);
    fireEvent.click(editor);
    expect(runs).toBe(1);
  });
  test("prompts: [*] while running, [ ] before running", () => {
    expect(promptText({ running: true, executionCount: 2 })).toBe("[*]:");
    expect(promptText({ running: false, executionCount: null })).toBe("[ ]:");
  });
});

describe("serverFromLocation", () => {
  test("the server is what comes before static/tspy/, the token is the query's", () => {
    expect(serverFromLocation("http://127.0.0.1:8890/jh/user/static/tspy/index.html?token=abc")).toEqual({
      baseUrl: "http://127.0.0.1:8890/jh/user/",
      token: "abc",
    });
  });
  test("a baseUrl query parameter names another server", () => {
    expect(serverFromLocation("http://localhost:5173/?baseUrl=http://127.0.0.1:9000&token=t")).toEqual({
      baseUrl: "http://127.0.0.1:9000/",
      token: "t",
    });
  });
});
