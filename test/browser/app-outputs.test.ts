// Rich outputs in tspy's notebook app, in headless Chromium on a real Jupyter Server and tspy
// kernel: ANSI-coloured streams, text/latex and Markdown math as MathML (KaTeX), an
// application/json tree that expands, a Keras model summary and a numpy tensor view (HTML tables
// in sandboxed frames that fit their content). Leaves a screenshot in test-artifacts/app-outputs.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: kernel start, and importing TensorFlow/Keras on a loaded machine. */
const RUN_TIMEOUT = 240_000;
const NOTEBOOK = "app-outputs.ipynb";

const CELLS: ["code" | "markdown", string, string][] = [
  ["code", 'console.log("\\x1b[31mred\\x1b[0m plain \\x1b[1;38;5;208morange\\x1b[0m \\x1b[38;2;0;128;255mtrue\\x1b[0m")', "ansi"],
  [
    "code",
    [
      "%%python",
      "from IPython.display import Latex, JSON, display",
      'display(Latex(r"$$\\frac{a}{b} + \\sqrt{x}$$"))',
      'display(JSON({"name": "tspy", "nested": {"deep": 42}, "list": [1, 2, 3]}))',
    ].join("\n"),
    "latex-json",
  ],
  ["markdown", "Inline math: $x^2$ and a display formula:\n\n$$\n\\int_0^1 t\\,dt = \\frac{1}{2}\n$$", "md"],
  ["code", "%%python\nimport keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\nmodel", "keras"],
  ["code", "%%python\nimport numpy as np\nnp.arange(12, dtype=np.float32).reshape(3, 4)", "tensor"],
  [
    "code",
    '%%python\nfrom IPython.display import HTML, display\ndisplay(np.linspace(0, 1, 40 * 60).reshape(40, 60))\nHTML("<table><tr>" + "<td>wide</td>" * 300 + "</tr></table>")',
    "wide",
  ],
];

// What the page functions below read of the browser's DOM (this tsconfig has no DOM lib); module-scoped.
declare const getComputedStyle: (element: unknown) => { color: string; fontWeight: string };
declare const document: { documentElement: { scrollHeight: number } };
declare const window: { innerHeight: number };
/** An element whose children's boxes a page function reads. */
type Boxed = { children: ArrayLike<{ getBoundingClientRect(): { top: number } }> };

let app: RunningApp | undefined;
let page: Page;

/** The cell with this id. */
function cell(id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

/**
 * The height of the document in a frame and of the frame's viewport (CSS pixels), once the frame
 * has grown to its document (polled for up to 10 s: the frame reports its height by postMessage).
 */
async function frameFit(frame: Locator): Promise<{ scrollHeight: number; innerHeight: number }> {
  const body = frame.contentFrame().locator("body");
  const measure = () => body.evaluate(() => ({ scrollHeight: document.documentElement.scrollHeight, innerHeight: window.innerHeight }));
  const deadline = Date.now() + 10_000;
  let fit = await measure();
  while (fit.scrollHeight > fit.innerHeight && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    fit = await measure();
  }
  return fit;
}

before(async () => {
  app = await startApp({ [NOTEBOOK]: notebookOf(CELLS) });
  page = app.page;
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await cell("wide").waitFor({ timeout: 30_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-run-all").click();
  await cell("wide").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
});

after(async () => {
  await app?.stop();
});

test("ansi_colours_in_a_stream_are_coloured_spans", async () => {
  const stream = cell("ansi").locator(".tspy-stream-stdout");
  assert.equal(await stream.textContent(), "red plain orange true\n");
  const colour = (l: Locator) => l.evaluate((e) => getComputedStyle(e).color);
  const red = stream.locator("span", { hasText: "red" });
  assert.equal(await colour(red), "rgb(231, 92, 88)");
  const orange = stream.locator("span", { hasText: "orange" });
  assert.equal(await colour(orange), "rgb(255, 135, 0)");
  assert.equal(await orange.evaluate((e) => getComputedStyle(e).fontWeight), "700");
  assert.equal(await colour(stream.locator("span", { hasText: "true" })), "rgb(0, 128, 255)");
  assert.equal(await stream.locator("span").count(), 3, "plain text gets no span");
});

test("latex_output_is_mathml_laid_out_as_a_fraction", async () => {
  const math = cell("latex-json").locator(".tspy-latex math");
  assert.equal(await math.getAttribute("display"), "block");
  const frac = math.locator("mfrac").first();
  // Chromium's MathML Core layout: the numerator sits above the denominator.
  const [num, den] = await frac.evaluate((e: Boxed) => Array.from(e.children).map((c) => c.getBoundingClientRect().top));
  assert.ok(num < den, `numerator top ${num} should be above denominator top ${den}`);
  assert.equal(await math.locator("msqrt").count(), 1);
});

test("json_output_is_a_tree_whose_nodes_expand", async () => {
  const tree = cell("latex-json").locator(".tspy-json");
  await tree.getByText("name:").waitFor();
  assert.equal(await tree.getByText("deep:").count(), 0, "nested objects start collapsed");
  const collapsed = tree.locator("[role=button][aria-expanded=false]");
  assert.equal(await collapsed.count(), 2);
  await collapsed.first().click();
  await tree.getByText("deep:").waitFor();
  assert.equal(await tree.getByText("42", { exact: true }).count(), 1);
});

test("markdown_cell_math_is_mathml_in_its_sandboxed_frame", async () => {
  const frame = cell("md").locator("iframe.tspy-markdown");
  assert.equal(await frame.getAttribute("sandbox"), "allow-scripts");
  const doc = frame.contentFrame();
  await doc.locator("math msup").waitFor();
  assert.equal(await doc.locator("math").count(), 2);
  assert.equal(await doc.locator("math[display=block]").count(), 1);
  assert.ok(!(await doc.locator("body").innerText()).includes("$"), "no raw $ delimiters left");
});

test("keras_model_summary_table_fits_its_frame", async () => {
  const frame = cell("keras").locator("iframe.tspy-html");
  const summary = frame.contentFrame().locator(".tspy-model-summary");
  await summary.waitFor({ timeout: 30_000 });
  const rows = summary.locator("table").first().locator("tbody tr");
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /Dense/);
  assert.equal(await rows.first().locator("td.params").innerText(), "10");
  assert.equal(await summary.locator("td.total").innerText(), "10");
  // The frame grows to its document: nothing is clipped and no vertical scrollbar appears.
  const fit = await frameFit(frame);
  assert.ok(fit.scrollHeight <= fit.innerHeight, `frame document ${fit.scrollHeight}px taller than the frame's ${fit.innerHeight}px`);
});

test("numpy_tensor_view_shows_shape_stats_and_values", async () => {
  const frame = cell("tensor").locator("iframe.tspy-html");
  const view = frame.contentFrame().locator(".tspy-tensor");
  await view.waitFor({ timeout: 30_000 });
  assert.equal(await view.locator("td.shape").innerText(), "(3, 4)");
  assert.equal(await view.locator("td.dtype").innerText(), "float32");
  assert.equal(await view.locator("td.max").innerText(), "11");
  assert.equal(await view.locator("table.tspy-values tr").count(), 3);
  const fit = await frameFit(frame);
  assert.ok(fit.scrollHeight <= fit.innerHeight, `frame document ${fit.scrollHeight}px taller than the frame's ${fit.innerHeight}px`);
});

test("heatmap_and_wide_html_fit_their_frames_without_clipping", async () => {
  const [heatmap, wide] = [cell("wide").locator("iframe.tspy-html").nth(0), cell("wide").locator("iframe.tspy-html").nth(1)];
  const img = heatmap.contentFrame().locator(".tspy-tensor img");
  await img.waitFor({ timeout: 30_000 });
  assert.ok((await img.evaluate((e: { naturalWidth: number }) => e.naturalWidth)) >= 256, "the heatmap is a picture");
  await wide.contentFrame().locator("td").first().waitFor({ timeout: 30_000 });
  for (const frame of [heatmap, wide]) {
    const fit = await frameFit(frame);
    assert.ok(fit.scrollHeight <= fit.innerHeight, `frame document ${fit.scrollHeight}px taller than the frame's ${fit.innerHeight}px`);
  }
  // The wide table scrolls sideways inside the frame's body, whose box (scrollbar included) is the frame's height.
  const body = await wide
    .contentFrame()
    .locator("body")
    .evaluate((b: { scrollWidth: number; clientWidth: number }) => [b.scrollWidth, b.clientWidth]);
  assert.ok(body[0] > body[1], "the table is wider than the frame");
  await screenshotApp(page, "app-outputs.png");
  assert.deepEqual(app!.pageErrors, []);
});
