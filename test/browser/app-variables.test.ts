// The app's variables panel in headless Chromium on the real tspy kernel: after a TypeScript cell
// and a %%python cell run, the panel (fed by the tspy.notebook comm's variables event) lists the
// variables of both languages with type, shape, dtype and size; it collapses and opens again.
// Leaves a screenshot in test-artifacts/app-variables.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start and the first numpy import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
const NOTEBOOK = "variables.ipynb";

let app: RunningApp | undefined;

before(async () => {
  app = await startApp({
    [NOTEBOOK]: notebookOf([
      ["code", "const n = 3;\nconst xs = new Float32Array(10);", "ts"],
      ["code", "%%python\nimport numpy as np\na = np.zeros((3, 4))", "py"],
    ]),
  });
});

after(async () => {
  await app?.stop();
});

/** The panel's row of `name`: [name, language, type, shape, dtype, size] texts. */
async function row(name: string): Promise<string[]> {
  return app!.page.locator(`.tspy-variables tr.tspy-variable[data-name='${name}'] td`).allInnerTexts();
}

test("variables_panel_lists_typescript_and_python_variables_after_the_cells_run", { timeout: RUN_TIMEOUT * 2 }, async () => {
  const page = app!.page;
  await page.goto(app!.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  // On open, the panel asks the kernel: nothing is defined yet.
  const panel = page.locator(".tspy-variables");
  await panel.getByText("No variables defined yet.").waitFor({ timeout: 30_000 });

  await page.locator(".tspy-run-all").click();
  await page.locator(".tspy-cell[data-cell-id='py'] .tspy-prompt", { hasText: "[2]:" }).waitFor({ timeout: RUN_TIMEOUT });
  await panel.locator("tr.tspy-variable[data-name='a']").waitFor({ timeout: 30_000 });

  assert.deepEqual(await row("n"), ["n", "TypeScript", "number", "", "", ""]);
  assert.deepEqual(await row("xs"), ["xs", "TypeScript", "Float32Array", "10", "float32", "40 B"]);
  assert.deepEqual(await row("a"), ["a", "Python", "ndarray", "(3, 4)", "float64", "96 B"]);
  // Grouped by language: the TypeScript group first, then Python's (modules such as np are not listed).
  assert.deepEqual(await panel.locator("tr.tspy-variables-group").allInnerTexts(), ["TypeScript (2)", "Python (1)"]);
  assert.equal(await panel.locator("tr.tspy-variable[data-name='np']").count(), 0);
  await screenshotApp(page, "app-variables.png");

  // The panel collapses to a bar and opens again with the same rows.
  await panel.locator(".tspy-variables-toggle").click();
  await page.locator(".tspy-variables[data-collapsed='true']").waitFor();
  assert.equal(await panel.locator("table").count(), 0);
  await panel.locator(".tspy-variables-toggle").click();
  assert.deepEqual(await row("a"), ["a", "Python", "ndarray", "(3, 4)", "float64", "96 B"]);
  assert.deepEqual(app!.pageErrors, []);
});

test("variables_panel_follows_a_new_comm_after_a_kernel_restart", { timeout: RUN_TIMEOUT * 2 }, async () => {
  const page = app!.page;
  const panel = page.locator(".tspy-variables");
  await panel.locator("tr.tspy-variable[data-name='a']").waitFor({ timeout: 30_000 });
  await page.locator(".tspy-restart").click();
  await page.locator(".tspy-confirm-ok").click();
  await page.locator(".tspy-kernel-notice[data-kind='restarted']").waitFor({ timeout: RUN_TIMEOUT });
  // The new kernel has no variables: the panel asked it on its new comm.
  await panel.getByText("No variables defined yet.").waitFor({ timeout: 30_000 });
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });
  // Running the TypeScript cell again: the event on the new comm refreshes the panel.
  await page.locator(".tspy-cell[data-cell-id='ts'] .monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await panel.locator("tr.tspy-variable[data-name='xs']").waitFor({ timeout: RUN_TIMEOUT });
  assert.deepEqual(await panel.locator("tr.tspy-variable td.tspy-var-name").allInnerTexts(), ["n", "xs"]);
  assert.deepEqual(app!.pageErrors, []);
});
