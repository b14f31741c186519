// Loads what a notebook imports at run time, by the rule of module-resolution.ts: packages and
// built-ins through Node's loaders, local `.ts`/`.js` files transpiled by TypeScript's API and
// reloaded when they change on disk. Knows Node's module system; nothing of cells or Jupyter.
import * as fs from "node:fs";
import Module, { createRequire, SourceMap } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as vm from "node:vm";
import ts from "typescript";
import { codeFileOf, isPathSpecifier, resolveModule, type ModuleFinder } from "./module-resolution";
import type { TranspileSettings } from "./ts-transform";

/** Where a specifier leads at run time: a module Node loads (a built-in, or a file by absolute path), or a local file this loader runs. */
type RuntimeModule = { kind: "node"; id: string } | { kind: "local"; file: string };

/**
 * A local module as loaded: its source text (to notice edits), its CommonJS module, the local
 * modules it required (as loaded then), and the source map of its compiled code (none for JSON).
 */
interface LoadedModule {
  file: string;
  source: string;
  module: Module;
  deps: Map<string, LoadedModule>;
  map?: SourceMap;
}

/**
 * Loads modules for a notebook's cells and its local modules: `import` statements, `import()`,
 * `require`. A local file runs as a CommonJS module (its `import`/`export` transpiled by
 * `ts.transpileModule`), with a `require` that follows the same rule; it is cached and runs again
 * when its text, or that of a local module it imports, changed since it was loaded.
 */
export class ModuleLoader {
  private readonly loaded = new Map<string, LoadedModule>();
  private readonly kernelRequire = createRequire(__filename);
  private readonly finder: ModuleFinder<RuntimeModule> = {
    kernel: (files) => ({ kind: "node", id: files.code }),
    builtin: (specifier) => ({ kind: "node", id: specifier }),
    local: (resolved) => ({ kind: "local", file: codeFileOf(resolved, fs.existsSync) }),
    package: (specifier, origin) => {
      try {
        return { kind: "node", id: createRequire(origin).resolve(specifier) };
      } catch {
        return undefined;
      }
    },
  };

  /** @param settings compiler options of the notebook's tsconfig.json that local modules compile with. */
  constructor(private readonly settings: TranspileSettings = {}) {}

  /**
   * Where `specifier` leads from `fromFile`.
   * @throws Error (code MODULE_NOT_FOUND) naming the specifier, the folder and, for a package, how to install it.
   */
  private resolve(specifier: string, fromFile: string): RuntimeModule {
    const found = resolveModule(specifier, fromFile, this.finder);
    if (found) return found;
    const from = path.dirname(fromFile);
    const message = isPathSpecifier(specifier)
      ? `Cannot find module '${specifier}' from ${from}: no .ts, .tsx, .d.ts, .js, .mjs, .cjs or .json file, nor a folder with an index, by that name`
      : `Cannot find package '${specifier}' from ${from}. Install it in the notebook's folder with: npm install ${packageName(specifier)}`;
    throw Object.assign(new Error(message), { code: "MODULE_NOT_FOUND" });
  }

  /**
   * CommonJS `require(specifier)` as seen from `fromFile`: `module.exports` of a package, a
   * built-in, or a local module.
   * @param importer the local module requiring it, which records the dependency (none for a cell).
   */
  require(specifier: string, fromFile: string, importer?: LoadedModule): unknown {
    const target = this.resolve(specifier, fromFile);
    if (target.kind === "node") return this.kernelRequire(target.id);
    const exports = this.load(target.file);
    importer?.deps.set(target.file, this.loaded.get(target.file)!);
    return exports;
  }

  /**
   * Loads a module for an `import` statement of a cell: as {@link require}, except that a package
   * Node cannot `require` (ESM with top-level await) is loaded with a dynamic import.
   * @returns the module's exports (`module.exports`, or an ES module's namespace).
   */
  async importForStatement(specifier: string, fromFile: string): Promise<unknown> {
    const target = this.resolve(specifier, fromFile);
    if (target.kind === "local") return this.load(target.file);
    try {
      return this.kernelRequire(target.id);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ERR_REQUIRE_ESM" && code !== "ERR_REQUIRE_ASYNC_MODULE") throw e;
      return import(pathToFileURL(target.id).href);
    }
  }

  /**
   * `import(specifier)` as seen from `fromFile`: a module namespace as ECMAScript's dynamic import
   * gives it (Node's own for packages and built-ins: a CommonJS module's exports are its `default`;
   * for a local module, its exports, with `default` the whole exports when it is not an ES module).
   */
  async importDynamic(specifier: string, fromFile: string): Promise<unknown> {
    const target = this.resolve(specifier, fromFile);
    if (target.kind === "node") return import(path.isAbsolute(target.id) ? pathToFileURL(target.id).href : target.id);
    const exports = this.load(target.file) as Record<string, unknown>;
    if (exports !== null && typeof exports === "object" && exports.__esModule) return exports;
    return Object.freeze(Object.assign(Object.create(null), typeof exports === "object" ? exports : {}, { default: exports }));
  }

  /**
   * A `require` function for code in `fromFile` (a cell's: any file in the notebook's folder),
   * with `require.resolve` (a file path, or a built-in's name) and Node's `require.cache`.
   */
  requireFunction(fromFile: string, importer?: LoadedModule): NodeJS.Require {
    const req = ((id: string) => this.require(id, fromFile, importer)) as NodeJS.Require;
    const resolve = ((id: string) => {
      const target = this.resolve(id, fromFile);
      return target.kind === "node" ? target.id : target.file;
    }) as NodeJS.RequireResolve;
    resolve.paths = (id: string) => this.kernelRequire.resolve.paths(id);
    return Object.assign(req, { resolve, cache: this.kernelRequire.cache, main: this.kernelRequire.main, extensions: this.kernelRequire.extensions });
  }

  /** The exports of a local module: cached while neither it nor a local module it imports changed on disk, else run (again). */
  private load(file: string): unknown {
    const cached = this.loaded.get(file);
    if (cached && !this.changed(cached, new Set())) return cached.module.exports;
    const source = fs.readFileSync(file, "utf8");
    const module = new Module(file);
    module.filename = file;
    const entry: LoadedModule = { file, source, module, deps: new Map() };
    // Cached before it runs, as Node's loader does, so that local modules may import each other in a cycle.
    this.loaded.set(file, entry);
    try {
      if (file.endsWith(".json")) {
        module.exports = JSON.parse(source);
      } else {
        const compiled = this.transpile(source, file);
        entry.map = compiled.map;
        const wrapped = vm.runInThisContext(Module.wrap(compiled.code), { filename: file }) as (...args: unknown[]) => void;
        wrapped.call(module.exports, module.exports, this.requireFunction(file, entry), module, file, path.dirname(file));
      }
    } catch (e) {
      this.loaded.delete(file);
      throw e;
    }
    module.loaded = true;
    return module.exports;
  }

  /** Whether a loaded module's file, or (recursively) a local module it imports, is no longer what was loaded. */
  private changed(entry: LoadedModule, seen: Set<LoadedModule>): boolean {
    if (seen.has(entry)) return false;
    seen.add(entry);
    let text: string;
    try {
      text = fs.readFileSync(entry.file, "utf8");
    } catch {
      return true;
    }
    if (text !== entry.source) return true;
    for (const [file, dep] of entry.deps) if (this.loaded.get(file) !== dep || this.changed(dep, seen)) return true;
    return false;
  }

  /**
   * A local module's TypeScript or JavaScript as CommonJS, by `ts.transpileModule` (types
   * stripped, not checked: the checker reports type errors in the cell that imports it).
   * @throws SyntaxError naming the file, line and column when it does not parse.
   */
  private transpile(source: string, file: string): { code: string; map: SourceMap } {
    // TypeScript emits ES modules for .mts/.mjs whatever `module` says; the name it sees keeps only the language.
    const fileName = file.replace(/\.[mc](ts|js)$/, ".$1");
    const result = ts.transpileModule(source, {
      fileName,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: true,
        jsx: ts.JsxEmit.React,
        experimentalDecorators: this.settings.experimentalDecorators,
        emitDecoratorMetadata: this.settings.emitDecoratorMetadata,
      },
    });
    const error = result.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (error) {
      const where = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
      throw new SyntaxError(`${file}:${where.line + 1}:${where.character + 1}: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
    }
    return { code: result.outputText.replace(/^\/\/# sourceMappingURL=.*$/m, ""), map: new SourceMap(JSON.parse(result.sourceMapText!)) };
  }

  /**
   * Where a stack frame of a loaded local module's compiled code is in its source, e.g.
   * "/nb/lib/a.ts:3:9" (1-based line and column), or undefined when `file` is no local module.
   * @param line 1-based line of the compiled code; `column` 1-based.
   */
  sourcePosition(file: string, line: number, column: number): string | undefined {
    const map = this.loaded.get(file)?.map;
    if (!map) return undefined;
    const entry = map.findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
    return entry.originalLine === undefined ? `${file}:${line}:${column}` : `${file}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  }
}

/** "lodash/fp" -> "lodash", "@scope/pkg/x" -> "@scope/pkg". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
