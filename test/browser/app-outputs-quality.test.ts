// Issue 15, "maths and DataFrames rendered at JupyterLab's quality", in headless Chromium on a real
// Jupyter Server and tspy kernel: a pandas DataFrame's table has a rule under its header and
// right-aligned numbers, shaded rows and no cell borders (inside its sandboxed frame); display maths
// in a Markdown cell and from IPython's Math() is taller than a line of text, inline maths sits at
// the text's size. Leaves test-artifacts/app-outputs-quality.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: kernel start and importing pandas on a loaded machine. */
const RUN_TIMEOUT = 240_000;
const NOTEBOOK = "outputs-quality.ipynb";

// What the page functions below read of the browser's DOM (this tsconfig has no DOM lib); module-scoped.
declare const getComputedStyle: (element: unknown) => Record<string, string>;
declare const document: { body: unknown; querySelectorAll(selector: string): ArrayLike<unknown> };
/** An element whose box a page function reads. */
type Boxed = { getBoundingClientRect(): { height: number } };

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp({
    [NOTEBOOK]: notebookOf([
      ["code", '%%python\nimport pandas as pd\npd.DataFrame({"a": [1, 2], "b": [3.5, 4.25]})', "frame"],
      ["markdown", "The area under $x^2$ from 0 to 1 is\n\n$$\\int_0^1 x^2 dx$$", "md"],
      ["code", "%%python\nfrom IPython.display import Math\nMath(r'\\int_0^1 x^2 dx = \\frac{1}{3}')", "math"],
    ]),
  });
  page = app.page;
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await cell("math").waitFor({ timeout: 30_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-run-all").click();
  await cell("frame").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  await cell("math").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
});

after(async () => {
  if (page) await screenshotApp(page, "app-outputs-quality.png");
  await app?.stop();
});

function cell(id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

test("a_dataframe_has_a_header_rule_right_aligned_numbers_and_no_cell_borders", async () => {
  const frame = cell("frame").locator("iframe.tspy-html").contentFrame();
  const table = frame.locator("table.dataframe");
  await table.waitFor({ timeout: 30_000 });
  const header = await table
    .locator("thead th")
    .last()
    .evaluate((th) => getComputedStyle(th));
  assert.equal(header.borderBottomStyle, "solid");
  assert.ok(parseFloat(header.borderBottomWidth) >= 1, `header rule ${header.borderBottomWidth}`);
  const cellStyle = await table
    .locator("tbody td")
    .first()
    .evaluate((td) => getComputedStyle(td));
  assert.equal(cellStyle.textAlign, "right");
  assert.equal(cellStyle.borderLeftStyle, "none");
  assert.ok(parseFloat(cellStyle.fontSize) <= 13, `table font ${cellStyle.fontSize}`);
  assert.ok(!/mono/i.test(cellStyle.fontFamily), `table font ${cellStyle.fontFamily}`);
  assert.equal((await table.evaluate((t) => getComputedStyle(t))).borderTopStyle, "none");
  const shades = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => getComputedStyle(r).backgroundColor));
  assert.notEqual(shades[0], shades[1], "alternate rows are shaded");
});

/**
 * The height of the first maths in `within` matching `selector` and of a line of the text around it
 * (its computed line height, or 1.2x its font size where that is `normal`), CSS pixels.
 */
async function mathsAndLine(within: Locator, selector: string): Promise<{ maths: number; line: number }> {
  const display = within.locator(selector).first();
  await display.waitFor({ timeout: 30_000 });
  const maths = await display.evaluate((m) => (m as Boxed).getBoundingClientRect().height);
  const line = await within.evaluate((el) => {
    const s = getComputedStyle(el);
    return s.lineHeight === "normal" ? 1.2 * parseFloat(s.fontSize) : parseFloat(s.lineHeight);
  });
  return { maths, line };
}

test("display_maths_in_markdown_is_taller_than_a_text_line_and_inline_maths_is_text_sized", async () => {
  const body = cell("md").locator("iframe.tspy-markdown").contentFrame().locator("body");
  const { maths, line } = await mathsAndLine(body, "math[display='block']");
  assert.ok(maths >= line * 1.1, `display maths ${maths}px, text line ${line}px`);
  const sizes = await body.evaluate(() => {
    const inline = document.querySelectorAll("math:not([display='block'])")[0];
    return { inline: parseFloat(getComputedStyle(inline).fontSize), text: parseFloat(getComputedStyle(document.body).fontSize) };
  });
  assert.equal(sizes.inline, sizes.text);
});

test("ipython_math_output_is_taller_than_a_text_line", async () => {
  // IPython's Math() sends `$\displaystyle ...$`: inline maths in display style, as JupyterLab shows it.
  const { maths, line } = await mathsAndLine(cell("math").locator(".tspy-latex"), "math");
  assert.ok(maths >= line * 1.1, `display maths ${maths}px, text line ${line}px`);
});
