// The tspy kernel started and driven by a real Jupyter Server through @jupyterlab/services, the
// way JupyterLab does it: kernelspec discovery, a kernel over websockets, execute, interrupt, restart.
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { KernelManager, KernelSpecManager, type Kernel, type KernelMessage, type ServerConnection } from "@jupyterlab/services";
import { startJupyterServer, type RunningJupyterServer } from "../support/jupyter";

const ROOT = path.resolve(__dirname, "..", "..", "..");
let server: RunningJupyterServer;
let settings: ServerConnection.ISettings;
let kernels: KernelManager;
let kernel: Kernel.IKernelConnection;

/** Runs a cell and gathers its iopub output and reply. */
async function run(code: string): Promise<{ reply: KernelMessage.IExecuteReplyMsg; stdout: string; results: string[]; errors: string[] }> {
  const future = kernel.requestExecute({ code });
  let stdout = "";
  const results: string[] = [];
  const errors: string[] = [];
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream") stdout += (msg as KernelMessage.IStreamMsg).content.text;
    if (msg.header.msg_type === "execute_result") results.push(String((msg as KernelMessage.IExecuteResultMsg).content.data["text/plain"]));
    if (msg.header.msg_type === "error") errors.push((msg as KernelMessage.IErrorMsg).content.ename);
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { reply, stdout, results, errors };
}

before(async () => {
  server = await startJupyterServer(path.join(ROOT, "examples"));
  settings = server.settings;
  kernels = new KernelManager({ serverSettings: settings });
  await kernels.ready;
});

after(async () => {
  kernel?.dispose();
  kernels?.dispose();
  await server?.stop();
});

test("jupyter_server_lists_the_tspy_kernelspec", async () => {
  const specs = new KernelSpecManager({ serverSettings: settings });
  await specs.ready;
  const tspy = specs.specs?.kernelspecs.tspy;
  assert.ok(tspy, "tspy is not among the server's kernelspecs");
  assert.equal(tspy.display_name, "TypeScript + Python");
  assert.equal(tspy.language, "typescript");
  specs.dispose();
});

test("a_kernel_started_by_the_server_runs_typescript_and_python_cells", async () => {
  kernel = await kernels.startNew({ name: "tspy" });
  const info = await kernel.info;
  assert.equal(info.language_info.name, "typescript");
  const ts = await run("const fromTs = [1, 2, 3].map(x => x * 2);\nfromTs.join(',')");
  assert.equal(ts.reply.content.status, "ok");
  assert.deepEqual(ts.results, ["'2,4,6'"]);
  const pyCell = await run("%%python\nprint(sum(ts.fromTs))");
  assert.equal(pyCell.stdout, "12\n");
});

test("the_server_interrupts_a_running_cell_and_the_kernel_keeps_its_state", async () => {
  const future = run("%%python\nwhile True:\n    pass");
  await new Promise((r) => setTimeout(r, 1500));
  await kernel.interrupt();
  const looped = await future;
  assert.equal(looped.reply.content.status, "error");
  assert.deepEqual(looped.errors, ["KeyboardInterrupt"]);
  assert.deepEqual((await run("fromTs.length")).results, ["3"]);
});

test("completion_and_inspection_work_through_the_server_as_in_jupyterlab", async () => {
  await run("const np = tspy.import('numpy');");
  const code = "np.linal";
  const completion = await kernel.requestComplete({ code, cursor_pos: code.length });
  assert.equal(completion.content.status, "ok");
  if (completion.content.status !== "ok") return;
  assert.deepEqual(completion.content.matches, ["linalg"]);
  assert.equal(completion.content.cursor_start, 3);
  const inspected = await kernel.requestInspect({ code: "fromTs", cursor_pos: 6, detail_level: 0 });
  assert.equal(inspected.content.status, "ok");
  if (inspected.content.status !== "ok") return;
  assert.equal(inspected.content.found, true);
  assert.match(String(inspected.content.data["text/plain"]), /const fromTs: number\[\]/);
});

test("stdin_prompts_are_answered_through_the_server", async () => {
  const future = kernel.requestExecute({ code: "const typed = await input('Name: ');\ntyped.toUpperCase()", allow_stdin: true });
  const prompts: string[] = [];
  future.onStdin = (msg) => {
    if (msg.header.msg_type !== "input_request") return;
    prompts.push(String((msg as KernelMessage.IInputRequestMsg).content.prompt));
    kernel.sendInputReply({ status: "ok", value: "ada" }, msg.header as KernelMessage.IHeader<"input_request">);
  };
  const results: string[] = [];
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "execute_result") results.push(String((msg as KernelMessage.IExecuteResultMsg).content.data["text/plain"]));
  };
  await future.done;
  assert.deepEqual(prompts, ["Name: "]);
  assert.deepEqual(results, ["'ADA'"]);
});

test("a_frontend_comm_reaches_a_typescript_comm_target_through_the_server", async () => {
  await run("comms.registerTarget('tspy.server-test', (comm, data) => comm.onMessage((d) => comm.send({ got: d, opened: data })));");
  const comm = kernel.createComm("tspy.server-test");
  const replies: unknown[] = [];
  comm.onMsg = (msg) => {
    replies.push(msg.content.data);
  };
  await comm.open({ hello: 1 }).done;
  await comm.send({ n: 2 }).done;
  for (let i = 0; i < 50 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(replies, [{ got: { n: 2 }, opened: { hello: 1 } }]);
});

test("the_server_restarts_the_kernel_into_a_fresh_state", async () => {
  await kernel.restart();
  const after = await run("typeof (globalThis as any).fromTs");
  assert.deepEqual(after.results, ["'undefined'"]);
});
