// ipywidgets in the app: a widget manager per kernel connection (comms over @jupyterlab/services,
// models and views from @jupyter-widgets/base and /controls) and the view of a widget-view MIME bundle.
// Knows kernels and the widget protocol (2.x); knows nothing of the notebook model or cell state.
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { Kernel, KernelMessage } from "@jupyterlab/services";
import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import type { JSONObject } from "@lumino/coreutils";
import { Widget } from "@lumino/widgets";
import { createRoot, type Root } from "react-dom/client";
import "@jupyter-widgets/controls/css/widgets.css";
import type { Output } from "./model";

/** The MIME type of a widget view (`{model_id, version_major, version_minor}`), as ipywidgets' `_repr_mimebundle_` gives it. */
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";

/** The comm target through which the kernel opens one comm per widget model (widget protocol 2.x). */
export const WIDGET_COMM_TARGET = "jupyter.widget";

/** The widget model modules the app ships, with the major version of their model/view spec. */
export const KNOWN_WIDGET_MODULES: Readonly<Record<string, string>> = {
  "@jupyter-widgets/base": base.JUPYTER_WIDGETS_VERSION.split(".")[0],
  // JUPYTER_CONTROLS_VERSION of @jupyter-widgets/controls 5 (loaded on first use, so not read here).
  "@jupyter-widgets/controls": "2",
  "@jupyter-widgets/output": "1",
};

/** The Output widget's module (ipywidgets' `Output`, model spec 1.0.0). */
const OUTPUT_MODULE = "@jupyter-widgets/output";

/** The outputs of an Output widget and whether a `clear_output(wait=True)` waits for the next output. */
export interface CapturedOutputs {
  outputs: Output[];
  clearPending: boolean;
}

/**
 * Applies one captured iopub message to an Output widget's outputs (JupyterLab's OutputModel.add):
 * stream (consecutive text of one stream name joined), display_data, execute_result and error are
 * appended, after a pending clear; clear_output empties them now, or at the next output when `wait`.
 * @param state the outputs so far.
 * @param msg an iopub message whose parent is the widget's `msg_id`.
 * @returns the new state, or null when the message is not one an Output widget captures (status,
 * comm messages, update_display_data, execute_input) and must go on to its usual handler.
 */
export function captureOutput(state: CapturedOutputs, msg: KernelMessage.IIOPubMessage): CapturedOutputs | null {
  const add = (output: Output): CapturedOutputs => {
    const outputs = state.clearPending ? [] : state.outputs.slice();
    const last = outputs[outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name)
      outputs[outputs.length - 1] = { ...last, text: String(last.text) + String(output.text) };
    else outputs.push(output);
    return { outputs, clearPending: false };
  };
  switch (msg.header.msg_type) {
    case "stream": {
      const c = msg.content as KernelMessage.IStreamMsg["content"];
      return add({ output_type: "stream", name: c.name, text: c.text });
    }
    case "display_data": {
      const c = msg.content as KernelMessage.IDisplayDataMsg["content"];
      return add({ output_type: "display_data", data: c.data, metadata: c.metadata });
    }
    case "execute_result": {
      const c = msg.content as KernelMessage.IExecuteResultMsg["content"];
      return add({ output_type: "execute_result", execution_count: c.execution_count, data: c.data, metadata: c.metadata });
    }
    case "error": {
      const c = msg.content as KernelMessage.IErrorMsg["content"];
      return add({ output_type: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback });
    }
    case "clear_output":
      return (msg.content as KernelMessage.IClearOutputMsg["content"]).wait ? { ...state, clearPending: true } : { outputs: [], clearPending: false };
    default:
      return null;
  }
}

/**
 * The model of ipywidgets' `Output` widget: its `outputs` (nbformat output dicts) come from the
 * kernel's state (`out.append_stdout(...)`, `out.append_display_data(...)`, `out.outputs = ...`,
 * `out.clear_output()`), and, while the kernel sets `msg_id` (`with out:`, `interact`), from the
 * output messages of that request: those are captured here (a message hook on the kernel
 * connection, as JupyterLab's OutputModel does) and so never reach the cell; the outputs are
 * synced back to the kernel.
 */
export class OutputWidgetModel extends base.DOMWidgetModel {
  private clearPending = false;
  private hookedMsgId = "";
  private readonly hook = (msg: KernelMessage.IIOPubMessage): boolean => {
    const outputs = this.get("outputs") as Output[] | undefined;
    const next = captureOutput({ outputs: Array.isArray(outputs) ? outputs : [], clearPending: this.clearPending }, msg);
    if (!next) return true;
    this.clearPending = next.clearPending;
    this.set("outputs", next.outputs);
    this.save_changes();
    return false;
  };

  /** Follows `msg_id`: the output of the request it names is captured while it is set. */
  override initialize(attributes: Backbone.ObjectHash, options: base.IBackboneModelOptions): void {
    super.initialize(attributes, options);
    this.listenTo(this, "change:msg_id", () => this.followMsgId());
    this.listenTo(this, "destroy", () => this.unhook());
    this.followMsgId();
  }

  private kernel(): Kernel.IKernelConnection | null {
    return this.widget_manager instanceof TspyWidgetManager ? this.widget_manager.kernel : null;
  }

  private unhook(): void {
    if (this.hookedMsgId) this.kernel()?.removeMessageHook(this.hookedMsgId, this.hook);
    this.hookedMsgId = "";
  }

  private followMsgId(): void {
    this.unhook();
    const msgId = String(this.get("msg_id") ?? "");
    const kernel = this.kernel();
    if (!msgId || !kernel || kernel.isDisposed) return;
    this.hookedMsgId = msgId;
    kernel.registerMessageHook(msgId, this.hook);
  }

  /** ipywidgets' defaults for the Output model, spec 1.0.0. */
  override defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: "OutputModel",
      _model_module: OUTPUT_MODULE,
      _model_module_version: "1.0.0",
      _view_name: "OutputView",
      _view_module: OUTPUT_MODULE,
      _view_module_version: "1.0.0",
      msg_id: "",
      outputs: [],
    };
  }
}

/** The view of an {@link OutputWidgetModel}: its outputs drawn by the app's own output area. */
export class OutputWidgetView extends base.DOMWidgetView {
  private root: Root | null = null;

  /** Draws the outputs, and again whenever the kernel changes them. */
  override render(): void {
    this.el.classList.add("jupyter-widgets", "widget-output", "tspy-widget-output");
    const root = createRoot(this.el);
    this.root = root;
    // outputs.tsx draws widget bundles with this module: imported here at run time, not at load time.
    void import("./outputs").then(({ OutputArea }) => {
      const draw = () => {
        const outputs = this.model.get("outputs") as Output[] | undefined;
        // Widgets displayed inside the Output widget are drawn by the same manager.
        const manager = this.model.widget_manager instanceof TspyWidgetManager ? this.model.widget_manager : null;
        if (this.root === root)
          root.render(
            <WidgetManagerContext.Provider value={manager}>
              <OutputArea outputs={Array.isArray(outputs) ? outputs : []} />
            </WidgetManagerContext.Provider>,
          );
      };
      draw();
      this.listenTo(this.model, "change:outputs", draw);
    });
  }

  /** Unmounts the output area, then removes the view. */
  override remove(): this {
    const root = this.root;
    this.root = null;
    // React cannot unmount a root while it renders (this may run inside the app's own commit).
    if (root) queueMicrotask(() => root.unmount());
    return super.remove();
  }
}

/**
 * Whether the app can draw models of this module at this version: a module of {@link KNOWN_WIDGET_MODULES}
 * with the same major version (a missing version is taken as matching).
 * @param moduleName `_model_module` or `_view_module` of a widget model.
 * @param moduleVersion the matching `*_module_version` (semver or range, e.g. "2.0.0", "^2.0.0", "*").
 */
export function isKnownWidgetModule(moduleName: string, moduleVersion: string | undefined): boolean {
  // Own properties only: a module name such as `constructor` is not a known module.
  const major = Object.hasOwn(KNOWN_WIDGET_MODULES, moduleName) ? KNOWN_WIDGET_MODULES[moduleName] : undefined;
  if (major === undefined) return false;
  const given = /\d+/.exec(moduleVersion ?? "")?.[0];
  return given === undefined || given === major;
}

/**
 * Where a widget's output goes: stream/display_data/execute_result/error messages that the kernel sends in
 * answer to a view's comm message (a Button's on_click printing), with the id of the cell that holds
 * the view (its `data-cell-id` ancestor), or null when the view sits outside any cell.
 */
export type WidgetOutputSink = (cellId: string | null, msg: KernelMessage.IIOPubMessage) => void;

/** A model class or a view class, as {@link TspyWidgetManager.loadClass} resolves them. */
type WidgetClass = typeof base.WidgetModel | typeof base.WidgetView;

/**
 * ipywidgets' widget manager for one live kernel connection (after ipywidgets' "web" examples and
 * voila): the kernel's `jupyter.widget` comms become models, models become Backbone/Lumino views.
 * Models of unknown modules become ipywidgets' error models; {@link WidgetOutput} shows those as text.
 */
export class TspyWidgetManager extends ManagerBase {
  /** The kernel connection whose comms this manager follows (Output widgets hook its messages). */
  readonly kernel: Kernel.IKernelConnection;
  private readonly onOutput: WidgetOutputSink;
  private readonly modelPromises: Promise<base.WidgetModel>[] = [];
  private disposedFlag = false;
  private restoring: Promise<void> | null = null;
  private readonly onCommOpen = (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): Promise<void> =>
    this.handle_comm_open(new base.shims.services.Comm(comm), msg).then(
      () => undefined,
      (e: unknown) => console.warn("widget comm_open failed:", e),
    );

  /**
   * Registers the `jupyter.widget` comm target on the kernel connection.
   * @param kernel the kernel connection (of a session); the manager sends and receives comms over it.
   * @param onOutput receives output messages caused by views' comm messages (see {@link WidgetOutputSink}).
   */
  constructor(kernel: Kernel.IKernelConnection, onOutput: WidgetOutputSink = () => undefined) {
    super();
    this.kernel = kernel;
    this.onOutput = onOutput;
    kernel.registerCommTarget(WIDGET_COMM_TARGET, this.onCommOpen);
  }

  /** Whether {@link dispose} has run. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Asks the kernel for the widgets it already holds (the `jupyter.widget.control` comm, or comm_info
   * for older kernels) and makes their models, so that a reopened page draws live widgets again.
   * Never rejects: a kernel without widgets or one that does not answer leaves the manager empty.
   * The same promise is {@link restored}.
   */
  restoreFromKernel(): Promise<void> {
    this.restoring ??= this._loadFromKernel().catch((e: unknown) => console.warn("could not restore widgets from the kernel:", e));
    return this.restoring;
  }

  /** Settles when {@link restoreFromKernel} has finished (at once when it never ran). */
  get restored(): Promise<void> {
    return this.restoring ?? Promise.resolve();
  }

  /**
   * Forgets the kernel: unregisters the comm target and closes every model without telling the
   * kernel (used when the kernel restarts or the session ends, where the kernel's comms are gone).
   * Views of closed models are removed from the page.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.kernel.removeCommTarget(WIDGET_COMM_TARGET, this.onCommOpen);
    for (const p of this.modelPromises)
      void p.then(
        (m) => m.close(true),
        () => undefined,
      );
  }

  /** Records every model so that {@link dispose} can close them; see ManagerBase.register_model. */
  override register_model(model_id: string, modelPromise: Promise<base.WidgetModel>): void {
    this.modelPromises.push(modelPromise);
    super.register_model(model_id, modelPromise);
    // A model restored after dispose() belongs to a kernel the page no longer follows.
    if (this.disposedFlag)
      void modelPromise.then(
        (m) => m.close(true),
        () => undefined,
      );
  }

  /**
   * Callbacks for a view's comm messages: their output messages (stream, display_data, execute_result,
   * error) go to the cell that holds the view
   * (IPython's classic notebook does the same), through the manager's {@link WidgetOutputSink}.
   * @param view the view that sends, if any.
   */
  override callbacks(view?: base.WidgetView): base.ICallbacks {
    const cellOf = () => (view?.el instanceof Element ? (view.el.closest("[data-cell-id]")?.getAttribute("data-cell-id") ?? null) : null);
    const forward = (msg: KernelMessage.IIOPubMessage) => this.onOutput(cellOf(), msg);
    // Not clear_output: the view itself is one of the cell's outputs.
    return { iopub: { output: forward } };
  }

  /**
   * Resolves a model or view class of a module the app ships.
   * @throws Error when the module is not one of {@link KNOWN_WIDGET_MODULES} at a matching major
   * version, or has no such class (ManagerBase turns this into an error model).
   */
  protected async loadClass(className: string, moduleName: string, moduleVersion: string): Promise<WidgetClass> {
    if (!isKnownWidgetModule(moduleName, moduleVersion)) throw new Error(`widget module ${moduleName}@${moduleVersion} is not available in tspy's app`);
    const module: Record<string, unknown> =
      moduleName === "@jupyter-widgets/base"
        ? base
        : moduleName === OUTPUT_MODULE
          ? { OutputModel: OutputWidgetModel, OutputView: OutputWidgetView }
          : await import("@jupyter-widgets/controls");
    const cls = Object.hasOwn(module, className) ? module[className] : undefined;
    if (typeof cls !== "function") throw new Error(`widget class ${className} not found in ${moduleName}@${moduleVersion}`);
    return settlingView(cls as WidgetClass);
  }

  /** Opens a comm to the kernel (for widgets made on the page, and the control comm). */
  protected async _create_comm(
    comm_target_name: string,
    model_id?: string,
    data?: JSONObject,
    metadata?: JSONObject,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): Promise<base.IClassicComm> {
    const comm = this.kernel.createComm(comm_target_name, model_id);
    if (data || metadata) comm.open(data ?? {}, metadata, buffers);
    return new base.shims.services.Comm(comm);
  }

  /** The kernel's open `jupyter.widget` comms: comm id -> `{target_name}`; empty when the kernel says no. */
  protected async _get_comm_info(): Promise<Record<string, unknown>> {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }
}

/** The creation promises of a container view's children (ipywidgets' ViewList `children_views`), or none. */
function childViewPromises(view: object): Promise<unknown>[] {
  const list = (view as { children_views?: { views?: Promise<unknown>[] } | null }).children_views;
  return list?.views ?? [];
}

/** View classes already wrapped by {@link settlingView}. */
const settlingViews = new WeakMap<WidgetClass, WidgetClass>();

/**
 * `cls`, or for a DOM view class a subclass whose `remove()` waits for the children views it is still
 * making: a container view (a Box, interact's VBox) removed while ipywidgets makes its children
 * would insert them into its disposed Lumino panel and reject with "Cannot read properties of null
 * (reading 'widgets')" (@jupyter-widgets/controls BoxView.add_child_model). Views without children
 * are removed at once, as before; a container is taken out of the page at once and disposed later.
 */
function settlingView(cls: WidgetClass): WidgetClass {
  if (!(cls.prototype instanceof base.DOMWidgetView)) return cls;
  let wrapped = settlingViews.get(cls);
  if (!wrapped) {
    const View = cls as unknown as typeof base.DOMWidgetView;
    wrapped = class SettlingView extends View {
      override remove(): unknown {
        const pending = childViewPromises(this);
        if (pending.length === 0) return super.remove();
        // Out of the page now (Lumino detaches only a node that is still in it), disposed once the
        // children are made.
        const widget = this.luminoWidget;
        if (!widget.parent && widget.isAttached && widget.node.isConnected) Widget.detach(widget);
        void Promise.allSettled(pending).then(() => super.remove());
        return this;
      }
    } as unknown as WidgetClass;
    settlingViews.set(cls, wrapped);
  }
  return wrapped;
}

/** The widget manager of the open notebook's kernel, or null when there is no kernel. */
export const WidgetManagerContext = createContext<TspyWidgetManager | null>(null);

/**
 * One widget manager per kernel process: made when a kernel connection appears, made anew when
 * `generation` changes (a restart: the kernel's comms are gone), disposed when the kernel goes.
 * A new manager asks the kernel for widgets it already holds (a page reopened on a running kernel).
 * @param kernel the session's kernel connection, or null.
 * @param generation a number that changes with every kernel process (start, restart, auto-restart).
 * @param onOutput where views' output messages go (see {@link WidgetOutputSink}); the latest one is used.
 * @returns the current manager, or null without a kernel.
 */
export function useWidgetManager(kernel: Kernel.IKernelConnection | null, generation: number, onOutput: WidgetOutputSink): TspyWidgetManager | null {
  const [manager, setManager] = useState<TspyWidgetManager | null>(null);
  const sink = useRef(onOutput);
  // eslint-disable-next-line react-hooks/refs -- the latest-callback ref, read only by the manager's output handler
  sink.current = onOutput;
  useEffect(() => {
    if (!kernel || kernel.isDisposed) {
      setManager(null);
      return;
    }
    const made = new TspyWidgetManager(kernel, (cellId, msg) => sink.current(cellId, msg));
    void made.restoreFromKernel();
    setManager(made);
    return () => made.dispose();
  }, [kernel, generation]);
  return manager;
}

/**
 * Why a model cannot be drawn, or null when it can: models that ipywidgets made as error models
 * (their class failed to load) or whose view module the app does not ship.
 * @param model a model of the manager.
 */
export function unrenderableReason(model: base.WidgetModel): string | null {
  if (model.get("_view_name") === "ErrorWidgetView") {
    const error: unknown = model.get("error");
    return `${String(model.get("msg"))}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const viewModule = String(model.get("_view_module") ?? "");
  const viewVersion = String(model.get("_view_module_version") ?? "");
  const modelModule = String(model.get("_model_module") ?? "");
  const modelVersion = String(model.get("_model_module_version") ?? "");
  if (!isKnownWidgetModule(modelModule, modelVersion)) return `widget model ${modelModule}@${modelVersion} is not available in tspy's app`;
  if (!isKnownWidgetModule(viewModule, viewVersion)) return `widget view ${viewModule}@${viewVersion} is not available in tspy's app`;
  return null;
}

/**
 * A widget-view MIME bundle drawn as the live widget: the model (by `model_id`) from the context's
 * manager, a new view attached with Lumino. Without a manager, a model the kernel no longer holds, or
 * a model of a module the app does not ship, it shows the bundle's text/plain instead (the reason in
 * `title` and `data-reason`).
 * @param props.data the bundle (holds {@link WIDGET_VIEW_MIME}, usually text/plain too).
 */
export function WidgetOutput({ data }: { data: Record<string, unknown> }) {
  const manager = useContext(WidgetManagerContext);
  const ref = useRef<HTMLDivElement>(null);
  const spec = data[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
  const modelId = typeof spec?.model_id === "string" ? spec.model_id : null;
  const [fallback, setFallback] = useState<string | null>(null);
  // A layout effect: its cleanup runs while the view's node is still in the page, where Lumino
  // can detach it (an output cleared by a re-run cell unmounts this component).
  useLayoutEffect(() => {
    setFallback(null);
    if (!modelId) return setFallback("the bundle names no widget model");
    if (!manager || manager.isDisposed) return setFallback("no kernel: widgets need a live kernel");
    let cancelled = false;
    let view: base.DOMWidgetView | null = null;
    const onDestroy = () => {
      if (!cancelled) setFallback("the widget was closed");
    };
    let model: base.WidgetModel | null = null;
    (async () => {
      // A model may still be on its way from the kernel (a reopened page restores them).
      const find = () => manager.get_model(modelId);
      model = await find()
        .catch(async () => {
          await manager.restored;
          return find();
        })
        .catch(() => {
          throw new Error("the kernel holds no such widget (run the cell again)");
        });
      const reason = unrenderableReason(model);
      if (reason) throw new Error(reason);
      const made = (await manager.create_view(model, {})) as base.DOMWidgetView;
      if (cancelled || !ref.current) {
        made.remove();
        return;
      }
      view = made;
      model.once("destroy", onDestroy);
      Widget.attach(made.luminoWidget, ref.current);
    })().catch((e: unknown) => {
      if (!cancelled) setFallback(e instanceof Error ? e.message : String(e));
    });
    return () => {
      cancelled = true;
      (model as base.WidgetModel | null)?.off("destroy", onDestroy);
      try {
        (view as base.DOMWidgetView | null)?.remove();
      } catch (e) {
        console.warn("could not remove a widget view:", e);
      }
    };
  }, [manager, modelId]);
  if (fallback !== null) {
    const plain = data["text/plain"];
    const text = plain === undefined ? "[widget]" : Array.isArray(plain) ? plain.join("") : String(plain);
    return (
      <pre className="tspy-plain tspy-widget-fallback" title={fallback} data-reason={fallback}>
        {text}
      </pre>
    );
  }
  return <div className="tspy-widget" ref={ref} data-model-id={modelId ?? ""} />;
}
