// The wire layer alone (kernel/wire/message.ts; messaging spec 5.3, "The Wire Protocol"): framing,
// HMAC signatures, malformed frames. No sockets, no Python: these run with TSPY_PYTHON pointing
// nowhere. Written from the spec's frame list, not from the code.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { DELIMITER, InvalidMessageError, MessageCodec, PROTOCOL_VERSION, type WireMessage } from "../../kernel/wire/message";

const KEY = "a0436f6c-1916-498b-8eb9-e81ab9368e84";

/** Frames as a client (jupyter_client's Session) builds them: identities, delimiter, HMAC, four JSON frames, buffers. */
function clientFrames(
  msgType: string,
  content: object,
  options: { key?: string; identities?: Buffer[]; buffers?: Buffer[]; header?: object; parent?: object } = {},
): Buffer[] {
  const header = options.header ?? { msg_id: "m1", msg_type: msgType, session: "s1", username: "u", date: "2026-12-05T00:00:00Z", version: "5.3" };
  const signed = [header, options.parent ?? {}, {}, content].map((o) => Buffer.from(JSON.stringify(o)));
  const key = options.key ?? KEY;
  const hmac = createHmac("sha256", key);
  for (const f of signed) hmac.update(f);
  return [
    ...(options.identities ?? [Buffer.from("client-1")]),
    Buffer.from(DELIMITER),
    Buffer.from(key ? hmac.digest("hex") : ""),
    ...signed,
    ...(options.buffers ?? []),
  ];
}

test("a_signed_client_message_decodes_with_identities_content_and_buffers", () => {
  const codec = new MessageCodec(KEY, "hmac-sha256");
  const buffers = [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0)];
  const msg = codec.decode(clientFrames("execute_request", { code: "1 + 1", silent: false }, { buffers, identities: [Buffer.from("a"), Buffer.from("b")] }));
  assert.deepEqual(
    msg.identities.map((b) => b.toString()),
    ["a", "b"],
  );
  assert.equal(msg.header.msg_type, "execute_request");
  assert.deepEqual(msg.content, { code: "1 + 1", silent: false });
  assert.deepEqual(msg.parent_header, {});
  assert.deepEqual(msg.buffers, buffers);
});

test("a_wrong_signature_a_wrong_key_and_an_unsigned_message_are_rejected", () => {
  const codec = new MessageCodec(KEY, "hmac-sha256");
  const frames = clientFrames("kernel_info_request", {});
  const forged = [...frames];
  forged[2] = Buffer.from("0".repeat(64));
  assert.throws(() => codec.decode(forged), InvalidMessageError);
  assert.throws(() => codec.decode(clientFrames("kernel_info_request", {}, { key: "another-key" })), /signature does not verify/);
  assert.throws(() => codec.decode(clientFrames("kernel_info_request", {}, { key: "" })), InvalidMessageError);
  // A signed content frame changed after signing (the signature covers all four frames).
  const tampered = [...frames];
  tampered[6] = Buffer.from(JSON.stringify({ code: "evil()" }));
  assert.throws(() => codec.decode(tampered), /signature does not verify/);
});

test("malformed_frames_are_invalid_messages_never_other_errors", () => {
  const codec = new MessageCodec(KEY, "hmac-sha256");
  const good = clientFrames("kernel_info_request", {});
  const cases: Record<string, Buffer[]> = {
    "no delimiter": good.filter((f) => f.toString() !== DELIMITER),
    "too few frames": good.slice(0, 5),
    "nothing at all": [],
  };
  for (const [name, frames] of Object.entries(cases)) {
    assert.throws(() => codec.decode(frames), InvalidMessageError, name);
  }
  const unsigned = new MessageCodec("", "hmac-sha256");
  const notJson = clientFrames("kernel_info_request", {}, { key: "" });
  notJson[6] = Buffer.from("{not json");
  assert.throws(() => unsigned.decode(notJson), /not JSON/);
  const noMsgType = clientFrames("x", {}, { key: "", header: { msg_id: "m" } });
  assert.throws(() => unsigned.decode(noMsgType), /no msg_type or msg_id/);
});

test("encode_then_decode_round_trips_and_replies_route_to_the_requester", () => {
  const codec = new MessageCodec(KEY, "hmac-sha256", "kernel-session");
  const request = codec.decode(clientFrames("complete_request", { code: "Ma", cursor_pos: 2 }, { identities: [Buffer.from("route")] }));
  const reply = codec.create("complete_reply", { status: "ok", matches: ["Math"], cursor_start: 0, cursor_end: 2, metadata: {} }, request);
  reply.buffers = [Buffer.from("bytes")];
  assert.deepEqual(reply.identities, request.identities, "a reply goes back along the request's route");
  assert.deepEqual(reply.parent_header, request.header);
  assert.equal(reply.header.session, "kernel-session");
  assert.equal(reply.header.version, PROTOCOL_VERSION);
  const back: WireMessage = codec.decode(codec.encode(reply));
  assert.deepEqual(back, reply);
  const iopub = codec.create("status", { execution_state: "idle" });
  assert.deepEqual(iopub.identities, []);
  assert.deepEqual(iopub.parent_header, {});
});

test("unsupported_signature_schemes_are_refused_and_an_empty_key_means_unsigned", () => {
  assert.throws(() => new MessageCodec(KEY, "rsa-sha256"), /unsupported signature_scheme/);
  const unsigned = new MessageCodec("", "hmac-sha256");
  const frames = unsigned.encode(unsigned.create("status", { execution_state: "busy" }));
  assert.equal(frames[frames.indexOf(frames.find((f) => f.toString() === DELIMITER)!) + 1].length, 0, "empty signature frame");
  assert.equal(unsigned.decode(frames).content.execution_state, "busy");
  const sha512 = new MessageCodec(KEY, "hmac-sha512");
  assert.equal(sha512.sign([Buffer.from("x")]).length, 128);
});
