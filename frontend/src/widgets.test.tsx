// ipywidgets pieces in jsdom: which widget modules the app ships, the text/plain fallback, and a
// widget manager over an in-memory kernel connection (comm_open from the kernel -> a drawn slider;
// an Output widget's outputs and its capture of a request's output while `msg_id` is set; a Button's
// click -> its comm message, whose output goes to the view's cell).
// @vitest-environment jsdom
import { afterEach, describe, expect, test, vi } from "vitest";
import { act, cleanup, fireEvent, render } from "@testing-library/react";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import { PROTOCOL_VERSION } from "@jupyter-widgets/base";
import {
  type CapturedOutputs,
  TspyWidgetManager,
  WIDGET_COMM_TARGET,
  WIDGET_VIEW_MIME,
  WidgetManagerContext,
  WidgetOutput,
  captureOutput,
  isKnownWidgetModule,
} from "./widgets";

afterEach(cleanup);

// jsdom has no DragEvent, which Lumino uses when it loads; hoisted so that it exists before the imports run.
vi.hoisted(() => {
  const g = globalThis as { DragEvent?: unknown; MouseEvent: typeof MouseEvent };
  g.DragEvent ??= class DragEvent extends g.MouseEvent {};
});

/** A comm message the fake kernel recorded: the data the page sent and the future it got back. */
interface Sent {
  commId: string;
  data: unknown;
  future: { onIOPub?: (msg: KernelMessage.IIOPubMessage) => void; msg: { header: { msg_id: string } } };
}

/** An iopub hook as Kernel.IKernelConnection.registerMessageHook takes it. */
type Hook = (msg: KernelMessage.IIOPubMessage) => boolean | PromiseLike<boolean>;

/** An in-memory kernel connection with just what the widget manager uses: comm targets, comms, comm_info, message hooks. */
function fakeKernel() {
  const targets = new Map<string, (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => unknown>();
  const sent: Sent[] = [];
  const comms = new Map<string, Kernel.IComm>();
  const hooks = new Map<string, Hook[]>();
  const makeComm = (commId: string, targetName: string) => {
    const future = () => ({ msg: { header: { msg_id: `m${sent.length}` } } });
    const comm = {
      commId,
      targetName,
      onMsg: undefined as unknown,
      onClose: undefined as unknown,
      open: () => future(),
      close: () => future(),
      send: (data: unknown) => {
        const f = future();
        sent.push({ commId, data, future: f });
        return f;
      },
    };
    comms.set(commId, comm as unknown as Kernel.IComm);
    return comm as unknown as Kernel.IComm;
  };
  const kernel = {
    registerCommTarget: (name: string, f: (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => unknown) => targets.set(name, f),
    removeCommTarget: (name: string) => targets.delete(name),
    createComm: (target: string, id = "page-comm") => makeComm(id, target),
    requestCommInfo: async () => ({ content: { status: "ok", comms: {} } }),
    isDisposed: false,
    registerMessageHook: (msgId: string, hook: Hook) => hooks.set(msgId, [...(hooks.get(msgId) ?? []), hook]),
    removeMessageHook: (msgId: string, hook: Hook) =>
      hooks.set(
        msgId,
        (hooks.get(msgId) ?? []).filter((h) => h !== hook),
      ),
  } as unknown as Kernel.IKernelConnection;
  /** The kernel updates a widget's state (a comm_msg `update`), as ipywidgets does when a trait changes. */
  const update = async (commId: string, state: Record<string, unknown>) => {
    const msg = {
      header: { msg_type: "comm_msg" },
      parent_header: {},
      content: { comm_id: commId, data: { method: "update", state, buffer_paths: [] } },
      buffers: [],
    };
    await (comms.get(commId)!.onMsg as (m: unknown) => Promise<void>)(msg);
  };
  /** An iopub message with `parentId` as its parent, through the hooks registered for it: whether it goes on to the request's future. */
  const iopub = async (parentId: string, msgType: string, content: Record<string, unknown>) => {
    const msg = {
      header: { msg_type: msgType, msg_id: `i${Math.random()}` },
      parent_header: { msg_id: parentId },
      content,
    } as unknown as KernelMessage.IIOPubMessage;
    for (const hook of [...(hooks.get(parentId) ?? [])].reverse()) if (!(await hook(msg))) return false;
    return true;
  };
  /** The kernel opens a widget's comm, as ipywidgets does when a widget is made. */
  const openWidget = async (commId: string, state: Record<string, unknown>) => {
    const msg = {
      header: { msg_type: "comm_open" },
      metadata: { version: PROTOCOL_VERSION },
      content: { comm_id: commId, target_name: WIDGET_COMM_TARGET, data: { state, buffer_paths: [] } },
      buffers: [],
    } as unknown as KernelMessage.ICommOpenMsg;
    await targets.get(WIDGET_COMM_TARGET)!(makeComm(commId, WIDGET_COMM_TARGET), msg);
  };
  return { kernel, targets, sent, hooks, openWidget, update, iopub };
}

const CONTROLS = {
  _model_module: "@jupyter-widgets/controls",
  _model_module_version: "2.0.0",
  _view_module: "@jupyter-widgets/controls",
  _view_module_version: "2.0.0",
};

/** A widget-view bundle as ipywidgets' `_repr_mimebundle_` gives it. */
const bundle = (modelId: string, plain: string) => ({ "text/plain": plain, [WIDGET_VIEW_MIME]: { model_id: modelId, version_major: 2, version_minor: 0 } });

/** The Output widget's module spec, as ipywidgets 8 opens it. */
const OUTPUT_SPEC = {
  _model_module: "@jupyter-widgets/output",
  _model_module_version: "1.0.0",
  _view_module: "@jupyter-widgets/output",
  _view_module_version: "1.0.0",
};

describe("captureOutput", () => {
  const msg = (msgType: string, content: Record<string, unknown>) => ({ header: { msg_type: msgType }, content }) as unknown as KernelMessage.IIOPubMessage;
  const stream = (name: string, text: string) => ({ output_type: "stream", name, text });
  test("capture_output_joins_stream_text_of_one_name", () => {
    let state: CapturedOutputs = { outputs: [], clearPending: false };
    state = captureOutput(state, msg("stream", { name: "stdout", text: "a" }))!;
    state = captureOutput(state, msg("stream", { name: "stdout", text: "b\n" }))!;
    state = captureOutput(state, msg("stream", { name: "stderr", text: "c" }))!;
    expect(state.outputs).toEqual([stream("stdout", "ab\n"), stream("stderr", "c")]);
  });
  test("capture_output_clear_wait_clears_at_the_next_output", () => {
    const start = { outputs: [stream("stdout", "x is 5\n")], clearPending: false };
    const waiting = captureOutput(start, msg("clear_output", { wait: true }))!;
    expect(waiting).toEqual({ outputs: start.outputs, clearPending: true });
    expect(captureOutput(waiting, msg("error", { ename: "E", evalue: "v", traceback: ["t"] }))).toEqual({
      outputs: [{ output_type: "error", ename: "E", evalue: "v", traceback: ["t"] }],
      clearPending: false,
    });
    expect(captureOutput(start, msg("clear_output", { wait: false }))).toEqual({ outputs: [], clearPending: false });
  });
  test("capture_output_leaves_non_output_messages_alone", () => {
    const state = { outputs: [], clearPending: false };
    for (const t of ["status", "comm_msg", "update_display_data", "execute_input"]) expect(captureOutput(state, msg(t, {}))).toBeNull();
    expect(captureOutput(state, msg("execute_result", { execution_count: 3, data: { "text/plain": "1" }, metadata: {} }))?.outputs).toEqual([
      { output_type: "execute_result", execution_count: 3, data: { "text/plain": "1" }, metadata: {} },
    ]);
  });
});

describe("isKnownWidgetModule", () => {
  test("shipped_modules_at_their_major_version_are_drawn", () => {
    expect(isKnownWidgetModule("@jupyter-widgets/controls", "2.0.0")).toBe(true);
    expect(isKnownWidgetModule("@jupyter-widgets/base", "^2.0.0")).toBe(true);
    expect(isKnownWidgetModule("@jupyter-widgets/controls", undefined)).toBe(true);
    expect(isKnownWidgetModule("@jupyter-widgets/output", "1.0.0")).toBe(true);
  });
  test("unknown_modules_and_other_majors_are_not", () => {
    expect(isKnownWidgetModule("bqplot", "2.0.0")).toBe(false);
    expect(isKnownWidgetModule("@jupyter-widgets/controls", "1.5.0")).toBe(false);
    expect(isKnownWidgetModule("@jupyter-widgets/output", "2.0.0")).toBe(false);
  });
  test("object_prototype_member_names_are_not_modules_issue_19", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(isKnownWidgetModule(name, undefined)).toBe(false);
    }
  });
});

describe("WidgetOutput", () => {
  test("without_a_kernel_shows_text_plain", () => {
    const { container } = render(<WidgetOutput data={bundle("abc", "IntSlider(value=3)")} />);
    const pre = container.querySelector("pre.tspy-widget-fallback")!;
    expect(pre.textContent).toBe("IntSlider(value=3)");
    expect(pre.getAttribute("data-reason")).toMatch(/no kernel/);
  });

  test("kernel_opened_slider_is_drawn_and_follows_kernel_updates", async () => {
    const k = fakeKernel();
    const manager = new TspyWidgetManager(k.kernel);
    expect(k.targets.has(WIDGET_COMM_TARGET)).toBe(true);
    await act(() => k.openWidget("slider1", { ...CONTROLS, _model_name: "IntSliderModel", _view_name: "IntSliderView", value: 3, max: 10 }));
    const { container } = render(
      <WidgetManagerContext.Provider value={manager}>
        <WidgetOutput data={bundle("slider1", "IntSlider(value=3, max=10)")} />
      </WidgetManagerContext.Provider>,
    );
    await vi.waitFor(() => expect(container.querySelector(".tspy-widget .widget-slider .widget-readout")?.textContent).toBe("3"));
    const model = await manager.get_model("slider1");
    act(() => model.set("value", 7));
    expect(container.querySelector(".widget-readout")?.textContent).toBe("7");
    // Disposing the manager (a kernel restart) closes the model: the output falls back to text.
    act(() => manager.dispose());
    await vi.waitFor(() => expect(container.querySelector(".tspy-widget-fallback")?.textContent).toBe("IntSlider(value=3, max=10)"));
    expect(k.targets.has(WIDGET_COMM_TARGET)).toBe(false);
  });

  test("unmounting_a_drawn_widget_detaches_its_view", async () => {
    const k = fakeKernel();
    const manager = new TspyWidgetManager(k.kernel);
    await act(() => k.openWidget("t1", { ...CONTROLS, _model_name: "IntTextModel", _view_name: "IntTextView", value: 5 }));
    const { container, unmount } = render(
      <WidgetManagerContext.Provider value={manager}>
        <WidgetOutput data={bundle("t1", "IntText(value=5)")} />
      </WidgetManagerContext.Provider>,
    );
    await vi.waitFor(() => expect(container.querySelector<HTMLInputElement>(".widget-text input")?.value).toBe("5"));
    const warn = vi.spyOn(console, "warn");
    // A re-run cell clears its outputs: the view goes with the output, quietly, and the model stays.
    unmount();
    expect(warn).not.toHaveBeenCalled();
    expect(manager.has_model("t1")).toBe(true);
  });

  test("output_widget_draws_its_outputs_and_their_changes", async () => {
    const k = fakeKernel();
    const manager = new TspyWidgetManager(k.kernel);
    const stream = (text: string) => ({ output_type: "stream", name: "stdout", text });
    const OUTPUT = {
      _model_module: "@jupyter-widgets/output",
      _model_module_version: "1.0.0",
      _view_module: "@jupyter-widgets/output",
      _view_module_version: "1.0.0",
    };
    await act(() => k.openWidget("o1", { ...OUTPUT, _model_name: "OutputModel", _view_name: "OutputView", outputs: [stream("one\n")] }));
    const { container } = render(
      <WidgetManagerContext.Provider value={manager}>
        <WidgetOutput data={bundle("o1", "Output()")} />
      </WidgetManagerContext.Provider>,
    );
    await vi.waitFor(() => expect(container.querySelector(".tspy-widget-output")?.textContent).toBe("one\n"));
    const model = await manager.get_model("o1");
    act(() => model.set("outputs", [stream("one\n"), stream("two\n")]));
    await vi.waitFor(() => expect(container.querySelectorAll(".tspy-widget-output .tspy-stream-stdout")).toHaveLength(2));
  });

  test("output_widget_captures_its_msg_id_requests_output_instead_of_the_cell", async () => {
    const k = fakeKernel();
    const manager = new TspyWidgetManager(k.kernel);
    await act(() => k.openWidget("o2", { ...OUTPUT_SPEC, _model_name: "OutputModel", _view_name: "OutputView", outputs: [] }));
    const { container } = render(
      <WidgetManagerContext.Provider value={manager}>
        <WidgetOutput data={bundle("o2", "Output()")} />
      </WidgetManagerContext.Provider>,
    );
    // Before `with out:` the request's output goes to the cell.
    expect(await k.iopub("exec-1", "stream", { name: "stdout", text: "before\n" })).toBe(true);
    await act(() => k.update("o2", { msg_id: "exec-1" }));
    expect(await k.iopub("exec-1", "stream", { name: "stdout", text: "inside" })).toBe(false);
    expect(await k.iopub("exec-1", "stream", { name: "stdout", text: "\n" })).toBe(false);
    expect(await k.iopub("exec-1", "display_data", { data: { "text/plain": "42" }, metadata: {} })).toBe(false);
    // Messages that are no output (the request's idle, comm messages) go on.
    expect(await k.iopub("exec-1", "status", { execution_state: "busy" })).toBe(true);
    // Another request's output is not captured.
    expect(await k.iopub("exec-2", "stream", { name: "stdout", text: "elsewhere\n" })).toBe(true);
    await vi.waitFor(() => expect(container.querySelector(".tspy-widget-output")?.textContent).toBe("inside\n42"));
    // The captured outputs are synced back to the kernel (ipywidgets' `out.outputs`).
    const synced = k.sent.filter((s) => s.commId === "o2").map((s) => s.data as { method: string; state: { outputs?: unknown[] } });
    expect(synced.find((s) => s.method === "update" && s.state.outputs)?.state.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "inside" }]);
    await act(() => k.update("o2", { msg_id: "" }));
    expect(await k.iopub("exec-1", "stream", { name: "stdout", text: "after\n" })).toBe(true);
    expect(k.hooks.get("exec-1")).toEqual([]);
    const model = await manager.get_model("o2");
    expect(model.get("outputs")).toEqual([
      { output_type: "stream", name: "stdout", text: "inside\n" },
      { output_type: "display_data", data: { "text/plain": "42" }, metadata: {} },
    ]);
  });

  test("model_of_an_unknown_module_shows_text_plain_with_the_reason", async () => {
    const k = fakeKernel();
    const manager = new TspyWidgetManager(k.kernel);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    await act(() =>
      k.openWidget("m1", { _model_module: "tspy-nowhere", _model_module_version: "1.0.0", _model_name: "M", _view_module: "tspy-nowhere", _view_name: "V" }),
    );
    const { container } = render(
      <WidgetManagerContext.Provider value={manager}>
        <WidgetOutput data={bundle("m1", "Mystery()")} />
      </WidgetManagerContext.Provider>,
    );
    await vi.waitFor(() => expect(container.querySelector(".tspy-widget-fallback")?.textContent).toBe("Mystery()"));
    expect(container.querySelector(".tspy-widget-fallback")?.getAttribute("data-reason")).toMatch(/tspy-nowhere/);
  });

  test("button_click_output_goes_to_the_views_cell", async () => {
    const k = fakeKernel();
    const outputs: [string | null, string][] = [];
    const manager = new TspyWidgetManager(k.kernel, (cellId, msg) => outputs.push([cellId, msg.header.msg_type]));
    await act(() => k.openWidget("b1", { ...CONTROLS, _model_name: "ButtonModel", _view_name: "ButtonView", description: "Go" }));
    const { container } = render(
      <div data-cell-id="cell-7">
        <WidgetManagerContext.Provider value={manager}>
          <WidgetOutput data={bundle("b1", "Button(description='Go')")} />
        </WidgetManagerContext.Provider>
      </div>,
    );
    await vi.waitFor(() => expect(container.querySelector("button.widget-button")?.textContent).toBe("Go"));
    fireEvent.click(container.querySelector("button.widget-button")!);
    const click = k.sent.find((s) => s.commId === "b1" && (s.data as { method?: string }).method === "custom");
    expect(click?.data).toEqual({ method: "custom", content: { event: "click" } });
    const stream = { header: { msg_type: "stream" }, content: { name: "stdout", text: "clicked\n" } } as unknown as KernelMessage.IIOPubMessage;
    click!.future.onIOPub!(stream);
    expect(outputs).toEqual([["cell-7", "stream"]]);
  });
});
