// Issue 15's remaining trust defects of the notebook app, in headless Chromium on a real Jupyter
// Server with the tspy kernel, each test written as the user's actions: a kernel that dies while a
// cell runs says so in that cell's output; a save error goes once a save succeeds; the cell badge,
// the toolbar and the variables panel's columns fit at 1200×800; a `const` whose initialiser threw is not a variable.
// Asserts what the page shows, polling until it matches.
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { cellOf, notebookOf, openFromList, startApp, type RunningApp } from "../support/app";

/** ms: server start, kernel start (or restart) and a cell's run on a loaded machine. */
const RUN_TIMEOUT = 240_000;
/** ms: how long the page may take to show what an action changed. */
const SHOW_TIMEOUT = 30_000;

let app: RunningApp | undefined;
let page: Page;

before(async () => {
  app = await startApp(
    {
      "polish-dies.ipynb": notebookOf([
        ["code", 'const before = "alive";', "before"],
        ["code", "%%python\nimport os; os._exit(1)", "exit"],
      ]),
      "polish-save.ipynb": notebookOf([["code", "const a = 1;", "a"]]),
      "polish-server.ipynb": notebookOf([
        ["code", 'console.log("first run")', "first"],
        ["code", 'console.log("second run")', "second"],
      ]),
      "polish-layout.ipynb": notebookOf([
        [
          "code",
          'const np = tspy.import("numpy");\nconst grid = np.zeros([3, 4]);\nconst label = "a rather long line of code that runs under the badge";',
          "code",
        ],
        ["code", "%%python\nimport numpy as np\nimages = np.ones((8, 8, 8), dtype=np.float32)", "py"],
      ]),
      "polish-threw.ipynb": notebookOf([
        ["code", "const fine = 1;", "fine"],
        ["code", 'const broken: number = (() => {\n  throw new Error("no value");\n})();', "threw"],
      ]),
    },
    { width: 1200, height: 800 },
  );
  page = app.page;
  // Leaving a notebook with unsaved changes (the next test's page.goto) asks first: the user leaves.
  page.on("dialog", (d) => void d.accept());
});

after(async () => {
  await app?.stop();
});

const cell = (id: string): Locator => cellOf(page, id);

/** Opens a notebook from the list and waits for its kernel (support/app.ts's openFromList). */
const openNotebook = (name: string): Promise<void> => openFromList(app!, name, { show: SHOW_TIMEOUT, kernel: RUN_TIMEOUT });

/** Clicks a cell's editor and runs it with Shift+Enter, as a user does. */
async function runCell(id: string): Promise<void> {
  await cell(id).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
}

/** Waits until a code cell has finished (its prompt is no longer `[*]:`) and returns the prompt. */
async function finished(id: string): Promise<string> {
  await cell(id).locator(".tspy-prompt", { hasNotText: "[*]:" }).waitFor({ timeout: RUN_TIMEOUT });
  return cell(id).locator(".tspy-prompt").innerText();
}

/** Whether two boxes (CSS pixels) overlap. */
function intersects(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test("a kernel that dies while a Python cell runs says so in that cell, whose prompt is no longer [*]", async () => {
  await openNotebook("polish-dies.ipynb");
  await runCell("before");
  assert.match(await finished("before"), /^\[\d+\]:$/);
  await runCell("exit");
  const died = cell("exit").locator(".tspy-error", { hasText: "The kernel died while running this cell" });
  await died.waitFor({ timeout: RUN_TIMEOUT });
  assert.notEqual(await finished("exit"), "[*]:");
  // Only the cell that was running says so.
  assert.equal(await cell("before").locator(".tspy-error").count(), 0);
});

test("a save error goes away once a save succeeds", async () => {
  await openNotebook("polish-save.ipynb");
  await cell("a").locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("End");
  await page.keyboard.type(" // edited");
  // The notebook's folder goes away (chmod would not stop a server run as root): the save fails and says so.
  const file = path.join(app!.notebooks, "polish-save.ipynb");
  const aside = `${app!.notebooks}-aside`;
  fs.renameSync(app!.notebooks, aside);
  const banner = page.locator(".tspy-app-error", { hasText: "cannot save" });
  try {
    await page.keyboard.press("Control+s");
    await banner.waitFor({ timeout: SHOW_TIMEOUT });
  } finally {
    fs.renameSync(aside, app!.notebooks);
  }
  await page.keyboard.press("Control+s");
  await page.locator(".tspy-title[data-dirty='false']").waitFor({ timeout: SHOW_TIMEOUT });
  await banner.waitFor({ state: "detached", timeout: SHOW_TIMEOUT });
  assert.match(fs.readFileSync(file, "utf8"), /const a = 1; \/\/ edited/);
});

test("at 1200×800 the cell badge covers no code, no toolbar control is clipped (one row with the variables hidden), and the variables panel shows Dtype and Size", async () => {
  await openNotebook("polish-layout.ipynb");
  await page.locator(".tspy-run-all").click();
  await cell("py").locator(".tspy-prompt", { hasText: "[2]:" }).waitFor({ timeout: RUN_TIMEOUT });
  const badge = await cell("code").locator(".tspy-kind-badge").boundingBox();
  const firstLine = await cell("code").locator(".view-line").first().boundingBox();
  assert.ok(badge && firstLine);
  // The first line's box is as wide as the editor; what counts is the text in it.
  const text = await cell("code").locator(".view-line").first().locator("span").first().boundingBox();
  assert.ok(text);
  assert.ok(!intersects(badge, text), `the badge ${JSON.stringify(badge)} covers the code ${JSON.stringify(text)}`);
  // The sticky toolbar never covers the badge, even scrolled so the cell is just below it.
  await cell("py").scrollIntoViewIfNeeded();
  const toolbar = await page.locator(".tspy-toolbar").boundingBox();
  const pyBadge = await cell("py").locator(".tspy-kind-badge").boundingBox();
  assert.ok(toolbar && pyBadge);
  // Every toolbar control is shown whole: inside the toolbar and the window, none scrolled or clipped away.
  type Box = { top: number; left: number; right: number; bottom: number };
  const controls = () =>
    page
      .locator(".tspy-toolbar > button:visible, .tspy-toolbar > select:visible, .tspy-toolbar > span:visible, .tspy-toolbar > label:visible")
      .evaluateAll((nodes) =>
        nodes.map((n) => {
          const r = (n as unknown as { getBoundingClientRect(): Box }).getBoundingClientRect();
          return { top: Math.round(r.top), left: r.left, right: r.right, bottom: r.bottom };
        }),
      );
  const shown = await controls();
  assert.ok(shown.length > 8);
  for (const c of shown) {
    assert.ok(
      c.left >= toolbar.x - 0.5 && c.right <= toolbar.x + toolbar.width + 0.5 && c.right <= 1200,
      `a toolbar control at ${JSON.stringify(c)} is clipped`,
    );
    assert.ok(c.bottom <= toolbar.y + toolbar.height + 0.5, `a toolbar control at ${JSON.stringify(c)} hangs below the toolbar`);
  }
  // With the variables panel hidden (JupyterLab's right sidebar closed), the buttons share one row.
  await page.locator(".tspy-variables-toggle").click();
  await page.locator(".tspy-variables[data-collapsed='true']").waitFor({ timeout: SHOW_TIMEOUT });
  // Controls of one row differ in height (a select, a label): a new row starts 12 px or more lower.
  const tops = (await controls()).map((c) => c.top).sort((a, b) => a - b);
  const rows = tops.filter((t, i) => i === 0 || t - tops[i - 1] >= 12).length;
  assert.equal(rows, 1, `toolbar controls on ${rows} rows (tops at ${tops.join(", ")} px)`);
  await page.locator(".tspy-variables-toggle").click();
  await page.locator(".tspy-variables[data-collapsed='false']").waitFor({ timeout: SHOW_TIMEOUT });
  const panel = await page.locator(".tspy-variables").boundingBox();
  assert.ok(panel);
  await page.locator(".tspy-variables tr.tspy-variable[data-name='images']").waitFor({ timeout: SHOW_TIMEOUT });
  for (const header of ["Dtype", "Size"]) {
    const box = await page.locator(".tspy-variables-table th", { hasText: header }).boundingBox();
    assert.ok(box, `no ${header} header`);
    assert.ok(
      box.x >= panel.x && box.x + box.width <= panel.x + panel.width,
      `${header} header ${JSON.stringify(box)} outside the panel ${JSON.stringify(panel)}`,
    );
  }
});

test("a const whose initialiser threw is not listed as a variable", async () => {
  await openNotebook("polish-threw.ipynb");
  await runCell("fine");
  await finished("fine");
  const panel = page.locator(".tspy-variables");
  await panel.locator("tr.tspy-variable[data-name='fine']").waitFor({ timeout: SHOW_TIMEOUT });
  await runCell("threw");
  await cell("threw").locator(".tspy-error", { hasText: "no value" }).waitFor({ timeout: RUN_TIMEOUT });
  // The panel is refreshed after this execution: wait for the refresh that follows it, then look.
  await runCell("fine");
  await finished("fine");
  await panel.locator("tr.tspy-variable[data-name='fine']").waitFor({ timeout: SHOW_TIMEOUT });
  const broken = panel.locator("tr.tspy-variable[data-name='broken']");
  const rows = await broken.count();
  assert.ok(rows === 0 || /not defined/.test(await broken.innerText()), `broken is listed as ${rows ? await broken.innerText() : ""}`);
});
