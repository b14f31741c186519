// MIME bundles for TypeScript values and the display API of TS cells (`display`, `updateDisplay`,
// `clearOutput`). Knows the content of display_data / update_display_data / clear_output
// (Jupyter messaging spec); nothing of sockets, threads or how Python objects are rendered.
import * as fs from "node:fs";
import * as path from "node:path";
import * as util from "node:util";
import type { BufferData } from "../../bridge/lib/index";
import { DTYPE_TABLE } from "../contracts/dtypes";
import { vegaLiteToSvg } from "./vega-render";

/** A MIME bundle: MIME type -> data (strings; JSON for `application/json` and `+json` types). */
export type MimeBundle = Record<string, unknown>;

/** The symbol a value implements to render itself (Deno's kernel convention): `[Symbol.for("Jupyter.display")]() => MimeBundle`. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Options of {@link DisplayFunction}. */
export interface DisplayOptions {
  /** Binds the output to this id so that {@link DisplayApi.updateDisplay} can replace it; `true` makes a new id. */
  display_id?: string | true;
  /** The display_data `metadata` (per-MIME-type metadata, e.g. `{ "image/png": { width: 200 } }`). */
  metadata?: Record<string, unknown>;
}

/** What the display API needs from its host (the executor): a publisher and Python's renderer. */
export interface DisplayHost {
  /** Publishes one iopub message of `msgType` with `content` for the cell that is running. */
  post(msgType: "display_data" | "update_display_data" | "clear_output", content: Record<string, unknown>): void;
  /** The MIME bundle of a Python object (a PyProxy), or null when `value` is not one. */
  pythonBundle(value: unknown): MimeBundle | null;
}

/** A handle on a display output: `update(value)` replaces it in place. */
export interface DisplayHandle {
  readonly display_id: string;
  /** Replaces every output bound to this display_id with `value`'s bundle. */
  update(value: unknown): void;
}

/** `display(value, options)`: shows `value`'s MIME bundle now, as display_data; plus one helper per MIME type. */
export interface DisplayFunction {
  /** Shows `value` (see {@link mimeBundleOf}); returns a handle when `options.display_id` is given. */
  (value: unknown, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows an HTML fragment (text/html). */
  html(html: string, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows Markdown (text/markdown). */
  markdown(markdown: string, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows an SVG document (image/svg+xml). */
  svg(svg: string, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows PNG bytes, or a base64 string of them (image/png). */
  png(png: Uint8Array | string, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows JPEG bytes, or a base64 string of them (image/jpeg). */
  jpeg(jpeg: Uint8Array | string, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows a JSON value (application/json), with its pretty-printed text as text/plain. */
  json(value: unknown, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows LaTeX (text/latex), e.g. `"$$e^{i\\pi} + 1 = 0$$"`. */
  latex(latex: string, options?: DisplayOptions): DisplayHandle | undefined;
  /**
   * Shows a Vega-Lite v5 spec (application/vnd.vegalite.v5+json) with its static fallback, an
   * image/svg+xml rendered in the kernel by vega (see vega-render.ts), for nbconvert, GitHub and VS Code.
   * @throws Error when vega cannot compile or render the spec.
   */
  vegalite(spec: Record<string, unknown>, options?: DisplayOptions): DisplayHandle | undefined;
  /** Shows a ready MIME bundle as it is. */
  bundle(bundle: MimeBundle, options?: DisplayOptions): DisplayHandle | undefined;
  /** Whether `keras.Model.fit` shows a live training chart (Python's `tspy_display.live_plot`). */
  livePlot: boolean;
}

/** The display API installed as globals of the TS cells. */
export interface DisplayApi {
  display: DisplayFunction;
  /** Replaces the outputs bound to `display_id` with `value`'s bundle (update_display_data). */
  updateDisplay(display_id: string, value: unknown, options?: Omit<DisplayOptions, "display_id">): void;
  /** Clears the cell's output; with `wait: true` only when the next output arrives. */
  clearOutput(options?: { wait?: boolean }): void;
  /** The MIME bundle of any value (what a cell's result shows). @throws TypeError when its display method is async (see mimeBundleAsync). */
  mimeBundle(value: unknown): MimeBundle;
  /** {@link mimeBundle}, awaiting an async `[Symbol.for("Jupyter.display")]()` (as Deno's kernel does for a cell's result). */
  mimeBundleAsync(value: unknown): Promise<MimeBundle>;
}

/** Every TypedArray kind a cell can display: the bridge's buffer kinds plus Uint8ClampedArray. */
type TypedArray = BufferData | Uint8ClampedArray;

/**
 * numpy dtype names of the TypedArray kinds, keyed by constructor name (also used by %who): the
 * TS -> Python rows of the dtype table (kernel/contracts/dtypes.ts). A null-prototype object: a
 * name such as `constructor` finds nothing.
 */
export const DTYPES: Readonly<Record<string, string>> = Object.assign(
  Object.create(null) as Record<string, string>,
  Object.fromEntries(DTYPE_TABLE.filter((r) => r.direction !== "python-to-ts").map((r) => [r.kind, r.dtype])),
);

/** The tensor view's limits, shared with Python's view (tspy_display/tensor_view.py): one JSON file, read by both. */
interface TensorLimits {
  stats_sample_limit: number;
  table_limit: number;
  table_side_limit: number;
  grid_limit: number;
}
const LIMITS = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "kernel", "display", "tspy_display", "tensor_limits.json"), "utf8"),
) as TensorLimits;

/** TypedArrays with more elements than this get their statistics from a strided sample (Python's STATS_SAMPLE_LIMIT). */
export const STATS_SAMPLE_LIMIT = LIMITS.stats_sample_limit;
/** Tensors with at most this many elements (and at most {@link TABLE_SIDE_LIMIT} per axis, 2 axes) show every value (Python's TABLE_LIMIT). */
export const TABLE_LIMIT = LIMITS.table_limit;
/** The most elements along one axis of a tensor that shows every value (Python's TABLE_SIDE_LIMIT). */
export const TABLE_SIDE_LIMIT = LIMITS.table_side_limit;

/**
 * Whether the tensor view of a tensor of `shape` (elements per axis) lists every value: at most
 * {@link TABLE_LIMIT} elements, at most 2 axes, at most {@link TABLE_SIDE_LIMIT} along each
 * (the rule of Python's `tspy_display.shows_every_value`, with the same limits).
 */
export function showsEveryValue(shape: readonly number[]): boolean {
  return shape.reduce((a, b) => a * b, 1) <= TABLE_LIMIT && shape.length <= 2 && Math.max(0, ...shape) <= TABLE_SIDE_LIMIT;
}

/** Statistics of a TypedArray: counts and min/max/mean/std over the finite values (null when none). */
export interface TensorStats {
  /** Elements the statistics were computed over (the sample's size). */
  count: number;
  nan: number;
  inf: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
}

/**
 * Statistics of a TypedArray over every `step`-th element (`step` 1 for arrays of at most
 * {@link STATS_SAMPLE_LIMIT} elements). BigInt values are converted to numbers (exact below 2^53).
 */
export function typedArrayStats(data: TypedArray, step = Math.max(1, Math.ceil(data.length / STATS_SAMPLE_LIMIT))): TensorStats {
  let count = 0;
  let nan = 0;
  let inf = 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i += step) {
    const v = Number(data[i]);
    count++;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else {
      // Welford's running mean and variance.
      n++;
      const d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return n === 0 ? { count, nan, inf, min: null, max: null, mean: null, std: null } : { count, nan, inf, min, max, mean, std: Math.sqrt(m2 / n) };
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function fmt(x: number | null): string {
  if (x === null) return "–";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return Number(x.toPrecision(4)).toString();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const CELL = "border:1px solid #ccc;padding:2px 8px;";
const TABLE = "border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px;margin:2px 0";

/**
 * The tensor view of a TypedArray (shape `[length]`, dtype from its kind, device "cpu"):
 * text/plain (header, statistics, util.inspect of the values, which stops after 100) and
 * text/html (a statistics table, and every value when {@link showsEveryValue} of its shape).
 * Arrays longer than {@link STATS_SAMPLE_LIMIT} get statistics over a strided sample, which the
 * view says; nothing is copied.
 */
export function typedArrayBundle(data: TypedArray): MimeBundle {
  const kind = data.constructor.name;
  const dtype = DTYPES[kind] ?? kind;
  const stats = typedArrayStats(data);
  const note = stats.count < data.length ? `statistics over a strided sample of ${stats.count} of ${data.length} elements` : "";
  const header = `${kind} shape=(${data.length},) dtype=${dtype} device=cpu`;
  const statLine = `min=${fmt(stats.min)} max=${fmt(stats.max)} mean=${fmt(stats.mean)} std=${fmt(stats.std)} nan=${stats.nan} inf=${stats.inf}${note ? ` (${note})` : ""}`;
  const rows: [string, string][] = [
    ["shape", `(${data.length},)`],
    ["dtype", dtype],
    ["device", "cpu"],
    ["min", fmt(stats.min)],
    ["max", fmt(stats.max)],
    ["mean", fmt(stats.mean)],
    ["std", fmt(stats.std)],
    ["NaN", String(stats.nan)],
    ["Inf", String(stats.inf)],
  ];
  let html = `<div class="tspy-tensor"><table style="${TABLE}"><tr>${rows.map(([k]) => `<th style="${CELL}">${k}</th>`).join("")}</tr>`;
  html += `<tr>${rows.map(([k, v]) => `<td style="${CELL}" class="${k.toLowerCase()}">${escapeHtml(v)}</td>`).join("")}</tr></table>`;
  html += `<div style="font-size:11px;color:#666">${kind}${note ? `; ${note}` : ""}</div>`;
  if (showsEveryValue([data.length])) {
    const cells = Array.from(
      data as ArrayLike<number | bigint>,
      (v) => `<td style="${CELL}text-align:right">${escapeHtml(typeof v === "bigint" ? v.toString() : fmt(v))}</td>`,
    );
    html += `<table class="tspy-values" style="${TABLE}"><tr>${cells.join("")}</tr></table>`;
  }
  html += "</div>";
  const values = util.inspect(data, { colors: false, maxArrayLength: 100, breakLength: 100 });
  return { "text/plain": `${header}\n${statLine}\n${values}`, "text/html": html };
}

function base64(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

let nextId = 0;

/**
 * Makes the display API over a host. The MIME bundle of a value is, in order: its
 * `[Symbol.for("Jupyter.display")]()` result (text/plain added from util.inspect when missing);
 * for a PyProxy, the Python side's bundle; for a TypedArray, {@link typedArrayBundle}; otherwise
 * util.inspect as text/plain.
 * @param host the publisher and Python's renderer.
 * @param pythonFlags get/set `tspy_display.live_plot`; absent when Python is unavailable (then livePlot is false and setting it throws).
 */
export function createDisplay(host: DisplayHost, pythonFlags?: { getLivePlot(): boolean; setLivePlot(on: boolean): void }): DisplayApi {
  const displayMethod = (value: unknown): unknown =>
    value !== null && (typeof value === "object" || typeof value === "function") ? (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] : undefined;
  const ownBundle = (value: unknown, bundle: unknown): MimeBundle => {
    if (bundle === null || typeof bundle !== "object") throw new TypeError('[Symbol.for("Jupyter.display")]() must return a MIME bundle object');
    if (typeof (bundle as { then?: unknown }).then === "function")
      throw new TypeError('an async [Symbol.for("Jupyter.display")]() is awaited only for a cell\'s result; display() needs a synchronous one');
    return "text/plain" in bundle ? (bundle as MimeBundle) : { ...bundle, "text/plain": util.inspect(value, { colors: false, depth: 2 }) };
  };
  const mimeBundleAsync = async (value: unknown): Promise<MimeBundle> => {
    const render = displayMethod(value);
    return typeof render === "function" ? ownBundle(value, await (render.call(value) as unknown)) : mimeBundle(value);
  };
  const mimeBundle = (value: unknown): MimeBundle => {
    const render = displayMethod(value);
    if (typeof render === "function") return ownBundle(value, render.call(value));
    const fromPython = host.pythonBundle(value);
    if (fromPython) return fromPython;
    if (isTypedArray(value)) return typedArrayBundle(value);
    return { "text/plain": util.inspect(value, { colors: false, depth: 4, maxArrayLength: 100, breakLength: 100 }) };
  };

  const publishBundle = (msgType: "display_data" | "update_display_data", data: MimeBundle, options: DisplayOptions = {}): DisplayHandle | undefined => {
    const id = options.display_id === true ? `tspy-${process.pid}-${++nextId}` : options.display_id;
    const content: Record<string, unknown> = { data, metadata: options.metadata ?? {} };
    if (id !== undefined) content.transient = { display_id: id };
    host.post(msgType, content);
    return id === undefined ? undefined : { display_id: id, update: (v: unknown) => updateDisplay(id, v) };
  };

  const updateDisplay = (display_id: string, value: unknown, options: Omit<DisplayOptions, "display_id"> = {}): void => {
    if (typeof display_id !== "string" || display_id === "") throw new TypeError("updateDisplay: display_id must be a non-empty string");
    publishBundle("update_display_data", mimeBundle(value), { ...options, display_id });
  };

  const raw = (mime: string, fallback: (data: unknown) => string) => (data: unknown, options?: DisplayOptions) =>
    publishBundle("display_data", { [mime]: data, "text/plain": fallback(data) }, options);
  const textFallback = (what: string) => (data: unknown) => `<${what}: ${String(data).length} characters>`;

  const display = ((value: unknown, options?: DisplayOptions) => publishBundle("display_data", mimeBundle(value), options)) as DisplayFunction;
  display.html = raw("text/html", textFallback("HTML")) as DisplayFunction["html"];
  display.markdown = raw("text/markdown", (d) => String(d)) as DisplayFunction["markdown"];
  display.svg = raw("image/svg+xml", textFallback("SVG")) as DisplayFunction["svg"];
  display.latex = raw("text/latex", (d) => String(d)) as DisplayFunction["latex"];
  display.png = (png, options) => publishBundle("display_data", { "image/png": base64(png), "text/plain": "<PNG image>" }, options);
  display.jpeg = (jpeg, options) => publishBundle("display_data", { "image/jpeg": base64(jpeg), "text/plain": "<JPEG image>" }, options);
  display.json = raw("application/json", (d) => JSON.stringify(d, null, 2)) as DisplayFunction["json"];
  display.vegalite = (spec, options) =>
    publishBundle(
      "display_data",
      { "application/vnd.vegalite.v5+json": spec, "image/svg+xml": vegaLiteToSvg(spec), "text/plain": "<Vega-Lite chart>" },
      options,
    );
  display.bundle = (bundle, options) => publishBundle("display_data", bundle, options);
  Object.defineProperty(display, "livePlot", {
    enumerable: true,
    get: () => pythonFlags?.getLivePlot() ?? false,
    set: (on: boolean) => {
      if (!pythonFlags) throw new Error("display.livePlot: the embedded Python is not running");
      pythonFlags.setLivePlot(Boolean(on));
    },
  });

  const clearOutput = (options: { wait?: boolean } = {}): void => {
    host.post("clear_output", { wait: Boolean(options.wait) });
  };

  return { display, updateDisplay, clearOutput, mimeBundle, mimeBundleAsync };
}
