// The kernel's life in tspy's notebook app, in headless Chromium on a real Jupyter Server and tspy
// kernel: Interrupt stops a TypeScript and a Python loop (state kept), stdin prompts answer Python's
// input() and getpass() and TypeScript's input(), a dropped websocket reconnects (by itself, or with
// Reconnect after a normal close), Restart drops the kernel's state but keeps the cells, and a
// kernel crash (os._exit) keeps the notebook and its unsaved edits and running works again.
// Leaves a screenshot in test-artifacts/app-kernel.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Locator, Page, WebSocketRoute } from "playwright-core";
import { notebookOf, startApp, type RunningApp, screenshotApp } from "../support/app";

/** ms: kernel start and CPython import on a loaded machine. */
const RUN_TIMEOUT = 120_000;
const NOTEBOOK = "app-kernel.ipynb";

const CELLS: ["code" | "markdown", string, string][] = [
  ["code", "let n = 41;\nn", "state"],
  ["code", 'console.log("looping");\nwhile (true) {}', "ts-loop"],
  ["code", "n + 1", "ts-after"],
  ["code", '%%python\nimport time\nk = 5\nprint("looping", flush=True)\nwhile True:\n    time.sleep(0.1)', "py-loop"],
  ["code", "%%python\nprint(k * 2)", "py-after"],
  ["code", '%%python\nname = input("name? ")\nprint("hello", name)', "py-input"],
  ["code", 'const answer = await input("x? ");\nanswer + "!"', "ts-input"],
  ["code", '%%python\nimport getpass\npw = getpass.getpass("pw: ")\nprint(len(pw))', "py-password"],
  ["code", "typeof n", "after-restart"],
  ["code", "%%python\nimport os; os._exit(1)", "crash"],
  ["code", '"edit me"', "edited"],
];

let app: RunningApp | undefined;
let page: Page;
/** The kernel websockets the page opened, routed through Playwright so that a test can drop one. */
const sockets: WebSocketRoute[] = [];

/** The cell with this id. */
function cell(id: string): Locator {
  return page.locator(`.tspy-cell[data-cell-id='${id}']`);
}

/** Waits until the kernel reports idle on a connected websocket. */
async function idle(timeout = RUN_TIMEOUT): Promise<void> {
  await page.locator(".tspy-kernel-status[data-status='idle']").waitFor({ timeout });
  await page.locator(".tspy-connection-status[data-status='connected']").waitFor({ timeout });
}

/** Runs a cell with Shift+Enter in its editor (does not wait for it to finish). */
async function run(id: string): Promise<void> {
  await cell(id).locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Shift+Enter");
}

/** Waits until the cell is no longer running and returns its prompt, e.g. "[3]:". */
async function finished(id: string, timeout = RUN_TIMEOUT): Promise<string> {
  await cell(id).locator(".tspy-prompt", { hasNotText: "[*]:" }).waitFor({ timeout });
  return cell(id).locator(".tspy-prompt").innerText();
}

before(async () => {
  app = await startApp({ [NOTEBOOK]: notebookOf(CELLS) });
  page = app.page;
  await page.routeWebSocket(/\/api\/kernels\/[^/]+\/channels/, (ws) => {
    sockets.push(ws);
    ws.connectToServer();
  });
  await page.goto(app.url);
  await page.locator(".tspy-file", { hasText: NOTEBOOK }).click();
  await cell("edited").waitFor({ timeout: 30_000 });
  await idle();
  await run("state");
  await cell("state").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
});

after(async () => {
  await app?.stop();
});

test("interrupt_stops_a_typescript_loop_and_the_next_cell_sees_earlier_state", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await run("ts-loop");
  // Interrupt once the loop runs (an interrupt that arrives before the cell starts stops nothing).
  await cell("ts-loop").locator(".tspy-stream-stdout", { hasText: "looping" }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-loop").locator(".tspy-prompt").innerText(), "[*]:");
  await page.locator(".tspy-interrupt").click();
  await cell("ts-loop").locator(".tspy-error").waitFor({ timeout: RUN_TIMEOUT });
  assert.match(await cell("ts-loop").locator(".tspy-error").innerText(), /KeyboardInterrupt|interrupted/i);
  assert.match(await finished("ts-loop"), /^\[\d+\]:$/);
  await idle();
  await run("ts-after");
  await cell("ts-after").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-after").locator(".tspy-execute_result").innerText(), "42");
});

test("interrupt_stops_a_python_loop_and_the_next_cell_sees_earlier_state", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await run("py-loop");
  await cell("py-loop").locator(".tspy-stream-stdout", { hasText: "looping" }).waitFor({ timeout: RUN_TIMEOUT });
  await page.locator(".tspy-interrupt").click();
  await cell("py-loop").locator(".tspy-error").waitFor({ timeout: RUN_TIMEOUT });
  assert.match(await cell("py-loop").locator(".tspy-error").innerText(), /KeyboardInterrupt/);
  await finished("py-loop");
  await idle();
  await run("py-after");
  await cell("py-after").locator(".tspy-stream-stdout").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("py-after").locator(".tspy-stream-stdout").textContent(), "10\n");
});

test("stdin_prompt_answers_python_input_and_echoes_prompt_and_value", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await run("py-input");
  const box = cell("py-input").locator("input.tspy-stdin-input");
  await box.waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("py-input").locator(".tspy-stdin-prompt").textContent(), "name? ");
  assert.equal(await box.getAttribute("type"), "text");
  await box.fill("Ada");
  await box.press("Enter");
  await cell("py-input").locator(".tspy-stream-stdout", { hasText: "hello Ada" }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("py-input").locator(".tspy-stream-stdout").textContent(), "name? Ada\nhello Ada\n");
  await finished("py-input");
  assert.equal(await cell("py-input").locator("input.tspy-stdin-input").count(), 0, "the prompt goes away once answered");
});

test("stdin_prompt_answers_typescript_input", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await run("ts-input");
  const box = cell("ts-input").locator("input.tspy-stdin-input");
  await box.waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-input").locator(".tspy-stdin-prompt").textContent(), "x? ");
  await box.fill("42");
  await box.press("Enter");
  await cell("ts-input").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-input").locator(".tspy-execute_result").innerText(), "'42!'");
  assert.equal(await cell("ts-input").locator(".tspy-stream-stdout").textContent(), "x? 42\n");
  await idle();
});

test("stdin_prompt_for_getpass_is_a_password_box_and_the_echo_hides_the_value", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await run("py-password");
  const box = cell("py-password").locator("input.tspy-stdin-input");
  await box.waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await box.getAttribute("type"), "password");
  await box.fill("hunter2");
  await box.press("Enter");
  await cell("py-password").locator(".tspy-stream-stdout", { hasText: "7" }).waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("py-password").locator(".tspy-stream-stdout").textContent(), "pw: ········\n7\n");
  await finished("py-password");
});

test("dropped_websocket_reconnects_and_running_works_again_with_the_kernels_state", { timeout: RUN_TIMEOUT * 2 }, async () => {
  await idle();
  // Every connection status the toolbar shows, in order.
  // (A string: this file is type-checked without the DOM's types.)
  await page.evaluate(`{
    const el = document.querySelector(".tspy-connection-status");
    const seen = (window.tspySeen = []);
    new MutationObserver(() => seen.push(el.getAttribute("data-status"))).observe(el, { attributes: true });
  }`);
  const opened = sockets.length;
  assert.ok(opened > 0, "the kernel websocket went through the route");
  // An abnormal close: @jupyterlab/services reconnects by itself.
  await sockets[opened - 1].close({ code: 4000, reason: "the test drops the connection" });
  await page.waitForFunction(`window.tspySeen.includes("connecting")`, null, { timeout: RUN_TIMEOUT });
  await idle();
  assert.ok(sockets.length > opened, "a new websocket was opened");
  assert.equal(await page.locator(".tspy-run-all").isEnabled(), true);
  await run("ts-after");
  await cell("ts-after").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-after").locator(".tspy-execute_result").innerText(), "42", "the same kernel, its state kept");

  // A normal close is final for @jupyterlab/services: the app says so and offers Reconnect.
  await sockets[sockets.length - 1].close({ code: 1000, reason: "the test closes the connection" });
  await page.locator(".tspy-connection-status[data-status='disconnected']").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await page.locator(".tspy-run-all").isDisabled(), true, "no running while disconnected");
  await page.locator(".tspy-reconnect").click();
  await idle();
  assert.equal(await page.locator(".tspy-run-all").isEnabled(), true);
  await run("ts-after");
  await cell("ts-after").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("ts-after").locator(".tspy-execute_result").innerText(), "42");
});

test("restart_drops_the_kernels_state_and_keeps_cells_and_execution_counts", { timeout: RUN_TIMEOUT * 2 }, async () => {
  const countBefore = await cell("ts-after").locator(".tspy-prompt").innerText();
  assert.match(countBefore, /^\[\d+\]:$/);
  await page.locator(".tspy-restart").click();
  // Restart asks first (JupyterLab's "Restart Kernel?").
  await page.locator(".tspy-confirm-ok").click();
  await page.locator(".tspy-kernel-notice[data-kind='restarted']").waitFor({ timeout: RUN_TIMEOUT });
  await idle();
  assert.equal(await cell("ts-after").locator(".tspy-prompt").innerText(), countBefore, "execution counts stay as they were");
  assert.equal(await cell("ts-after").locator(".tspy-execute_result").innerText(), "42", "outputs stay");
  assert.equal(await page.locator(".tspy-cell").count(), CELLS.length);
  await run("after-restart");
  await cell("after-restart").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("after-restart").locator(".tspy-execute_result").innerText(), "'undefined'");
  assert.equal(await cell("after-restart").locator(".tspy-prompt").innerText(), "[1]:", "a new kernel counts from 1");
});

test("kernel_crash_keeps_the_notebook_and_unsaved_edits_and_running_works_again", { timeout: RUN_TIMEOUT * 3 }, async () => {
  await idle();
  // An unsaved edit in another cell.
  await cell("edited").locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText(' + " and kept"');
  await run("crash");
  const notice = page.locator(".tspy-kernel-notice[data-kind='autorestarted'], .tspy-kernel-notice[data-kind='dead']");
  await notice.waitFor({ timeout: RUN_TIMEOUT });
  assert.match(await notice.innerText(), /kernel died/i);
  await finished("crash");
  assert.equal(await page.locator(".tspy-cell.tspy-running").count(), 0, "no cell shows as running");
  const source = (await cell("edited").locator(".view-lines").innerText()).replace(/\u00a0/g, " ");
  assert.match(source, /"edit me" \+ " and kept"/, "the unsaved edit is still in the editor");
  if ((await notice.getAttribute("data-kind")) === "dead") await page.locator(".tspy-restart").click();
  await idle();
  await run("edited");
  await cell("edited").locator(".tspy-execute_result").waitFor({ timeout: RUN_TIMEOUT });
  assert.equal(await cell("edited").locator(".tspy-execute_result").innerText(), "'edit me and kept'");
  await screenshotApp(page, "app-kernel.png");
  assert.deepEqual(app!.pageErrors, []);
});
