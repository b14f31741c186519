// The end-to-end scenario in tspy's own app, in headless Chromium against the real Jupyter
// Server and tspy kernel: open examples/digits.ipynb, Run All, see the model summary and the live
// training chart, see the variables of both languages, save, reload the page and see the outputs
// again. Leaves screenshots of the run notebook in test-artifacts/.
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: Run All trains a Keras model for 40 epochs on a shared 2-core machine. */
const RUN_ALL_TIMEOUT = 480_000;
const NOTEBOOK = "digits.ipynb";

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  // Tall enough that every output frame is painted in the full-page screenshot.
  app = await startApp({}, { width: 1400, height: 1000 });
  page = app.page;
  await page.goto(app.url);
});

after(async () => {
  await app?.stop();
});

/**
 * Waits until one of the page's sandboxed HTML output frames shows `text`.
 * @param timeoutMs how long to wait, ms.
 * @throws Error when none does in time.
 */
async function waitForFrameText(text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = page.locator(".tspy-cell iframe.tspy-html");
    for (let i = 0; i < (await frames.count()); i++) {
      if ((await frames.nth(i).contentFrame().locator(`text=${text}`).count()) > 0) return;
    }
    if (Date.now() > deadline) throw new Error(`no output frame shows ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The code cells' prompts, in order. */
async function prompts(): Promise<string[]> {
  return page.locator(".tspy-cell:not([data-kind='markdown']) .tspy-prompt").allInnerTexts();
}

test("digits_example_runs_all_and_shows_the_model_summary_and_the_training_chart", { timeout: RUN_ALL_TIMEOUT + 120_000 }, async () => {
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  const cells = page.locator(".tspy-cell");
  await cells.nth(5).waitFor({ timeout: 60_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: 120_000 });
  await page.locator(".tspy-run-all").click();
  // The last cell reads Python's dict back: its result is the end of Run All.
  const last = cells.last();
  await last.locator(".tspy-execute_result").waitFor({ timeout: RUN_ALL_TIMEOUT });
  assert.match(await last.locator(".tspy-execute_result").innerText(), /best_val_accuracy/);
  assert.deepEqual(await page.locator(".tspy-cell .tspy-error").count(), 0, "no cell failed");
  const counts = (await prompts()).map((p) => Number(/\[(\d+)\]/.exec(p)?.[1]));
  assert.deepEqual(
    counts,
    counts.map((_, i) => i + 1),
    "every code cell ran once, in order",
  );

  // The model summary: an HTML table with the three Dense layers, in a sandboxed frame.
  await waitForFrameText("dense_2", 30_000);
  await waitForFrameText("Total params", 30_000);
  // The training chart: one Vega-Lite output drawn as SVG, with a point per epoch.
  const chart = page.locator(".tspy-vegalite svg").first();
  await chart.waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".tspy-vegalite").count(), 1, "fit's chart is one output updated in place");
  // Keras' own log is there too, and the test accuracy is a real number above chance.
  const accuracy = await page.locator(".tspy-stream-stdout", { hasText: "test accuracy" }).first().innerText();
  const value = Number(/test accuracy: ([0-9.]+)/.exec(accuracy)?.[1]);
  assert.ok(value > 0.8, `test accuracy ${value}`);

  // The variables panel lists both languages' values after the run.
  const panel = page.locator(".tspy-variables");
  await panel.locator("text=images").first().waitFor({ timeout: 30_000 });
  assert.match(await panel.innerText(), /summary/);
  await screenshotApp(page, "app-digits.png");
});

test("digits_example_saved_then_reloaded_shows_its_outputs_again", { timeout: 180_000 }, async () => {
  await page.locator(".tspy-save").click();
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  const saved = JSON.parse(fs.readFileSync(path.join(app!.notebooks, NOTEBOOK), "utf8")) as {
    nbformat_minor: number;
    cells: { outputs?: { data?: Record<string, unknown> }[] }[];
  };
  assert.equal(saved.nbformat_minor, 5);
  const mimes = saved.cells.flatMap((c) => c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}));
  assert.ok(mimes.includes("application/vnd.vegalite.v5+json"), "the chart is saved");

  await page.reload();
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  const cells = page.locator(".tspy-cell");
  await cells.last().locator(".tspy-execute_result").waitFor({ timeout: 60_000 });
  await page.locator(".tspy-vegalite svg").first().waitFor({ timeout: 60_000 });
  await waitForFrameText("dense_2", 30_000);
  assert.ok(
    (await prompts()).every((p) => /\[\d+\]/.test(p)),
    "execution counts come back",
  );
  await screenshotApp(page, "app-digits-reloaded.png");
  assert.deepEqual(app!.pageErrors, []);
});
