// Jupyter comms on the executor (messaging spec, "Custom Messages"): a TypeScript API for cells
// (`comms.open`, `comms.registerTarget`) and routing of the frontend's comm messages to TS or to
// Python's `comm` package. Knows comm semantics; publishing goes through the given callback.
import { randomUUID } from "node:crypto";
import { types } from "node:util";

/**
 * Sends an iopub comm message (comm_open, comm_msg, comm_close) with this content; the attachments'
 * buffers' ArrayBuffers may be transferred (see ExecutorChannel.publish).
 */
export type CommPublisher = (msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, attachments?: CommAttachments) => void;

/** A comm message's parts beside its content: message-level metadata and binary buffers. */
export interface CommAttachments {
  metadata?: Record<string, unknown>;
  buffers?: Uint8Array[];
}

/**
 * Binary buffers a TS comm sends, as @jupyterlab/services' `IComm.send` and ipykernel's
 * `Comm.send(buffers=...)` take them: each goes out as one ZeroMQ frame after the content.
 */
export type CommBuffers = readonly (ArrayBuffer | ArrayBufferView)[];

/**
 * A frontend's comm message as TS handlers get it, the parts JupyterLab's `IComm.onMsg` reads:
 * its content ({comm_id, data, ...}), its message-level metadata, and its binary buffers as
 * DataViews over the bytes received (JupyterLab's deserializer gives DataViews too).
 */
export interface CommMessage {
  content: Record<string, unknown>;
  metadata: Record<string, unknown>;
  buffers: DataView[];
}

/**
 * Copies of `buffers` that the executor can transfer to the main thread: one Uint8Array each over
 * an ArrayBuffer of its own, holding the bytes each buffer held now. A copy, as ipykernel copies
 * writable memory: the caller keeps its memory usable, and changing it after `send` returns does
 * not change what is sent.
 * @throws TypeError for an entry that is neither an ArrayBuffer (or SharedArrayBuffer) nor an ArrayBufferView.
 */
export function frameCopies(buffers: CommBuffers): Uint8Array[] {
  if (!Array.isArray(buffers)) throw new TypeError(`comm buffers must be an array of ArrayBuffers or ArrayBufferViews, not ${typeof buffers}`);
  return buffers.map((b: unknown, i) => {
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
    if (types.isAnyArrayBuffer(b)) return new Uint8Array(b).slice();
    throw new TypeError(`comm buffer ${i} is not an ArrayBuffer or ArrayBufferView: ${Object.prototype.toString.call(b)}`);
  });
}

/** The attachments of a message a TS comm sends: metadata (when any) and copies of the buffers (see {@link frameCopies}). */
function outgoing(metadata: Record<string, unknown>, buffers: CommBuffers): CommAttachments {
  return { metadata: Object.keys(metadata).length > 0 ? metadata : undefined, buffers: frameCopies(buffers) };
}

/** A received comm message as handlers see it: the buffers become DataViews over the same memory (no copy). */
function commMessage(content: Record<string, unknown>, attachments: CommAttachments): CommMessage {
  const buffers = (attachments.buffers ?? []).map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
  return { content, metadata: attachments.metadata ?? {}, buffers };
}

/** The Python side of comms (tspy_introspect.comm_incoming / comm_list), when Python runs. */
export interface PythonComms {
  /** Delivers a frontend's comm message to Python; the buffers reach it as memoryviews. @returns whether Python knows the comm (or target). */
  incoming(msgType: string, content: Record<string, unknown>, attachments: CommAttachments): boolean;
  list(): Record<string, string>;
}

/** A comm owned by TypeScript code: one channel of JSON messages (with optional binary buffers) with a frontend peer. */
export class Comm {
  private messageHandlers: ((data: unknown, msg: CommMessage) => void)[] = [];
  private closeHandlers: ((data: unknown, msg: CommMessage) => void)[] = [];
  closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly publish: CommPublisher,
    private readonly forget: (id: string) => void,
  ) {}

  /**
   * Sends `data` (JSON) to the frontend's side of this comm (comm_msg), as IComm.send does.
   * @param metadata sent as the content's `metadata` and, when not empty, as the message's own metadata.
   * @param buffers binary buffers, each a ZeroMQ frame after the content (copied when `send` is called; see {@link frameCopies}).
   * @throws Error when the comm is closed; TypeError for a buffer that is not an ArrayBuffer or ArrayBufferView.
   */
  send(data: unknown = {}, metadata: Record<string, unknown> = {}, buffers: CommBuffers = []): void {
    if (this.closed) throw new Error(`comm ${this.commId} is closed`);
    this.publish("comm_msg", { comm_id: this.commId, data, metadata }, outgoing(metadata, buffers));
  }

  /**
   * Closes the comm (comm_close) and forgets it; does nothing when it is closed already.
   * @param metadata the message's own metadata; `buffers` as in {@link send}.
   */
  close(data: unknown = {}, metadata: Record<string, unknown> = {}, buffers: CommBuffers = []): void {
    if (this.closed) return;
    const attachments = outgoing(metadata, buffers);
    this.closed = true;
    this.publish("comm_close", { comm_id: this.commId, data }, attachments);
    this.forget(this.commId);
  }

  /** Registers a handler for the frontend's comm_msg on this comm: `data` is the content's data, `msg` the whole message (buffers as DataViews). */
  onMessage(handler: (data: unknown, msg: CommMessage) => void): void {
    this.messageHandlers.push(handler);
  }

  /** Registers a handler for the frontend closing this comm (its comm_close's data and message). */
  onClose(handler: (data: unknown, msg: CommMessage) => void): void {
    this.closeHandlers.push(handler);
  }

  /** @internal delivery from the registry. */
  deliver(kind: "msg" | "close", msg: CommMessage): void {
    if (kind === "msg") for (const h of this.messageHandlers) h(msg.content.data, msg);
    else {
      this.closed = true;
      for (const h of this.closeHandlers) h(msg.content.data, msg);
    }
  }
}

/**
 * The notebook's comms: TS-owned ones and targets, with Python's consulted for the rest. Handler
 * errors are reported through `onError` and never break the kernel.
 */
export class CommRegistry {
  private readonly targets = new Map<string, (comm: Comm, data: unknown, msg: CommMessage) => void>();
  private readonly comms = new Map<string, Comm>();

  constructor(
    private readonly publish: CommPublisher,
    private readonly python: () => PythonComms | null,
    private readonly onError: (e: unknown) => void,
  ) {}

  /**
   * Opens a comm to the frontend's `targetName` (comm_open), as IKernelConnection.createComm + IComm.open do.
   * @param metadata sent as the content's `metadata` and, when not empty, as the message's own metadata.
   * @param buffers binary buffers, each a ZeroMQ frame after the content (copied now; see {@link frameCopies}).
   * @throws TypeError for a buffer that is not an ArrayBuffer or ArrayBufferView (no comm is opened).
   */
  open(targetName: string, data: unknown = {}, metadata: Record<string, unknown> = {}, buffers: CommBuffers = []): Comm {
    const attachments = outgoing(metadata, buffers);
    const comm = this.track(randomUUID().replace(/-/g, ""), targetName);
    this.publish("comm_open", { comm_id: comm.commId, target_name: targetName, data, metadata }, attachments);
    return comm;
  }

  /** Accepts comms the frontend opens to `targetName`: `handler(comm, data, msg)` runs for each (`msg`: the comm_open, buffers as DataViews). */
  registerTarget(targetName: string, handler: (comm: Comm, data: unknown, msg: CommMessage) => void): void {
    this.targets.set(targetName, handler);
  }

  private track(id: string, target: string): Comm {
    const comm = new Comm(id, target, this.publish, (cid) => this.comms.delete(cid));
    this.comms.set(id, comm);
    return comm;
  }

  /**
   * A comm_open/comm_msg/comm_close from the frontend. Unknown targets are answered by closing
   * the comm (as ipykernel does); unknown comm ids are ignored.
   * @param attachments the message's metadata and buffers: TS handlers get them in their {@link CommMessage}, Python's comms as memoryviews.
   * @returns the reply content (comm messages have no reply; {} is returned).
   */
  incoming(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, attachments: CommAttachments = {}): Record<string, unknown> {
    const id = String(content.comm_id ?? "");
    try {
      if (msgType === "comm_open") {
        const handler = this.targets.get(String(content.target_name));
        if (handler) handler(this.track(id, String(content.target_name)), content.data, commMessage(content, attachments));
        else if (!this.python()?.incoming(msgType, content, attachments)) this.publish("comm_close", { comm_id: id, data: {} });
        return {};
      }
      const comm = this.comms.get(id);
      if (comm) {
        comm.deliver(msgType === "comm_msg" ? "msg" : "close", commMessage(content, attachments));
        if (msgType === "comm_close") this.comms.delete(id);
      } else {
        this.python()?.incoming(msgType, content, attachments);
      }
    } catch (e) {
      this.onError(e);
    }
    return {};
  }

  /** comm_info_reply content: open comms of both languages, optionally of one target. */
  info(targetName?: string): Record<string, unknown> {
    // A Map, then Object.fromEntries (own properties): a comm id such as `__proto__` stays a key.
    const all = new Map<string, { target_name: string }>();
    for (const [id, c] of this.comms) all.set(id, { target_name: c.targetName });
    for (const [id, t] of Object.entries(this.python()?.list() ?? {})) all.set(id, { target_name: t });
    const comms = Object.fromEntries([...all].filter(([, v]) => !targetName || v.target_name === targetName));
    return { status: "ok", comms };
  }
}
