// Types of KaTeX's auto-render add-on (katex/contrib/auto-render), which KaTeX 0.16 ships without
// declarations; only what the app uses. Knows nothing of the app.
declare module "katex/contrib/auto-render" {
  import type { KatexOptions } from "katex";

  /** A pair of math delimiters; `display` renders the math between them in display mode. */
  export interface DelimiterSpec {
    left: string;
    right: string;
    display: boolean;
  }

  /** auto-render's options: KaTeX's, plus where math starts and ends and what to do with bad math. */
  export interface RenderMathInElementOptions extends KatexOptions {
    delimiters?: DelimiterSpec[];
    ignoredTags?: string[];
    ignoredClasses?: string[];
    errorCallback?: (msg: string, err: Error) => void;
  }

  /**
   * Replaces math between delimiters in the element's text nodes with KaTeX's rendering.
   * @throws Error when `elem` is missing; errors other than KaTeX's ParseError.
   */
  export default function renderMathInElement(elem: HTMLElement, options?: RenderMathInElementOptions): void;
}
