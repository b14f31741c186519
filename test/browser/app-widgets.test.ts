// ipywidgets in tspy's notebook app (headless Chromium, real Jupyter Server, real tspy kernel):
// `%%python` cells make widgets whose views the app draws live; values travel both ways over the
// widget comms; a Button's callback prints into its cell; an Output widget shows what Python appends
// and captures what `with out:` and `interact` print; a widget of a module the app does not ship shows
// its text/plain; a reloaded page and a restarted kernel. Leaves a screenshot in test-artifacts/app-widgets.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start and CPython/ipywidgets import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
const NOTEBOOK = "widgets.ipynb";
/** The cells, by name, in notebook order. */
const CELLS = {
  slider: "%%python\nimport ipywidgets as w\ns = w.IntSlider(value=3, max=10)\ns",
  setFromPython: "%%python\ns.value = 7",
  text: "%%python\nt = w.IntText(value=1)\nt",
  printValues: "%%python\nprint('values', s.value, t.value)",
  button: "%%python\nb = w.Button(description='Go')\nb.on_click(lambda _: print('clicked with', s.value))\nb",
  output: "%%python\nout = w.Output()\nout.append_stdout('hello from output\\n')\nout",
  outputAppend: "%%python\nout.append_stdout('second line\\n')",
  withOut: '%%python\nout2 = w.Output()\ndisplay(out2)\nprint("in the cell")\nwith out2:\n    print("inside the widget")\nprint("after the block")',
  interact: '%%python\nfrom ipywidgets import interact\ninteract(lambda x: print("x is", x), x=(0, 10))',
  unknown: [
    "%%python",
    "from traitlets import Unicode",
    "class Mystery(w.DOMWidget):",
    "    _model_name = Unicode('MysteryModel').tag(sync=True)",
    "    _model_module = Unicode('tspy-test-no-such-module').tag(sync=True)",
    "    _view_name = Unicode('MysteryView').tag(sync=True)",
    "    _view_module = Unicode('tspy-test-no-such-module').tag(sync=True)",
    "Mystery()",
  ].join("\n"),
};
const ORDER = Object.keys(CELLS) as (keyof typeof CELLS)[];

let app: RunningApp | undefined;
let page: Page;

/** The cell named `name` (see {@link CELLS}). */
function cell(name: keyof typeof CELLS): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${name}']`);
}

/** Runs a cell with Shift+Enter in its editor and waits until it has an execution count. */
async function run(name: keyof typeof CELLS): Promise<void> {
  await cell(name).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await cell(name)
    .locator(".tspy-prompt", { hasText: /^\[\d+\]:$/ })
    .waitFor({ timeout: RUN_TIMEOUT });
}

before(async () => {
  app = await startApp({ [NOTEBOOK]: notebookOf(ORDER.map((name) => ["code", CELLS[name], name])) });
  page = app.page;
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
});

after(async () => {
  await app?.stop();
});

test("python_int_slider_shows_as_a_live_slider", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await run("slider");
  const slider = cell("slider").locator(".tspy-widget .widget-slider");
  await slider.waitFor({ timeout: 30_000 });
  assert.equal(await slider.locator(".widget-readout").innerText(), "3");
  assert.equal(await slider.locator(".noUi-handle").getAttribute("aria-valuenow"), "3.0");
  assert.equal(await cell("slider").locator(".tspy-widget-fallback").count(), 0);
});

test("python_assignment_moves_the_slider_in_the_page", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await run("setFromPython");
  await cell("slider").locator(".widget-readout", { hasText: /^7$/ }).waitFor({ timeout: 30_000 });
});

test("slider_moved_in_the_page_and_text_typed_are_seen_by_python", { timeout: 2 * RUN_TIMEOUT }, async () => {
  // Arrow keys on the focused slider handle: 7 -> 9.
  const handle = cell("slider").locator(".noUi-handle");
  await handle.focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await cell("slider").locator(".widget-readout", { hasText: /^9$/ }).waitFor({ timeout: 30_000 });

  await run("text");
  const input = cell("text").locator(".widget-text input");
  await input.waitFor({ timeout: 30_000 });
  assert.equal(await input.inputValue(), "1");
  await input.fill("42");
  await input.press("Enter");

  await run("printValues");
  assert.equal(await cell("printValues").locator(".tspy-stream-stdout").textContent(), "values 9 42\n");
});

test("button_on_click_prints_into_its_cell", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await run("button");
  const button = cell("button").locator(".tspy-widget button.widget-button", { hasText: "Go" });
  await button.waitFor({ timeout: 30_000 });
  await button.click();
  await cell("button").locator(".tspy-stream-stdout", { hasText: "clicked with 9" }).waitFor({ timeout: 30_000 });
});

test("output_widget_shows_the_outputs_python_appends", { timeout: 2 * RUN_TIMEOUT }, async () => {
  await run("output");
  const output = cell("output").locator(".tspy-widget .tspy-widget-output");
  await output.locator(".tspy-stream-stdout", { hasText: "hello from output" }).waitFor({ timeout: 30_000 });
  await run("outputAppend");
  await output.locator(".tspy-stream-stdout", { hasText: "second line" }).waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "hello from output\nsecond line\n");
});

/** The stdout text of a cell's own outputs (the direct children of its first output area), leaving out what its widgets show. */
async function cellStdout(name: keyof typeof CELLS): Promise<string> {
  const texts = await cell(name).locator(".tspy-outputs").first().locator(":scope > .tspy-stream-stdout").allTextContents();
  return texts.join("");
}

test("with_out_captures_print_into_the_output_widget", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await run("withOut");
  const output = cell("withOut").locator(".tspy-widget .tspy-widget-output");
  await output.locator(".tspy-stream-stdout", { hasText: "inside the widget" }).waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "inside the widget\n");
  assert.equal(await cellStdout("withOut"), "in the cell\nafter the block\n");
});

test("interact_slider_change_reprints_inside_its_output", { timeout: 2 * RUN_TIMEOUT }, async () => {
  await run("interact");
  const output = cell("interact").locator(".tspy-widget .tspy-widget-output");
  await output.locator(".tspy-stream-stdout", { hasText: "x is 5" }).waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "x is 5\n");
  // The arrow key moves the slider to 6: the function runs again, and its print replaces the old one.
  await cell("interact").locator(".widget-slider .noUi-handle").focus();
  await page.keyboard.press("ArrowRight");
  await output.locator(".tspy-stream-stdout", { hasText: "x is 6" }).waitFor({ timeout: 30_000 });
  assert.equal(await output.textContent(), "x is 6\n");
  assert.equal(await cellStdout("interact"), "");
});

test("widget_of_an_unknown_module_shows_its_text_plain", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await run("unknown");
  const fallback = cell("unknown").locator(".tspy-widget-fallback");
  await fallback.waitFor({ timeout: 30_000 });
  assert.equal(await fallback.innerText(), "Mystery()");
  assert.match((await fallback.getAttribute("data-reason")) ?? "", /tspy-test-no-such-module/);
  // The other widgets are still live.
  assert.equal(await cell("slider").locator(".widget-readout").innerText(), "9");

  await screenshotApp(page, "app-widgets.png");
});

test("reopened_page_draws_the_kernels_widgets_live", { timeout: 2 * RUN_TIMEOUT }, async () => {
  // Saved with its widget outputs, then the page is reloaded: the session (and kernel) is the same,
  // and the new widget manager restores the kernel's widgets, so the saved outputs draw live.
  await page.locator(".tspy-save").click();
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  await page.reload();
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await cell("slider").locator(".tspy-widget .widget-readout", { hasText: /^9$/ }).waitFor({ timeout: 30_000 });
  await cell("text").locator(".tspy-widget .widget-text input").waitFor({ timeout: 30_000 });
  assert.equal(await cell("text").locator(".widget-text input").inputValue(), "42");
  // What Output widgets captured was synced back to the kernel, so it comes back with them.
  await cell("interact").locator(".tspy-widget-output .tspy-stream-stdout", { hasText: "x is 6" }).waitFor({ timeout: 30_000 });
  await cell("withOut").locator(".tspy-widget-output .tspy-stream-stdout", { hasText: "inside the widget" }).waitFor({ timeout: 30_000 });
  assert.equal(await cell("withOut").locator(".tspy-widget-output").textContent(), "inside the widget\n");
  // Still connected both ways: Python moves the restored slider.
  await cell("setFromPython").locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await cell("slider").locator(".widget-readout", { hasText: /^7$/ }).waitFor({ timeout: RUN_TIMEOUT });
});

test("kernel_restart_drops_old_widgets_and_new_ones_work", { timeout: 2 * RUN_TIMEOUT }, async () => {
  await page.locator(".tspy-restart").click();
  await page.locator(".tspy-confirm-ok").click();
  // The old kernel's widgets are gone: their outputs show text/plain.
  const fallback = cell("slider").locator(".tspy-widget-fallback");
  await fallback.waitFor({ timeout: RUN_TIMEOUT });
  assert.match(await fallback.innerText(), /^IntSlider\(value=3, max=10\)$/, "the text/plain the kernel sent with the view");
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  // A widget of the new kernel draws live and syncs.
  await cell("slider").locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await cell("slider").locator(".tspy-widget .widget-readout", { hasText: /^3$/ }).waitFor({ timeout: RUN_TIMEOUT });
  await cell("setFromPython").locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await cell("slider").locator(".widget-readout", { hasText: /^7$/ }).waitFor({ timeout: RUN_TIMEOUT });
  // Running the cell again replaces its live slider with a new one.
  await run("slider");
  await cell("slider").locator(".tspy-widget .widget-readout", { hasText: /^3$/ }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("slider").locator(".widget-slider").count(), 1);
  assert.deepEqual(app!.pageErrors, []);
});
