// Terminal text (streams, tracebacks) with ANSI SGR colours and decorations drawn as styled spans.
// anser parses the escape sequences; React escapes the text. Knows nothing of outputs or kernels.
import type { CSSProperties } from "react";
import Anser from "anser";

/** The 16 ANSI colours on the app's light background (nbconvert's palette), by anser's class name. */
export const ANSI_COLOURS: Record<string, string> = {
  "ansi-black": "#3e424d",
  "ansi-red": "#e75c58",
  "ansi-green": "#00a250",
  "ansi-yellow": "#ddb62b",
  "ansi-blue": "#208ffb",
  "ansi-magenta": "#d160c4",
  "ansi-cyan": "#60c6c8",
  "ansi-white": "#c5c1b4",
  "ansi-bright-black": "#282c36",
  "ansi-bright-red": "#b22b31",
  "ansi-bright-green": "#007427",
  "ansi-bright-yellow": "#b27d12",
  "ansi-bright-blue": "#0065ca",
  "ansi-bright-magenta": "#a03196",
  "ansi-bright-cyan": "#258f8f",
  "ansi-bright-white": "#a1a6b2",
};

/**
 * The CSS colour of an xterm 256-colour palette entry from 16 to 255 (the 6×6×6 cube, then 24 greys).
 * @param n the palette index, 16..255.
 * @returns `rgb(r, g, b)`.
 * @throws RangeError when n is outside 16..255 (0..15 are {@link ANSI_COLOURS}).
 */
export function xtermColour(n: number): string {
  if (!Number.isInteger(n) || n < 16 || n > 255) throw new RangeError(`xterm palette index out of 16..255: ${n}`);
  if (n >= 232) {
    const grey = 8 + 10 * (n - 232);
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  const levels = [0, 95, 135, 175, 215, 255];
  const i = n - 16;
  return `rgb(${levels[Math.floor(i / 36)]}, ${levels[Math.floor(i / 6) % 6]}, ${levels[i % 6]})`;
}

/** One run of terminal text with one style. */
export interface AnsiSpan {
  /** The text, escape sequences removed. */
  text: string;
  /** Inline style for the run (colours, weight, decorations); empty for unstyled text. */
  style: CSSProperties;
  /** Class names naming the 16-colour classes (`ansi-red-fg`, `ansi-bright-blue-bg`) and decorations (`ansi-bold`). */
  className: string;
}

/** anser's colour of a run (class name mode) as a CSS colour, or undefined when the run has none. */
function cssColour(name: string | null, truecolour: string | null): string | undefined {
  if (!name) return undefined;
  if (name === "ansi-truecolor") return truecolour ? `rgb(${truecolour})` : undefined;
  const palette = /^ansi-palette-(\d+)$/.exec(name);
  if (palette) return xtermColour(Number(palette[1]));
  return ANSI_COLOURS[name];
}

/** Control sequences anser leaves in the text: OSC (title, hyperlinks) and stray escapes. */
// eslint-disable-next-line no-control-regex -- ESC and BEL are exactly what this matches
const LEFTOVER_ESCAPES = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * Splits terminal text into styled runs: SGR 30–37/90–97 (and backgrounds), 38;5;n / 48;5;n (256
 * colours), 38;2;r;g;b / 48;2;r;g;b (truecolour), bold, dim, italic, underline, strikethrough,
 * hidden and reverse. Other control sequences are dropped. The runs' texts joined are the text
 * without its escape sequences.
 * @param text stream or traceback text.
 * @returns the runs in order (empty runs left out).
 */
export function ansiSpans(text: string): AnsiSpan[] {
  const entries = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  const spans: AnsiSpan[] = [];
  for (const e of entries) {
    const content = e.content.replace(LEFTOVER_ESCAPES, "");
    if (!content) continue;
    // anser applies reverse video itself (swapping, with black on white for default colours).
    const fg = cssColour(e.fg, e.fg_truecolor);
    const bg = cssColour(e.bg, e.bg_truecolor);
    const classes: string[] = [];
    if (e.fg && e.fg in ANSI_COLOURS) classes.push(`${e.fg}-fg`);
    if (e.bg && e.bg in ANSI_COLOURS) classes.push(`${e.bg}-bg`);
    const style: CSSProperties = {};
    const decorations = new Set(e.decorations);
    if (fg) style.color = fg;
    if (bg) style.backgroundColor = bg;
    if (decorations.has("bold")) style.fontWeight = "bold";
    if (decorations.has("dim")) style.opacity = 0.7;
    if (decorations.has("italic")) style.fontStyle = "italic";
    const lines = [decorations.has("underline") && "underline", decorations.has("strikethrough") && "line-through"].filter(Boolean);
    if (lines.length) style.textDecoration = lines.join(" ");
    if (decorations.has("hidden")) style.visibility = "hidden";
    for (const d of decorations) classes.push(`ansi-${d}`);
    const last = spans[spans.length - 1];
    const className = classes.join(" ");
    if (last && last.className === className && JSON.stringify(last.style) === JSON.stringify(style)) last.text += content;
    else spans.push({ text: content, style, className });
  }
  return spans;
}

/**
 * Terminal text drawn as spans coloured by its ANSI escape sequences; unstyled runs are plain text
 * nodes, so the element's textContent is the text without escape sequences.
 * @param props.text stream or traceback text.
 */
export function AnsiText({ text }: { text: string }) {
  return (
    <>
      {ansiSpans(text).map((s, i) =>
        s.className || Object.keys(s.style).length ? (
          <span key={i} className={s.className || undefined} style={s.style}>
            {s.text}
          </span>
        ) : (
          s.text
        ),
      )}
    </>
  );
}
