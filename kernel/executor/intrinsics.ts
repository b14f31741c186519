// Keeps the kernel's own code, and every CommonJS module loaded on the executor thread, apart from
// the global names a notebook binds: `let JSON = 1` or `class Promise {}` in a cell rebinds the
// global for the user's code only. Knows Node's CommonJS loader; nothing of cells or Jupyter.
import Module from "node:module";

/** Globals never captured: those no declaration can rebind, `eval` (direct eval keeps its meaning), and `console` (the kernel replaces it and every module must write to the replacement). */
const NOT_CAPTURED = new Set(["undefined", "NaN", "Infinity", "eval", "console", "arguments"]);

/** The hidden global (non-enumerable) holding the captured values, in {@link CAPTURED_NAMES}' order, for the module wrapper. */
const HIDDEN = "__tspy_intrinsics__";

const global = globalThis as Record<string, unknown>;
const { defineProperty, getOwnPropertyNames } = Object;
const isIdentifier = RegExp.prototype.test.bind(/^[A-Za-z_$][\w$]*$/);

/** The names of the globals every CommonJS module loaded from now on sees as they are now (Object, JSON, Map, Promise, performance, process, Buffer, ...). */
export const CAPTURED_NAMES: readonly string[] = getOwnPropertyNames(globalThis).filter((n) => !NOT_CAPTURED.has(n) && isIdentifier(n));

defineProperty(globalThis, HIDDEN, {
  value: CAPTURED_NAMES.map((n) => global[n]),
  enumerable: false,
  writable: false,
  configurable: false,
});

// Node's loader compiles `Module.wrap(source)` when `wrap` was replaced: the module's function is
// returned by an outer one whose parameters are the captured globals, so the module's free
// references to them are bound at load time. One line: the module's line numbers stay.
const wrapperStart = `(function (${CAPTURED_NAMES.join(", ")}) { return function (exports, require, module, __filename, __dirname) { `;
const wrapperEnd = `\n}; }).apply(undefined, this.${HIDDEN});`;
(Module as unknown as { wrap: (source: string) => string }).wrap = (source: string) => wrapperStart + source + wrapperEnd;
