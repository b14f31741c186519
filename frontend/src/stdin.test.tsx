// The stdin prompt under a cell: text or password box, Enter answers once, and the echo that the
// notebook reducer appends to the cell's stdout like any stream.
// @vitest-environment jsdom
import { afterEach, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render } from "@testing-library/react";
import type { KernelMessage } from "@jupyterlab/services";
import { PASSWORD_MASK, StdinPrompt, stdinEcho, stdinEchoMessage, type StdinRequest } from "./stdin";
import { notebookReducer } from "./notebook-reducer";
import { readNotebook } from "./nbformat-io";

afterEach(cleanup);

function request(prompt: string, password: boolean): StdinRequest {
  const parent = {
    msg_id: "req-1",
    msg_type: "input_request",
    session: "s",
    username: "u",
    date: "2026-01-01T00:00:00Z",
    version: "5.3",
  } as KernelMessage.IInputRequestMsg["header"];
  return { prompt, password, parent };
}

test("stdin_prompt_shows_the_prompt_and_enter_submits_the_typed_value", () => {
  const onSubmit = vi.fn();
  const { container } = render(<StdinPrompt request={request("name? ", false)} onSubmit={onSubmit} />);
  expect(container.querySelector(".tspy-stdin-prompt")?.textContent).toBe("name? ");
  const input = container.querySelector("input.tspy-stdin-input") as HTMLInputElement;
  expect(input.type).toBe("text");
  fireEvent.change(input, { target: { value: "Ada" } });
  fireEvent.keyDown(input, { key: "a" });
  expect(onSubmit).not.toHaveBeenCalled();
  fireEvent.keyDown(input, { key: "Enter" });
  expect(onSubmit).toHaveBeenCalledExactlyOnceWith("Ada");
});

test("stdin_prompt_for_a_password_is_a_password_box_and_its_echo_hides_the_value", () => {
  const { container } = render(<StdinPrompt request={request("secret: ", true)} onSubmit={() => {}} />);
  expect((container.querySelector("input.tspy-stdin-input") as HTMLInputElement).type).toBe("password");
  expect(stdinEcho({ prompt: "secret: ", password: true }, "hunter2")).toBe(`secret: ${PASSWORD_MASK}\n`);
  expect(stdinEcho({ prompt: "name? ", password: false }, "Ada")).toBe("name? Ada\n");
});

test("stdin_echo_merges_into_the_cells_stdout_through_the_reducer", () => {
  const nb = readNotebook("a.ipynb", {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { id: "c0", cell_type: "code", source: "x", metadata: {}, outputs: [{ output_type: "stream", name: "stdout", text: "before\n" }], execution_count: null },
    ],
  });
  const msg = stdinEchoMessage(request("name? ", false), "Ada");
  expect(msg.parent_header).toMatchObject({ msg_id: "req-1" });
  const after = notebookReducer(nb, { type: "iopub", cellId: "c0", msg });
  expect(after?.cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "before\nname? Ada\n" }]);
});
