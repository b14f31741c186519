// KaTeX's stylesheet with KaTeX's own fonts (woff2, from the katex package), so typeset maths looks the
// same on every machine (no installed math font is needed). The page loads the fonts from the app's
// bundle by URL, only those its text uses. Sandboxed frames have an opaque origin and cannot load fonts
// from the app's origin (font loads need CORS): a frame with maths gets the font families its maths
// uses inlined as data: URLs, each loaded from its own lazily imported chunk. Knows nothing of
// Markdown, outputs or frames.
import KATEX_CSS from "katex/dist/katex.min.css?raw";

/** File name (e.g. "KaTeX_Main-Regular.woff2") of each entry of an import.meta.glob over KaTeX's fonts. */
function byFileName<T>(glob: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(glob).map(([path, value]) => [path.slice(path.lastIndexOf("/") + 1), value]));
}

/** KaTeX's woff2 fonts as URLs of the app's bundle (the files are loaded only when text uses them). */
const FONT_URLS = byFileName(import.meta.glob<string>("../../node_modules/katex/dist/fonts/*.woff2", { query: "?url", import: "default", eager: true }));

/** KaTeX's woff2 fonts as data: URLs, each in a chunk of its own imported on first use. */
const FONT_DATA = byFileName(import.meta.glob<string>("../../node_modules/katex/dist/fonts/*.woff2", { query: "?inline", import: "default" }));

/** One of katex.min.css's `@font-face` rules: its font family (quoted or not) and its woff2 file name. */
const FONT_FACE = /@font-face\{[^}]*font-family:"?(KaTeX_\w+)"?;[^}]*src:url\(fonts\/([\w-]+\.woff2)\)[^}]*\}/g;

/** KaTeX's stylesheet with no `@font-face` rules: the layout rules. */
const KATEX_RULES = KATEX_CSS.replace(FONT_FACE, "");

/** A `@font-face` rule of KaTeX's stylesheet: its family, its woff2 file, whether it is a bold face, and the rule's text. */
type Face = { family: string; file: string; bold: boolean; rule: string };

/** Every `@font-face` rule of KaTeX's stylesheet; each file is checked to be in katex/dist/fonts. */
const FACES: readonly Face[] = (() => {
  const faces = [...KATEX_CSS.matchAll(FONT_FACE)].map(([rule, family, file]) => {
    if (!FONT_URLS.has(file)) throw new Error(`KaTeX's stylesheet names ${file}, which katex/dist/fonts does not have`);
    return { family, file, bold: /font-weight:(700|bold)/.test(rule), rule };
  });
  if (faces.length === 0 || KATEX_RULES.includes("@font-face")) throw new Error("KaTeX's stylesheet has an @font-face rule this module does not understand");
  return faces;
})();

/**
 * A face's rule with its source replaced by `url` (woff2 only: every browser the app supports reads
 * it, and KaTeX's woff/ttf copies would double the bytes).
 */
function faceWithSource(face: Face, url: string): string {
  return face.rule.replace(/src:[^;}]*/, `src:url(${url}) format("woff2")`);
}

/**
 * The class lists (one per selector) of KaTeX's rules that declare `property`, by the value they give
 * it, read from KaTeX's stylesheet (e.g. for font-family: KaTeX_Size2 ← [["op-symbol", "large-op"],
 * ["delimsizing", "size2"]]).
 */
function selectorsDeclaring(property: string): ReadonlyMap<string, string[][]> {
  const selectors = new Map<string, string[][]>();
  for (const [, selectorList, value] of KATEX_RULES.matchAll(new RegExp(`([^{}]+)\\{[^{}]*${property}:([\\w-]+)`, "g"))) {
    for (const selector of selectorList.split(",")) {
      const classes = [...selector.matchAll(/\.([\w-]+)/g)].map((m) => m[1]).filter((c) => c !== "katex");
      if (classes.length) selectors.set(value, [...(selectors.get(value) ?? []), classes]);
    }
  }
  return selectors;
}

/** Class lists that select each KaTeX font family (KaTeX_Main, the `.katex` element's own, is not listed: every formula needs it). */
const FAMILY_SELECTORS = selectorsDeclaring("font-family");

/** Class lists that make text bold (`\mathbf`, `\textbf`, `\boldsymbol`...): KaTeX's bold faces are needed only with one of them. */
const BOLD_SELECTORS = [...selectorsDeclaring("font-weight")].filter(([weight]) => weight === "700" || weight === "bold").flatMap(([, lists]) => lists);

/**
 * Whether HTML holds KaTeX maths (an element with the `katex` class).
 * @param html an HTML document or fragment.
 */
export function hasKatex(html: string): boolean {
  return /class="(?:[^"]*\s)?katex[\s"]/.test(html);
}

/** The data: URL of each font file loaded so far, by file name (one import per file, shared). */
const loadedFonts = new Map<string, Promise<string>>();

/** The data: URL of a KaTeX font file, from its chunk (imported once). */
function fontData(file: string): Promise<string> {
  let url = loadedFonts.get(file);
  if (!url) {
    url = FONT_DATA.get(file)!();
    loadedFonts.set(file, url);
  }
  return url;
}

/**
 * KaTeX's stylesheet (katex/dist/katex.min.css) for a sandboxed frame that will show `html`: the layout
 * rules and, as woff2 data: URLs, the faces of the font families that its classes select (KaTeX_Main
 * always), bold faces only where a class makes text bold.
 * @param html the frame's HTML.
 * @returns "" when `html` has no KaTeX maths ({@link hasKatex}); otherwise the CSS text, once the
 *   fonts' chunks have loaded.
 */
export async function katexFrameStylesheet(html: string): Promise<string> {
  if (!hasKatex(html)) return "";
  const classes = new Set([...html.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1].split(/\s+/)));
  const selected = (selectors: string[][] = []) => selectors.some((selector) => selector.every((c) => classes.has(c)));
  const bold = selected(BOLD_SELECTORS);
  const used = (face: Face) => (face.family === "KaTeX_Main" || selected(FAMILY_SELECTORS.get(face.family))) && (bold || !face.bold);
  const faces = await Promise.all(FACES.filter(used).map(async (face) => faceWithSource(face, await fontData(face.file))));
  return faces.join("\n") + "\n" + KATEX_RULES;
}

/**
 * Puts KaTeX's stylesheet into the app's page once (a `<style id="tspy-katex">` in `<head>`), for maths
 * typeset in the page itself (text/latex outputs): every family, by URL of the app's bundle; the
 * browser loads a font file only once text uses it.
 * @param doc the page's document.
 */
export function installKatexStylesheet(doc: Document): void {
  if (doc.getElementById("tspy-katex")) return;
  const style = doc.createElement("style");
  style.id = "tspy-katex";
  style.textContent = FACES.map((face) => faceWithSource(face, FONT_URLS.get(face.file)!)).join("\n") + "\n" + KATEX_RULES;
  doc.head.append(style);
}
