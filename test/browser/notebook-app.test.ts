// tspy's own notebook app (frontend/, served by `npm run app`'s Jupyter Server) in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core): opens a small notebook from a
// temp copy of examples/, runs a TypeScript cell with Shift+Enter in its Monaco editor and the rest
// with Run All on the real tspy kernel, and checks the outputs (streams, result, Python traceback,
// sandboxed HTML, a Vega-Lite chart updated in place). Leaves a screenshot in test-artifacts/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import type { Page } from "playwright-core";
import { startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: server start, kernel start and CPython import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
const NOTEBOOK = "app-smoke.ipynb";

let app: RunningApp | undefined;
let page: Page;
let appUrl: string;

/** An nbformat 4.5 notebook with a Markdown cell, a TypeScript cell and a %%python cell. */
function smokeNotebook(): object {
  const code = (id: string, source: string) => ({ id, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tspy", display_name: "TypeScript + Python", language: "typescript" } },
    cells: [
      { id: "intro", cell_type: "markdown", source: "# App smoke test\nA *TypeScript* cell, then a Python one.", metadata: {} },
      code("ts", 'const answer: number = 6 * 7;\nconsole.log("ts says", answer);\npy.answer = answer;\nanswer + 1'),
      code("py", '%%python\nprint("py says", answer * 2)\nraise ValueError("from python")'),
      code(
        "rich",
        [
          'display.html(\'<p id="hi">html</p><script>document.getElementById("hi").textContent = "script origin " + origin</script>\');',
          "const chart = (n: number) => ({",
          '  [Symbol.for("Jupyter.display")]: () => ({',
          '    "text/plain": `chart of ${n}`,',
          '    "application/vnd.vegalite.v5+json": {',
          "      data: { values: Array.from({ length: n }, (_, i) => ({ x: i, y: i * i })) },",
          '      mark: "point",',
          '      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },',
          "    },",
          "  }),",
          "});",
          'display(chart(2), { display_id: "chart" });',
          'updateDisplay("chart", chart(5));',
        ].join("\n"),
      ),
    ],
  };
}

before(async () => {
  app = await startApp({ [NOTEBOOK]: smokeNotebook() });
  page = app.page;
  appUrl = app.url;
});

after(async () => {
  await app?.stop();
});

test("notebook_app_runs_a_typescript_cell_and_a_python_cell_on_the_tspy_kernel", { timeout: RUN_TIMEOUT + 60_000 }, async () => {
  assert.match(appUrl, /^http:\/\/127\.0\.0\.1:\d+\/static\/tspy\/index\.html\?token=[0-9a-f]{48}$/);
  await page.goto(appUrl);

  // The list holds the server root's notebooks (through the Contents API).
  const files = page.locator(".tspy-file");
  await files.filter({ hasText: NOTEBOOK }).waitFor({ timeout: 30_000 });
  const onDisk = fs.readdirSync(app!.notebooks).filter((f) => f.endsWith(".ipynb"));
  assert.ok(onDisk.includes(NOTEBOOK) && onDisk.includes("digits.ipynb"));
  assert.deepEqual(await files.allInnerTexts(), onDisk.sort());
  await files.filter({ hasText: NOTEBOOK }).click();

  const cells = page.locator(".tspy-cell");
  await cells.nth(2).waitFor({ timeout: 30_000 });
  const kinds = [];
  for (let i = 0; i < (await cells.count()); i++) kinds.push(await cells.nth(i).getAttribute("data-kind"));
  assert.deepEqual(kinds, ["markdown", "typescript", "python", "typescript"]);
  const heading = page.frameLocator("iframe.tspy-markdown").locator("h1");
  assert.equal(await heading.innerText(), "App smoke test");

  // A tspy kernel session starts for the notebook and goes idle.
  const status = page.locator(".tspy-kernel-status");
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: RUN_TIMEOUT });

  // Shift+Enter in the TypeScript cell: its stream and its result, execution count 1.
  const ts = cells.nth(1);
  await ts.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
  await ts.locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await ts.locator(".tspy-stream-stdout").textContent(), "ts says 42\n");
  assert.equal(await ts.locator(".tspy-execute_result").innerText(), "43");
  assert.equal(await ts.locator(".tspy-prompt").innerText(), "[1]:");

  // Run All: the TS cell again (count 2), then the Python cell sees `answer` and raises.
  await page.locator(".tspy-run-all").click();
  const py = cells.nth(2);
  await py.locator(".tspy-error").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await ts.locator(".tspy-prompt").innerText(), "[2]:");
  assert.equal(await py.locator(".tspy-stream-stdout").textContent(), "py says 84\n");
  const traceback = await py.locator(".tspy-error").innerText();
  assert.match(traceback, /ValueError/);
  assert.match(traceback, /from python/);
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout: 30_000 });
  assert.equal(await py.locator(".tspy-prompt").innerText(), "[3]:");
  // The app's own requests (variables, type errors) may make the kernel busy again for a moment.
  await status.filter({ hasText: "tspy: idle" }).waitFor({ timeout: 30_000 });
  // Run All stopped at the Python error: the last cell did not run.
  const rich = cells.nth(3);
  assert.equal(await rich.locator(".tspy-prompt").innerText(), "[ ]:");

  // Shift+Enter in the last cell: HTML runs its script in a sandboxed frame of an opaque origin
  // ("null", not the app's), and the Vega-Lite chart is one output updated in place (5 points).
  // Typed into its Monaco editor: a last expression, which becomes the cell's result.
  await rich.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("\n'typed in ' + 'monaco'");
  await page.keyboard.press("Shift+Enter");
  await page.frameLocator("iframe.tspy-html").locator("#hi", { hasText: "script origin null" }).waitFor({ timeout: RUN_TIMEOUT });
  const charts = rich.locator(".tspy-vegalite");
  await charts.locator("svg").first().waitFor({ timeout: 30_000 });
  assert.equal(await charts.count(), 1, "update_display_data redraws the chart in place");
  await rich.locator(".tspy-vegalite .mark-symbol path").nth(4).waitFor({ timeout: 30_000 });
  assert.equal(await rich.locator(".tspy-vegalite .mark-symbol path").count(), 5);
  assert.equal(await rich.locator(".tspy-prompt").innerText(), "[4]:");
  assert.equal(await rich.locator(".tspy-execute_result").innerText(), "'typed in monaco'", "the kernel's text/plain of a string is quoted");
  // Monaco highlights both languages (its tokenizers give keywords their own class).
  assert.ok((await ts.locator(".monaco-editor .view-line span span").count()) > 5);

  await screenshotApp(page, "notebook-app.png");
  assert.deepEqual(app!.pageErrors, []);
});
