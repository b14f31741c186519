// Output rendering: streams, errors with tracebacks, HTML in a sandboxed frame (no
// allow-same-origin), PNG, plain text and the MIME preference order; and the app's URL parsing.
// @vitest-environment jsdom
import { afterEach, describe, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render } from "@testing-library/react";
import { OutputView, pickMime, stripAnsi } from "./outputs";
import { CellView, promptText } from "./App";
import { readNotebook } from "./model";
import { serverFromLocation } from "./server";

afterEach(cleanup);

// Monaco needs a real browser (the end-to-end test drives it); here the cell's editor is a button
// that shows what the cell handed it and runs the cell when clicked.
vi.mock("./editor", () => ({
  CodeEditor: (p: { value: string; language: string; onRun: () => void }) => (
    <button className="mock-editor" data-language={p.language} onClick={p.onRun}>
      {p.value}
    </button>
  ),
}));

describe("OutputView", () => {
  test("a stream is preformatted text of its name, without ANSI colours", () => {
    const { container } = render(<OutputView output={{ output_type: "stream", name: "stderr", text: "\u001b[31mred\u001b[0m text\n" }} />);
    const pre = container.querySelector("pre.tspy-stream-stderr");
    expect(pre?.textContent).toBe("red text\n");
  });

  test("an error shows its traceback", () => {
    const { container } = render(
      <OutputView output={{ output_type: "error", ename: "TypeError", evalue: "x is not a function", traceback: ["TypeError: x is not a function", "    at <cell>:1:1"] }} />,
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

  test("an execute_result with only text/plain is preformatted text", () => {
    const { container } = render(<OutputView output={{ output_type: "execute_result", execution_count: 1, data: { "text/plain": "42" }, metadata: {} }} />);
    expect(container.querySelector(".tspy-execute_result pre")?.textContent).toBe("42");
  });
});

describe("pickMime and stripAnsi", () => {
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
      { id: "md", cell_type: "markdown", source: "# Hello *there*", metadata: {} },
      { id: "py", cell_type: "code", source: "%%python\nprint(2)", outputs: [], execution_count: 4, metadata: {} },
    ],
  });
  test("a Markdown cell is rendered HTML in a sandboxed frame", () => {
    const { container } = render(<CellView cell={nb.cells[0]} onEdit={() => {}} onRun={() => {}} />);
    const frame = container.querySelector("iframe.tspy-markdown");
    expect(frame?.getAttribute("sandbox")).toBe("allow-scripts");
    expect(frame?.getAttribute("srcdoc")).toContain("<h1>Hello <em>there</em></h1>");
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
