// The one rule by which a notebook finds what it imports — for `import`, `import()`, `require` in
// cells and in local modules, and for the type checker. Knows Node's and TypeScript's resolvers;
// nothing of cells, Jupyter or Python.
import { isBuiltin } from "node:module";
import * as path from "node:path";
import ts from "typescript";

/** Folder of the kernel's package (its node_modules is the last place a package is looked for). */
/** The kernel's own repository root (its node_modules are the last place packages are looked up). */
export const KERNEL_ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * Modules the kernel ships under a `tspy/...` specifier (`import * as tf from "tspy/tf"`), by
 * specifier: `code` is the compiled file the runtime loads, `types` the source the checker reads.
 */
export const KERNEL_MODULES: ReadonlyMap<string, { code: string; types: string }> = new Map([
  ["tspy/tf", { code: path.resolve(__dirname, "..", "..", "bridge", "tf", "index.js"), types: path.join(KERNEL_ROOT, "bridge", "tf", "index.ts") }],
]);

/**
 * How one consumer turns each step of {@link resolveModule} into its own result: the runtime wants
 * a file to load, the checker a TypeScript resolution.
 */
export interface ModuleFinder<T> {
  /** A `tspy/...` module of {@link KERNEL_MODULES}. */
  kernel(files: { code: string; types: string }): T;
  /** A Node built-in (`fs`, `node:path`). */
  builtin(specifier: string): T;
  /** A file found by {@link resolveLocalFile} (relative or absolute specifier). */
  local(resolved: ts.ResolvedModuleFull): T;
  /** A package looked up from `origin` (a file whose folder starts the node_modules walk upwards); undefined when not found there. */
  package(specifier: string, origin: string): T | undefined;
}

/**
 * Resolves a module specifier as seen from `fromFile` (a cell: any file in the notebook's folder;
 * a local module: its own file), in this order:
 * 1. a `tspy/...` module the kernel ships ({@link KERNEL_MODULES});
 * 2. a Node built-in (`fs`, `node:path`);
 * 3. a relative or absolute path: a `.ts`/`.tsx`/`.mts`/`.cts`/`.js`/`.mjs`/`.cjs`/`.json` file (or a
 *    folder's index) by TypeScript's bundler resolution ({@link resolveLocalFile});
 * 4. a package: from `fromFile`'s folder upwards first (the notebook's node_modules), then from the
 *    kernel's own package.
 * @returns the finder's result, or undefined when nothing matched.
 */
export function resolveModule<T>(specifier: string, fromFile: string, finder: ModuleFinder<T>): T | undefined {
  const shipped = KERNEL_MODULES.get(specifier);
  if (shipped) return finder.kernel(shipped);
  if (isBuiltin(specifier)) return finder.builtin(specifier);
  if (isPathSpecifier(specifier)) {
    const local = resolveLocalFile(specifier, fromFile);
    return local && finder.local(local);
  }
  for (const origin of [fromFile, path.join(KERNEL_ROOT, "__tspy_kernel__.ts")]) {
    const found = finder.package(specifier, origin);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether a specifier names a file rather than a package: `./x`, `../x`, `/abs/x`, `.`, `..`. */
export function isPathSpecifier(specifier: string): boolean {
  return /^\.\.?(\/|$)/.test(specifier) || path.isAbsolute(specifier);
}

/** Options of the local-file resolution: TypeScript's bundler rule, with JS and JSON files and `.ts` extensions allowed. */
const LOCAL_RESOLUTION: ts.CompilerOptions = {
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  module: ts.ModuleKind.ESNext,
  allowJs: true,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  noEmit: true,
};

/**
 * The file a relative or absolute specifier names, by TypeScript's bundler resolution as tslab and
 * Deno allow it: `./lib/a` is lib/a.ts (or .tsx, .d.ts, .js, ...), `./lib/a.js` may name lib/a.ts,
 * `./lib/a.ts` and `./lib/c.cjs` name themselves, `./lib` is lib/index.ts.
 * @param fromFile the importing file (its folder is where the path starts).
 * @returns TypeScript's resolution (`resolvedFileName` may be a declaration file, see {@link codeFileOf}), or undefined.
 */
export function resolveLocalFile(specifier: string, fromFile: string): ts.ResolvedModuleFull | undefined {
  return ts.resolveModuleName(specifier, fromFile, LOCAL_RESOLUTION, ts.sys).resolvedModule;
}

/**
 * The file that runs for a local resolution: the file itself, or for a declaration file
 * (`a.d.ts`, `a.d.mts`) the JavaScript next to it (`a.js`, `a.mjs`).
 * @throws Error when a declaration file has no JavaScript next to it.
 */
export function codeFileOf(resolved: ts.ResolvedModuleFull, exists: (file: string) => boolean): string {
  const file = resolved.resolvedFileName;
  const declaration = /\.d\.([mc]?)ts$/.exec(file);
  if (!declaration) return file;
  const code = `${file.slice(0, -declaration[0].length)}.${declaration[1]}js`;
  if (!exists(code)) throw new Error(`Cannot run '${file}': it has only type declarations (no ${path.basename(code)} next to it)`);
  return code;
}

/**
 * The type checker's side of {@link resolveModule} (a LanguageServiceHost's
 * `resolveModuleNameLiterals`): the checker sees what the runtime loads. A file inside node_modules
 * resolves its own imports as TypeScript does; a local file resolves with its `.ts` extension
 * allowed (the runtime loads `./data.ts`), so no TS5097.
 * @param options the program's compiler options (packages resolve with them, e.g. Node16 `exports` conditions).
 * @param mode the import's resolution mode (ts.getModeForUsageLocation).
 * @param cache TypeScript's cache of package lookups (package.json reads, folder walks) for the
 *   program being built; it must have been created for the same `options`.
 */
export function resolveForChecker(
  specifier: string,
  containingFile: string,
  options: ts.CompilerOptions,
  mode: ts.ResolutionMode,
  redirected?: ts.ResolvedProjectReference,
  cache?: ts.ModuleResolutionCache,
): ts.ResolvedModuleWithFailedLookupLocations {
  const lookUp = (from: string) => ts.resolveModuleName(specifier, from, options, ts.sys, cache, redirected, mode).resolvedModule;
  if (/[\\/]node_modules[\\/]/.test(containingFile)) return { resolvedModule: lookUp(containingFile) };
  const resolvedModule = resolveModule<ts.ResolvedModuleFull | undefined>(specifier, containingFile, {
    kernel: (files) => ({ resolvedFileName: files.types, extension: ts.Extension.Ts, isExternalLibraryImport: false }),
    // Node's typings declare the built-ins as ambient modules ("node:path").
    builtin: () => undefined,
    local: (resolved) => ({ ...resolved, resolvedUsingTsExtension: false }),
    package: (_name, origin) => lookUp(origin),
  });
  return { resolvedModule };
}

/**
 * Errors in the local modules a cell imports (directly or through other local modules): syntax and
 * type errors of each `.ts` file, syntax errors of each `.js` file, each placed on the cell's
 * import that leads to it, its message starting with the module's path (relative to `cwd`) and
 * position, e.g. "lib/a.ts:1:14: Type 'string' is not assignable to type 'number'.".
 * @param ls the notebook's language service; `cellFile` must be one of its files.
 * @returns diagnostics in `cellFile` (start/length of the import's specifier), in import order.
 */
export function localModuleErrors(ls: ts.LanguageService, cellFile: string, cwd: string): ts.Diagnostic[] {
  const program = ls.getProgram();
  const cell = program?.getSourceFile(cellFile);
  if (!program || !cell) return [];
  const out: ts.Diagnostic[] = [];
  const seen = new Set<string>();
  const onlyLocal: ModuleFinder<ts.ResolvedModuleFull | undefined> = {
    kernel: () => undefined,
    builtin: () => undefined,
    local: (r) => r,
    package: () => undefined,
  };
  const localImports = (file: ts.SourceFile) =>
    moduleSpecifiers(file).flatMap((literal) => {
      const local = resolveModule(literal.text, file.fileName, onlyLocal);
      return local && !local.isExternalLibraryImport ? [{ literal, file: local.resolvedFileName }] : [];
    });
  for (const root of localImports(cell)) {
    const pending = [root.file];
    while (pending.length > 0) {
      const fileName = pending.pop()!;
      const file = program.getSourceFile(fileName);
      if (seen.has(fileName) || !file) continue;
      seen.add(fileName);
      for (const d of [...ls.getSyntacticDiagnostics(fileName), ...ls.getSemanticDiagnostics(fileName)]) {
        if (d.category !== ts.DiagnosticCategory.Error) continue;
        const at = file.getLineAndCharacterOfPosition(d.start ?? 0);
        const where = `${path.relative(cwd, fileName)}:${at.line + 1}:${at.character + 1}`;
        out.push({
          ...d,
          file: cell,
          start: root.literal.getStart(cell),
          length: root.literal.getWidth(cell),
          messageText: `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        });
      }
      pending.push(...localImports(file).map((i) => i.file));
    }
  }
  return out;
}

/** The module specifiers a file names: import/export declarations, `import x = require(...)`, `import(...)` calls and `import("...")` types. */
function moduleSpecifiers(file: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const add = (e: ts.Node | undefined) => {
    if (e && ts.isStringLiteralLike(e)) found.push(e);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) add(n.moduleSpecifier);
    else if (ts.isExternalModuleReference(n)) add(n.expression);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) add(n.arguments[0]);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal);
    ts.forEachChild(n, visit);
  };
  visit(file);
  return found;
}
