// The executor's embedded CPython: starts it, wires its streams, stdin, comms and display to the
// executor's channel, runs %%python cells and answers what the executor asks of Python. Every
// bridge call of the executor about Python goes through here; knows nothing of Jupyter's wire.
import * as path from "node:path";
import * as bridge from "../../bridge/lib/index";
import { namedError, pythonErrorContent } from "../protocol/error-content";
import type { ExecutorChannel } from "./channel";
import type { CommAttachments } from "./comms";
import type { VariableInfo } from "./magics";
import type { CellOutcome, MimeBundle } from "./messages";

/** Folder of tspy_cell.py and the other helpers (kept in the source tree; this file runs from dist/kernel/executor). */
const PYTHON_HELPERS = path.resolve(__dirname, "..", "..", "..", "kernel", "executor");

/** What {@link PythonSide.start} gives: the running side, or null with the reason it did not start. */
export interface PythonStart {
  side: PythonSide | null;
  /** Python's version, e.g. "3.11.9"; null when it did not start. */
  version: string | null;
  /** Why Python did not start (a stack), or null. */
  error: string | null;
}

/**
 * A comm message's buffers (a Python list of byte memoryviews, tspy_comms._frames) as Uint8Arrays
 * over Python's own memory (`getBuffer` with `readOnly: "share"`: the memory is immutable bytes),
 * ready to be transferred; `release()` gives the views back once they were posted.
 */
function sharedFrames(list: bridge.PyProxy): { bytes: Uint8Array[]; release(): void } {
  const items = bridge.tspy.toJS(list) as bridge.PyProxy[];
  const views = items.map((item) => bridge.tspy.getBuffer(item, { readOnly: "share" }));
  return {
    bytes: views.map(({ data }) => new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    release: () => {
      for (const view of views) view.release();
      for (const item of items) bridge.tspy.destroy(item);
    },
  };
}

/** The embedded Python as the executor uses it (see the file comment). */
export class PythonSide {
  private constructor(
    private readonly cell: bridge.PyProxy,
    /** The tspy_display module (kernel/display): MIME bundles, display messages, figures. */
    private readonly display: bridge.PyProxy,
    /** The tspy_introspect module: jedi completion, inspection, %who, stdin and comms. */
    readonly introspect: bridge.PyProxy,
  ) {}

  /**
   * Starts CPython and wires `py`, `tspy`, Python's streams (fds 1 and 2 become the channel's
   * captured pipes), input(), comms and display to `channel`. Never throws: on failure TS cells
   * still run and Python cells report why.
   * @param declared the names TS cells declared (Python's `ts` namespace lists and extends them).
   */
  static start(channel: ExecutorChannel, declared: Set<string>): PythonStart {
    try {
      const py = bridge.initialize();
      const sys = bridge.tspy.import("sys");
      sys.path.insert(0, PYTHON_HELPERS);
      sys.path.insert(0, path.join(PYTHON_HELPERS, "..", "display"));
      const cell = bridge.tspy.import("tspy_cell");
      const fds = bridge.tspy.toJS(bridge.tspy.import("tspy_streams").capture()) as [number, number, number, number];
      channel.useCapturedFds();
      channel.post({ kind: "captured", stdout: fds[0], stderr: fds[1], savedStdout: fds[2], savedStderr: fds[3] });
      const introspect = bridge.tspy.import("tspy_introspect");
      introspect.install_stdin((prompt: string, password: boolean) => channel.requestInput(prompt, password));
      introspect.install_comms(
        (msgType: "comm_open" | "comm_msg" | "comm_close" | "error", content: bridge.PyProxy, metadata: bridge.PyProxy | null, buffers: bridge.PyProxy) => {
          const frames = sharedFrames(buffers);
          try {
            const meta = metadata === null ? undefined : (bridge.tspy.toJS(metadata) as Record<string, unknown>);
            channel.publish(msgType, bridge.tspy.toJS(content) as Record<string, unknown>, { metadata: meta, buffers: frames.bytes });
          } finally {
            frames.release();
          }
        },
        () => channel.current.parentHeader,
      );
      const display = bridge.tspy.import("tspy_display");
      display.install((msgType: "display_data" | "update_display_data" | "clear_output", json: string) =>
        channel.publish(msgType, JSON.parse(json) as Record<string, unknown>),
      );
      const g = globalThis as Record<string, unknown>;
      bridge.setTsNamespace({
        get: (name) => g[name],
        set: (name, value) => {
          g[name] = value;
          declared.add(name);
        },
        keys: () => [...declared],
      });
      Object.assign(g, { py, tspy: bridge.tspy, PythonError: bridge.PythonError });
      const version = String(bridge.tspy.import("platform").python_version());
      return { side: new PythonSide(cell, display, introspect), version, error: null };
    } catch (e) {
      return { side: null, version: null, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }

  /**
   * Runs a %%python cell through tspy_cell.run_cell (IPython's InteractiveShell in `__main__`).
   * @param source the code, magic lines blanked so line numbers stay the cell's.
   * @param cellName names the code in tracebacks (`cell-N.py`); `executionCount` numbers `Out`/`_N`.
   */
  runCell(source: string, cellName: string, executionCount: number): CellOutcome {
    const reply = this.cell.run_cell(source, `${cellName}.py`, executionCount);
    let r: { status: string; data?: MimeBundle | null };
    try {
      r = bridge.tspy.toJS(reply) as typeof r;
    } finally {
      bridge.tspy.destroy(reply);
    }
    if (r.status === "error") return { status: "error", error: pythonErrorContent(r) };
    return { status: "ok", result: r.data ? { data: r.data, metadata: {} } : null };
  }

  /** IPython's is_complete for the Python code of a cell: [status, indent]. */
  isComplete(code: string): ["complete" | "incomplete" | "invalid", string] {
    const r = this.cell.is_complete(code);
    try {
      return bridge.tspy.toJS(r) as ["complete" | "incomplete" | "invalid", string];
    } finally {
      bridge.tspy.destroy(r);
    }
  }

  /** The MIME bundle of a Python object (IPython's display protocol and tspy's views). */
  mimeBundle(value: unknown): MimeBundle {
    return JSON.parse(this.display.mime_bundle_json(value)) as MimeBundle;
  }

  /** Whether Keras training shows its live chart (tspy_display.live_plot). */
  get livePlot(): boolean {
    return Boolean(this.display.live_plot);
  }
  set livePlot(on: boolean) {
    this.display.live_plot = on;
  }

  /** After every cell: open matplotlib figures are shown and closed; display messages queued by Python threads are sent. */
  afterCell(): void {
    this.display.after_cell();
  }

  /** The rows of Python's `__main__` variables (%who, the variables panel). */
  variables(): VariableInfo[] {
    const list = this.introspect.who();
    try {
      return (bridge.tspy.toJS(list) as [string, string, string, string, number | null][]).map(([name, type, shape, dtype, size]) => ({
        name,
        language: "Python",
        type,
        shape,
        dtype,
        size,
      }));
    } finally {
      bridge.tspy.destroy(list);
    }
  }

  /** [type, shape, dtype, size in bytes] of one Python object seen from TypeScript. */
  describe(value: unknown): [string, string, string, number | null] {
    return bridge.tspy.toJS(this.introspect.describe_value(value)) as [string, string, string, number | null];
  }

  /** Delivers a frontend's comm message to Python's comm manager; @returns whether Python knows the comm (or target). */
  commIncoming(msgType: string, content: Record<string, unknown>, attachments: CommAttachments): boolean {
    return Boolean(this.introspect.comm_incoming(msgType, content, attachments.metadata ?? null, attachments.buffers ?? []));
  }

  /** {comm_id: target_name} of the comms Python has open. */
  commList(): Record<string, string> {
    return bridge.tspy.toJS(this.introspect.comm_list()) as Record<string, string>;
  }

  /**
   * Asks tspy_stubs.py for TypeScript declarations of the modules a TS cell names in
   * `tspy.import("...")` (or the older `py.import("...")`): read from the disk cache, or generated
   * on a Python background thread, so the cell's reply is not delayed.
   */
  declareModules(code: string): void {
    for (const m of code.matchAll(/\b(?:tspy|py)\.import\(\s*["']([\w.]+)["']\s*\)/g)) bridge.tspy.import("tspy_stubs").request(m[1]);
  }

  /**
   * The declarations finished since last time, after waiting up to `waitMs` for those still being
   * generated (the GIL is released while waiting): per module, [file name, text] chunks.
   */
  takeDeclarations(waitMs: number): [string, string][][] {
    const stubs = bridge.tspy.import("tspy_stubs");
    if (waitMs > 0) stubs.wait(waitMs / 1000);
    const ready = stubs.take_ready();
    try {
      return (bridge.tspy.toJS(ready) as [string, [string, string][]][]).map(([, chunks]) => chunks);
    } finally {
      bridge.tspy.destroy(ready);
    }
  }

  /** Sets an environment variable in Python's os.environ (%env). */
  setEnv(name: string, value: string): void {
    bridge.tspy.setItem(bridge.tspy.import("os").environ, name, value);
  }

  /** The embedded interpreter's executable (sys.executable), for %pip. */
  executable(): string {
    return String(bridge.tspy.import("sys").executable);
  }

  /** Lets imports see packages installed meanwhile (importlib.invalidate_caches). */
  invalidateImportCaches(): void {
    bridge.tspy.import("importlib").invalidate_caches();
  }

  /** Evaluates a Python expression in `__main__` (user_expressions of a Python cell). */
  eval(expression: string): unknown {
    return bridge.tspy.eval(expression);
  }

  /** Python's exit work (atexit handlers; files left open are flushed and closed: tspy_streams.shutdown). */
  shutdown(): void {
    bridge.tspy.import("tspy_streams").shutdown();
  }
}

/** Error content of a Python cell when the embedded Python did not start: `why` is its start error. */
export function pythonUnavailable(why: string | null): CellOutcome {
  return { status: "error", error: namedError("PythonUnavailable", "the embedded Python did not start", (why ?? "").split("\n")) };
}
