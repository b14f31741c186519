// Draws one cell's outputs (nbformat output objects): streams and errors with ANSI colours, and MIME
// bundles (Vega-Lite, HTML, Markdown and LaTeX with math, images, JSON trees, text). Untrusted HTML
// and Markdown go into a sandboxed iframe without allow-same-origin, so a notebook cannot run script
// against the app's origin. Knows nothing of kernels or sessions.
import { useEffect, useRef, useState, type CSSProperties } from "react";
import type { Output } from "./model";
import { AnsiText } from "./outputs-ansi";
import { JsonTreeView } from "./outputs-json";
import { LatexView, MarkdownView } from "./markdown";
import { SandboxedHtml } from "./outputs-frame";

export { SandboxedHtml } from "./outputs-frame";
import { WIDGET_VIEW_MIME, WidgetOutput } from "./widgets";

/** MIME types of Vega-Lite specs the app draws with vega-embed, newest first. */
export const VEGALITE_MIMES = ["application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json", "application/vnd.vegalite.v4+json"];

/**
 * The MIME types the app can draw, in order of preference (richest first): widgets, charts, HTML
 * (model summaries and tensor views come as HTML tables), Markdown, LaTeX, images, then a JSON
 * tree, then plain text.
 */
export const MIME_ORDER = [
  WIDGET_VIEW_MIME,
  ...VEGALITE_MIMES,
  "text/html",
  "text/markdown",
  "text/latex",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "application/json",
  "text/plain",
];

/**
 * Picks the MIME type to show from a bundle: the first of {@link MIME_ORDER} it holds.
 * @param data a MIME bundle (display_data/execute_result `data`).
 * @returns the MIME type, or null when the bundle holds none the app draws.
 */
export function pickMime(data: Record<string, unknown>): string | null {
  return MIME_ORDER.find((m) => data[m] !== undefined) ?? null;
}

/**
 * Removes ANSI escape sequences (colours, cursor moves) from terminal text (for copying and
 * plain-text views; outputs draw the colours with {@link AnsiText}).
 * @param text stream or traceback text.
 */
export function stripAnsi(text: string): string {
  // CSI sequences (ESC [ ... final byte) and two-character escapes.
  // eslint-disable-next-line no-control-regex -- ESC is exactly what this matches
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "").replace(/\u001b[@-Z\\-_]/g, "");
}

/**
 * A Vega-Lite chart drawn by vega-embed as SVG (loaded on first use). A new `spec` for the same output
 * (update_display_data) redraws it in the same place.
 * @param props.spec the Vega-Lite specification.
 */
export function VegaLiteView({ spec }: { spec: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let finalize: (() => void) | undefined;
    let cancelled = false;
    void import("vega-embed")
      .then(({ default: embed }) => {
        if (cancelled || !ref.current) return;
        return embed(ref.current, spec as never, { actions: false, mode: "vega-lite", renderer: "svg" }).then((result) => {
          if (cancelled) result.finalize();
          else finalize = () => result.finalize();
        });
      })
      .catch((e: unknown) => setError(String(e)));
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec]);
  return (
    <div className="tspy-vegalite">
      <div ref={ref} />
      {error && <pre className="tspy-error">{error}</pre>}
    </div>
  );
}

/** nbformat image metadata (`metadata[mime]` or, as older kernels send it, `metadata`): size in CSS pixels. */
interface ImageMetadata {
  width?: unknown;
  height?: unknown;
  unconfined?: unknown;
}

/**
 * The inline style of an image output from its metadata: `width`/`height` (CSS pixels, as nbformat
 * and IPython's `Image(width=...)` give them) and `unconfined` (no shrinking to the output's width).
 * @param mime the image's MIME type.
 * @param metadata the output's metadata (may be undefined).
 * @returns the style; `{}` when the metadata says nothing.
 */
export function imageStyle(mime: string, metadata: Record<string, unknown> | undefined): CSSProperties {
  const perMime = metadata?.[mime];
  const m: ImageMetadata = perMime && typeof perMime === "object" ? (perMime as ImageMetadata) : (metadata ?? {});
  const px = (v: unknown): number | undefined => {
    const n = typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const style: CSSProperties = {};
  const width = px(m.width);
  const height = px(m.height);
  if (width !== undefined) style.width = width;
  if (height !== undefined) style.height = height;
  if (m.unconfined === true) style.maxWidth = "none";
  return style;
}

/**
 * One MIME bundle drawn as its richest supported type.
 * @param props.data the bundle.
 * @param props.metadata the output's metadata (image sizes, JSON expansion), if any.
 */
export function MimeBundleView({ data, metadata }: { data: Record<string, unknown>; metadata?: Record<string, unknown> }) {
  const mime = pickMime(data);
  const value = mime ? data[mime] : undefined;
  const text = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v));
  if (mime === null) return <pre className="tspy-plain">{`[no displayable MIME type: ${Object.keys(data).join(", ")}]`}</pre>;
  if (mime === WIDGET_VIEW_MIME) return <WidgetOutput data={data} />;
  if (VEGALITE_MIMES.includes(mime)) return <VegaLiteView spec={value} />;
  if (mime === "text/html") return <SandboxedHtml html={text(value)} className="tspy-html" />;
  if (mime === "text/markdown") return <MarkdownView source={text(value)} />;
  if (mime === "text/latex") return <LatexView latex={text(value)} />;
  if (mime === "image/svg+xml")
    return (
      <img
        className="tspy-image"
        alt="SVG output"
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(text(value))}`}
        style={imageStyle(mime, metadata)}
      />
    );
  if (mime === "image/png" || mime === "image/jpeg")
    return <img className="tspy-image" alt="image output" src={`data:${mime};base64,${text(value).replace(/\s/g, "")}`} style={imageStyle(mime, metadata)} />;
  if (mime === "application/json") {
    const json = metadata?.["application/json"] as { expanded?: unknown } | undefined;
    return <JsonTreeView data={value} expanded={json?.expanded === true} />;
  }
  return (
    <pre className="tspy-plain">
      <AnsiText text={text(value)} />
    </pre>
  );
}

/**
 * One nbformat output.
 * @param props.output a stream, error, execute_result or display_data output.
 */
export function OutputView({ output }: { output: Output }) {
  switch (output.output_type) {
    case "stream": {
      const name = String(output.name);
      return (
        <pre className={`tspy-stream tspy-stream-${name}`}>
          <AnsiText text={String(output.text)} />
        </pre>
      );
    }
    case "error": {
      const traceback = (output.traceback as string[] | undefined) ?? [];
      return (
        <pre className="tspy-error">{traceback.length ? <AnsiText text={traceback.join("\n")} /> : `${String(output.ename)}: ${String(output.evalue)}`}</pre>
      );
    }
    case "execute_result":
    case "display_data":
      return (
        <div className={`tspy-output tspy-${output.output_type}`}>
          <MimeBundleView
            data={(output.data ?? {}) as Record<string, unknown>}
            metadata={(output.metadata ?? undefined) as Record<string, unknown> | undefined}
          />
        </div>
      );
    default:
      return null;
  }
}

/**
 * All outputs of a cell, in order.
 * @param props.outputs the cell's outputs.
 */
export function OutputArea({ outputs }: { outputs: Output[] }) {
  return (
    <div className="tspy-outputs">
      {outputs.map((o, i) => (
        <OutputView key={i} output={o} />
      ))}
    </div>
  );
}
