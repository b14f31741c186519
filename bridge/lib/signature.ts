// What Python learns about a JS function handed to it (tspy.JsFunction's __signature__,
// __name__, __qualname__, __doc__): its parameter list, read from its source text. Knows JS
// syntax only; nothing of Python's inspect module (the bootstrap in bridge/src/interp.cc builds
// the inspect.Signature) or of Jupyter.

/** One parameter of a JS function, as written in its source. */
export interface JsParameter {
  /** The identifier, or null for a destructuring pattern (`{a, b}`, `[x]`): Python names it `argN`. */
  name: string | null;
  /** A rest parameter (`...xs`): Python's `*xs`. */
  rest: boolean;
  /** The default's source text, when the parameter has one. */
  defaultText?: string;
  /** True when the default is a literal converted to `default` (number, string, boolean, null, undefined). */
  literal?: boolean;
  /** The literal default's value (undefined becomes null: Python's None). */
  default?: string | number | boolean | null;
}

/** What Python needs to know about a JS function; `params` is null when its source cannot be read. */
export interface JsFunctionInfo {
  name: string;
  qualname: string;
  params: JsParameter[] | null;
  doc: string | null;
}

/** Parameters by function, so a function's source is parsed once. */
const cache = new WeakMap<object, JsParameter[] | null>();

/**
 * Describes `fn` for Python (the addon's `describeFunction` hook).
 * @param fn the JS function a tspy.JsFunction wraps.
 * @param self the object it was read from (`obj.method`), or undefined: gives `Class.method` as qualname.
 * @returns JSON of a {@link JsFunctionInfo}.
 */
export function describeFunction(fn: (...args: never[]) => unknown, self: unknown): string {
  let params = cache.get(fn);
  if (params === undefined) {
    params = parseParameters(Function.prototype.toString.call(fn));
    cache.set(fn, params);
  }
  const name = typeof fn.name === "string" && fn.name !== "" ? fn.name.replace(/^bound /, "") : "<lambda>";
  let qualname = name;
  if (self !== null && (typeof self === "object" || typeof self === "function")) {
    const ctor = typeof self === "function" ? self : (self as { constructor?: { name?: unknown } }).constructor;
    const owner = typeof ctor === "function" && typeof ctor.name === "string" ? ctor.name : "";
    if (owner !== "" && owner !== "Object") qualname = `${owner}.${name}`;
  }
  const info: JsFunctionInfo = { name, qualname, params, doc: null };
  return JSON.stringify(info);
}

/**
 * The parameters of a function from its source (`Function.prototype.toString`): function
 * declarations and expressions, arrows (with or without parentheses), methods, getters, async and
 * generator forms, classes (their constructor's parameters). Destructuring patterns have no name,
 * `...rest` is a rest parameter, defaults keep their text (literals converted).
 * @returns the parameters, or null when the source is not readable JS (native and bound functions,
 *   a class without a constructor that extends another).
 */
export function parseParameters(source: string): JsParameter[] | null {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return null;
  const arrow = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrow && arrow[1] !== "async") return [{ name: arrow[1], rest: false }];
  let open: number;
  if (/^\s*class\b/.test(source)) {
    open = classConstructorParen(source);
    if (open < 0) return /^\s*class\b[^{]*\bextends\b/.test(source) ? null : [];
  } else {
    open = findTopLevel(source, 0, "(");
  }
  if (open < 0) return null;
  const close = scan(source, open + 1, ")");
  if (close < 0) return null;
  const params: JsParameter[] = [];
  for (const raw of splitTopLevel(source.slice(open + 1, close))) {
    const text = stripComments(raw).trim();
    if (text === "") continue;
    params.push(parseOne(text));
  }
  return params;
}

/** One parameter's text (`a`, `b = 2`, `{x, y} = {}`, `...rest`). */
function parseOne(text: string): JsParameter {
  const rest = text.startsWith("...");
  const body = rest ? text.slice(3).trim() : text;
  const eq = findTopLevel(body, 0, "=");
  const target = (eq < 0 ? body : body.slice(0, eq)).trim();
  const name = /^[A-Za-z_$][\w$]*$/.test(target) ? target : null;
  const p: JsParameter = { name, rest };
  if (eq >= 0) {
    const defaultText = body.slice(eq + 1).trim();
    p.defaultText = defaultText;
    const lit = literalValue(defaultText);
    p.literal = lit.ok;
    if (lit.ok) p.default = lit.value;
  }
  return p;
}

/** The value of a JS literal default: finite numbers, strings, template strings without `${`, true/false/null/undefined. */
function literalValue(text: string): { ok: true; value: string | number | boolean | null } | { ok: false } {
  if (text === "true" || text === "false") return { ok: true, value: text === "true" };
  if (text === "null" || text === "undefined") return { ok: true, value: null };
  if (/^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$|^[-+]?0[xXoObB][\da-fA-F_]+$/.test(text)) {
    const n = Number(text.replace(/_/g, ""));
    if (Number.isFinite(n)) return { ok: true, value: n };
  }
  const q = text[0];
  if ((q === '"' || q === "'" || q === "`") && scan(text, 1, q) === text.length - 1 && !(q === "`" && text.includes("${"))) {
    try {
      // The body of a JS string literal is a JSON string body once its quote is `"`.
      const body = text.slice(1, -1).replace(/\\'/g, "'").replace(/\\`/g, "`");
      return { ok: true, value: JSON.parse(`"${q === '"' ? body : body.replace(/"/g, '\\"')}"`) as string };
    } catch {
      return { ok: false };
    }
  }
  return { ok: false };
}

/** Index of the `(` of a class's `constructor(...)` (at the class body's top level), or -1. */
function classConstructorParen(source: string): number {
  const body = findTopLevel(source, 0, "{");
  if (body < 0) return -1;
  const re = /\bconstructor\s*\(/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    // At the top level of the class body: scanning from the body's `{` does not close before it.
    const end = scan(source, body + 1, "}");
    if (end >= 0 && m.index > end) return -1;
    if (depthAt(source, body + 1, m.index) === 0) return m.index + m[0].length - 1;
  }
  return -1;
}

/** Bracket depth at `at`, counting from `from` (strings, templates and comments skipped); -1 if `at` is inside one. */
function depthAt(s: string, from: number, at: number): number {
  let depth = 0;
  for (let i = from; i < at;) {
    const skip = skipAtom(s, i);
    if (skip > at) return -1;
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = s[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    i++;
  }
  return depth;
}

/** Index of the first `ch` at bracket depth 0 from `from` (strings, templates, comments skipped; `=` never part of `=>`, `==`, `<=` ...), or -1. */
function findTopLevel(s: string, from: number, ch: string): number {
  let depth = 0;
  for (let i = from; i < s.length;) {
    const skip = skipAtom(s, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = s[i];
    if (depth === 0 && c === ch) {
      if (ch !== "=" || (s[i + 1] !== "=" && s[i + 1] !== ">" && !"=!<>+-*/%&|^?".includes(s[i - 1] ?? ""))) return i;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    i++;
  }
  return -1;
}

/** Index of the `close` that ends the bracket (or string) opened just before `from`, or -1. */
function scan(s: string, from: number, close: string): number {
  if (close === '"' || close === "'" || close === "`") {
    const end = skipAtom(s, from - 1);
    return end > from - 1 ? end - 1 : -1;
  }
  let depth = 0;
  for (let i = from; i < s.length;) {
    const skip = skipAtom(s, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const c = s[i];
    if (depth === 0 && c === close) return i;
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    if (depth < 0) return -1;
    i++;
  }
  return -1;
}

/** When a string, template literal or comment starts at `i`: the index just after it (the end of `s` if unterminated); else `i`. */
function skipAtom(s: string, i: number): number {
  const c = s[i];
  if (c === "/" && s[i + 1] === "/") {
    const nl = s.indexOf("\n", i);
    return nl < 0 ? s.length : nl + 1;
  }
  if (c === "/" && s[i + 1] === "*") {
    const end = s.indexOf("*/", i + 2);
    return end < 0 ? s.length : end + 2;
  }
  if (c !== '"' && c !== "'" && c !== "`") return i;
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === c) return j + 1;
    else if (c === "`" && s[j] === "$" && s[j + 1] === "{") {
      const end = scan(s, j + 2, "}");
      if (end < 0) return s.length;
      j = end;
    }
  }
  return s.length;
}

/** The parameter list's text split at its top-level commas. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let comma = findTopLevel(s, start, ","); comma >= 0; comma = findTopLevel(s, start, ",")) {
    parts.push(s.slice(start, comma));
    start = comma + 1;
  }
  parts.push(s.slice(start));
  return parts;
}

/** `s` without its comments (strings and templates kept as they are). */
function stripComments(s: string): string {
  let out = "";
  for (let i = 0; i < s.length;) {
    const skip = skipAtom(s, i);
    if (skip > i) {
      if (s[i] === "/") out += " ";
      else out += s.slice(i, skip);
      i = skip;
      continue;
    }
    out += s[i++];
  }
  return out;
}
