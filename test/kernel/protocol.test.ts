// The protocol core alone (kernel/protocol/kernel.ts) against an in-memory sink and a fake
// Interpreter, as xeus tests its server with xmock_server: busy/idle around every request, reply
// shapes, execution counts, stop_on_error, comm routing with binary buffers, unknown and hostile
// msg_types. No ZeroMQ and no Python: these run with TSPY_PYTHON pointing nowhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ExecuteRequest, ExecutionEvents, ExecutionOutcome, Interpreter, CommRequest } from "../../kernel/protocol/interpreter";
import { KernelProtocol, type MessageSink } from "../../kernel/protocol/kernel";
import { MessageCodec, type WireMessage } from "../../kernel/wire/message";
import type { Channel } from "../../kernel/wire/sockets";

const codec = new MessageCodec("", "hmac-sha256", "kernel");

/** Records every message the protocol sends, in order. */
class RecordingSink implements MessageSink {
  readonly sent: { channel: Channel | "iopub"; msg: WireMessage }[] = [];
  create(msgType: string, content: Record<string, unknown>, parent?: WireMessage): WireMessage {
    return codec.create(msgType, content, parent);
  }
  async send(channel: Channel | "iopub", msg: WireMessage): Promise<void> {
    this.sent.push({ channel, msg });
  }
  /** The messages whose parent is `request`, as "channel:msg_type" strings. */
  trail(request: WireMessage): string[] {
    return this.sent.filter((s) => s.msg.parent_header.msg_id === request.header.msg_id).map((s) => `${s.channel}:${s.msg.header.msg_type}`);
  }
  of(request: WireMessage, msgType: string): WireMessage[] {
    return this.sent.filter((s) => s.msg.parent_header.msg_id === request.header.msg_id && s.msg.header.msg_type === msgType).map((s) => s.msg);
  }
}

/** A scripted interpreter: `print(x)` streams, `fail` raises, `wait` blocks until released, anything else is its own result. */
class FakeInterpreter implements Interpreter {
  readonly calls: string[] = [];
  readonly executed: ExecuteRequest[] = [];
  readonly comms: CommRequest[] = [];
  private release: (() => void) | null = null;
  interrupted = 0;

  languageFacts() {
    return {
      languageInfo: { name: "fake", version: "1.0", mimetype: "text/x-fake", file_extension: ".fk" },
      banner: "fake interpreter",
      helpLinks: [],
    };
  }
  async execute(request: ExecuteRequest, events: ExecutionEvents): Promise<ExecutionOutcome> {
    this.executed.push(request);
    const code = request.code;
    if (code === "wait") await new Promise<void>((r) => (this.release = r));
    const printed = /^print\((.*)\)$/.exec(code);
    if (printed) {
      events.stream("stdout", `${printed[1]}\n`);
      return { status: "ok", result: null, userExpressions: {} };
    }
    if (code === "fail") return { status: "error", error: { ename: "FakeError", evalue: "it failed", traceback: ["FakeError: it failed"] } };
    if (code === "exit") return { status: "ok", result: null, userExpressions: {}, exitCode: 3 };
    if (code === "throw") throw new Error("the interpreter itself broke");
    if (code === "comm") {
      events.display("comm_msg", { comm_id: "c1", data: { n: 1 } }, { metadata: { version: "2.1.0" }, buffers: [Buffer.from([7, 8])] });
      return { status: "ok", result: null, userExpressions: {} };
    }
    return { status: "ok", result: { data: { "text/plain": code }, metadata: {} }, userExpressions: {} };
  }
  releaseWaiting(): void {
    this.release?.();
  }
  async isComplete(code: string) {
    this.calls.push(`isComplete(${code})`);
    return code.endsWith("{") ? { status: "incomplete" as const, indent: "  " } : { status: "complete" as const };
  }
  async complete(code: string, cursorPos: number) {
    this.calls.push(`complete(${code},${cursorPos})`);
    return { status: "ok" as const, matches: ["Math"], cursor_start: 0, cursor_end: cursorPos, metadata: {} };
  }
  async inspect(code: string, cursorPos: number, detailLevel: number) {
    this.calls.push(`inspect(${code},${cursorPos},${detailLevel})`);
    return { status: "ok" as const, found: true, data: { "text/plain": code }, metadata: {} };
  }
  async commInfo(targetName: string | undefined) {
    this.calls.push(`commInfo(${targetName})`);
    return { status: "ok" as const, comms: {} };
  }
  async comm(request: CommRequest, events: ExecutionEvents) {
    this.comms.push(request);
    events.display("comm_msg", { comm_id: String(request.content.comm_id), data: { echo: true } }, { buffers: request.buffers });
  }
  provideInput(): void {}
  interrupt(): void {
    this.interrupted++;
  }
}

function setup() {
  const sink = new RecordingSink();
  const interpreter = new FakeInterpreter();
  const shutdowns: [boolean, number][] = [];
  const protocol = new KernelProtocol(sink, interpreter, { implementationVersion: "9.9.9", ports: { shell_port: 1 } }, (restart, code) =>
    shutdowns.push([restart, code]),
  );
  return { sink, interpreter, protocol, shutdowns };
}

function request(msgType: string, content: Record<string, unknown> = {}, extra: Partial<WireMessage> = {}): WireMessage {
  const client = new MessageCodec("", "hmac-sha256", "client");
  return { ...client.create(msgType, content), identities: [Buffer.from("route")], ...extra };
}

/** Lets the protocol's promise chains run (the fake interpreter answers within a few microtasks). */
const settle = () => new Promise((r) => setImmediate(r));

test("every_request_is_answered_between_busy_and_idle_on_its_own_channel", async () => {
  const { sink, protocol } = setup();
  const info = request("kernel_info_request");
  const ctrl = request("kernel_info_request");
  protocol.onMessage("shell", info);
  protocol.onMessage("control", ctrl);
  await settle();
  assert.deepEqual(sink.trail(info), ["iopub:status", "shell:kernel_info_reply", "iopub:status"]);
  assert.deepEqual(sink.trail(ctrl), ["iopub:status", "control:kernel_info_reply", "iopub:status"]);
  assert.deepEqual(
    sink.of(info, "status").map((m) => m.content.execution_state),
    ["busy", "idle"],
  );
  const reply = sink.of(info, "kernel_info_reply")[0];
  assert.deepEqual(reply.identities.map(String), ["route"], "the reply is routed to the requester");
  assert.equal(reply.content.protocol_version, "5.3");
  assert.equal(reply.content.implementation_version, "9.9.9");
  assert.deepEqual(reply.content.language_info, { name: "fake", version: "1.0", mimetype: "text/x-fake", file_extension: ".fk" }, "the interpreter's facts");
  assert.equal(reply.content.banner, "fake interpreter");
});

test("execute_publishes_input_output_result_and_counts_only_stored_runs", async () => {
  const { sink, protocol, interpreter } = setup();
  const first = request("execute_request", { code: "print(hi)", silent: false });
  const second = request("execute_request", { code: "42", silent: false });
  const silent = request("execute_request", { code: "print(quiet)", silent: true });
  const unstored = request("execute_request", { code: "7", store_history: false });
  for (const r of [first, second, silent, unstored]) protocol.onMessage("shell", r);
  await settle();
  assert.deepEqual(sink.trail(first), ["iopub:status", "iopub:execute_input", "iopub:stream", "shell:execute_reply", "iopub:status"]);
  assert.deepEqual(sink.of(first, "stream")[0].content, { name: "stdout", text: "hi\n" });
  assert.deepEqual(sink.of(second, "execute_result")[0].content, { execution_count: 2, data: { "text/plain": "42" }, metadata: {} });
  assert.deepEqual(sink.trail(silent), ["iopub:status", "shell:execute_reply", "iopub:status"], "silent: no input, no output");
  assert.deepEqual(
    [first, second, silent, unstored].map((r) => sink.of(r, "execute_reply")[0].content.execution_count),
    [1, 2, 2, 2],
  );
  assert.deepEqual(
    interpreter.executed.map((e) => [e.code, e.executionCount, e.silent, e.parentHeader.msg_id]),
    [
      ["print(hi)", 1, false, first.header.msg_id],
      ["42", 2, false, second.header.msg_id],
      ["print(quiet)", 2, true, silent.header.msg_id],
      ["7", 2, false, unstored.header.msg_id],
    ],
  );
});

test("an_error_aborts_the_queued_executions_in_order_after_its_own_reply_unless_stop_on_error_is_false", async () => {
  const { sink, protocol } = setup();
  const failing = request("execute_request", { code: "fail" });
  const queued1 = request("execute_request", { code: "1" });
  const info = request("kernel_info_request");
  const queued2 = request("execute_request", { code: "2" });
  for (const r of [failing, queued1, info, queued2]) protocol.onMessage("shell", r);
  await settle();
  await settle();
  const replies = sink.sent.filter((s) => s.channel === "shell").map((s) => [s.msg.parent_header.msg_id, s.msg.content.status ?? "info"]);
  assert.deepEqual(replies, [
    [failing.header.msg_id, "error"],
    [queued1.header.msg_id, "aborted"],
    [queued2.header.msg_id, "aborted"],
    [info.header.msg_id, "ok"],
  ]);
  assert.deepEqual(sink.of(failing, "error")[0].content, { ename: "FakeError", evalue: "it failed", traceback: ["FakeError: it failed"] });
  assert.deepEqual(sink.trail(queued1), ["iopub:status", "shell:execute_reply", "iopub:status"]);

  const { sink: sink2, protocol: protocol2 } = setup();
  const lenient = request("execute_request", { code: "fail", stop_on_error: false });
  const after = request("execute_request", { code: "3" });
  protocol2.onMessage("shell", lenient);
  protocol2.onMessage("shell", after);
  await settle();
  assert.equal(sink2.of(after, "execute_reply")[0].content.status, "ok");
});

test("unknown_and_prototype_msg_types_get_no_reply_and_the_kernel_keeps_serving", async () => {
  const { sink, protocol } = setup();
  const hostile = ["constructor", "__proto__", "toString", "hasOwnProperty", "no_such_request"].map((t) => request(t));
  for (const r of hostile) protocol.onMessage("shell", r);
  const info = request("kernel_info_request");
  protocol.onMessage("shell", info);
  await settle();
  for (const r of hostile) assert.deepEqual(sink.trail(r), [], r.header.msg_type);
  assert.equal(sink.of(info, "kernel_info_reply").length, 1);
});

test("questions_reach_the_interpreter_as_typed_calls", async () => {
  const { sink, protocol, interpreter } = setup();
  const complete = request("complete_request", { code: "Ma", cursor_pos: 2 });
  const inspect = request("inspect_request", { code: "Math", cursor_pos: 4, detail_level: 1 });
  const isComplete = request("is_complete_request", { code: "if (x) {" });
  const commInfo = request("comm_info_request", { target_name: "jupyter.widget" });
  const junk = request("complete_request", { code: 17, cursor_pos: "soon" });
  for (const r of [complete, inspect, isComplete, commInfo, junk]) protocol.onMessage("shell", r);
  await settle();
  assert.deepEqual(interpreter.calls, ["complete(Ma,2)", "inspect(Math,4,1)", "isComplete(if (x) {)", "commInfo(jupyter.widget)", "complete(,0)"]);
  assert.deepEqual(sink.of(complete, "complete_reply")[0].content, { status: "ok", matches: ["Math"], cursor_start: 0, cursor_end: 2, metadata: {} });
  assert.deepEqual(sink.of(isComplete, "is_complete_reply")[0].content, { status: "incomplete", indent: "  " });
});

test("comm_messages_carry_metadata_and_binary_buffers_both_ways_without_a_reply", async () => {
  const { sink, protocol, interpreter } = setup();
  const msg = request("comm_msg", { comm_id: "c9", data: { method: "update" } }, { metadata: { version: "2.1.0" }, buffers: [Buffer.from([1, 2, 3])] });
  protocol.onMessage("shell", msg);
  const run = request("execute_request", { code: "comm" });
  protocol.onMessage("shell", run);
  await settle();
  assert.deepEqual(interpreter.comms[0].buffers, [Buffer.from([1, 2, 3])]);
  assert.deepEqual(interpreter.comms[0].metadata, { version: "2.1.0" });
  assert.deepEqual(sink.trail(msg), ["iopub:status", "iopub:comm_msg", "iopub:status"], "no shell reply for comm_msg");
  assert.deepEqual(sink.of(msg, "comm_msg")[0].buffers, [Buffer.from([1, 2, 3])]);
  const out = sink.of(run, "comm_msg")[0];
  assert.deepEqual(out.metadata, { version: "2.1.0" });
  assert.deepEqual(out.buffers, [Buffer.from([7, 8])]);
  assert.deepEqual(out.content, { comm_id: "c1", data: { n: 1 } });
});

test("interrupt_acts_while_a_cell_runs_and_shutdown_follows_its_reply", async () => {
  const { sink, protocol, interpreter, shutdowns } = setup();
  const running = request("execute_request", { code: "wait" });
  protocol.onMessage("shell", running);
  await settle();
  const interrupt = request("interrupt_request");
  protocol.onMessage("shell", interrupt);
  await settle();
  assert.equal(interpreter.interrupted, 1, "an interrupt on shell acts at once, not after the running cell");
  assert.equal(sink.of(interrupt, "interrupt_reply")[0].content.status, "ok");
  interpreter.releaseWaiting();
  await settle();
  const shutdown = request("shutdown_request", { restart: true });
  protocol.onMessage("control", shutdown);
  await settle();
  assert.deepEqual(sink.of(shutdown, "shutdown_reply")[0].content, { status: "ok", restart: true });
  assert.deepEqual(shutdowns, [[true, 0]]);
});

test("a_cell_asking_to_exit_gets_the_ask_exit_payload_and_a_broken_interpreter_an_error_reply", async () => {
  const { sink, protocol, shutdowns } = setup();
  const exit = request("execute_request", { code: "exit" });
  protocol.onMessage("shell", exit);
  await settle();
  assert.deepEqual(sink.of(exit, "execute_reply")[0].content.payload, [{ source: "ask_exit", keepkernel: false }]);
  assert.deepEqual(shutdowns, [[false, 3]]);
  const { sink: sink2, protocol: protocol2 } = setup();
  const broken = request("execute_request", { code: "throw" });
  protocol2.onMessage("shell", broken);
  await settle();
  const reply = sink2.of(broken, "execute_reply")[0].content;
  assert.equal(reply.status, "error");
  assert.equal(reply.evalue, "the interpreter itself broke");
  assert.deepEqual(sink2.trail(broken).at(-1), "iopub:status", "idle still follows");
});
