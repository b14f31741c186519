// Output floods through a real Jupyter Server (the app's path, issue 11): every printed line of a
// 50,000-line loop in either language reaches a @jupyterlab/services client, in order and in few
// `stream` messages, without the server's IOPub rate limits, and a Python thread's output is
// published while the cell waits for it.
import * as path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { KernelManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { startJupyterServer, type RunningJupyterServer } from "../support/jupyter";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const LINES = 50_000;
let server: RunningJupyterServer;
let kernels: KernelManager;
let kernel: Kernel.IKernelConnection;

/** What one execute_request produced, as the client saw it. */
interface Received {
  reply: KernelMessage.IExecuteReplyMsg;
  stdout: string;
  stderr: string;
  /** The `stream` messages, with when each arrived (ms, performance.now()). */
  streams: { name: string; text: string; at: number }[];
  /** When future.done resolved (reply and idle both arrived), ms. */
  doneAt: number;
}

/** Runs a cell and gathers every iopub `stream` message whose parent is its request. */
async function run(code: string): Promise<Received> {
  const future = kernel.requestExecute({ code });
  const streams: Received["streams"] = [];
  future.onIOPub = (msg) => {
    if (msg.header.msg_type !== "stream") return;
    const content = (msg as KernelMessage.IStreamMsg).content;
    streams.push({ name: content.name, text: content.text, at: performance.now() });
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  const doneAt = performance.now();
  const text = (name: string) =>
    streams
      .filter((s) => s.name === name)
      .map((s) => s.text)
      .join("");
  return { reply, stdout: text("stdout"), stderr: text("stderr"), streams, doneAt };
}

/** Asserts that `got` is the lines "0".."n-1", each ending in "\n", naming the first line that differs. */
function assertCounted(got: string, n: number): void {
  const lines = got.split("\n");
  assert.equal(lines.pop(), "", "the output does not end with a newline");
  const firstWrong = lines.findIndex((line, i) => line !== String(i));
  assert.equal(firstWrong, -1, `line ${firstWrong} is ${JSON.stringify(lines[firstWrong])}`);
  assert.equal(lines.length, n, `${lines.length} lines arrived, expected ${n}`);
}

/** Asserts a flood's output: complete, in order, nothing on stderr (the server's rate-limit notice goes there), few messages. */
function assertFlood(got: Received, t: TestContext): void {
  assert.equal(got.reply.content.status, "ok");
  assert.doesNotMatch(got.stderr, /IOPub (message|data) rate exceeded/);
  assert.equal(got.stderr, "");
  assertCounted(got.stdout, LINES);
  // Batched: a message per line would be 50,000 (and past the server's 1,000 messages/s limit).
  assert.ok(got.streams.length < 500, `${got.streams.length} stream messages for ${LINES} lines`);
  t.diagnostic(`${LINES} lines in ${got.streams.length} stream messages`);
}

before(async () => {
  server = await startJupyterServer(path.join(ROOT, "examples"));
  kernels = new KernelManager({ serverSettings: server.settings });
  await kernels.ready;
  kernel = await kernels.startNew({ name: "tspy" });
  await kernel.info;
});

after(async () => {
  if (kernel && !kernel.isDisposed) await kernel.shutdown().catch(() => undefined);
  kernels?.dispose();
  await server?.stop();
});

test("fifty_thousand_python_print_lines_arrive_complete_and_in_order_through_the_server", { timeout: 120_000 }, async (t) => {
  assertFlood(await run(`%%python\nfor i in range(${LINES}): print(i)`), t);
});

test("fifty_thousand_console_log_lines_arrive_complete_and_in_order_through_the_server", { timeout: 120_000 }, async (t) => {
  assertFlood(await run(`for (let i = 0; i < ${LINES}; i++) console.log(i)`), t);
});

test("a_python_threads_prints_arrive_through_the_server_while_the_cell_waits_in_join", { timeout: 60_000 }, async () => {
  const code = [
    "%%python",
    "import threading, time",
    "def work():",
    "    for i in range(5):",
    "        print(f'thread {i}')",
    "        time.sleep(0.3)",
    "t = threading.Thread(target=work)",
    "t.start()",
    "t.join()",
  ].join("\n");
  const got = await run(code);
  assert.equal(got.reply.content.status, "ok");
  assert.equal(got.stdout, "thread 0\nthread 1\nthread 2\nthread 3\nthread 4\n");
  assert.ok(got.streams.length > 1, "the thread's output came in one message, after join() returned");
  // The thread prints for ~1.2 s after its first line: that line must arrive well before the cell ends.
  const early = got.doneAt - got.streams[0].at;
  assert.ok(early > 600, `the first line arrived only ${early.toFixed(0)} ms before the cell ended`);
});
