// Remote kernels through Jupyter's own machinery: a Jupyter Server started with `--gateway-url`
// pointing at a second Jupyter Server that hosts tspy (the REST and websocket API Kernel Gateway
// serves) runs tspy cells for a client that only talks to the first one. Both on loopback, token auth.
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { KernelManager, KernelSpecManager, type Kernel, type KernelMessage } from "@jupyterlab/services";
import WebSocket from "ws";
import { startJupyterServer, type RunningJupyterServer } from "../support/jupyter";

const ROOT = path.resolve(__dirname, "..", "..", "..");
let host: RunningJupyterServer;
let front: RunningJupyterServer;
let kernels: KernelManager;
let kernel: Kernel.IKernelConnection;

/**
 * A Node WebSocket that offers no subprotocol. A server in gateway mode speaks only the legacy
 * kernel websocket protocol (jupyter_server's GatewayWebSocketConnection.kernel_ws_protocol is
 * ""); offered `v1.kernel.websocket.jupyter.org` from Node, the first connection is dropped and
 * requests sent on it get no reply, while without an offer every message goes through.
 */
class LegacyProtocolWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
  }
}

/** Runs a cell through the front server and gathers its stdout and reply status. */
async function run(code: string): Promise<{ status: string; stdout: string }> {
  const future = kernel.requestExecute({ code });
  let stdout = "";
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === "stream") stdout += (msg as KernelMessage.IStreamMsg).content.text;
  };
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  return { status: reply.content.status, stdout };
}

before(async () => {
  host = await startJupyterServer(path.join(ROOT, "examples"));
  front = await startJupyterServer(path.join(ROOT, "examples"), [
    `--gateway-url=${host.settings.baseUrl.replace(/\/$/, "")}`,
    `--GatewayClient.auth_token=${host.settings.token}`,
    "--GatewayClient.request_timeout=120",
  ]);
  kernels = new KernelManager({ serverSettings: { ...front.settings, WebSocket: LegacyProtocolWebSocket as unknown as typeof globalThis.WebSocket } });
  await kernels.ready;
});

after(async () => {
  kernel?.dispose();
  kernels?.dispose();
  await front?.stop();
  await host?.stop();
});

test("gateway_front_server_lists_the_hosts_tspy_kernelspec", async () => {
  const specs = new KernelSpecManager({ serverSettings: front.settings });
  await specs.ready;
  assert.equal(specs.specs?.kernelspecs.tspy?.display_name, "TypeScript + Python");
  specs.dispose();
});

test("gateway_runs_typescript_and_python_cells_in_a_kernel_of_the_host_server", async () => {
  kernel = await kernels.startNew({ name: "tspy" });
  const ts = await run("const where = `${process.pid}`;\nconsole.log(`ts ${1 + 2}`);");
  assert.equal(ts.status, "ok");
  assert.equal(ts.stdout, "ts 3\n");
  const py = await run('%%python\nimport os\nprint("py", os.getpid() == int(ts.where))');
  assert.equal(py.status, "ok");
  assert.equal(py.stdout, "py True\n");
  // The kernel lives at the host server: its REST API lists it under the same id.
  const listed = await fetch(`${host.settings.baseUrl}api/kernels`, { headers: { Authorization: `token ${host.settings.token}` } });
  const ids = ((await listed.json()) as { id: string; name: string }[]).map((k) => `${k.name}:${k.id}`);
  assert.ok(ids.includes(`tspy:${kernel.id}`), `host lists ${ids.join(", ")}, not tspy:${kernel.id}`);
  await kernel.shutdown();
  const after = await fetch(`${host.settings.baseUrl}api/kernels`, { headers: { Authorization: `token ${host.settings.token}` } });
  assert.deepEqual(await after.json(), [], "shutting down through the front server stops the host's kernel");
});
