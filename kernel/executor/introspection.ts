// complete_request and inspect_request on the executor: the TypeScript language service for TS
// cells, plus the live members and docs of Python objects reached from TS, and jedi for %%python
// cells. Cursor positions on the wire are Unicode code points (messaging spec 5.2+).
import ts from "typescript";
import { tspy, type PyProxy } from "../../bridge/lib/index";
import { rankCompletions, wordAround } from "./completion-match";
import type { NotebookLanguageService } from "./language-service";
import { parseCell } from "./magics";

/** What introspection needs from the Python side (tspy_introspect.py), or null when Python is unavailable. */
export interface PythonIntrospect {
  module: PyProxy;
  isPyProxy(v: unknown): boolean;
  tspy: { import(name: string): unknown };
}

/** Code point offset -> UTF-16 index in `text`. */
export function codePointToUtf16(text: string, cursor: number): number {
  let i = 0;
  for (let cp = 0; cp < cursor && i < text.length; cp++) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

/** UTF-16 index -> code point offset in `text`. */
export function utf16ToCodePoint(text: string, index: number): number {
  return [...text.slice(0, index)].length;
}

/** The 1-based line and 0-based code-point column of a UTF-16 index. */
function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: [...before[before.length - 1]].length };
}

const NOT_EVALUABLE = Symbol("not evaluable");

/**
 * Evaluates a side-effect-light expression for completion: identifiers, property access,
 * string-literal element access and `tspy.import("literal")`; anything else is refused.
 */
function evaluateChain(expr: string, python: PythonIntrospect | null): unknown {
  const file = ts.createSourceFile("chain.ts", expr, ts.ScriptTarget.ES2022, true);
  const st = file.statements[0];
  if (file.statements.length !== 1 || !st || !ts.isExpressionStatement(st) || (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0)
    return NOT_EVALUABLE;
  const g = globalThis as Record<string, unknown>;
  const ev = (n: ts.Expression): unknown => {
    if (ts.isParenthesizedExpression(n)) return ev(n.expression);
    if (ts.isIdentifier(n)) {
      if (!(n.text in g)) throw NOT_EVALUABLE;
      return g[n.text];
    }
    if (ts.isPropertyAccessExpression(n)) {
      const o = ev(n.expression) as Record<string, unknown> | null | undefined;
      if (o === null || o === undefined) throw NOT_EVALUABLE;
      return o[n.name.text];
    }
    if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) {
      const o = ev(n.expression) as Record<string, unknown> | null | undefined;
      if (o === null || o === undefined) throw NOT_EVALUABLE;
      return o[n.argumentExpression.text];
    }
    if (python && ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]) && n.expression.getText(file) === "tspy.import") {
      return python.tspy.import(n.arguments[0].text);
    }
    throw NOT_EVALUABLE;
  };
  try {
    return ev(st.expression);
  } catch {
    return NOT_EVALUABLE;
  }
}

/** The longest evaluable expression ending at `end` on its line (e.g. `tspy.import("numpy")` before a dot). */
function valueBefore(code: string, end: number, python: PythonIntrospect | null): unknown {
  const lineStart = code.lastIndexOf("\n", end - 1) + 1;
  for (let start = lineStart; start < end; start++) {
    if (/\s/.test(code[start])) continue;
    const value = evaluateChain(code.slice(start, end), python);
    if (value !== NOT_EVALUABLE) return value;
  }
  return NOT_EVALUABLE;
}

/**
 * Answers complete_request and inspect_request for the notebook (reply contents as the spec spells them).
 */
export class Introspection {
  constructor(
    private readonly languageService: NotebookLanguageService,
    private readonly python: PythonIntrospect | null,
  ) {}

  /**
   * complete_request's reply content. `cursor` and the returned cursor_start/cursor_end are code
   * points. In a TS cell the range is the whole identifier around the cursor (a chosen match
   * replaces the text after the cursor too, as tslab answers) and the matches are ranked by
   * completion-match.ts (case-insensitive, anywhere in the name, exact-case prefixes first); in a
   * %%python cell they are jedi's, ending at the cursor.
   */
  complete(code: string, cursor: number): Record<string, unknown> {
    const offset = codePointToUtf16(code, cursor);
    let plan;
    try {
      plan = parseCell(code);
    } catch {
      plan = null;
    }
    const items: { text: string; type: string; start: number }[] = [];
    let start = offset;
    let end = offset;
    if (plan?.language === "python" && this.python) {
      const { line, column } = lineColumn(code, offset);
      const found = this.python.module.complete(plan.code, line, column) as PyProxy;
      const list = tspy.toJS(found) as [string, string, number][];
      tspy.destroy(found);
      for (const [name, type, prefix] of list) items.push({ text: name, type, start: offset - prefix });
      start = items.length ? Math.min(...items.map((i) => i.start)) : offset;
    } else if (plan?.language !== "python") {
      const word = wordAround(code, offset);
      start = word.start;
      end = word.end;
      const dot = /\.\s*[\w$]*$/.exec(code.slice(0, offset));
      let live = false;
      if (dot && this.python) {
        const value = valueBefore(code, offset - dot[0].length, this.python);
        if (value !== NOT_EVALUABLE && this.python.isPyProxy(value)) {
          // The live object's dir() and the proxy's own members are the whole answer: no need for the (slower) language service.
          live = true;
          // Names first (dir() is cheap), then jedi's kinds ("function", "class", "module", "property",
          // "instance") of the matching ones only: classifying all of numpy's ~500 members costs ~8 ms.
          const names = this.python.module.member_names(value, word.text) as PyProxy;
          const matching = rankCompletions(word.text, tspy.toJS(names) as string[], (n) => n);
          tspy.destroy(names);
          const found = this.python.module.member_kinds(value, matching) as PyProxy;
          const kinds = tspy.toJS(found) as string[];
          tspy.destroy(found);
          matching.forEach((n, i) => items.push({ text: n, type: kinds[i], start }));
        }
      }
      if (!live) {
        for (const c of this.languageService.complete(code, offset)) {
          if (c.start === start) items.push({ text: c.text, type: c.type, start });
        }
      }
    }
    const seen = new Set<string>();
    const unique = items.filter((i) => i.start === start && !seen.has(i.text) && seen.add(i.text));
    const cursorStart = utf16ToCodePoint(code, start);
    const cursorEnd = utf16ToCodePoint(code, end);
    return {
      status: "ok",
      matches: unique.map((i) => i.text),
      cursor_start: cursorStart,
      cursor_end: cursorEnd,
      metadata: { _jupyter_types_experimental: unique.map((i) => ({ start: cursorStart, end: cursorEnd, text: i.text, type: i.type })) },
    };
  }

  /**
   * inspect_request's reply content: for TS cells, a Python object's signature and docstring when
   * the expression at the cursor is one, else TypeScript's type and TSDoc; for Python cells, jedi's.
   * @param detailLevel 0 or 1 (1 adds source / tags).
   */
  inspect(code: string, cursor: number, detailLevel: number): Record<string, unknown> {
    const offset = codePointToUtf16(code, cursor);
    let text: string | null = null;
    let plan;
    try {
      plan = parseCell(code);
    } catch {
      plan = null;
    }
    if (plan?.language === "python") {
      if (this.python) {
        const { line, column } = lineColumn(code, offset);
        const r = this.python.module.inspect_code(plan.code, line, column, detailLevel);
        text = typeof r === "string" ? r : null;
      }
    } else {
      let end = offset;
      while (end < code.length && /[\w$]/.test(code[end])) end++;
      if (this.python) {
        const value = valueBefore(code, end, this.python);
        if (value !== NOT_EVALUABLE && this.python.isPyProxy(value)) {
          text = String(this.python.module.describe(value, detailLevel));
        }
      }
      text ??= this.languageService.quickInfo(code, offset, detailLevel);
    }
    return text ? { status: "ok", found: true, data: { "text/plain": text }, metadata: {} } : { status: "ok", found: false, data: {}, metadata: {} };
  }
}
