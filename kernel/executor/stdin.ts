// The stdin handoff between the executor (which blocks, waiting for a line) and the main thread
// (which sends input_request and receives input_reply): a SharedArrayBuffer and Atomics.
import { STDIN_ANSWERED, STDIN_INTERRUPTED, STDIN_LAYOUT, STDIN_WAITING } from "./messages";

/** Allocates the shared buffer (STDIN_LAYOUT.capacity bytes of answer). */
export function createStdinBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(STDIN_LAYOUT.header + STDIN_LAYOUT.capacity);
}

/** How a request for input ended. */
export type InputOutcome = { status: "ok"; text: string } | { status: "interrupted" } | { status: "unavailable" };

/**
 * Executor side: asks for one line and blocks this thread until the main thread answers.
 * @param buffer ExecutorData.stdin.
 * @param send posts the input_request to the main thread.
 * @returns the line typed (no newline), or why there is none.
 */
export function waitForInput(buffer: SharedArrayBuffer, send: () => void): InputOutcome {
  const state = new Int32Array(buffer, 0, 2);
  Atomics.store(state, 0, STDIN_WAITING);
  send();
  Atomics.wait(state, 0, STDIN_WAITING);
  if (Atomics.load(state, 0) === STDIN_INTERRUPTED) return { status: "interrupted" };
  const length = Atomics.load(state, 1);
  const bytes = new Uint8Array(buffer, STDIN_LAYOUT.header, length).slice();
  return { status: "ok", text: new TextDecoder().decode(bytes) };
}

/**
 * Main-thread side: hands the executor the frontend's answer (truncated to the capacity, on a
 * UTF-8 boundary) and wakes it.
 */
export function answerInput(buffer: SharedArrayBuffer, text: string): void {
  const state = new Int32Array(buffer, 0, 2);
  const target = new Uint8Array(buffer, STDIN_LAYOUT.header, STDIN_LAYOUT.capacity);
  const { written } = new TextEncoder().encodeInto(text, target);
  Atomics.store(state, 1, written);
  Atomics.store(state, 0, STDIN_ANSWERED);
  Atomics.notify(state, 0);
}

/** Main-thread side: wakes an executor waiting for input with "interrupted". */
export function interruptInput(buffer: SharedArrayBuffer): void {
  const state = new Int32Array(buffer, 0, 2);
  if (Atomics.compareExchange(state, 0, STDIN_WAITING, STDIN_INTERRUPTED) === STDIN_WAITING) Atomics.notify(state, 0);
}
