// JupyterLab in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) runs
// examples/digits.ipynb on the tspy kernel and renders its rich outputs: the model summary table,
// the tensor view of a batch of digits as an image grid and the live training chart (Vega-Lite,
// drawn by JupyterLab's vega extension). Leaves screenshots in test-artifacts/.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DEFAULT_VENV } from "../../python-env/config";
import { CHROMIUM, CHROMIUM_ARGS, freePort, waitForJupyter } from "../support/jupyter";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const ARTIFACTS = path.join(ROOT, "test-artifacts");
/** ms: JupyterLab start, kernel start, TensorFlow import and 40 epochs on a loaded machine. */
const RUN_TIMEOUT = 300_000;

let server: ChildProcess | undefined;
let serverLog = "";
let context: BrowserContext | undefined;
let page: Page;
let scratch: string;
let baseUrl: string;
let token: string;

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-browser-"));
  const notebooks = path.join(scratch, "examples");
  fs.cpSync(path.join(ROOT, "examples"), notebooks, { recursive: true });
  // No "official Jupyter news?" toast over the screenshot.
  const notification = path.join(scratch, "settings", "@jupyterlab", "apputils-extension");
  fs.mkdirSync(notification, { recursive: true });
  fs.writeFileSync(path.join(notification, "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false" }));
  const port = await freePort();
  token = randomBytes(24).toString("hex");
  baseUrl = `http://127.0.0.1:${port}/`;
  const args = [
    "lab",
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.root_dir=${notebooks}`,
    `--LabApp.workspaces_dir=${path.join(scratch, "workspaces")}`,
    `--LabApp.user_settings_dir=${path.join(scratch, "settings")}`,
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.expose_app_in_browser=True",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  server = spawn(path.join(DEFAULT_VENV, "bin", "jupyter"), args, {
    env: { ...process.env, JUPYTER_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer): void => {
    serverLog = (serverLog + chunk.toString()).slice(-20_000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);
  await waitForJupyter(baseUrl, token, 60_000, () => serverLog);
  context = await chromium.launchPersistentContext(path.join(scratch, "chromium-profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1100 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  server?.kill("SIGTERM");
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Clicks the dialog's accept button when JupyterLab asks for a kernel (it should not: the notebook names tspy). */
async function acceptKernelDialog(): Promise<void> {
  const dialog = page.locator(".jp-Dialog");
  if (await dialog.count()) {
    const select = dialog.locator(".jp-mod-accept");
    if (await select.count()) await select.first().click();
  }
}

test("jupyterlab_runs_the_digits_notebook_and_renders_summary_tensor_view_and_training_chart", { timeout: RUN_TIMEOUT + 120_000 }, async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browserErrors: string[] = [];
  page.on("pageerror", (e) => browserErrors.push(String(e)));
  await page.goto(`${baseUrl}lab/tree/digits.ipynb?token=${token}`);
  await page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 60_000 });
  await acceptKernelDialog();
  // The kernel is tspy and idle before we run anything.
  await page.waitForFunction(
    () => {
      const app = (globalThis as unknown as { jupyterapp?: { shell: { currentWidget: unknown } } }).jupyterapp;
      const ctx = (app?.shell.currentWidget as { sessionContext?: { session?: { kernel?: { name: string; status: string } } } } | null)?.sessionContext;
      const kernel = ctx?.session?.kernel;
      return kernel?.name === "tspy" && kernel.status === "idle";
    },
    undefined,
    { timeout: 90_000, polling: 250 },
  );
  // Run > Run All Cells, through the menu the way a user does.
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  await acceptKernelDialog();

  // The last cell prints Python's summary dict, read back in TypeScript.
  const cells = page.locator(".jp-Notebook .jp-Cell.jp-CodeCell");
  const lastOutput = cells.last().locator(".jp-OutputArea-output");
  await lastOutput.filter({ hasText: "best_val_accuracy" }).first().waitFor({ timeout: RUN_TIMEOUT });
  const errors = await page.locator("[data-mime-type='application/vnd.jupyter.error']").allInnerTexts();
  assert.deepEqual(errors, [], "no cell failed");

  // The model summary: one HTML table with the MLP's 3 Dense layers and 6,570 parameters.
  const summary = page.locator(".tspy-model-summary");
  assert.equal(await summary.count(), 1);
  await summary.scrollIntoViewIfNeeded();
  assert.match(await summary.innerText(), /Dense/);
  assert.equal(await summary.locator("td.params").count(), 3);
  // 64*64+64 + 64*32+32 + 32*10+10
  assert.equal((await summary.locator("td.total").innerText()).replace(/,/g, ""), String(4160 + 2080 + 330));
  await summary.screenshot({ path: path.join(ARTIFACTS, "digits-model-summary.png") });

  // The tensor view of images.reshape(-1, 8, 8): shape, statistics and a decoded grid image.
  const tensor = page.locator(".tspy-tensor").filter({ hasText: "(1797, 8, 8)" });
  assert.equal(await tensor.count(), 1);
  await tensor.scrollIntoViewIfNeeded();
  assert.equal(await tensor.locator("td.max").innerText(), "1");
  const grid = tensor.locator("img");
  await grid.waitFor();
  const size = await grid.evaluate((img: { naturalWidth: number; naturalHeight: number; complete: boolean }) => ({
    w: img.naturalWidth,
    h: img.naturalHeight,
    complete: img.complete,
  }));
  // 64 digits in 8 columns of 48-pixel tiles, 2 pixels apart
  assert.deepEqual(size, { w: 8 * 48 + 7 * 2, h: 8 * 48 + 7 * 2, complete: true });
  await tensor.screenshot({ path: path.join(ARTIFACTS, "digits-tensor-view.png") });

  // The training chart: one Vega-Lite output, updated in place (not one per epoch), drawn by Vega.
  const charts = page.locator(".jp-RenderedVegaCommon5");
  assert.equal(await charts.count(), 1, "the live chart is one output updated in place");
  const drawing = charts.locator("canvas, svg").first();
  await drawing.waitFor({ timeout: 30_000 });
  await drawing.scrollIntoViewIfNeeded();
  const box = await drawing.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, `chart drawn at ${JSON.stringify(box)}`);
  const fitOutput = charts.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]");
  assert.match(await fitOutput.innerText(), /Epoch 40\/40/, "Keras' own log is next to the chart");
  await charts.screenshot({ path: path.join(ARTIFACTS, "digits-training-chart.png") });
  await page.screenshot({ path: path.join(ARTIFACTS, "digits-jupyterlab.png") });
  // JupyterLab's debugger extension rejects "No active debugger session" for kernels without a
  // debugger (kernel_info says debugger: false); any other page error fails the test.
  assert.deepEqual(
    browserErrors.filter((e) => !e.includes("No active debugger session")),
    [],
  );
});
