// Draws one cell's outputs (nbformat output objects): streams, errors with tracebacks and MIME
// bundles. Untrusted HTML and Markdown go into a sandboxed iframe without allow-same-origin, so a
// notebook cannot run script against the app's origin. Knows nothing of kernels or sessions.
import { useEffect, useRef, useState } from "react";
import { marked } from "marked";
import type { Output } from "./model";

/** MIME types of Vega-Lite specs the app draws with vega-embed, newest first. */
export const VEGALITE_MIMES = [
  "application/vnd.vegalite.v6+json",
  "application/vnd.vegalite.v5+json",
  "application/vnd.vegalite.v4+json",
];

/** The MIME types the app can draw, in order of preference (richest first). */
export const MIME_ORDER = [...VEGALITE_MIMES, "text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain"];

/**
 * Picks the MIME type to show from a bundle: the first of {@link MIME_ORDER} it holds.
 * @param data a MIME bundle (display_data/execute_result `data`).
 * @returns the MIME type, or null when the bundle holds none the app draws.
 */
export function pickMime(data: Record<string, unknown>): string | null {
  return MIME_ORDER.find((m) => data[m] !== undefined) ?? null;
}

/**
 * Removes ANSI escape sequences (colours, cursor moves) from terminal text.
 * @param text stream or traceback text.
 */
export function stripAnsi(text: string): string {
  // CSI sequences (ESC [ ... final byte) and two-character escapes.
  return text.replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "").replace(/\u001b[@-Z\\-_]/g, "");
}

/** Script placed in sandboxed frames: reports the document's height to the app so the frame fits it. */
const RESIZE_SCRIPT =
  "<script>(function(){function s(){parent.postMessage({tspyFrameHeight:Math.ceil(document.body.getBoundingClientRect().height)},'*')}" +
  "addEventListener('load',s);new ResizeObserver(s).observe(document.body);})()</script>";

/**
 * HTML in an iframe sandboxed with `allow-scripts` only: its scripts run in an opaque origin and
 * cannot reach the app, its cookies or its token. The frame grows to the height its document reports.
 * @param props.html the HTML document or fragment.
 * @param props.className class of the iframe (e.g. "tspy-html" or "tspy-markdown").
 */
export function SandboxedHtml({ html, className }: { html: string; className: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(40);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const h = (e.data as { tspyFrameHeight?: unknown } | null)?.tspyFrameHeight;
      if (e.source === ref.current?.contentWindow && typeof h === "number" && h > 0) setHeight(Math.min(h + 2, 4000));
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);
  return (
    <iframe
      ref={ref}
      className={className}
      sandbox="allow-scripts"
      srcDoc={`<!doctype html><meta charset="utf-8"><style>body{margin:0;display:flow-root;font-family:sans-serif}</style>${html}${RESIZE_SCRIPT}`}
      style={{ width: "100%", height, border: 0 }}
      title={className}
    />
  );
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

/**
 * One MIME bundle drawn as its richest supported type.
 * @param props.data the bundle.
 */
export function MimeBundleView({ data }: { data: Record<string, unknown> }) {
  const mime = pickMime(data);
  const value = mime ? data[mime] : undefined;
  const text = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v));
  if (mime === null) return <pre className="tspy-plain">{`[no displayable MIME type: ${Object.keys(data).join(", ")}]`}</pre>;
  if (VEGALITE_MIMES.includes(mime)) return <VegaLiteView spec={value} />;
  if (mime === "text/html") return <SandboxedHtml html={text(value)} className="tspy-html" />;
  if (mime === "text/markdown") return <SandboxedHtml html={marked.parse(text(value), { async: false })} className="tspy-markdown" />;
  if (mime === "image/svg+xml")
    return <img className="tspy-image" alt="SVG output" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(text(value))}`} />;
  if (mime === "image/png" || mime === "image/jpeg")
    return <img className="tspy-image" alt="image output" src={`data:${mime};base64,${text(value).replace(/\s/g, "")}`} />;
  return <pre className="tspy-plain">{stripAnsi(text(value))}</pre>;
}

/**
 * One nbformat output.
 * @param props.output a stream, error, execute_result or display_data output.
 */
export function OutputView({ output }: { output: Output }) {
  switch (output.output_type) {
    case "stream": {
      const name = String(output.name);
      return <pre className={`tspy-stream tspy-stream-${name}`}>{stripAnsi(String(output.text))}</pre>;
    }
    case "error": {
      const traceback = (output.traceback as string[] | undefined) ?? [];
      return (
        <pre className="tspy-error">
          {traceback.length ? stripAnsi(traceback.join("\n")) : `${String(output.ename)}: ${String(output.evalue)}`}
        </pre>
      );
    }
    case "execute_result":
    case "display_data":
      return (
        <div className={`tspy-output tspy-${output.output_type}`}>
          <MimeBundleView data={(output.data ?? {}) as Record<string, unknown>} />
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
