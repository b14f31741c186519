// Binds the five Jupyter channels (shell, control, stdin, iopub, heartbeat) with the `zeromq`
// package and moves encoded messages in and out. Knows sockets and frames, not request handling.
import * as zmq from "zeromq";
import { ConnectionInfo, endpoint } from "./connection";
import { InvalidMessageError, MessageCodec, WireMessage } from "./message";

/** The channels a client talks to; iopub and heartbeat only send or echo. */
export type Channel = "shell" | "control" | "stdin";

/** Called for each verified message that arrives on shell, control or stdin. */
export type MessageHandler = (channel: Channel, msg: WireMessage) => void;

/**
 * The kernel's sockets for one connection file. Messages whose signature does not verify are
 * dropped with a log line on stderr; the kernel keeps serving.
 */
export class KernelSockets {
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  /** Sends queue per socket: zeromq allows one pending send per socket at a time. */
  private readonly sendChains = new Map<zmq.Writable, Promise<void>>();
  private closed = false;

  constructor(
    readonly info: ConnectionInfo,
    readonly codec: MessageCodec,
  ) {
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) s.linger = 0;
    // A PUB socket drops messages past its high-water mark (ZeroMQ's default: 1000 queued). Output
    // is batched (kernel/executor/output.ts), so iopub queues without a limit rather than drop.
    this.iopub.sendHighWaterMark = 0;
  }

  /**
   * Binds every channel and starts receiving.
   * @param onMessage receives each verified message; it must not throw.
   * @throws Error when a port cannot be bound.
   */
  async bind(onMessage: MessageHandler): Promise<void> {
    const i = this.info;
    await Promise.all([
      this.shell.bind(endpoint(i, i.shell_port)),
      this.control.bind(endpoint(i, i.control_port)),
      this.stdin.bind(endpoint(i, i.stdin_port)),
      this.iopub.bind(endpoint(i, i.iopub_port)),
      this.heartbeat.bind(endpoint(i, i.hb_port)),
    ]);
    void this.receive("shell", this.shell, onMessage);
    void this.receive("control", this.control, onMessage);
    void this.receive("stdin", this.stdin, onMessage);
    void this.echoHeartbeat();
  }

  private async receive(channel: Channel, socket: zmq.Router, onMessage: MessageHandler): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: WireMessage;
        try {
          msg = this.codec.decode(frames);
        } catch (e) {
          if (e instanceof InvalidMessageError) {
            process.stderr.write(`tspy: dropped a message on ${channel}: ${e.message}\n`);
            continue;
          }
          throw e;
        }
        onMessage(channel, msg);
      }
    } catch (e) {
      if (!this.closed) process.stderr.write(`tspy: ${channel} socket stopped: ${(e as Error).stack}\n`);
    }
  }

  private async echoHeartbeat(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (e) {
      if (!this.closed) process.stderr.write(`tspy: heartbeat stopped: ${(e as Error).message}\n`);
    }
  }

  /**
   * Encodes, signs and sends a message on a channel; sends on one socket keep their order.
   * @returns a promise settled when the frames are queued in ZeroMQ; failures are logged, never thrown.
   */
  send(channel: Channel | "iopub", msg: WireMessage): Promise<void> {
    const socket = channel === "iopub" ? this.iopub : this[channel];
    // iopub has no routing identities: its first frame is the topic (ipykernel: kernel.<session>.<msg_type>).
    const frames =
      channel === "iopub"
        ? [Buffer.from(`kernel.${this.codec.session}.${msg.header.msg_type}`), ...this.codec.encode({ ...msg, identities: [] })]
        : this.codec.encode(msg);
    const previous = this.sendChains.get(socket) ?? Promise.resolve();
    const next = previous
      .then(() => socket.send(frames))
      .catch((e: Error) => {
        if (!this.closed) process.stderr.write(`tspy: could not send ${msg.header.msg_type} on ${channel}: ${e.message}\n`);
      });
    this.sendChains.set(socket, next);
    return next;
  }

  /** Waits for queued sends, then closes every socket, letting ZeroMQ send what it holds for up to 1 s. */
  async close(): Promise<void> {
    await Promise.all(this.sendChains.values());
    this.closed = true;
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) {
      s.linger = 1000;
      s.close();
    }
  }
}
