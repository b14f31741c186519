// Issue 15, "maths and DataFrames rendered at JupyterLab's quality", in headless Chromium on a real
// Jupyter Server and tspy kernel: a pandas DataFrame's table has a rule under its header and
// right-aligned numbers, shaded rows and no cell borders (inside its sandboxed frame); display maths
// in a Markdown cell and from IPython's Math() is taller than a line of text, inline maths sits at
// the text's size; in display maths ∫ is a large operator, fractions stack and roots get their sign,
// drawn with the app's own maths fonts (in the page and in frames). Leaves
// test-artifacts/app-outputs-quality.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: kernel start and importing pandas on a loaded machine. */
const RUN_TIMEOUT = 240_000;
const NOTEBOOK = "outputs-quality.ipynb";
/** Display maths with a large operator, a fraction and a root, as a Markdown cell and a text/latex output. */
const DISPLAY_TEX = "$$\\int_0^1 x\\,dx = \\frac{1}{2}, \\quad \\sqrt{y}$$";

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
      ["markdown", `Inline $\\int x$ and\n\n${DISPLAY_TEX}`, "md-int"],
      ["code", `%%python\nfrom IPython.display import Latex\nLatex(r"Inline $\\int x$ and ${DISPLAY_TEX}")`, "latex-int"],
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
  await cell("latex-int").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
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
  const { maths, line } = await mathsAndLine(body, ".katex-display");
  assert.ok(maths >= line * 1.1, `display maths ${maths}px, text line ${line}px`);
  const sizes = await body.evaluate(() => {
    const inline = document.querySelectorAll("p .katex")[0];
    return { inline: parseFloat(getComputedStyle(inline).fontSize), text: parseFloat(getComputedStyle(document.body).fontSize) };
  });
  // KaTeX sets maths at 1.21x the text, as its own pages do.
  assert.ok(Math.abs(sizes.inline / sizes.text - 1.21) < 0.02, `inline maths ${sizes.inline}px, text ${sizes.text}px`);
});

test("ipython_math_output_is_taller_than_a_text_line", async () => {
  // IPython's Math() sends `$\displaystyle ...$`: inline maths in display style, as JupyterLab shows it.
  const { maths, line } = await mathsAndLine(cell("math").locator(".tspy-latex"), ".katex-html");
  assert.ok(maths >= line * 1.1, `display maths ${maths}px, text line ${line}px`);
});

/** What {@link typesetShapes} measures of typeset maths, CSS pixels. */
type Shapes = {
  /** heights of the drawn ∫ in display maths and in inline maths, and of the x after it. */
  displayIntegral: number;
  inlineIntegral: number;
  x: number;
  /** tops of the fraction's numerator and denominator. */
  numeratorTop: number;
  denominatorTop: number;
  /** widths of the root (sign and radicand) and of its radicand alone; height of the root's sign. */
  rootWidth: number;
  radicandWidth: number;
  rootSignHeight: number;
  /** the font families of the display ∫ and x, as styled. */
  fonts: string[];
  /** the font families of the document's fonts that have loaded (document.fonts, status "loaded"). */
  loaded: string[];
};

/**
 * Measures the visible typeset maths (KaTeX's HTML; its MathML copy is hidden for screen readers)
 * under the element it runs on, which holds inline `\int x` then {@link DISPLAY_TEX}. A page function
 * (runs in the browser; types of its DOM are local, this tsconfig has no DOM lib).
 */
function typesetShapes(root: unknown): Shapes {
  type Box = { top: number; width: number; height: number };
  type El = {
    textContent: string | null;
    children: ArrayLike<unknown>;
    closest(s: string): El | null;
    querySelector(s: string): El | null;
    querySelectorAll(s: string): ArrayLike<El>;
    getBoundingClientRect(): Box;
  };
  const at = root as El;
  const visible = at.querySelector(".katex-display .katex-html");
  const inline = Array.from(at.querySelectorAll(".katex-html")).find((e) => !e.closest(".katex-display"));
  if (!visible || !inline) throw new Error(`no KaTeX HTML (display ${!!visible}, inline ${!!inline})`);
  /** The innermost elements under `within` whose whole text is `text`. */
  const glyphs = (within: El, text: string) => Array.from(within.querySelectorAll("*")).filter((e) => e.textContent === text && e.children.length === 0);
  const height = (e: El | undefined) => e?.getBoundingClientRect().height ?? 0;
  const frac = visible.querySelector(".mfrac");
  const root2 = visible.querySelector(".sqrt");
  const sign = root2?.querySelector("svg");
  const fontOf = (e: El | undefined) =>
    e ? (globalThis as unknown as { getComputedStyle(e: El): { fontFamily: string } }).getComputedStyle(e).fontFamily : "";
  return {
    displayIntegral: height(glyphs(visible, "∫")[0]),
    inlineIntegral: height(glyphs(inline, "∫")[0]),
    x: height(glyphs(visible, "x")[0]),
    numeratorTop: frac ? glyphs(frac, "1")[0].getBoundingClientRect().top : NaN,
    denominatorTop: frac ? glyphs(frac, "2")[0].getBoundingClientRect().top : NaN,
    rootWidth: root2?.getBoundingClientRect().width ?? 0,
    radicandWidth: root2 ? glyphs(root2, "y")[0].getBoundingClientRect().width : 0,
    rootSignHeight: height(sign ?? undefined),
    fonts: [fontOf(glyphs(visible, "∫")[0]), fontOf(glyphs(visible, "x")[0])],
    loaded: [...(globalThis as unknown as { document: { fonts: Iterable<{ family: string; status: string }> } }).document.fonts]
      .filter((f) => f.status === "loaded")
      .map((f) => f.family.replace(/"/g, "")),
  };
}

/**
 * Asserts what a reader of {@link DISPLAY_TEX} sees: ∫ in display maths is a large operator (at
 * least 1.5x the inline ∫ and taller than the x beside it), the fraction stacks, the root has a sign
 * over its radicand, and the ∫ and x are styled with KaTeX's fonts, which the app ships and which
 * have loaded there (a frame's opaque origin cannot load them from the app's URLs).
 */
function assertTypesetLikeJupyterLab(shapes: Shapes, where: string): void {
  const s = JSON.stringify(shapes);
  assert.ok(shapes.displayIntegral >= 1.5 * shapes.inlineIntegral, `${where}: display ∫ not large: ${s}`);
  assert.ok(shapes.displayIntegral > shapes.x, `${where}: display ∫ not taller than x: ${s}`);
  assert.ok(shapes.numeratorTop < shapes.denominatorTop, `${where}: fraction does not stack: ${s}`);
  assert.ok(shapes.rootWidth > shapes.radicandWidth && shapes.rootSignHeight > 0, `${where}: root has no sign: ${s}`);
  for (const font of shapes.fonts) {
    assert.match(font, /^KaTeX_/, `${where}: ${s}`);
    assert.ok(shapes.loaded.includes(font), `${where}: ${font} did not load: ${s}`);
  }
}

/**
 * Waits until the document that `within` belongs to has loaded every font it uses (KaTeX's fonts load
 * when text first needs them), then measures {@link typesetShapes} there.
 */
async function shapesOnceFontsLoaded(within: Locator): Promise<Shapes> {
  await within.locator(".katex-display").waitFor({ timeout: 30_000 });
  await within.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
  return within.evaluate(typesetShapes);
}

test("display_maths_in_a_markdown_cell_has_a_large_integral_a_stacked_fraction_and_a_root", async (t) => {
  const body = cell("md-int").locator("iframe.tspy-markdown").contentFrame().locator("body");
  const shapes = await shapesOnceFontsLoaded(body);
  t.diagnostic(JSON.stringify(shapes));
  assertTypesetLikeJupyterLab(shapes, "Markdown cell");
});

test("display_maths_in_a_latex_output_has_a_large_integral_a_stacked_fraction_and_a_root", async (t) => {
  const shapes = await shapesOnceFontsLoaded(cell("latex-int").locator(".tspy-latex"));
  t.diagnostic(JSON.stringify(shapes));
  assertTypesetLikeJupyterLab(shapes, "text/latex output");
});
