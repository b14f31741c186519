// The input prompt under a running cell that asked for a line (the kernel's stdin input_request),
// and the echo of the answer into the cell's output, as JupyterLab shows it. Knows nothing of the
// kernel connection: the caller sends the input_reply.
import { useState } from "react";
import type { KernelMessage } from "@jupyterlab/services";

/** A pending input_request of a cell: what to show, and the header the input_reply names as parent. */
export interface StdinRequest {
  /** The prompt text (`input("name? ")` gives `name? `). */
  prompt: string;
  /** True for a password (`getpass`): the input hides what is typed, the echo hides the value. */
  password: boolean;
  /** The input_request's header, the input_reply's parent_header. */
  parent: KernelMessage.IInputRequestMsg["header"];
}

/** What the echo shows instead of a password (JupyterLab's eight middle dots). */
export const PASSWORD_MASK = "········";

/**
 * The text echoed into the cell's stdout after the user answers: the prompt, then the value (or
 * {@link PASSWORD_MASK}), then a newline.
 * @param request the input request.
 * @param value what the user typed.
 */
export function stdinEcho(request: Pick<StdinRequest, "prompt" | "password">, value: string): string {
  return `${request.prompt}${request.password ? PASSWORD_MASK : value}\n`;
}

/**
 * An input_request as an iopub stream message of the cell, so that the notebook reducer appends the
 * echo like any stdout (and merges it with the cell's other stdout).
 * @param request the input request.
 * @param value what the user typed.
 * @returns a stream message whose parent is the input_request.
 */
export function stdinEchoMessage(request: StdinRequest, value: string): KernelMessage.IStreamMsg {
  return {
    channel: "iopub",
    header: { ...request.parent, msg_type: "stream", msg_id: `${request.parent.msg_id}-echo` },
    parent_header: request.parent,
    metadata: {},
    content: { name: "stdout", text: stdinEcho(request, value) },
  } as KernelMessage.IStreamMsg;
}

/**
 * The prompt and a text box (a password box for passwords), focused when shown; Enter answers.
 * @param props.request the pending request.
 * @param props.onSubmit called once with the typed value when the user presses Enter.
 */
export function StdinPrompt({ request, onSubmit }: { request: StdinRequest; onSubmit: (value: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <label className="tspy-stdin">
      <span className="tspy-stdin-prompt">{request.prompt}</span>
      <input
        className="tspy-stdin-input"
        type={request.password ? "password" : "text"}
        autoFocus
        spellCheck={false}
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            onSubmit(value);
          }
        }}
      />
    </label>
  );
}
