// A sandboxed iframe for untrusted HTML (outputs, rendered Markdown): sandbox="allow-scripts" without
// allow-same-origin, so its scripts run in an opaque origin. Its document gets the output content
// stylesheets (tables as JupyterLab draws them; KaTeX's, with its fonts inlined, where it shows maths).
// Knows nothing of outputs or kernels.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import FRAME_CSS from "./outputs-frame.css?raw";
import MATHS_CSS from "./outputs-maths.css?raw";
import { hasKatex, katexFrameStylesheet } from "./maths-style";

/** Upper bound of a frame's height, CSS pixels: taller documents scroll inside the frame. */
export const MAX_FRAME_HEIGHT = 4000;

/**
 * Script placed in sandboxed frames: reports the document's height (CSS pixels, the body's box,
 * which holds its own horizontal scrollbar) to the app so the frame fits it, on load, whenever
 * the body resizes, and when the app asks (a `tspyMeasure` message, sent on the frame's load).
 */
const RESIZE_SCRIPT =
  "<script>(function(){function s(){parent.postMessage({tspyFrameHeight:Math.ceil(document.body.getBoundingClientRect().height)},'*')}" +
  "addEventListener('load',s);addEventListener('message',function(e){if(e.source===parent&&e.data&&e.data.tspyMeasure)s()});" +
  "new ResizeObserver(s).observe(document.body);})()</script>";

/**
 * The document a sandboxed frame shows: the content (a fragment or a whole document) after the
 * frame's stylesheets, with `className` on its `<html>` (the stylesheets tell HTML outputs from
 * Markdown by it), and the script that reports its height.
 * @param html the HTML document or fragment.
 * @param className "tspy-html" or "tspy-markdown" (see outputs-frame.css).
 * @param katexCss KaTeX's stylesheet for `html`'s maths (maths-style.ts's katexFrameStylesheet), "" for none.
 * @returns the `srcdoc` text.
 */
export function frameDocument(html: string, className: string, katexCss = ""): string {
  return `<!doctype html><html class="${className}"><meta charset="utf-8"><style>${FRAME_CSS}\n${katexCss}\n${MATHS_CSS}</style>${html}${RESIZE_SCRIPT}`;
}

/** KaTeX's frame stylesheet for one HTML text, or why it could not be loaded. */
type KatexCss = { html: string; css: string } | { html: string; error: unknown };

/**
 * The HTML a frame shows and KaTeX's stylesheet for it: HTML without maths at once; HTML with maths
 * once the fonts its maths uses have loaded (until then the frame keeps what it showed, or is not
 * shown yet). A font chunk that fails to load is thrown, for the error boundary to show.
 * @param html the HTML the frame is to show.
 * @returns the content to show, or null while the first one is loading.
 */
function useFrameContent(html: string): { html: string; css: string } | null {
  const [katex, setKatex] = useState<KatexCss | null>(null);
  useEffect(() => {
    if (!hasKatex(html)) return;
    let live = true;
    katexFrameStylesheet(html).then(
      (css) => live && setKatex({ html, css }),
      (error: unknown) => live && setKatex({ html, error }),
    );
    return () => {
      live = false;
    };
  }, [html]);
  if (!hasKatex(html)) return { html, css: "" };
  if (katex && "error" in katex && katex.html === html) throw katex.error;
  return katex && "css" in katex ? katex : null;
}

/**
 * HTML in an iframe sandboxed with `allow-scripts` only: its scripts run in an opaque origin and
 * cannot reach the app, its cookies or its token. The frame grows to the height its document reports
 * (up to {@link MAX_FRAME_HEIGHT}). HTML with KaTeX maths is shown once the fonts it uses have
 * loaded (a local chunk each, loaded once per app).
 * @param props.html the HTML document or fragment.
 * @param props.className class of the iframe (e.g. "tspy-html" or "tspy-markdown").
 */
export function SandboxedHtml({ html, className }: { html: string; className: string }) {
  const content = useFrameContent(html);
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(40);
  // A layout effect: listening starts before the frame's document can run, so no report is missed.
  useLayoutEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const h = (e.data as { tspyFrameHeight?: unknown } | null)?.tspyFrameHeight;
      if (e.source === ref.current?.contentWindow && typeof h === "number" && h > 0) setHeight(Math.min(h + 2, MAX_FRAME_HEIGHT));
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);
  if (!content) return null;
  return (
    <iframe
      ref={ref}
      className={className}
      sandbox="allow-scripts"
      srcDoc={frameDocument(content.html, className, content.css)}
      style={{ width: "100%", height, border: 0 }}
      title={className}
      onLoad={() => ref.current?.contentWindow?.postMessage({ tspyMeasure: true }, "*")}
    />
  );
}
