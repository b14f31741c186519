// Runs transformed TypeScript cells in the executor's global scope and turns their errors into
// Jupyter error content with the cell's own line numbers. Knows V8 stacks and source maps;
// nothing of sockets.
import { SourceMap } from "node:module";
import * as path from "node:path";
import * as util from "node:util";
import * as vm from "node:vm";
import { namedError, type ErrorContent } from "../protocol/error-content";
import { ModuleLoader } from "./module-loader";
import { notebookTsconfig } from "./language-service";
import { RUNTIME, transformCell, type TranspileSettings } from "./ts-transform";

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
  /**
   * Per cell file: its source map (the JSON, parsed into `map` the first time a traceback needs
   * it: most cells never throw), its source lines and the line of the kernel's wrapper call.
   */
  private readonly sourceMaps = new Map<string, { json: string; map?: SourceMap; lines: string[]; wrapperLine: number }>();
  private readonly modules: ModuleLoader;
  /** The file a cell's imports are resolved from (a name in the notebook's folder; no such file exists). */
  private readonly cellFile: string;

  /** Called after an interrupt terminated running TS code (e.g. to replace streams a termination may have cut mid-write). */
  onTermination: (() => void) | null = null;

  /**
   * @param cwd the notebook's folder: `import`, `import()` and `require` find local modules there,
   *   and packages from there upwards first, then in the kernel's own node_modules (module-resolution.ts).
   * @param interruptFlag Int32Array of one element; non-zero means "stop the TS code now" (set by the main thread with Atomics).
   * @param terminable runs the cell's synchronous part and each continuation after an `await`, so
   *   that an interrupt stops code without loop checks too; without it only loop checks and
   *   awaits are interrupted.
   * @param settings the options that change compiled code (decorators); by default the notebook's tsconfig.json's.
   */
  constructor(
    readonly cwd: string,
    private readonly interruptFlag: Int32Array,
    private readonly terminable: TerminableRunner = (fn) => fn(),
    private readonly settings: TranspileSettings = notebookTsconfig(cwd),
  ) {
    this.cellFile = path.join(cwd, "__tspy_notebook__.ts");
    this.modules = new ModuleLoader(settings);
    const g = globalThis as Record<string, unknown>;
    g[RUNTIME.check] = () => this.checkInterrupt();
    g[RUNTIME.runAsync] = (body: () => Generator<unknown, unknown, unknown>, self: unknown) => this.runGenerator(body.call(self));
    g[RUNTIME.importModule] = (specifier: string) => this.importModule(specifier);
    g[RUNTIME.dynamicImport] = (specifier: unknown) => this.modules.importDynamic(String(specifier), this.cellFile);
    g[RUNTIME.importDefault] = (mod: Record<string, unknown>) =>
      mod && typeof mod === "object" && (mod.__esModule || isModuleNamespace(mod)) && "default" in mod ? mod.default : mod;
    g.require = this.modules.requireFunction(this.cellFile);
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
   * Loads a module for an `import` statement of a cell: a package (CommonJS through `require`,
   * ESM-only through dynamic `import()`), a node: built-in, `tspy/tf`, or a local module.
   * @throws Error naming the module (and, for a package, how to install it) when it cannot be resolved.
   */
  importModule(specifier: string): Promise<unknown> {
    return this.modules.importForStatement(specifier, this.cellFile);
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
    const cell = transformCell(source, fileName, this.settings);
    const lines = source.split(/\r?\n/);
    if (cell.errors.length > 0) {
      const first = cell.errors[0];
      const traceback = cell.errors.flatMap((e) => [
        `  File "${fileName}", line ${e.line}, column ${e.column}`,
        `    ${lines[e.line - 1] ?? ""}`,
        `    ${" ".repeat(Math.max(0, e.column - 1))}^`,
        `SyntaxError: ${e.message}`,
      ]);
      throw new CellSyntaxError(namedError("SyntaxError", `${first.message} (line ${first.line}, column ${first.column})`, traceback));
    }
    const fresh = cell.declared.filter((name) => !this.declared.has(name));
    for (const name of cell.declared) {
      this.declared.add(name);
      makeShadowable(name);
    }
    // The script's last line invokes the async wrapper; that frame is the kernel's, not the user's.
    const wrapperLine = cell.code.trimEnd().split("\n").length;
    this.sourceMaps.set(fileName, { json: cell.sourceMap, lines, wrapperLine });
    const script = new vm.Script(cell.code, { filename: fileName });
    const promise = this.guarded(() => script.runInThisContext() as Promise<unknown>);
    // A new name whose initialiser threw never got a value (JavaScript's temporal dead zone): it is
    // no variable (the variables panel, Python's `ts`), though a later cell may declare it again.
    promise.catch(() => {
      for (const name of fresh) if ((globalThis as Record<string, unknown>)[name] === undefined) this.declared.delete(name);
    });
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
      return namedError("Error", `Uncaught ${text}`, [`Uncaught ${text}`]);
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
      if (!cell) {
        // A frame in a local module (lib/a.ts) is the user's too; a package's or the kernel's is not.
        const where = this.modules.sourcePosition(file, Number(l), Number(c));
        if (where) traceback.push(fn ? `    at ${fn} (${where})` : `    at ${where}`);
        continue;
      }
      if (Number(l) === cell.wrapperLine) continue;
      cell.map ??= new SourceMap(JSON.parse(cell.json));
      const entry = cell.map.findEntry(Number(l) - 1, Number(c) - 1) as { originalLine?: number; originalColumn?: number };
      if (entry.originalLine === undefined) continue;
      const where = `${file}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
      traceback.push(fn && !fn.startsWith("async ") && fn !== "<anonymous>" ? `    at ${fn} (${where})` : `    at ${where}`);
      const src = cell.lines[entry.originalLine];
      if (src !== undefined) traceback.push(`        ${src.trim()}`);
    }
    return namedError(ename, error.message, traceback);
  }
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
