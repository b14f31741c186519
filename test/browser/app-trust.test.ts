// Issue 15, "the notebook app a JupyterLab user trusts", in headless Chromium on a real Jupyter
// Server with the tspy kernel and ipykernel, each test written as the user's keystrokes: typing at
// human speed with Enter never changes what was typed (completions open on Tab, Shift+Tab
// inspects), a reload with unsaved edits loses nothing and reopens the notebook, the keys work
// again after answering input(), a `python3` notebook runs on ipykernel, restart asks, I I
// interrupts, and progress bars (Keras' model.fit) end as one line. Leaves screenshots of the
// digits notebook and of a new notebook in test-artifacts/.
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { cellOf, notebookOf, openFromList, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start, the first imports (numpy, Keras) on a loaded machine. */
const RUN_TIMEOUT = 240_000;
/** ms: a kernel answer (completion, inspection) on a loaded machine. */
const ANSWER_TIMEOUT = 60_000;
/** ms between keystrokes of keyboard.type: a quick typist, slower than the kernel's completions. */
const HUMAN_DELAY = 120;
const NOTEBOOK = "trust.ipynb";
const PY3_NOTEBOOK = "ipykernel.ipynb";

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp({
    [NOTEBOOK]: notebookOf([
      ["code", 'const np = tspy.import("numpy");', "setup"],
      ["code", "%%python\n", "py"],
      ["code", "", "ts"],
      ["markdown", "# Notes", "md"],
      ["code", '%%python\nname = input("name? ")\nprint("hi", name)', "input"],
      [
        "code",
        "%%python\nimport numpy as np, keras\n" +
          "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n" +
          'model.compile(optimizer="sgd", loss="mse")\n' +
          "history = model.fit(np.zeros((64, 4)), np.zeros((64, 1)), batch_size=8, epochs=2, verbose=1)",
        "keras",
      ],
      ["code", '%%python\nimport sys, time\nfor i in range(5):\n    print(f"\\r{i * 25}%", end="", flush=True)\n    time.sleep(0.05)\nprint()', "bar"],
    ]),
    [PY3_NOTEBOOK]: {
      ...notebookOf([
        ["code", 'import sys\nx = 5\nprint("ipykernel" in sys.modules, sys.version_info[0])', "where"],
        ["code", "print(x)", "state"],
        ["code", "import time\ntime.sleep(600)", "sleep"],
        ["code", "print(x * 2)", "after"],
      ]),
      metadata: { kernelspec: { name: "python3", display_name: "Python 3 (ipykernel)", language: "python" } },
    },
  });
  page = app.page;
});

after(async () => {
  await app?.stop();
});

const cell = (id: string): Locator => cellOf(page, id);

/** Opens a notebook from the list and waits for its kernel (support/app.ts's openFromList). */
const openNotebook = (name: string): Promise<void> => openFromList(app!, name, { show: 30_000, kernel: RUN_TIMEOUT });

/** The text of a cell's editor, as Monaco shows it (its lines, non-breaking spaces as spaces). */
async function editorText(id: string): Promise<string> {
  const lines = await cell(id)
    .locator(".view-line")
    .evaluateAll((nodes) =>
      nodes
        .map((n) => ({ top: parseFloat((n as unknown as { style: { top: string } }).style.top), text: (n as unknown as { textContent: string }).textContent }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  return lines.join("\n").replace(/\u00a0/g, " ");
}

/**
 * Asserts that a cell's editor shows `expected` (of `pick(text)`), polling up to 10 s: Monaco
 * renders typed keys on a later animation frame, so a loaded machine shows them late. A text that
 * never becomes `expected` fails with the last one seen.
 */
async function expectEditor(id: string, expected: string, pick: (text: string) => string = (t) => t): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen = pick(await editorText(id));
  while (seen !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = pick(await editorText(id));
  }
  assert.equal(seen, expected);
}

/** Clicks into a cell's editor and puts the cursor at the end of its text. */
async function editAtEnd(id: string): Promise<void> {
  await cell(id).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
}

/** Waits until a code cell finished and returns its prompt ("[3]:"). */
async function finished(id: string): Promise<string> {
  await cell(id).locator(".tspy-prompt", { hasNotText: "[*]:" }).waitFor({ timeout: RUN_TIMEOUT });
  return cell(id).locator(".tspy-prompt").innerText();
}

/** The text of a cell's stream outputs. */
function streamText(id: string): Promise<string> {
  return cell(id)
    .locator(".tspy-stream")
    .evaluateAll((nodes) => nodes.map((n) => (n as unknown as { textContent: string }).textContent).join(""));
}

test("enter_never_changes_what_was_typed_in_python_typescript_and_markdown_cells", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await openNotebook(NOTEBOOK);
  // numpy is imported, so the kernel has names starting with "np" to offer.
  await editAtEnd("setup");
  await page.keyboard.press("Control+Enter");
  assert.equal(await finished("setup"), "[1]:");

  await editAtEnd("py");
  await page.keyboard.type("import time", { delay: HUMAN_DELAY });
  await page.keyboard.press("Enter");
  await page.keyboard.type("n = 0", { delay: HUMAN_DELAY });
  await expectEditor("py", "%%python\nimport time\nn = 0");

  await editAtEnd("ts");
  await page.keyboard.type("const z = np", { delay: HUMAN_DELAY });
  await page.keyboard.press("Enter");
  await page.keyboard.type("z", { delay: HUMAN_DELAY });
  await expectEditor("ts", "const z = np\nz");

  await page.keyboard.press("Escape");
  await cell("md").click();
  await page.keyboard.press("Enter");
  await cell("md").locator(".monaco-editor").waitFor({ timeout: 10_000 });
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("No", { delay: HUMAN_DELAY });
  await page.keyboard.press("Enter");
  await page.keyboard.type("x", { delay: HUMAN_DELAY });
  await expectEditor("md", "# Notes\nNo\nx");
  await page.keyboard.press("Escape");
});

test("tab_completes_enter_accepts_only_after_arrows_and_shift_tab_inspects", { timeout: RUN_TIMEOUT }, async () => {
  await editAtEnd("py");
  await page.keyboard.press("Enter");
  await page.keyboard.type("time.s", { delay: HUMAN_DELAY });
  // Nothing opens while typing (the setting is off); Tab asks the kernel (complete_request).
  assert.equal(await page.locator(".suggest-widget .monaco-list-row").count(), 0);
  await page.keyboard.press("Tab");
  await page.locator(".suggest-widget .monaco-list-row", { hasText: "sleep" }).first().waitFor({ timeout: ANSWER_TIMEOUT });
  // Enter without moving into the list is a new line.
  await page.keyboard.press("Enter");
  await expectEditor("py", "%%python\nimport time\nn = 0\ntime.s\n");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Tab");
  await page.locator(".suggest-widget .monaco-list-row", { hasText: "sleep" }).first().waitFor({ timeout: ANSWER_TIMEOUT });
  // Down then Up: the user moved into the list, to its first entry; Enter takes it.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  const chosen = (await page.locator(".suggest-widget .monaco-list-row.focused .label-name").innerText()).trim();
  assert.match(chosen, /^s/);
  await page.keyboard.press("Enter");
  await expectEditor("py", `%%python\nimport time\nn = 0\ntime.${chosen}`);
  // Shift+Tab after a name shows the kernel's inspection of it.
  for (let i = 0; i < chosen.length - 1; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("leep", { delay: HUMAN_DELAY });
  await page.keyboard.press("Shift+Tab");
  await page.locator(".monaco-hover", { hasText: "sleep" }).first().waitFor({ timeout: ANSWER_TIMEOUT });
  // Escape closes the inspection (and leaves the editor); Enter comes back to the cell's end.
  await page.keyboard.press("Escape");
  await page.locator(".tspy-notebook[data-mode='command']").waitFor({ timeout: 10_000 });
  await page.keyboard.press("Enter");
  await page.locator(".tspy-notebook[data-mode='edit']").waitFor({ timeout: 10_000 });
  // Tab at the start of a line indents: 4 spaces in Python, 2 in TypeScript.
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await page.keyboard.type("x");
  await expectEditor("py", "    x", (t) => t.split("\n").pop() ?? "");
  await editAtEnd("ts");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await page.keyboard.type("y");
  await expectEditor("ts", "  y", (t) => t.split("\n").pop() ?? "");
  await page.keyboard.press("Escape");
});

test("a_reload_with_unsaved_edits_asks_reopens_the_notebook_and_restores_them", { timeout: RUN_TIMEOUT }, async () => {
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");
  const edited = await editorText("ts");
  assert.ok(new URL(page.url()).searchParams.get("path") === NOTEBOOK, `the URL names the notebook: ${page.url()}`);
  const dialogs: string[] = [];
  page.once("dialog", (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await page.reload();
  assert.deepEqual(dialogs, ["beforeunload"]);
  await page.locator(".tspy-title", { hasText: NOTEBOOK }).waitFor({ timeout: 30_000 });
  // The file on disk does not have the edit; the browser's backup does, and it is offered.
  await page.locator(".tspy-backup").waitFor({ timeout: 30_000 });
  await expectEditor("ts", "");
  await page.locator(".tspy-backup-restore").click();
  await page.locator(".tspy-backup").waitFor({ state: "hidden", timeout: 10_000 });
  await expectEditor("ts", edited);
  assert.equal(await page.locator(".tspy-title").getAttribute("data-dirty"), "true");
  // Saving writes it and drops the backup: the next reload offers nothing.
  await page.locator(".tspy-save").click();
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: 30_000 });
  const onDisk = JSON.parse(fs.readFileSync(path.join(app!.notebooks, NOTEBOOK), "utf8")) as { cells: { id: string; source: string[] }[] };
  assert.equal(onDisk.cells.find((c) => c.id === "ts")!.source.join(""), edited);
  await page.reload();
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await page.locator(".tspy-backup").count(), 0);
  await expectEditor("ts", edited);
});

test("after_answering_input_escape_b_adds_a_cell_below", { timeout: RUN_TIMEOUT }, async () => {
  const before = await page.locator(".tspy-cell").count();
  await editAtEnd("input");
  await page.keyboard.press("Shift+Enter");
  const box = cell("input").locator(".tspy-stdin-input");
  await box.waitFor({ timeout: RUN_TIMEOUT });
  await page.keyboard.type("Ada", { delay: HUMAN_DELAY });
  await page.keyboard.press("Enter");
  await finished("input");
  assert.match(await streamText("input"), /hi Ada/);
  await page.keyboard.press("Escape");
  await page.keyboard.press("b");
  await page.waitForFunction(
    (n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(".tspy-cell").length === n,
    before + 1,
    {
      timeout: 10_000,
    },
  );
  // The new cell is the selected one, right below the cell that was selected (the one after input's).
  const ids = await page
    .locator(".tspy-cell")
    .evaluateAll((nodes) => nodes.map((n) => (n as unknown as { getAttribute(a: string): string }).getAttribute("data-cell-id")));
  const added = ids.findIndex((id) => !["setup", "py", "ts", "md", "input", "keras", "bar"].includes(id));
  assert.equal(ids[added - 1], "keras");
  assert.equal(await page.locator(".tspy-cell[data-selected='true']").getAttribute("data-cell-id"), ids[added]);
  // The stray keys went nowhere: the input cell's source is unchanged.
  await expectEditor("input", '%%python\nname = input("name? ")\nprint("hi", name)');
});

test("keras_progress_bar_and_carriage_returns_end_as_one_line", { timeout: RUN_TIMEOUT }, async () => {
  if ((await page.locator(".tspy-title", { hasText: NOTEBOOK }).count()) === 0) await openNotebook(NOTEBOOK);
  await editAtEnd("keras");
  await page.keyboard.press("Control+Enter");
  await finished("keras");
  const text = await streamText("keras");
  assert.doesNotMatch(text, /[\r\b]/);
  const bars = text.split("\n").filter((l) => /^\s*\d+\/8\b/.test(l));
  // One line per epoch, each the bar's final state.
  assert.equal(bars.length, 2, text);
  for (const bar of bars) assert.match(bar, /^\s*8\/8 .*loss/, text);
  await editAtEnd("bar");
  await page.keyboard.press("Control+Enter");
  await finished("bar");
  assert.equal(await streamText("bar"), "100%\n");
});

test("a_python3_notebook_runs_on_ipykernel_restart_asks_and_i_i_interrupts", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await openNotebook(PY3_NOTEBOOK);
  assert.equal(await page.locator(".tspy-kernel-picker").inputValue(), "python3");
  await editAtEnd("where");
  await page.keyboard.press("Shift+Enter");
  await finished("where");
  assert.equal(await streamText("where"), "True 3\n");
  // Restart asks; Cancel keeps the kernel and its variables.
  await page.locator(".tspy-restart").click();
  await page.locator(".tspy-confirm").waitFor({ timeout: 10_000 });
  await page.locator(".tspy-confirm-cancel").click();
  await editAtEnd("state");
  await page.keyboard.press("Shift+Enter");
  await finished("state");
  assert.equal(await streamText("state"), "5\n");
  // I I in command mode interrupts a running cell.
  await page.keyboard.press("Shift+Enter");
  await cell("sleep").locator(".tspy-prompt", { hasText: "[*]:" }).waitFor({ timeout: 30_000 });
  await page.keyboard.press("Escape");
  await page.locator(".tspy-notebook[data-mode='command']").waitFor({ timeout: 10_000 });
  await page.keyboard.press("i");
  await page.keyboard.press("i");
  await finished("sleep");
  assert.match(await cell("sleep").locator(".tspy-error").innerText(), /KeyboardInterrupt/);
  // Restart, confirmed, drops the variables.
  await page.locator(".tspy-restart").click();
  await page.locator(".tspy-confirm-ok").click();
  await page.locator(".tspy-kernel-notice[data-kind='restarted']").waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await editAtEnd("after");
  await page.keyboard.press("Control+Enter");
  await finished("after");
  assert.match(await cell("after").locator(".tspy-error").innerText(), /NameError/);
});

test("screenshots_of_the_digits_notebook_and_a_new_notebook", { timeout: RUN_TIMEOUT }, async () => {
  await openNotebook("digits.ipynb");
  await screenshotApp(page, "app-trust-digits.png");
  await page.locator(".tspy-new").click();
  await page.locator(".tspy-title", { hasText: "Untitled" }).waitFor({ timeout: 30_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  await screenshotApp(page, "app-trust-new.png");
  assert.deepEqual(app!.pageErrors, []);
});
