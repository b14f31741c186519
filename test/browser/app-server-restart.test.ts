// tspy's notebook app when its Jupyter Server is stopped and started again on the same port (the
// user restarted `npm start`), in headless Chromium, in the same tab: the unsaved edit is kept, the
// app says the kernel session was lost, Restart (or simply running a cell) starts a new session on
// the new server and the cell's output shows, and Ctrl+S saves again (the "cannot save" error of a
// save tried while the server was down goes away). The tests run in order on one notebook.
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { cellOf, notebookOf, openFromList, startApp, type RunningApp } from "../support/app";

/** ms: kernel start and CPython import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
/** ms: the app noticing that the server forgot the session (a request or two after the server is back). */
const NOTICE_TIMEOUT = 120_000;
const NOTEBOOK = "server-restart.ipynb";

let app: RunningApp;
let page: Page;

before(async () => {
  app = await startApp({
    [NOTEBOOK]: notebookOf([
      ["code", "let n = 41;\nn", "state"],
      ["code", 'console.log("edit me");', "edited"],
      ["code", 'console.log("second server");', "later"],
    ]),
  });
  page = app.page;
});

after(async () => {
  await app?.stop();
});

/** Runs a cell with Shift+Enter in its editor (does not wait for it to finish). */
async function run(id: string): Promise<void> {
  await cellOf(page, id).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
}

/** Waits until the kernel is idle on a connected websocket. */
async function idle(): Promise<void> {
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-connection-status[data-status='connected']").waitFor({ timeout: RUN_TIMEOUT });
}

/** The cell's source as its editor shows it. */
async function editorText(id: string): Promise<string> {
  return (await cellOf(page, id).locator(".monaco-editor .view-lines").innerText()).replace(/\u00a0/g, " ");
}

/** The source of a cell in the notebook file on disk. */
function sourceOnDisk(id: string): string {
  const nb = JSON.parse(fs.readFileSync(path.join(app.notebooks, NOTEBOOK), "utf8")) as { cells: { id: string; source: string[] | string }[] };
  const cell = nb.cells.find((c) => c.id === id);
  assert.ok(cell, `no cell ${id} on disk`);
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

test("after_a_server_restart_the_edit_is_kept_restart_starts_a_new_session_and_save_works", { timeout: RUN_TIMEOUT * 4 }, async () => {
  await openFromList(app, NOTEBOOK, { show: 30_000, kernel: RUN_TIMEOUT });
  await run("state");
  await cellOf(page, "state").locator(".tspy-execute_result", { hasText: "41" }).waitFor({ timeout: RUN_TIMEOUT });

  // An edit, not saved.
  await cellOf(page, "edited").locator(".tspy-prompt").click();
  await page.keyboard.press("Enter");
  await page.locator(".tspy-notebook[data-mode='edit']").waitFor({ timeout: 10_000 });
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText('\nconsole.log("kept");');
  await page.keyboard.press("Escape");
  await page.locator(".tspy-title[data-dirty='true']").waitFor({ timeout: 10_000 });

  await app.restartServer(async () => {
    // Ctrl+S while the server is down fails and says so.
    await page.keyboard.press("Control+s");
    await page.locator(".tspy-app-error", { hasText: "cannot save" }).waitFor({ timeout: 30_000 });
  });

  // Same tab, no reload: the app says the session is gone; the edit is still there, unsaved.
  await page.locator(".tspy-kernel-notice[data-kind='lost']").waitFor({ timeout: NOTICE_TIMEOUT });
  assert.equal(await editorText("edited"), 'console.log("edit me");\nconsole.log("kept");');
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");

  // Restart starts a new session on the new server (nothing to confirm: there is no kernel to lose).
  await page.locator(".tspy-restart").click();
  await idle();
  await run("edited");
  await cellOf(page, "edited").locator(".tspy-stream-stdout", { hasText: "kept" }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cellOf(page, "edited").locator(".tspy-stream-stdout").textContent(), "edit me\nkept\n");

  // Saving works again and the old error goes.
  await page.locator(".tspy-notebook").focus();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+s");
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".tspy-app-error").count(), 0);
  assert.equal(sourceOnDisk("edited"), 'console.log("edit me");\nconsole.log("kept");');

  // A reload opens the saved notebook with the edit.
  await page.reload();
  await cellOf(page, "edited").waitFor({ timeout: 30_000 });
  assert.equal(await editorText("edited"), 'console.log("edit me");\nconsole.log("kept");');
  assert.equal(await page.locator(".tspy-backup").count(), 0);
});

test("after_a_server_restart_running_a_cell_starts_a_new_session_and_runs_it", { timeout: RUN_TIMEOUT * 4 }, async () => {
  await idle();
  await app.restartServer();
  // No Restart pressed: Shift+Enter in the cell is enough, whether or not the app has noticed the loss yet.
  await run("later");
  await cellOf(page, "later")
    .locator(".tspy-stream-stdout", { hasText: "second server" })
    .waitFor({ timeout: RUN_TIMEOUT * 2 });
  await idle();
  assert.equal(await cellOf(page, "later").locator(".tspy-stream-stdout").textContent(), "second server\n");
  assert.deepEqual(app.pageErrors, []);
});
