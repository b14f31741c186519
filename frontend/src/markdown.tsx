// Markdown with TeX math (`$...$`, `$$...$$`) and text/latex, typeset by KaTeX as HTML drawn with
// KaTeX's own fonts (maths-style.ts), as JupyterLab's MathJax draws with its own: the same look on
// every machine, large operators in display maths; KaTeX's MathML copy stays for screen readers.
// Knows nothing of cells or kernels.
import { useLayoutEffect, useRef } from "react";
import { Marked } from "marked";
import markedKatex from "marked-katex-extension";
import katex, { type KatexOptions } from "katex";
import renderMathInElement from "katex/contrib/auto-render";
import { SandboxedHtml } from "./outputs-frame";
import { installKatexStylesheet } from "./maths-style";
import "./outputs-maths.css";

/**
 * KaTeX's options for every formula the app typesets: HTML (laid out by KaTeX's stylesheet and fonts)
 * plus a hidden MathML copy for accessibility; bad TeX shown in red, not thrown.
 */
export const KATEX_OPTIONS: KatexOptions = { output: "htmlAndMathml", throwOnError: false };

/** A Marked instance of its own (the global `marked` stays as it was) with KaTeX math. */
const markdown = new Marked(markedKatex({ ...KATEX_OPTIONS, nonStandard: true }));

/**
 * Markdown (GitHub-flavoured, as marked parses it) to HTML, with `$...$` inline and `$$...$$` display
 * math typeset by KaTeX (its HTML needs
 * maths-style.ts's stylesheet, which frames get). Raw HTML in the Markdown is kept: show the result
 * only in a sandboxed frame.
 * @param source the Markdown text.
 * @returns the HTML fragment.
 */
export function markdownToHtml(source: string): string {
  return markdown.parse(source, { async: false });
}

/**
 * Markdown with math, rendered into a sandboxed frame (scripts run in an opaque origin).
 * @param props.source the Markdown text.
 * @param props.className the frame's class (`tspy-markdown` for cells and text/markdown outputs).
 */
export function MarkdownView({ source, className = "tspy-markdown" }: { source: string; className?: string }) {
  return <SandboxedHtml html={markdownToHtml(source)} className={className} />;
}

/** Where math starts and ends in text/latex: display first ($$ before $), then inline, then AMS environments. */
const LATEX_DELIMITERS = [
  { left: "$$", right: "$$", display: true },
  { left: "\\[", right: "\\]", display: true },
  { left: "\\(", right: "\\)", display: false },
  { left: "$", right: "$", display: false },
  ...["equation", "equation*", "align", "align*", "alignat", "alignat*", "gather", "gather*", "multline", "multline*", "CD"].map((env) => ({
    left: `\\begin{${env}}`,
    right: `\\end{${env}}`,
    display: true,
  })),
];

/**
 * Typesets text/latex into an element, as Jupyter does: the text with its delimited math
 * (`$$...$$`, `\[...\]`, `\(...\)`, `$...$`, `\begin{equation}...`) typeset; text with no delimiter
 * at all is typeset whole as display math. Bad TeX is shown as KaTeX's red source, never thrown.
 * @param element the element whose content is replaced.
 * @param latex the text/latex value.
 */
export function renderLatex(element: HTMLElement, latex: string): void {
  element.textContent = latex;
  renderMathInElement(element, { ...KATEX_OPTIONS, delimiters: LATEX_DELIMITERS, errorCallback: () => {} });
  if (!element.querySelector(".katex") && latex.trim()) katex.render(latex.trim(), element, { ...KATEX_OPTIONS, displayMode: true });
}

/**
 * A text/latex output typeset in the app's page (KaTeX builds the elements, drawn with KaTeX's
 * stylesheet and fonts, put into the page on first use; `\href` and other trust-requiring commands stay off).
 * @param props.latex the text/latex value.
 */
export function LatexView({ latex }: { latex: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    installKatexStylesheet(ref.current.ownerDocument);
    renderLatex(ref.current, latex);
  }, [latex]);
  return <div className="tspy-latex" ref={ref} />;
}
