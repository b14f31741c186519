// Jupyter wire-protocol framing and HMAC signing (messaging spec 5.3, "The Wire Protocol").
// Knows bytes, frames and headers; knows nothing of TypeScript, Python or request handlers.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { KernelMessage } from "@jupyterlab/services";

/** The delimiter frame between ZeroMQ routing identities and the signed message. */
export const DELIMITER = "<IDS|MSG>";
/** Protocol version this kernel speaks (messaging spec). */
export const PROTOCOL_VERSION = "5.3";

/** A decoded message as it travels over the wire, with the routing identities that brought it. */
export interface WireMessage {
  /** ZeroMQ routing identities (ROUTER sockets) to send a reply back to; empty for iopub. */
  identities: Buffer[];
  header: KernelMessage.IHeader;
  /** The header of the request this message answers, or {} when none. */
  parent_header: KernelMessage.IHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  /** Binary buffers after the content frame (spec: "buffers"). */
  buffers: Buffer[];
}

/** Thrown by {@link MessageCodec.decode} for frames that are not a valid, correctly signed message. */
export class InvalidMessageError extends Error {
  override name = "InvalidMessageError";
}

/**
 * Signs, verifies, encodes and decodes Jupyter messages for one connection.
 * Signature: HMAC-SHA256 (the connection file's `signature_scheme`) over the header,
 * parent_header, metadata and content frames, hex-encoded; an empty key disables signing.
 */
export class MessageCodec {
  private readonly key: Buffer;
  private readonly algorithm: string;

  /**
   * @param key the connection file's `key` (UTF-8); "" means messages are not signed.
   * @param signatureScheme the connection file's `signature_scheme`, e.g. "hmac-sha256".
   * @param session this kernel's session id, written into every header it creates.
   * @throws Error for a scheme other than hmac-<digest>.
   */
  constructor(
    key: string,
    signatureScheme: string,
    readonly session: string = randomUUID(),
  ) {
    this.key = Buffer.from(key, "utf8");
    const m = /^hmac-(\w+)$/.exec(signatureScheme || "hmac-sha256");
    if (!m) throw new Error(`unsupported signature_scheme: ${signatureScheme}`);
    this.algorithm = m[1];
  }

  /** Hex HMAC of the four signed frames; "" when signing is disabled. */
  sign(frames: Buffer[]): string {
    if (this.key.length === 0) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  /**
   * Decodes raw ZeroMQ frames into a message after verifying its signature with a
   * timing-safe compare (Deno's kernel: "messages that fail this check must be dropped").
   * @param frames all frames received, identities first.
   * @throws InvalidMessageError when the delimiter is missing, the signature does not verify, or a frame is not JSON.
   */
  decode(frames: Buffer[]): WireMessage {
    const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
    if (at < 0 || frames.length < at + 6) throw new InvalidMessageError("no <IDS|MSG> delimiter or too few frames");
    const signature = frames[at + 1];
    const signed = frames.slice(at + 2, at + 6);
    if (this.key.length > 0) {
      const expected = Buffer.from(this.sign(signed), "latin1");
      if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
        throw new InvalidMessageError("signature does not verify");
      }
    }
    let parsed: unknown[];
    try {
      parsed = signed.map((f) => JSON.parse(f.toString("utf8")));
    } catch (e) {
      throw new InvalidMessageError(`a frame is not JSON: ${(e as Error).message}`);
    }
    const [header, parent_header, metadata, content] = parsed as [
      KernelMessage.IHeader,
      WireMessage["parent_header"],
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    if (!header || typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
      throw new InvalidMessageError("header has no msg_type or msg_id");
    }
    return {
      identities: frames.slice(0, at),
      header,
      parent_header: parent_header ?? {},
      metadata: metadata ?? {},
      content: content ?? {},
      buffers: frames.slice(at + 6),
    };
  }

  /** Encodes and signs a message into frames ready for `socket.send`. */
  encode(msg: WireMessage): Buffer[] {
    const signed = [msg.header, msg.parent_header, msg.metadata, msg.content].map((o) => Buffer.from(JSON.stringify(o), "utf8"));
    return [...msg.identities, Buffer.from(DELIMITER, "latin1"), Buffer.from(this.sign(signed), "latin1"), ...signed, ...msg.buffers];
  }

  /**
   * Builds a message this kernel sends.
   * @param msgType the message type, e.g. "execute_reply".
   * @param content the content, snake_case as the spec spells it.
   * @param parent the request this message answers (its header becomes parent_header and its identities the route), or undefined.
   */
  create(msgType: string, content: Record<string, unknown>, parent?: WireMessage, metadata: Record<string, unknown> = {}): WireMessage {
    return {
      identities: parent ? parent.identities : [],
      header: {
        msg_id: randomUUID(),
        msg_type: msgType as KernelMessage.MessageType,
        session: this.session,
        username: parent?.header.username ?? "kernel",
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: parent ? parent.header : {},
      metadata,
      content,
      buffers: [],
    };
  }
}
