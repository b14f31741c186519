// Issue 15, "squiggles only for what is really wrong", in headless Chromium on a real Jupyter
// Server and tspy kernel: a freshly opened examples/digits.ipynb shows no error squiggle for the
// names its cells take from the cells above (they have not run yet: those are Info markers that
// say so); the error squiggles left are real type errors, and one typed into a cell is an error too.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start and the first diagnostics on a loaded machine. */
const OPEN_TIMEOUT = 240_000;
/** ms: a kernel answer (diagnostics, hover) on a loaded machine. */
const ANSWER_TIMEOUT = 60_000;
const NOTEBOOK = "digits.ipynb";
/** ms between keystrokes: a quick typist. */
const HUMAN_DELAY = 60;

/** The digits notebook's TypeScript cells (by id) that use names only cells above them declare. */
const USES_NAMES_FROM_ABOVE: Record<string, string[]> = {
  fec5c505: ["images"],
  "6ee319c0": ["images"],
  ddf1655d: ["images", "labels"],
  c58d9794: ["model"],
  "6aa9366b": ["model", "xTrain", "yTrain"],
  ee6bb237: ["model", "xTest", "yTest"],
  "5b46b63d": ["model", "xTest", "np", "yTest"],
};
/** Its last cell (TypeScript), where the test types a real type error. */
const LAST_CELL = "44ead614";

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp({}, { width: 1400, height: 1000 });
  page = app.page;
});

after(async () => {
  await app?.stop();
});

function cell(id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

/**
 * What Monaco's hover says with the mouse on a squiggle: the text of the hover once it shows a
 * marker (its message ends with `ts(<code>)`).
 */
async function hoverText(squiggle: Locator): Promise<string> {
  await page.mouse.move(0, 0);
  await page
    .locator(".monaco-hover:visible")
    .waitFor({ state: "detached", timeout: ANSWER_TIMEOUT })
    .catch(() => undefined);
  await squiggle.scrollIntoViewIfNeeded();
  const box = await squiggle.boundingBox();
  assert.ok(box, "the squiggle is on screen");
  await page.mouse.move(box.x + Math.min(4, box.width / 2), box.y + box.height / 2, { steps: 4 });
  // Each editor keeps a hover element of its own, hidden when not in use.
  const hover = page.locator(".monaco-hover:visible", { hasText: /ts\(\d+\)/ }).first();
  await hover.waitFor({ timeout: ANSWER_TIMEOUT });
  return hover.innerText();
}

test("fresh_digits_notebook_marks_names_of_unrun_cells_above_as_info_not_errors", { timeout: OPEN_TIMEOUT + 4 * ANSWER_TIMEOUT }, async () => {
  await page.goto(app!.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: OPEN_TIMEOUT });
  // Every cell that uses a name from above gets its markers: an Info squiggle under the name.
  for (const id of Object.keys(USES_NAMES_FROM_ABOVE)) {
    await cell(id).locator(".squiggly-info").first().waitFor({ timeout: OPEN_TIMEOUT });
  }
  for (const [id, names] of Object.entries(USES_NAMES_FROM_ABOVE)) {
    assert.ok((await cell(id).locator(".squiggly-info").count()) >= names.length, `cell ${id} marks each of ${names.join(", ")}`);
  }
  await screenshotApp(page, "app-squiggles-fresh.png");
  // What errors remain are real type errors (the example's own), none a "Cannot find name".
  const errors = page.locator(".squiggly-error");
  const errorCount = await errors.count();
  for (let i = 0; i < errorCount; i++) {
    const text = await hoverText(errors.nth(i));
    assert.doesNotMatch(text, /Cannot find name/, `an error squiggle says: ${text}`);
  }

  // Hovering the squiggle under `images` says why it is not an error.
  assert.match(await hoverText(cell("fec5c505").locator(".squiggly-info").first()), /'images' is defined by a cell above that has not run yet/);

  // A real type error typed into the last cell is an error squiggle all the same.
  const editor = cell(LAST_CELL).locator(".monaco-editor");
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type('const z: number = "s";', { delay: HUMAN_DELAY });
  await cell(LAST_CELL).locator(".squiggly-error").first().waitFor({ timeout: ANSWER_TIMEOUT });
  assert.equal(await page.locator(".squiggly-error").count(), errorCount + 1, "the typed error is one more error squiggle");
  assert.match(await hoverText(cell(LAST_CELL).locator(".squiggly-error").first()), /Type 'string' is not assignable to type 'number'/);
  assert.deepEqual(app!.pageErrors, []);
});
