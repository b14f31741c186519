// Jupyter comms on the executor (messaging spec, "Custom Messages"): a TypeScript API for cells
// (`comms.open`, `comms.registerTarget`) and routing of the frontend's comm messages to TS or to
// Python's `comm` package. Knows comm semantics; publishing goes through the given callback.
import { randomUUID } from "node:crypto";

/** Sends an iopub comm message (comm_open, comm_msg, comm_close) with this content. */
export type CommPublisher = (msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>) => void;

/** A comm message's parts beside its content: message-level metadata and binary buffers. */
export interface CommAttachments {
  metadata?: Record<string, unknown>;
  buffers?: Uint8Array[];
}

/** The Python side of comms (tspy_introspect.comm_incoming / comm_list), when Python runs. */
export interface PythonComms {
  /** Delivers a frontend's comm message to Python; the buffers reach it as memoryviews. @returns whether Python knows the comm (or target). */
  incoming(msgType: string, content: Record<string, unknown>, attachments: CommAttachments): boolean;
  list(): Record<string, string>;
}

/** A comm owned by TypeScript code: one channel of JSON messages with a frontend peer. */
export class Comm {
  private messageHandlers: ((data: unknown, msg: Record<string, unknown>) => void)[] = [];
  private closeHandlers: ((data: unknown) => void)[] = [];
  closed = false;

  constructor(
    readonly commId: string,
    readonly targetName: string,
    private readonly publish: CommPublisher,
    private readonly forget: (id: string) => void,
  ) {}

  /** Sends `data` (JSON) to the frontend's side of this comm (comm_msg). @throws Error when closed. */
  send(data: unknown = {}, metadata: Record<string, unknown> = {}): void {
    if (this.closed) throw new Error(`comm ${this.commId} is closed`);
    this.publish("comm_msg", { comm_id: this.commId, data, metadata });
  }

  /** Closes the comm (comm_close) and forgets it. */
  close(data: unknown = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.publish("comm_close", { comm_id: this.commId, data });
    this.forget(this.commId);
  }

  /** Registers a handler for the frontend's comm_msg on this comm. */
  onMessage(handler: (data: unknown, msg: Record<string, unknown>) => void): void {
    this.messageHandlers.push(handler);
  }

  /** Registers a handler for the frontend closing this comm. */
  onClose(handler: (data: unknown) => void): void {
    this.closeHandlers.push(handler);
  }

  /** @internal delivery from the registry. */
  deliver(kind: "msg" | "close", content: Record<string, unknown>): void {
    if (kind === "msg") for (const h of this.messageHandlers) h(content.data, content);
    else {
      this.closed = true;
      for (const h of this.closeHandlers) h(content.data);
    }
  }
}

/**
 * The notebook's comms: TS-owned ones and targets, with Python's consulted for the rest. Handler
 * errors are reported through `onError` and never break the kernel.
 */
export class CommRegistry {
  private readonly targets = new Map<string, (comm: Comm, data: unknown) => void>();
  private readonly comms = new Map<string, Comm>();

  constructor(
    private readonly publish: CommPublisher,
    private readonly python: () => PythonComms | null,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Opens a comm to the frontend's `targetName` (comm_open). */
  open(targetName: string, data: unknown = {}, metadata: Record<string, unknown> = {}): Comm {
    const comm = this.track(randomUUID().replace(/-/g, ""), targetName);
    this.publish("comm_open", { comm_id: comm.commId, target_name: targetName, data, metadata });
    return comm;
  }

  /** Accepts comms the frontend opens to `targetName`: `handler(comm, data)` runs for each. */
  registerTarget(targetName: string, handler: (comm: Comm, data: unknown) => void): void {
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
   * @param attachments the message's metadata and buffers, handed to Python's comms (TS comms see the content only).
   * @returns the reply content (comm messages have no reply; {} is returned).
   */
  incoming(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, attachments: CommAttachments = {}): Record<string, unknown> {
    const id = String(content.comm_id ?? "");
    try {
      if (msgType === "comm_open") {
        const handler = this.targets.get(String(content.target_name));
        if (handler) handler(this.track(id, String(content.target_name)), content.data);
        else if (!this.python()?.incoming(msgType, content, attachments)) this.publish("comm_close", { comm_id: id, data: {} });
        return {};
      }
      const comm = this.comms.get(id);
      if (comm) {
        comm.deliver(msgType === "comm_msg" ? "msg" : "close", content);
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
