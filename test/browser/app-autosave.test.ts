// tspy's notebook app saving by itself, in headless Chromium on the real Jupyter Server: with the
// autosave interval shortened through the page URL (`&autosave=1500`), an edit reaches the file
// with no click or key, and a file changed on disk is never overwritten by the autosave.
// The tests run in order on one notebook; each names the behaviour it proves.
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { notebookOf, startApp, type RunningApp } from "../support/app";

const NOTEBOOK = "autosave.ipynb";
/** ms between autosaves in these tests (the app's default is 30 s). */
const AUTOSAVE_MS = 1500;

let app: RunningApp;
let page: Page;

before(async () => {
  app = await startApp({ [NOTEBOOK]: notebookOf([["code", "const kept = 1;"]]) });
  page = app.page;
});

after(async () => {
  await app?.stop();
});

/** The notebook file's text on disk. */
const fileText = () => fs.readFileSync(path.join(app.notebooks, NOTEBOOK), "utf8");

/**
 * The first cell's source in the file on disk. Jupyter Server writes a notebook in place (its
 * "atomic" writing only keeps a backup), so a read during a save may see a partial file: read again.
 */
function firstSourceOnDisk(): string {
  for (let attempt = 0; ; attempt++) {
    try {
      const source = (JSON.parse(fileText()) as { cells: { source: string[] | string }[] }).cells[0].source;
      return Array.isArray(source) ? source.join("") : source;
    } catch (e) {
      if (!(e instanceof SyntaxError) || attempt >= 40) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

/** Appends `text` to the first cell through its editor, back in command mode after. */
async function appendToFirstCell(text: string): Promise<void> {
  await page.locator(".tspy-cell >> nth=0").locator(".tspy-prompt").click();
  await page.keyboard.press("Enter");
  await page.locator(".tspy-notebook[data-mode='edit']").waitFor({ timeout: 10_000 });
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(text);
  await page.keyboard.press("Escape");
  await page.locator(".tspy-notebook[data-mode='command']").waitFor({ timeout: 10_000 });
}

test("autosave_writes_a_dirty_notebook_without_a_click", { timeout: 120_000 }, async () => {
  await page.goto(`${app.url}&autosave=${AUTOSAVE_MS}`);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-title", { hasText: NOTEBOOK }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "false");
  assert.equal(firstSourceOnDisk(), "const kept = 1;");

  await appendToFirstCell("\n// autosaved");
  // No Ctrl+S, no Save button: the interval writes the edit and the title turns clean.
  const deadline = Date.now() + 60_000;
  while (!firstSourceOnDisk().endsWith("// autosaved") && Date.now() < deadline) await page.waitForTimeout(250);
  assert.equal(firstSourceOnDisk(), "const kept = 1;\n// autosaved");
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".tspy-conflict").count(), 0);
});

test("autosave_never_overwrites_a_file_changed_on_disk", { timeout: 120_000 }, async () => {
  // Someone else writes the file, then the notebook here is edited: the next autosave finds the conflict.
  const theirs = JSON.stringify(notebookOf([["markdown", "# Theirs"]]));
  fs.writeFileSync(path.join(app.notebooks, NOTEBOOK), theirs);
  await appendToFirstCell("\n// mine");
  const banner = page.locator(".tspy-conflict");
  await banner.waitFor({ timeout: 60_000 });
  assert.match(await banner.innerText(), /changed on disk/);
  assert.equal(fileText(), theirs, "a conflict writes nothing");
  // Several intervals later the file is still theirs and the edit is still unsaved here.
  await page.waitForTimeout(4 * AUTOSAVE_MS);
  assert.equal(fileText(), theirs);
  assert.equal(await banner.count(), 1);
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");
});
