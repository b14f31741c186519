// Request handling (messaging spec 5.3): one dispatch table from msg_type to handler, iopub
// busy/idle around every request, the shell queue with stop_on_error, execution counts, interrupts
// and shutdown. Parses each request into the typed calls of an Interpreter (interpreter.ts).
// Knows messages; knows nothing of sockets' bytes, TypeScript or Python.
import type { KernelMessage } from "@jupyterlab/services";
import type { Channel } from "../wire/sockets";
import { PROTOCOL_VERSION, type WireMessage } from "../wire/message";
import { errorContent, errorReply } from "./error-content";
import { History } from "./history";
import type { ExecutionEvents, Interpreter, MessageAttachments } from "./interpreter";

/** Where the kernel sends what it produces; implemented by KernelSockets. */
export interface MessageSink {
  /** Builds a message answering `parent` (or none). */
  create(msgType: string, content: Record<string, unknown>, parent?: WireMessage): WireMessage;
  send(channel: Channel | "iopub", msg: WireMessage): Promise<void>;
}

/** A handler returns the reply content, which the dispatcher sends as `<request>_reply`, or null for messages without a reply (comm_*). */
type Handler = (msg: WireMessage, channel: Channel) => Promise<Record<string, unknown> | null>;

/** Facts about the kernel itself (the language's come from the Interpreter). */
export interface KernelIdentity {
  /** The kernel's version, for kernel_info_reply's implementation_version. */
  implementationVersion: string;
  /** The connection's ports, for connect_reply: shell_port, iopub_port, stdin_port, control_port, hb_port. */
  ports: Record<string, number>;
}

/** A request's content field as a string ("" when absent or not a string). */
function text(content: Record<string, unknown>, key: string): string {
  const v = content[key];
  return typeof v === "string" ? v : "";
}

/** A request's content field as a finite number (`fallback` when absent or not a number). */
function int(content: Record<string, unknown>, key: string, fallback: number): number {
  const v = Number(content[key] ?? fallback);
  return Number.isFinite(v) ? v : fallback;
}

/**
 * The protocol core: routes each verified message to its handler. Shell requests run one at a
 * time in arrival order (a queue read eagerly, so stop_on_error can abort exactly the requests
 * already queued); control requests and shell's interrupt_request act at once.
 */
export class KernelProtocol {
  private executionCount = 0;
  private readonly shellQueue: WireMessage[] = [];
  private processing = false;
  /**
   * The dispatch table: msg_type -> handler. Read only through own-property lookups (see handle),
   * so that a wire string such as `constructor` or `__proto__` never finds Object.prototype.
   */
  private readonly handlers: Readonly<Record<string, Handler>> = {
    kernel_info_request: async () => this.kernelInfo(),
    // Deprecated in 5.1 but still answered: the channels' ports.
    connect_request: async () => ({ ...this.identity.ports }),
    execute_request: (msg) => this.execute(msg),
    is_complete_request: async (msg) => ({ ...(await this.interpreter.isComplete(text(msg.content, "code"))) }),
    complete_request: async (msg) => ({ ...(await this.interpreter.complete(text(msg.content, "code"), int(msg.content, "cursor_pos", 0))) }),
    inspect_request: async (msg) => ({
      ...(await this.interpreter.inspect(text(msg.content, "code"), int(msg.content, "cursor_pos", 0), int(msg.content, "detail_level", 0))),
    }),
    history_request: async (msg) => this.history.query(msg.content),
    comm_info_request: async (msg) => ({
      ...(await this.interpreter.commInfo(typeof msg.content.target_name === "string" ? msg.content.target_name : undefined)),
    }),
    comm_open: (msg) => this.comm("comm_open", msg),
    comm_msg: (msg) => this.comm("comm_msg", msg),
    comm_close: (msg) => this.comm("comm_close", msg),
    // No debugger (kernel_info says debugger: false): answer as a failed DAP response.
    debug_request: async (msg) => ({
      type: "response",
      request_seq: Number(msg.content.seq ?? 0),
      seq: 0,
      success: false,
      command: String(msg.content.command ?? ""),
      message: "tspy has no debugger (kernel_info_reply: debugger false)",
      body: {},
    }),
    interrupt_request: async () => {
      this.interrupt();
      return { status: "ok" };
    },
    shutdown_request: async (msg) => {
      this.shutdownRequested = { restart: Boolean(msg.content.restart), exitCode: 0 };
      return { status: "ok", restart: Boolean(msg.content.restart) };
    },
  };
  /** execute_requests aborted by stop_on_error, answered after the failing request's reply (request order). */
  private readonly abortedRequests: WireMessage[] = [];
  /**
   * Set by shutdown_request, or by a cell that called `process.exit(code)` (exitCode); the kernel
   * shuts down after that request's reply and idle are sent.
   */
  private shutdownRequested: { restart: boolean; exitCode: number } | null = null;
  private shuttingDown = false;
  /** Input history; survives restarts in its file. */
  private readonly history = new History();

  /**
   * @param sink where replies and iopub messages go.
   * @param interpreter runs cells and answers questions about code.
   * @param identity the kernel's version and ports.
   * @param onShutdown called once after a shutdown_request was answered (exit status 0), or after
   *   the reply of a cell that called `process.exit(code)` (exit status code).
   */
  constructor(
    private readonly sink: MessageSink,
    private readonly interpreter: Interpreter,
    private readonly identity: KernelIdentity,
    private readonly onShutdown: (restart: boolean, exitCode: number) => void,
  ) {}

  /** Entry point for every verified message (KernelSockets' MessageHandler). */
  onMessage(channel: Channel, msg: WireMessage): void {
    if (channel === "stdin") {
      if (msg.header.msg_type === "input_reply") this.interpreter.provideInput(text(msg.content, "value"));
      return;
    }
    const type = msg.header.msg_type;
    // interrupt must act while a cell runs, wherever it arrives (VS Code sends it on shell).
    if (channel === "control" || type === "interrupt_request" || type === "shutdown_request") {
      void this.handle(channel, msg);
      return;
    }
    this.shellQueue.push(msg);
    void this.drainShell();
  }

  /**
   * Shuts the kernel down with `exitCode` once the request being handled has its reply and idle
   * out, or now when none is (the executor died).
   */
  shutdownAfterCurrent(exitCode: number): void {
    this.shutdownRequested = { restart: false, exitCode };
    if (!this.processing && !this.shuttingDown) {
      this.shuttingDown = true;
      this.onShutdown(false, exitCode);
    }
  }

  /** Interrupts the running cell (also what SIGINT does). */
  interrupt(): void {
    this.interpreter.interrupt();
  }

  private async drainShell(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let msg = this.shellQueue.shift(); msg; msg = this.shellQueue.shift()) {
        await this.handle("shell", msg);
      }
    } finally {
      this.processing = false;
    }
  }

  private publish(msgType: string, content: Record<string, unknown>, parent: WireMessage, attachments?: MessageAttachments): Promise<void> {
    const msg = this.sink.create(msgType, content, parent);
    if (attachments?.metadata) msg.metadata = attachments.metadata;
    if (attachments?.buffers?.length) msg.buffers = attachments.buffers;
    return this.sink.send("iopub", msg);
  }

  /** Runs one request between iopub busy and idle and sends its reply on the channel it came from. */
  private async handle(channel: Channel, msg: WireMessage): Promise<void> {
    const type = msg.header.msg_type;
    const handler = Object.hasOwn(this.handlers, type) ? this.handlers[type] : undefined;
    if (!handler) {
      // ipykernel's behaviour: an unknown msg_type is logged and gets no reply of any kind.
      process.stderr.write(`tspy: no handler for ${JSON.stringify(type)} on ${channel}; ignored\n`);
      return;
    }
    void this.publish("status", { execution_state: "busy" }, msg);
    let content: Record<string, unknown> | null;
    try {
      content = await handler(msg, channel);
    } catch (e) {
      // A fault of the kernel, not of user code: the client still gets an answer.
      process.stderr.write(`tspy: ${type} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      content = errorReply(errorContent(e));
    }
    if (content) await this.sink.send(channel, this.sink.create(type.replace(/_request$/, "_reply"), content, msg));
    await this.publish("status", { execution_state: "idle" }, msg);
    await this.replyAborted();
    if (this.shutdownRequested && !this.shuttingDown) {
      this.shuttingDown = true;
      this.onShutdown(this.shutdownRequested.restart, this.shutdownRequested.exitCode);
    }
  }

  private kernelInfo(): KernelMessage.IInfoReply & Record<string, unknown> {
    const facts = this.interpreter.languageFacts();
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "tspy",
      implementation_version: this.identity.implementationVersion,
      language_info: facts.languageInfo,
      banner: facts.banner,
      help_links: facts.helpLinks,
      debugger: false,
    };
  }

  private async execute(msg: WireMessage): Promise<Record<string, unknown>> {
    const c = msg.content as Partial<KernelMessage.IExecuteRequestMsg["content"]>;
    const code = String(c.code ?? "");
    const silent = Boolean(c.silent);
    const storeHistory = c.store_history ?? !silent;
    if (storeHistory && !silent) this.executionCount++;
    const count = this.executionCount;
    if (storeHistory && !silent) this.history.add(count, code);
    if (!silent) void this.publish("execute_input", { code, execution_count: count }, msg);
    const events: ExecutionEvents = {
      stream: (name, text) => {
        if (!silent) void this.publish("stream", { name, text }, msg);
      },
      display: (msgType, content, attachments) => {
        if (!silent || msgType.startsWith("comm_")) void this.publish(msgType, content, msg, attachments);
      },
      // stdin: input_request goes to the client that sent the execute_request (its routing identities).
      inputRequest: (prompt, password) => void this.sink.send("stdin", this.sink.create("input_request", { prompt, password }, msg)),
    };
    const expressions = (c.user_expressions ?? {}) as Record<string, string>;
    const outcome = await this.interpreter.execute(
      { code, executionCount: count, silent, allowStdin: Boolean(c.allow_stdin), userExpressions: expressions, parentHeader: { ...msg.header } },
      events,
    );
    if (outcome.status === "ok") {
      if (outcome.exitCode !== undefined) {
        // IPython's exit(): the reply carries the ask_exit payload, then the kernel shuts down.
        this.shutdownRequested = { restart: false, exitCode: outcome.exitCode };
        return { status: "ok", execution_count: count, user_expressions: {}, payload: [{ source: "ask_exit", keepkernel: false }] };
      }
      if (outcome.result && !silent) {
        await this.publish("execute_result", { execution_count: count, data: outcome.result.data, metadata: outcome.result.metadata }, msg);
      }
      const output = outcome.result?.data["text/plain"];
      if (storeHistory && !silent && typeof output === "string") this.history.addOutput(count, output);
      return { status: "ok", execution_count: count, user_expressions: outcome.userExpressions, payload: [] };
    }
    await this.publish("error", { ...outcome.error }, msg);
    if (c.stop_on_error !== false) this.abortQueuedExecutions();
    return { ...errorReply(outcome.error), execution_count: count };
  }

  /**
   * A comm message from the frontend: handled by the interpreter; its output goes to iopub; no reply.
   */
  private async comm(type: "comm_open" | "comm_msg" | "comm_close", msg: WireMessage): Promise<null> {
    const events: ExecutionEvents = {
      stream: (name, text) => void this.publish("stream", { name, text }, msg),
      display: (msgType, content, attachments) => void this.publish(msgType, content, msg, attachments),
    };
    await this.interpreter.comm({ type, content: { ...msg.content }, metadata: msg.metadata, buffers: msg.buffers, parentHeader: { ...msg.header } }, events);
    return null;
  }

  /**
   * stop_on_error: every execute_request queued when a cell failed is taken off the shell queue
   * (only those) and answered `aborted` by {@link replyAborted}, after the failing request's own reply.
   */
  private abortQueuedExecutions(): void {
    const aborted = this.shellQueue.filter((m) => m.header.msg_type === "execute_request");
    const rest = this.shellQueue.filter((m) => m.header.msg_type !== "execute_request");
    this.shellQueue.splice(0, this.shellQueue.length, ...rest);
    this.abortedRequests.push(...aborted);
  }

  /**
   * Answers the execute_requests that stop_on_error aborted, in request order, each between iopub
   * busy and idle: `execute_reply` with status `aborted` (messaging spec 5.3, "Execution results";
   * ipykernel replies in the same order).
   */
  private async replyAborted(): Promise<void> {
    for (let m = this.abortedRequests.shift(); m; m = this.abortedRequests.shift()) {
      await this.publish("status", { execution_state: "busy" }, m);
      await this.sink.send("shell", this.sink.create("execute_reply", { status: "aborted", execution_count: this.executionCount }, m));
      await this.publish("status", { execution_state: "idle" }, m);
    }
  }
}
