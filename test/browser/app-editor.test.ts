// The app's Monaco cell editors in headless Chromium on the real tspy kernel: completions from
// complete_request in TypeScript and %%python cells (Monaco's suggest widget), hover docs from
// inspect_request, type errors from the tspy.notebook comm as markers, Ctrl+Enter running a cell
// in place, and editors as tall as their content. Leaves a screenshot in test-artifacts/app-editor.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start and the first numpy import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
/** ms: a kernel answer (completion, hover, type errors) on a loaded machine. */
const ANSWER_TIMEOUT = 60_000;
const NOTEBOOK = "editor.ipynb";
const FIFTEEN_LINES = Array.from({ length: 15 }, (_, i) => `const line${i + 1} = ${i + 1};`).join("\n");

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp({
    [NOTEBOOK]: notebookOf([
      ["code", "", "ts"],
      ["code", "%%python\nimport math\nmath.sqrt(2)\n", "py"],
      ["code", "const ok: number = 1;", "typed"],
      ["code", FIFTEEN_LINES, "long"],
    ]),
  });
  page = app.page;
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-cell[data-cell-id='long']").waitFor({ timeout: 30_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
});

after(async () => {
  await app?.stop();
});

function cell(id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

/** Clicks into a cell's editor and puts the cursor at the end of its text. */
async function editAtEnd(id: string): Promise<void> {
  await cell(id).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
}

/** The bits of the DOM the page functions use (test/ compiles without the "dom" lib). */
interface PageElement {
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getBoundingClientRect(): { height: number; top: number; bottom: number };
}

/** The page's document, typed as {@link PageElement}s. */
interface PageDocument {
  activeElement: PageElement | null;
  querySelector(selector: string): PageElement | null;
}

/** The data-cell-id of the cell holding the focused element, or null. */
function focusedCell(): Promise<string | null> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: PageDocument }).document;
    return doc.activeElement?.closest(".tspy-cell")?.getAttribute("data-cell-id") ?? null;
  });
}

/** Sizes of a cell's Monaco editor in CSS px: its box, its line height, its rendered lines' count, top and bottom. */
function editorSizes(id: string) {
  return cell(id)
    .locator(".monaco-editor")
    .evaluate((node) => {
      const editor = node as unknown as PageElement;
      const lines = Array.from(editor.querySelectorAll(".view-line"));
      const box = editor.getBoundingClientRect();
      return {
        height: box.height,
        top: box.top,
        bottom: box.bottom,
        lineHeight: lines[0].getBoundingClientRect().height,
        lines: lines.length,
        lastLineBottom: Math.max(...lines.map((l) => l.getBoundingClientRect().bottom)),
        firstLineTop: Math.min(...lines.map((l) => l.getBoundingClientRect().top)),
      };
    });
}

/** Whether the focused element is inside a Monaco editor. */
function focusInEditor(): Promise<boolean> {
  return page.evaluate(() => Boolean((globalThis as unknown as { document: PageDocument }).document.activeElement?.closest(".monaco-editor")));
}

/** The rows of Monaco's suggest widget whose text holds `name`. */
function suggestion(name: string): Locator {
  return page.locator(".suggest-widget .monaco-list-row", { hasText: name });
}

test("ctrl_enter_runs_the_cell_and_keeps_the_focus_in_it", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await editAtEnd("ts");
  await page.keyboard.insertText('const np = tspy.import("numpy");');
  await page.keyboard.press("Control+Enter");
  await cell("ts").locator(".tspy-prompt", { hasText: "[1]:" }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await focusedCell(), "ts");
  // Ctrl+Enter ran the cell instead of inserting a line.
  assert.equal(await cell("ts").locator(".view-line").count(), 1);
  // The next cell did not run.
  assert.equal(await cell("py").locator(".tspy-prompt").innerText(), "[ ]:");
});

test("typescript_completions_after_a_dot_list_a_python_modules_members", { timeout: RUN_TIMEOUT }, async () => {
  await editAtEnd("ts");
  await page.keyboard.press("Enter");
  await page.keyboard.type("np.");
  // Completions open on Tab (JupyterLab's key), not while typing.
  await page.keyboard.press("Tab");
  await page.locator(".suggest-widget .monaco-list-row").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await page.keyboard.type("zer");
  await suggestion("zeros").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await page.keyboard.press("Escape");
  await page.locator(".suggest-widget .monaco-list-row").first().waitFor({ state: "hidden", timeout: 10_000 });
  // Escape closed the suggest list and left the focus in the editor.
  assert.equal(await focusedCell(), "ts");
  assert.ok(await focusInEditor());
  for (let i = 0; i < 3; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("arr");
  await page.keyboard.press("Tab");
  await suggestion("array").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await page.keyboard.press("Escape");
});

test("python_cell_completions_list_a_modules_members", { timeout: RUN_TIMEOUT }, async () => {
  await editAtEnd("py");
  await page.keyboard.type("math.s");
  await page.keyboard.press("Tab");
  await suggestion("sqrt").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await page.keyboard.press("Escape");
});

test("escape_closes_the_suggest_list_first_then_leaves_the_editor", { timeout: RUN_TIMEOUT }, async () => {
  await editAtEnd("py");
  await page.keyboard.type("q");
  await page.keyboard.press("Tab");
  await suggestion("sqrt").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await page.keyboard.press("Escape");
  await page.locator(".suggest-widget .monaco-list-row").first().waitFor({ state: "hidden", timeout: 10_000 });
  assert.ok(await focusInEditor());
  assert.equal(await page.locator(".tspy-notebook").getAttribute("data-mode"), "edit");
  // No widget open: Escape is the notebook's command mode.
  await page.keyboard.press("Escape");
  await page.locator(".tspy-notebook[data-mode='command']").waitFor({ timeout: 10_000 });
  assert.equal(await focusInEditor(), false);
});

test("hover_over_a_name_shows_the_kernels_docs", { timeout: RUN_TIMEOUT }, async () => {
  // math.sqrt on the Python cell's third line: jedi's docstring through inspect_request.
  const span = cell("py").locator(".view-line").nth(2).locator("span span", { hasText: "sqrt" }).first();
  const text = await span.innerText();
  const box = (await span.boundingBox())!;
  const charWidth = box.width / text.length;
  await page.mouse.move(box.x + (text.indexOf("sqrt") + 2) * charWidth, box.y + box.height / 2);
  const hover = page.locator(".monaco-hover", { hasText: "square root" });
  await hover.waitFor({ timeout: ANSWER_TIMEOUT });
  assert.match(await hover.innerText(), /sqrt\(x/);
  await page.mouse.move(0, 0);
});

test("a_type_error_gets_an_error_marker", { timeout: RUN_TIMEOUT }, async () => {
  const typed = cell("typed");
  assert.equal(await typed.locator(".squiggly-error").count(), 0);
  await editAtEnd("typed");
  await page.keyboard.insertText('\nconst x: number = "s";');
  await typed.locator(".squiggly-error").first().waitFor({ timeout: ANSWER_TIMEOUT });
  // The marker's message is TypeScript's.
  await typed.locator(".squiggly-error").first().hover({ force: true });
  await page.locator(".monaco-hover", { hasText: "not assignable to type 'number'" }).waitFor({ timeout: ANSWER_TIMEOUT });
  await page.mouse.move(0, 0);
});

test("a_fifteen_line_cell_shows_every_line_without_scrolling", { timeout: RUN_TIMEOUT }, async () => {
  const sizes = await editorSizes("long");
  assert.equal(sizes.lines, 15);
  assert.ok(sizes.height >= 15 * sizes.lineHeight, `editor ${sizes.height}px for 15 lines of ${sizes.lineHeight}px`);
  assert.ok(sizes.lastLineBottom <= sizes.bottom + 0.5, `the last line ends at ${sizes.lastLineBottom}, the editor at ${sizes.bottom}`);
  assert.ok(sizes.firstLineTop >= sizes.top - 0.5, `the first line starts at ${sizes.firstLineTop}, the editor at ${sizes.top}`);
  // Typing a line at the end grows the editor by one line; nothing scrolls.
  await editAtEnd("long");
  await page.keyboard.insertText("\nconst line16 = 16;");
  await page.waitForFunction(
    ([selector, height]) =>
      ((globalThis as unknown as { document: PageDocument }).document.querySelector(selector)?.getBoundingClientRect().height ?? 0) >= height,
    [".tspy-cell[data-cell-id='long'] .monaco-editor", sizes.height + sizes.lineHeight] as const,
    { timeout: 10_000 },
  );
  const grown = await editorSizes("long");
  assert.equal(grown.lines, 16);
  assert.ok(grown.lastLineBottom <= grown.bottom + 0.5);
  assert.ok(grown.firstLineTop >= grown.top - 0.5, "the editor did not scroll");
  // The screenshot shows a suggest list of the kernel's names over the following content.
  await page.keyboard.insertText("\n");
  await page.keyboard.type("np.ze");
  await page.keyboard.press("Tab");
  await suggestion("zeros").first().waitFor({ timeout: ANSWER_TIMEOUT });
  await screenshotApp(page, "app-editor.png");
  await page.keyboard.press("Escape");
  assert.deepEqual(app!.pageErrors, []);
});
