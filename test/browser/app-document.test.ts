// tspy's notebook app as a document editor, in headless Chromium on the real Jupyter Server and tspy
// kernel: a new notebook gets TypeScript, Python and Markdown cells through command-mode keys and the
// toolbar, runs, saves (Ctrl+S) as nbformat 4.5 that Python's nbformat validates, is renamed (the
// kernel session follows), comes back with its outputs after a page reload, has cells moved,
// deleted and undeleted, and meets a file changed on disk (banner, no overwrite until asked).
// The tests run in order on one notebook; each names the behaviour it proves.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { ROOT, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: kernel start and CPython import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
const PYTHON = path.join(ROOT, "python-env", ".venv", "bin", "python");

let app: RunningApp;
let page: Page;
let cells: Locator;
/** The notebook's path relative to the server's root, as it changes (new, then renamed). */
let notebookPath = "";

before(async () => {
  app = await startApp();
  page = app.page;
  cells = page.locator(".tspy-cell");
});

after(async () => {
  await app?.stop();
});

/** The kinds of the cells on the page, in order. */
async function kinds(): Promise<(string | null)[]> {
  const out = [];
  for (let i = 0; i < (await cells.count()); i++) out.push(await cells.nth(i).getAttribute("data-kind"));
  return out;
}

/** The saved notebook, read from the server's folder. */
function onDisk(): {
  cells: { id: string; cell_type: string; source: string[] | string; outputs?: unknown[]; execution_count?: number | null }[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
} {
  return JSON.parse(fs.readFileSync(path.join(app.notebooks, notebookPath), "utf8"));
}

/** A cell's source from the file (a string or a line list). */
const joined = (source: string[] | string) => (Array.isArray(source) ? source.join("") : source);

/** Waits for the notebook to be in `mode` (the <main> element's data-mode). */
async function inMode(mode: "command" | "edit"): Promise<void> {
  await page.locator(`.tspy-notebook[data-mode='${mode}']`).waitFor({ timeout: 10_000 });
}

/** Presses Ctrl+S and waits until the title says the notebook is clean. */
async function saveWithKeys(): Promise<void> {
  await page.keyboard.press("Control+s");
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
}

test("new_notebook_gets_cells_from_command_mode_keys_and_the_toolbar_and_runs_them", { timeout: RUN_TIMEOUT + 60_000 }, async () => {
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: "digits.ipynb" }).waitFor({ timeout: 30_000 });
  await page.locator(".tspy-new").click();
  await page.locator(".tspy-file", { hasText: "Untitled.ipynb" }).waitFor({ timeout: 30_000 });
  notebookPath = "Untitled.ipynb";
  await page.locator(".tspy-title", { hasText: "Untitled.ipynb" }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator(".tspy-file.tspy-open").innerText(), "Untitled.ipynb");
  // A new notebook: one TypeScript cell, selected, in command mode.
  assert.deepEqual(await kinds(), ["typescript"]);
  assert.equal(await cells.nth(0).getAttribute("data-selected"), "true");
  await inMode("command");

  // Enter edits the selected cell; Escape goes back to command mode.
  await page.keyboard.press("Enter");
  await inMode("edit");
  await page.keyboard.insertText('const a: number = 20;\nconsole.log("ts", a);\na + 1');
  await page.keyboard.press("Escape");
  await inMode("command");

  // B inserts below, P makes it Python (the %%python line), Enter edits it.
  await page.keyboard.press("b");
  await page.locator(".tspy-cell >> nth=1").waitFor();
  await page.keyboard.press("p");
  assert.deepEqual(await kinds(), ["typescript", "python"]);
  assert.equal(await cells.nth(1).getAttribute("data-selected"), "true");
  await page.keyboard.press("Enter");
  await inMode("edit");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText('print("py", ts.a * 2)');
  await page.keyboard.press("Escape");
  await inMode("command");

  // The toolbar inserts a cell below and makes it Markdown; Ctrl+Enter in its editor renders it.
  await page.locator(".tspy-insert-below").click();
  await page.locator(".tspy-cell-kind").selectOption("markdown");
  assert.deepEqual(await kinds(), ["typescript", "python", "markdown"]);
  await page.keyboard.press("Enter");
  await inMode("edit");
  await page.keyboard.insertText("# Saved heading\nwith *emphasis*");
  await page.keyboard.press("Control+Enter");
  await inMode("command");
  const heading = page.frameLocator(".tspy-cell[data-kind='markdown'] iframe.tspy-markdown").locator("h1");
  assert.equal(await heading.innerText(), "Saved heading");

  // A inserts above the Markdown cell; D D deletes it again.
  await page.keyboard.press("a");
  assert.deepEqual(await kinds(), ["typescript", "python", "typescript", "markdown"]);
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  assert.deepEqual(await kinds(), ["typescript", "python", "markdown"]);

  // K/Up select upwards; Shift+Enter runs the selected cell and advances, in command mode.
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await page.keyboard.press("k");
  await page.keyboard.press("ArrowUp");
  assert.equal(await cells.nth(0).getAttribute("data-selected"), "true");
  await page.keyboard.press("Shift+Enter");
  await cells.nth(0).locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cells.nth(1).getAttribute("data-selected"), "true");
  await page.keyboard.press("Shift+Enter");
  await cells.nth(1).locator(".tspy-stream-stdout").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cells.nth(0).locator(".tspy-stream-stdout").textContent(), "ts 20\n");
  assert.equal(await cells.nth(0).locator(".tspy-execute_result").innerText(), "21");
  assert.equal(await cells.nth(1).locator(".tspy-stream-stdout").textContent(), "py 40\n");
  assert.equal(await cells.nth(0).locator(".tspy-prompt").innerText(), "[1]:");
  assert.equal(await cells.nth(1).locator(".tspy-prompt").innerText(), "[2]:");
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");
  assert.equal(await page.locator(".tspy-title").innerText(), "Untitled.ipynb ●");
});

test("ctrl_s_saves_nbformat_4_5_that_nbformat_validates_with_the_python_cell_starting_with_magic", { timeout: 60_000 }, async () => {
  await saveWithKeys();
  const nb = onDisk();
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata.kernelspec, { name: "tspy", display_name: "TypeScript + Python", language: "typescript" });
  assert.deepEqual(
    nb.cells.map((c) => c.cell_type),
    ["code", "code", "markdown"],
  );
  for (const c of nb.cells) assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/);
  assert.match(joined(nb.cells[1].source), /^%%python\nprint\("py", ts\.a \* 2\)/);
  assert.deepEqual(
    nb.cells.map((c) => c.execution_count),
    [1, 2, undefined],
  );
  assert.ok(JSON.stringify(nb.cells[0].outputs).includes("ts 20"));
  assert.ok(!JSON.stringify(nb).includes("tspy_display_id"));
  // The real nbformat (Python) reads and validates it against the 4.5 schema.
  const out = execFileSync(
    PYTHON,
    [
      "-c",
      "import sys, nbformat; nb = nbformat.read(sys.argv[1], 4); nbformat.validate(nb); print(nb.nbformat, nb.nbformat_minor, len(nb.cells))",
      path.join(app.notebooks, notebookPath),
    ],
    { encoding: "utf8", env: { ...process.env, PYTHONNOUSERSITE: "1" } },
  );
  assert.equal(out.trim(), "4 5 3");
});

test("rename_moves_the_file_and_the_kernel_sessions_path_follows", { timeout: 60_000 }, async () => {
  await page.locator(".tspy-title-name").click();
  const input = page.locator(".tspy-rename-input");
  await input.fill("renamed-doc");
  await input.press("Enter");
  await page.locator(".tspy-title", { hasText: "renamed-doc.ipynb" }).waitFor({ timeout: 30_000 });
  await page.locator(".tspy-file", { hasText: "renamed-doc.ipynb" }).waitFor({ timeout: 30_000 });
  assert.ok(!fs.existsSync(path.join(app.notebooks, "Untitled.ipynb")));
  assert.ok(fs.existsSync(path.join(app.notebooks, "renamed-doc.ipynb")));
  notebookPath = "renamed-doc.ipynb";
  // The list is the folder's notebooks (the Contents API), sorted, the renamed one among them.
  const onDisk = fs.readdirSync(app.notebooks).filter((f) => f.endsWith(".ipynb"));
  assert.ok(onDisk.includes("renamed-doc.ipynb") && onDisk.includes("digits.ipynb"));
  assert.deepEqual(await page.locator(".tspy-file").allInnerTexts(), onDisk.sort());
  // The server's session list (REST, with the page's token) has the notebook's new path.
  const url = new URL(app.url);
  const deadline = Date.now() + 20_000;
  let paths: string[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${url.origin}/api/sessions?token=${url.searchParams.get("token")}`);
    paths = ((await res.json()) as { path: string }[]).map((s) => s.path);
    if (paths.includes("renamed-doc.ipynb")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(paths, ["renamed-doc.ipynb"]);
});

test("reload_and_reopen_brings_back_cells_outputs_and_execution_counts", { timeout: RUN_TIMEOUT + 30_000 }, async () => {
  await page.reload();
  await page.locator(".tspy-file", { hasText: "renamed-doc.ipynb" }).click();
  await cells.nth(2).waitFor({ timeout: 30_000 });
  assert.deepEqual(await kinds(), ["typescript", "python", "markdown"]);
  assert.equal(await cells.nth(0).locator(".tspy-stream-stdout").textContent(), "ts 20\n");
  assert.equal(await cells.nth(0).locator(".tspy-execute_result").innerText(), "21");
  assert.equal(await cells.nth(1).locator(".tspy-stream-stdout").textContent(), "py 40\n");
  assert.equal(await cells.nth(0).locator(".tspy-prompt").innerText(), "[1]:");
  assert.equal(await cells.nth(1).locator(".tspy-prompt").innerText(), "[2]:");
  const heading = page.frameLocator(".tspy-cell[data-kind='markdown'] iframe.tspy-markdown").locator("h1");
  assert.equal(await heading.innerText(), "Saved heading");
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "false");
  // The opened notebook takes command-mode keys at once: J selects the next cell.
  assert.equal(await cells.nth(0).getAttribute("data-selected"), "true");
  await page.keyboard.press("j");
  assert.equal(await cells.nth(1).getAttribute("data-selected"), "true");

  // Double-click opens the Markdown cell's editor; Shift+Enter renders it again.
  await cells.nth(2).locator(".tspy-markdown-cover").dblclick();
  await cells.nth(2).locator(".tspy-editor").waitFor({ timeout: 10_000 });
  await inMode("edit");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("\n\nmore text");
  await page.keyboard.press("Shift+Enter");
  await cells.nth(2).locator("iframe.tspy-markdown").waitFor({ timeout: 10_000 });
  // Shift+Enter after the last cell makes a new TypeScript cell, in edit mode.
  assert.deepEqual(await kinds(), ["typescript", "python", "markdown", "typescript"]);
  await inMode("edit");
  await page.keyboard.press("Escape");
  await inMode("command");
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  assert.deepEqual(await kinds(), ["typescript", "python", "markdown"]);
});

test("move_delete_and_undo_delete_change_the_saved_cell_order", { timeout: 60_000 }, async () => {
  const ids = onDisk().cells.map((c) => c.id);
  // Select the Markdown cell by clicking it, move it up with the toolbar.
  await cells.nth(2).locator(".tspy-prompt").click();
  assert.equal(await cells.nth(2).getAttribute("data-selected"), "true");
  await page.locator(".tspy-move-up").click();
  assert.deepEqual(await kinds(), ["typescript", "markdown", "python"]);
  assert.equal(await cells.nth(1).getAttribute("data-selected"), "true");
  // D D deletes it, Z puts it back; the toolbar's Delete deletes the Python cell.
  await inMode("command");
  await page.keyboard.press("d");
  await page.keyboard.press("d");
  assert.deepEqual(await kinds(), ["typescript", "python"]);
  await page.keyboard.press("z");
  assert.deepEqual(await kinds(), ["typescript", "markdown", "python"]);
  await cells.nth(2).locator(".tspy-prompt").click();
  await page.locator(".tspy-delete-cell").click();
  assert.deepEqual(await kinds(), ["typescript", "markdown"]);
  await page.locator(".tspy-move-down").waitFor();
  await saveWithKeys();
  const saved = onDisk();
  assert.deepEqual(
    saved.cells.map((c) => c.id),
    [ids[0], ids[2]],
  );
  assert.match(joined(saved.cells[1].source), /^# Saved heading\nwith \*emphasis\*\n\nmore text$/);
  // Y makes the Markdown cell TypeScript again and M back to Markdown, keeping the text.
  await page.keyboard.press("y");
  assert.deepEqual(await kinds(), ["typescript", "typescript"]);
  await page.keyboard.press("m");
  assert.deepEqual(await kinds(), ["typescript", "markdown"]);
  await page.keyboard.press("Escape");
});

test("save_over_a_file_changed_on_disk_shows_the_banner_and_overwrites_only_when_asked", { timeout: 60_000 }, async () => {
  // Make the notebook dirty: edit the first cell.
  await cells.nth(0).locator(".tspy-prompt").click();
  await page.keyboard.press("Enter");
  await inMode("edit");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("\n// mine");
  await page.keyboard.press("Escape");
  await page.locator(".tspy-title[data-dirty='true']").waitFor();
  // Someone else writes the file.
  const theirs = JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: "theirs", cell_type: "markdown", metadata: {}, source: "# Theirs" }],
  });
  const file = path.join(app.notebooks, notebookPath);
  fs.writeFileSync(file, theirs);
  await page.keyboard.press("Control+s");
  const banner = page.locator(".tspy-conflict");
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.innerText(), /changed on disk/);
  assert.equal(fs.readFileSync(file, "utf8"), theirs, "a conflict writes nothing");
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");
  // Saving again still does not overwrite.
  await page.locator(".tspy-save").click();
  await banner.waitFor();
  assert.equal(fs.readFileSync(file, "utf8"), theirs);

  await page.locator(".tspy-conflict-overwrite").click();
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  assert.equal(await banner.count(), 0);
  const nb = onDisk();
  assert.match(joined(nb.cells[0].source), /\/\/ mine$/);
  assert.equal(nb.cells.length, 2);
});

test("reload_from_the_conflict_banner_shows_the_file_on_disk", { timeout: 60_000 }, async () => {
  await cells.nth(0).locator(".tspy-prompt").click();
  await page.keyboard.press("b");
  await page.locator(".tspy-title[data-dirty='true']").waitFor();
  const file = path.join(app.notebooks, notebookPath);
  fs.writeFileSync(
    file,
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: "theirs", cell_type: "markdown", metadata: {}, source: "# Theirs" }] }),
  );
  await page.keyboard.press("Control+s");
  await page.locator(".tspy-conflict").waitFor({ timeout: 30_000 });
  await screenshotApp(page, "app-document.png");
  await page.locator(".tspy-conflict-reload").click();
  await page.locator(".tspy-conflict").waitFor({ state: "detached", timeout: 30_000 });
  assert.deepEqual(await kinds(), ["markdown"]);
  assert.equal(await page.frameLocator("iframe.tspy-markdown").locator("h1").innerText(), "Theirs");
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "false");
  assert.deepEqual(app.pageErrors, []);
});
