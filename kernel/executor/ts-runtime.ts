// Runs transformed TypeScript cells in the executor's global scope and turns their errors into
// Jupyter error content with the cell's own line numbers. Knows V8 stacks and source maps;
// nothing of sockets.
import { createRequire, SourceMap } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as util from "node:util";
import * as vm from "node:vm";
import type { ErrorContent } from "./messages";
import { RUNTIME, transformCell } from "./ts-transform";

/** Thrown into running TypeScript code when the user interrupts the kernel. */
export class KeyboardInterrupt extends Error {
  override name = "KeyboardInterrupt";
  constructor() {
    super("execution interrupted by the user");
  }
}

/**
 * Runs `fn()` so that the kernel's interrupt can stop it even where no loop check is (V8's
 * TerminateExecution; the bridge's runTerminable): returns fn's result, or onTerminated's when a
 * termination stopped it.
 */
export type TerminableRunner = <T>(fn: () => T, onTerminated: () => T) => T;

/** A cell that did not parse; carries the error content ready to publish. */
export class CellSyntaxError extends Error {
  override name = "SyntaxError";
  constructor(readonly content: ErrorContent) {
    super(content.evalue);
  }
}

/**
 * The TypeScript side of the notebook: one global scope (the executor thread's `globalThis`)
 * shared by every cell, the names cells declared, and the source maps that map stack frames
 * back to cell lines.
 */
export class TsRuntime {
  /** Top-level names declared by cells so far, in declaration order (for Python's `ts` and `dir(ts)`). */
  readonly declared = new Set<string>();
  private readonly sourceMaps = new Map<string, { map: SourceMap; lines: string[]; wrapperLine: number }>();
  private readonly requireFromCwd: NodeJS.Require;
  private readonly requireFromKernel: NodeJS.Require;

  /** Called after an interrupt terminated running TS code (e.g. to replace streams a termination may have cut mid-write). */
  onTermination: (() => void) | null = null;

  /**
   * @param cwd the notebook's folder: `import` resolves packages from there upwards first, then from the kernel's own node_modules.
   * @param interruptFlag Int32Array of one element; non-zero means "stop the TS code now" (set by the main thread with Atomics).
   * @param terminable runs the cell's synchronous part and each continuation after an `await`, so
   *   that an interrupt stops code without loop checks too; without it only loop checks and
   *   awaits are interrupted.
   */
  constructor(
    readonly cwd: string,
    private readonly interruptFlag: Int32Array,
    private readonly terminable: TerminableRunner = (fn) => fn(),
  ) {
    this.requireFromCwd = createRequire(path.join(cwd, "__tspy_notebook__.js"));
    this.requireFromKernel = createRequire(__filename);
    const g = globalThis as Record<string, unknown>;
    g[RUNTIME.check] = () => this.checkInterrupt();
    g[RUNTIME.runAsync] = (body: () => Generator<unknown, unknown, unknown>, self: unknown) => this.runGenerator(body.call(self));
    g[RUNTIME.importModule] = (specifier: string) => this.importModule(specifier);
    g[RUNTIME.importDefault] = (mod: Record<string, unknown>) =>
      mod && typeof mod === "object" && (mod.__esModule || isModuleNamespace(mod)) && "default" in mod ? mod.default : mod;
    g.require = withKernelModules(this.requireFromCwd, this.requireFromKernel);
  }

  /** Throws {@link KeyboardInterrupt} (and clears the flag) when an interrupt is pending. */
  checkInterrupt(): void {
    if (Atomics.load(this.interruptFlag, 0) !== 0) {
      Atomics.store(this.interruptFlag, 0, 0);
      throw new KeyboardInterrupt();
    }
  }

  /**
   * Runs `fn()` under the terminable guard: an interrupt that terminates it surfaces as
   * {@link KeyboardInterrupt} (the interrupt flag is taken, {@link onTermination} runs).
   */
  private guarded<T>(fn: () => T): T {
    return this.terminable(fn, () => {
      Atomics.store(this.interruptFlag, 0, 0);
      this.onTermination?.();
      throw new KeyboardInterrupt();
    });
  }

  /**
   * Steps a cell body turned into a generator (RUNTIME.runAsync): each yielded value is awaited
   * (as `await` would: thenables are followed) and the body resumed with its value or error, each
   * step under {@link guarded}.
   * @returns a Promise of the body's return value; rejects with what it throws.
   */
  private runGenerator(gen: Generator<unknown, unknown, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const step = (resume: () => IteratorResult<unknown, unknown>): void => {
        let r: IteratorResult<unknown, unknown>;
        try {
          r = this.guarded(resume);
        } catch (e) {
          reject(e);
          return;
        }
        if (r.done) resolve(r.value);
        else
          Promise.resolve(r.value).then(
            (v) => step(() => gen.next(v)),
            (e) => step(() => gen.throw(e)),
          );
      };
      step(() => gen.next());
    });
  }

  /**
   * Loads a package for an `import` statement: CommonJS through `require`, ESM-only packages
   * through dynamic `import()`; node: builtins too.
   * @throws Error naming the package and how to install it when it cannot be resolved.
   */
  async importModule(specifier: string): Promise<unknown> {
    let resolved: string;
    try {
      resolved = this.resolve(specifier);
    } catch {
      throw new Error(
        `Cannot find package '${specifier}' from ${this.cwd}. Install it in the notebook's folder with: npm install ${specifier.startsWith("node:") ? "" : packageName(specifier)}`,
      );
    }
    if (!path.isAbsolute(resolved)) return this.requireFromKernel(resolved); // a builtin such as "fs"
    try {
      return this.requireFromKernel(resolved);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
      return import(pathToFileURL(resolved).href);
    }
  }

  private resolve(specifier: string): string {
    if (Object.hasOwn(KERNEL_MODULES, specifier)) return KERNEL_MODULES[specifier];
    try {
      return this.requireFromCwd.resolve(specifier);
    } catch {
      return this.requireFromKernel.resolve(specifier);
    }
  }

  /**
   * Transpiles and runs one cell; its top-level declarations persist.
   * @param source the cell's TypeScript.
   * @param cellName the cell's name in tracebacks, e.g. "cell 3".
   * @param interrupted settles (rejects) when an interrupt arrives while the cell awaits.
   * @returns the value of the cell's last expression (undefined when there is none).
   * @throws CellSyntaxError when the cell does not parse; otherwise whatever the cell throws.
   */
  async run(source: string, cellName: string, interrupted: Promise<never>): Promise<unknown> {
    const fileName = `${cellName}.ts`;
    const cell = transformCell(source, fileName);
    const lines = source.split(/\r?\n/);
    if (cell.errors.length > 0) {
      const first = cell.errors[0];
      const traceback = cell.errors.flatMap((e) => [
        `  File "${fileName}", line ${e.line}, column ${e.column}`,
        `    ${lines[e.line - 1] ?? ""}`,
        `    ${" ".repeat(Math.max(0, e.column - 1))}^`,
        `SyntaxError: ${e.message}`,
      ]);
      throw new CellSyntaxError({ ename: "SyntaxError", evalue: `${first.message} (line ${first.line}, column ${first.column})`, traceback });
    }
    for (const name of cell.declared) {
      this.declared.add(name);
      makeShadowable(name);
    }
    // The script's last line invokes the async wrapper; that frame is the kernel's, not the user's.
    const wrapperLine = cell.code.trimEnd().split("\n").length;
    this.sourceMaps.set(fileName, { map: new SourceMap(JSON.parse(cell.sourceMap)), lines, wrapperLine });
    const script = new vm.Script(cell.code, { filename: fileName });
    const promise = this.guarded(() => script.runInThisContext() as Promise<unknown>);
    return Promise.race([promise, interrupted]);
  }

  /**
   * Error content for an exception thrown by a cell: ename/evalue from the error, traceback
   * from its stack with cell frames mapped to cell lines (and the source line shown), kernel
   * frames dropped. A PythonError keeps its Python traceback.
   */
  errorContent(error: unknown): ErrorContent {
    if (error instanceof CellSyntaxError) return error.content;
    if (!(error instanceof Error)) {
      const text = util.inspect(error, { colors: false });
      return { ename: "Error", evalue: `Uncaught ${text}`, traceback: [`Uncaught ${text}`] };
    }
    const py = error as Error & { traceback?: unknown; type?: unknown };
    // An interrupt that landed in Python code called from TypeScript is still the user's interrupt.
    const ename = error.name === "PythonError" && py.type === "KeyboardInterrupt" ? "KeyboardInterrupt" : error.name || error.constructor?.name || "Error";
    const traceback: string[] = [];
    if (error.name === "PythonError" && Array.isArray(py.traceback)) {
      traceback.push(...(py.traceback as string[]).flatMap((l) => l.replace(/\n$/, "").split("\n")));
    } else {
      traceback.push(`${ename}: ${error.message}`);
    }
    for (const line of (error.stack ?? "").split("\n")) {
      const frame = /^\s+at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
      if (!frame) continue;
      const [, fn, file, l, c] = frame;
      const cell = this.sourceMaps.get(file);
      if (!cell || Number(l) === cell.wrapperLine) continue;
      const entry = cell.map.findEntry(Number(l) - 1, Number(c) - 1) as { originalLine?: number; originalColumn?: number };
      if (entry.originalLine === undefined) continue;
      const where = `${file}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
      traceback.push(fn && !fn.startsWith("async ") && fn !== "<anonymous>" ? `    at ${fn} (${where})` : `    at ${where}`);
      const src = cell.lines[entry.originalLine];
      if (src !== undefined) traceback.push(`        ${src.trim()}`);
    }
    return { ename, evalue: error.message, traceback };
  }
}

/** Modules the kernel ships under a `tspy/...` specifier (`import * as tf from "tspy/tf"`), by specifier: the compiled file. */
export const KERNEL_MODULES: Readonly<Record<string, string>> = { "tspy/tf": path.resolve(__dirname, "..", "..", "bridge", "tf", "index.js") };

/** `require` for cells: {@link KERNEL_MODULES} from the kernel, anything else as `requireFromCwd` (its resolve/cache kept). */
function withKernelModules(requireFromCwd: NodeJS.Require, requireFromKernel: NodeJS.Require): NodeJS.Require {
  const req = ((id: string) => (Object.hasOwn(KERNEL_MODULES, id) ? requireFromKernel(KERNEL_MODULES[id]) : requireFromCwd(id))) as NodeJS.Require;
  return Object.assign(req, { resolve: requireFromCwd.resolve, cache: requireFromCwd.cache, main: requireFromCwd.main, extensions: requireFromCwd.extensions });
}

/**
 * Lets a cell's top-level declaration of `name` shadow a global that has only a getter (Node's
 * `crypto`): the global becomes a writable data property, so `let crypto = 1` and
 * `import * as crypto from "crypto"` assign instead of throwing. Other globals are left as they are.
 */
function makeShadowable(name: string): void {
  const d = Object.getOwnPropertyDescriptor(globalThis, name);
  if (d && d.configurable && d.get && !d.set)
    Object.defineProperty(globalThis, name, { value: undefined, writable: true, enumerable: d.enumerable, configurable: true });
}

function isModuleNamespace(mod: unknown): boolean {
  return typeof mod === "object" && mod !== null && Object.prototype.toString.call(mod) === "[object Module]";
}

/** "lodash/fp" -> "lodash", "@scope/pkg/x" -> "@scope/pkg". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
