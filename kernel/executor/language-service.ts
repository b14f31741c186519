// The TypeScript language service over a notebook: every executed TS cell is a script whose
// top-level declarations are global (notebook-cells.ts), plus the cell being edited. Answers
// completions, quick info and type errors. Knows the TypeScript compiler API; nothing of sockets
// or Python objects.
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";
import ts from "typescript";
import { cellDiagnostics, type TsDiagnostic } from "./cell-diagnostics";
import { rankCompletions, wordAround } from "./completion-match";
import { LibBundle, programRoots } from "./lib-bundle";
import { KERNEL_ROOT, localModuleErrors, resolveForChecker } from "./module-resolution";
import { NotebookCells } from "./notebook-cells";
import { PRELUDE_FILE, PYTHON_PRELUDE } from "./python-prelude";
import { notebookCompilerOptions, withProfile, type TypecheckProfile } from "./typecheck-options";

export type { TsDiagnostic } from "./cell-diagnostics";
export { notebookTsconfig, type TypecheckProfile } from "./typecheck-options";

/** One completion candidate, offsets in UTF-16 code units of the cell. */
export interface TsCompletion {
  /** Text to insert in place of [start, end). */
  text: string;
  /** A kind for `_jupyter_types_experimental` (function, variable, class, property, keyword, module...). */
  type: string;
  start: number;
  end: number;
}

/** Ambient declarations every cell sees: the runtime's globals. */
const GLOBALS_FILE = path.join(KERNEL_ROOT, "kernel", "executor", "notebook-globals.d.ts");
/** The kernel's own packages (TypeScript's lib files, `@types/node`): they do not change while the kernel runs. */
const KERNEL_PACKAGES = path.join(KERNEL_ROOT, "node_modules") + path.sep;
/** TypeScript's lib files (lib.es5.d.ts, ...): served as few by {@link LibBundle}. */
const LIB_FOLDER = path.dirname(ts.getDefaultLibFilePath({})) + path.sep;
/** The kernel's own sources the program reads (the bridge's API, the display globals): they do not change while the kernel runs either. */
const KERNEL_SOURCES = [path.join(KERNEL_ROOT, "bridge") + path.sep, path.join(KERNEL_ROOT, "kernel") + path.sep];

/**
 * A language service whose program is the notebook: the executed cells (in order, see
 * {@link NotebookCells}) and the current cell. Created lazily on first use; reads a tsconfig.json
 * from the notebook's folder upwards when there is one (its compilerOptions), else ES2022 with
 * Node's typings and the "notebook" profile (typecheck-options.ts).
 */
export class NotebookLanguageService {
  /** The executed cells as files of the program. */
  private readonly cells: NotebookCells;
  /** Package lookups (package.json reads, node_modules walks) shared by the resolutions of one program; null when a new one must be made. */
  private resolutionCache: ts.ModuleResolutionCache | null = null;
  /** The options {@link resolutionCache} was made for. */
  private resolutionCacheOptions: ts.CompilerOptions | null = null;
  /** Whether a package lookup failed since the cache was made (see {@link noteFailure}). */
  private lookupFailed = false;
  /** Snapshots of files with the version they were made at (files on disk and virtual files alike). */
  private readonly snapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot }>();
  /** Files that never change while the kernel runs ({@link isKernelFile}), by name: true when so (asked for every file of every program). */
  private readonly constantFiles = new Map<string, boolean>();
  private current = "";
  private currentVersion = 0;
  /** Declarations generated for Python modules (kernel/executor/tspy_stubs.py), by chunk key; one virtual file. */
  private readonly pythonChunks = new Map<string, string>();
  private pythonDeclarations = "";
  private pythonVersion = 0;
  private readonly pythonFile: string;
  private service: ts.LanguageService | null = null;
  /** TypeScript's registry of parsed files, shared by {@link warmUpStep}'s parsing ahead and the service. */
  private readonly registry = ts.createDocumentRegistry();
  /** The files {@link warmUpStep} still has to parse; null before it starts or after it ended. */
  private warming: StartupFiles | null = null;
  /** Whether {@link warmUpStep} has finished. */
  private warmed = false;
  /** Lets go of the registry's references taken by {@link preParse}. */
  private readonly preParsed: (() => void)[] = [];
  private options: ts.CompilerOptions;
  /** TypeScript's lib files as few (see lib-bundle.ts), for the options object it was last asked with and their `lib`, `target` and `types` (`key`); null before first use. */
  private libs: { options: ts.CompilerOptions; key: string; bundle: LibBundle; generation: number } | null = null;
  /** Virtual file of the cell being edited (absolute, in the notebook's folder, so relative imports resolve). */
  private readonly currentFile: string;

  /** @param cwd the notebook's folder: module resolution and tsconfig.json start there. */
  constructor(private readonly cwd: string) {
    this.currentFile = path.join(cwd, "__tspy_current_cell.ts");
    this.pythonFile = path.join(cwd, "__tspy_python_modules.d.ts");
    this.cells = new NotebookCells(cwd);
    this.options = notebookCompilerOptions(cwd);
  }

  /**
   * Checks with the given profile's options from now on; an option the notebook's tsconfig.json
   * sets keeps the tsconfig's value.
   */
  useProfile(profile: TypecheckProfile): void {
    this.options = withProfile(this.options, profile, this.cwd);
    this.resolutionCache = null;
  }

  /**
   * Builds the notebook's program and type checker once (parses lib files, `@types/node`, the
   * globals), so that the first cell's check, completion or hover does not pay for it: call when
   * the kernel is idle after start-up.
   */
  warmUp(): void {
    while (this.warmUpStep());
  }

  /**
   * One step of {@link warmUp}, short enough to run between requests when the kernel is idle:
   * the first reads the lib files (see lib-bundle.ts); each step but the last parses one of the kernel's declaration files the first program reads
   * (lib files, `@types/node` and what they reference or import) into the document registry; the
   * last builds the program and its checker from them. A check, completion or hover asked for
   * before the last step builds the program itself, parsing only what is left.
   * @returns whether there is more to do.
   */
  warmUpStep(): boolean {
    if (this.warmed) return false;
    // A request built the program already (with what was parsed by then).
    if (this.service) return this.warmedUp();
    try {
      if (!this.warming) {
        this.warming = new StartupFiles(
          this.options,
          GLOBALS_FILE,
          (file) => this.parsesAhead(file),
          (specifier, from) => resolveForChecker(specifier, from, this.options, undefined, undefined, this.packageCache(this.options)),
        );
        // A step of its own: reading and ordering the lib files (~0.1 s).
        this.libBundle();
        return true;
      }
      const file = this.warming.next();
      if (file !== undefined) {
        this.preParse(file);
        return true;
      }
      this.diagnostics("");
    } catch (e) {
      // Requests build the program themselves.
      this.warmedUp();
      throw e;
    }
    return this.warmedUp();
  }

  /** Ends the warm-up once a program exists: it holds its own references to the files parsed ahead now. */
  private warmedUp(): false {
    for (const release of this.preParsed.splice(0)) release();
    this.warming = null;
    this.warmed = true;
    return false;
  }

  /**
   * Whether {@link warmUpStep} parses `file` ahead: a file of the kernel's ({@link isKernelFile}), a
   * declaration file, or a source file when modules are detected by their syntax alone (the
   * notebook's default, "legacy"): parsed ahead, a file is a module by its own syntax, as
   * createSourceFile decides by default, and a declaration file is one so under any moduleDetection.
   */
  private parsesAhead(file: string): boolean {
    const legacy = this.options.moduleDetection === ts.ModuleDetectionKind.Legacy;
    return this.isKernelFile(file) && !this.isVirtual(file) && (file.endsWith(".d.ts") || (legacy && file.endsWith(".ts")));
  }

  /**
   * Parses a file of the kernel into the document registry as the program will ask for
   * it (same settings key, module format and version), and queues what it references; the
   * registry's reference is let go when the program has taken its own (see {@link warmUpStep}).
   */
  private preParse(file: string): void {
    const snapshot = this.snapshotOf(file);
    if (!snapshot) return;
    const options = this.options;
    const key = this.registry.getKeyForCompilationSettings(options);
    const at = (ts.sys.useCaseSensitiveFileNames ? file : file.toLowerCase()) as ts.Path;
    const format = ts.getImpliedNodeFormatForFile(at, this.packageCache(options).getPackageJsonInfoCache(), ts.sys, options);
    // Without setExternalModuleIndicator: a module by its own syntax (see parsesAhead).
    const parsed = this.registry.acquireDocumentWithKey(file, at, options, key, snapshot, this.versionOf(file), ts.ScriptKind.TS, {
      languageVersion: options.target ?? ts.ScriptTarget.ES5,
      impliedNodeFormat: format,
    });
    this.warming?.visit(file, parsed);
    this.preParsed.push(() => this.registry.releaseDocumentWithKey(at, key, ts.ScriptKind.TS, format));
  }

  private get ls(): ts.LanguageService {
    if (this.service) return this.service;
    // getModuleResolutionCache is not in LanguageServiceHost's declared type, but TypeScript's
    // program reads it from the host (createProgram): with it, the package.json lookups that
    // decide each file's module format are cached across programs, not repeated for every lib file.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [GLOBALS_FILE, PRELUDE_FILE, this.pythonFile, ...this.cells.rootNames(), this.currentFile],
      getScriptVersion: (f) => this.versionOf(f),
      getScriptSnapshot: (f) => this.snapshotOf(f),
      getModuleResolutionCache: () => this.packageCache(this.options),
      getCurrentDirectory: () => this.cwd,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.isVirtual(f) || ts.sys.fileExists(f),
      readFile: (f) => this.textOf(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      // The notebook's one rule for modules (module-resolution.ts), as at run time.
      resolveModuleNameLiterals: (literals, containingFile, redirected, options, containingSourceFile) =>
        literals.map((l) =>
          this.noteFailure(
            l.text,
            resolveForChecker(
              l.text,
              containingFile,
              options,
              ts.getModeForUsageLocation(containingSourceFile, l, options),
              redirected,
              this.packageCache(options),
            ),
          ),
        ),
    };
    this.service = ts.createLanguageService(host, reusingDocumentRegistry(this.registry));
    return this.service;
  }

  /** The cache of package lookups for a program built with `options` (a new one when the options changed). */
  private packageCache(options: ts.CompilerOptions): ts.ModuleResolutionCache {
    if (!this.resolutionCache || this.resolutionCacheOptions !== options) {
      this.resolutionCache = ts.createModuleResolutionCache(this.cwd, (f) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase()), options);
      this.resolutionCacheOptions = options;
    }
    return this.resolutionCache;
  }

  /**
   * `resolved`, after noting when a package was not found: the cache of lookups is then dropped at
   * the next executed cell, so a package installed meanwhile is found (a Node built-in has no
   * resolution of its own: Node's typings declare it as an ambient module).
   */
  private noteFailure(specifier: string, resolved: ts.ResolvedModuleWithFailedLookupLocations): ts.ResolvedModuleWithFailedLookupLocations {
    if (!resolved.resolvedModule && !isBuiltin(specifier)) this.lookupFailed = true;
    return resolved;
  }

  /**
   * A snapshot of a file for the language service, which asks for every file of every program it
   * builds: a file on disk is read again only when its {@link versionOf | version} changed.
   */
  private snapshotOf(file: string): ts.IScriptSnapshot | undefined {
    const version = this.versionOf(file);
    const known = this.snapshots.get(file);
    if (known?.version === version) return known.snapshot;
    const text = this.textOf(file);
    if (text === undefined) {
      this.snapshots.delete(file);
      return undefined;
    }
    const snapshot = ts.ScriptSnapshot.fromString(text);
    this.snapshots.set(file, { version, snapshot });
    return snapshot;
  }

  /**
   * Whether `file` is one of the kernel's own that never change while it runs (TypeScript's lib
   * files, `@types/node`, the bridge's API), so its version is not read from disk at every
   * request. A file in the notebook's folder is the notebook's (a local module) unless it is in
   * the kernel's node_modules.
   */
  private isKernelFile(file: string): boolean {
    let known = this.constantFiles.get(file);
    if (known === undefined) {
      const inNotebook = file.startsWith(this.cwd + path.sep);
      known = file.startsWith(KERNEL_PACKAGES) || (!inNotebook && KERNEL_SOURCES.some((dir) => file.startsWith(dir)));
      this.constantFiles.set(file, known);
    }
    return known;
  }

  /** Whether `file` is one the notebook makes up (no such file on disk). */
  private isVirtual(file: string): boolean {
    return file === this.currentFile || file === this.pythonFile || file === PRELUDE_FILE || this.cells.has(file);
  }

  private versionOf(file: string): string {
    if (file === this.currentFile) return String(this.currentVersion);
    if (file === this.pythonFile) return String(this.pythonVersion);
    if (file === PRELUDE_FILE) return "0";
    if (this.cells.has(file)) return this.cells.version(file);
    if (file.startsWith(LIB_FOLDER)) return String(this.libBundle().generation);
    return this.isKernelFile(file) ? "0" : diskVersion(file);
  }

  private textOf(file: string): string | undefined {
    if (file === this.currentFile) return this.current;
    if (file === this.pythonFile) return this.pythonDeclarations;
    if (file === PRELUDE_FILE) return PYTHON_PRELUDE;
    if (this.cells.has(file)) return this.cells.text(file);
    if (file.startsWith(LIB_FOLDER)) return this.libBundle().bundle.textOf(file) ?? ts.sys.readFile(file);
    return ts.sys.readFile(file);
  }

  /** The lib bundle for the current options (a new one, with a new version of the lib files, when their `lib`, `target` or `types` changed). */
  private libBundle(): { bundle: LibBundle; generation: number } {
    // Asked for each lib file of every program: the key is made again only for a new options object (a profile change).
    if (this.libs?.options === this.options) return this.libs;
    const key = JSON.stringify([this.options.lib, this.options.target, this.options.types, this.options.typeRoots]);
    const generation = (this.libs?.generation ?? 0) + (this.libs?.key === key ? 0 : 1);
    const bundle = this.libs?.key === key ? this.libs.bundle : new LibBundle(this.options, ts.sys.readFile);
    this.libs = { options: this.options, key, bundle, generation };
    return this.libs;
  }

  /**
   * Adds a TS cell that ran, so later cells see its declarations. Its imports become ambient
   * `declare const` of the imported module's type, so the cell stays a global script.
   * @param source the cell's TypeScript (parsed without error).
   */
  addExecutedCell(source: string): void {
    this.cells.add(source, (file) => this.declarationsOf(file));
    // A package installed since a failed lookup is found by the next check.
    if (this.lookupFailed) {
      this.resolutionCache = null;
      this.lookupFailed = false;
    }
    this.cells.hideRedeclared(this.current);
  }

  /**
   * The declarations TypeScript emits for a file of the program (`declare const v: number;`),
   * or null when emitting them reports a problem (a type that cannot be named there).
   */
  private declarationsOf(file: string): string | null {
    const out = this.ls.getEmitOutput(file, true, true);
    const emitted = out.outputFiles.find((o) => o.name.endsWith(".d.ts"));
    return emitted && out.diagnostics.length === 0 ? emitted.text : null;
  }

  /**
   * Adds generated declarations of Python modules (interfaces, keyword types and `PyModules`
   * entries), so `tspy.import("name")` and its members are typed in later completions, hovers and
   * checks. A chunk whose key was added before (a class two modules share) is skipped.
   * @param chunks [key, declaration text] pairs, as tspy_stubs.chunks returns them.
   */
  addPythonDeclarations(chunks: readonly (readonly [string, string])[]): void {
    let added = false;
    for (const [key, text] of chunks) {
      if (this.pythonChunks.has(key)) continue;
      this.pythonChunks.set(key, text);
      added = true;
    }
    if (!added) return;
    this.pythonDeclarations = [...this.pythonChunks.values()].join("");
    this.pythonVersion++;
  }

  private setCurrent(source: string): void {
    if (source === this.current) return;
    this.current = source;
    this.currentVersion++;
    this.cells.hideRedeclared(source);
  }

  /**
   * Completions at `offset` of a cell being edited: TypeScript's candidates that match the whole
   * word around the cursor (case-insensitively, anywhere in the name, exact-case prefixes first:
   * see completion-match.ts), each replacing that word.
   * @param source the cell's TypeScript.
   * @param offset cursor, UTF-16 code units.
   * @returns ranked candidates with the range [start, end) they replace.
   */
  complete(source: string, offset: number): TsCompletion[] {
    this.setCurrent(source);
    const info = this.ls.getCompletionsAtPosition(this.currentFile, offset, {
      includeCompletionsWithInsertText: true,
      includeCompletionsForModuleExports: false,
    });
    if (!info) return [];
    const word = wordAround(source, offset);
    const entries = info.entries.filter((e) => !e.name.startsWith("__tspy"));
    return rankCompletions(word.text, entries, (e) => e.name).map((e) => ({
      text: e.insertText ?? e.name,
      type: e.kind,
      start: e.replacementSpan ? e.replacementSpan.start : word.start,
      end: e.replacementSpan ? e.replacementSpan.start + e.replacementSpan.length : word.end,
    }));
  }

  /**
   * Type and TSDoc of the symbol at `offset`, as Markdown-free plain text, or null.
   * @param detailLevel 0: signature and summary; 1: also the JSDoc tags.
   */
  quickInfo(source: string, offset: number, detailLevel: number): string | null {
    this.setCurrent(source);
    const info = this.ls.getQuickInfoAtPosition(this.currentFile, Math.max(0, offset - (offset > 0 && /\W/.test(source[offset] ?? " ") ? 1 : 0)));
    if (!info) return null;
    const parts = [ts.displayPartsToString(info.displayParts)];
    const doc = ts.displayPartsToString(info.documentation);
    if (doc) parts.push(doc);
    if (detailLevel > 0) {
      for (const tag of info.tags ?? []) parts.push(`@${tag.name} ${ts.displayPartsToString(tag.text)}`.trim());
    }
    return parts.join("\n\n");
  }

  /**
   * Work an executed cell leaves for the next check, done while the kernel is idle (after the
   * cell's reply): the freeze of a block of old cells that the next cell would otherwise wait for,
   * and, when the program's files changed (a freeze, a new block of slots), the new program and
   * its checker, so the next check, completion or hover only changes the cell being edited.
   * Nothing before the program exists (the warm-up builds it).
   * @returns whether anything was done.
   */
  settle(): boolean {
    if (!this.service) return false;
    if (!this.cells.settle((file) => this.declarationsOf(file))) return false;
    this.diagnostics(this.current);
    return true;
  }

  /**
   * Type errors of a cell (syntax errors are the transpiler's business), without the artefacts
   * of a notebook being a set of scripts.
   */
  diagnostics(source: string): TsDiagnostic[] {
    this.setCurrent(source);
    const file = this.ls.getProgram()?.getSourceFile(this.currentFile);
    if (!file) return [];
    return cellDiagnostics(file, [...this.ls.getSemanticDiagnostics(this.currentFile), ...localModuleErrors(this.ls, this.currentFile, this.cwd)]);
  }
}

/** What {@link reusingDocumentRegistry} remembers of the source file it last gave for a path. */
interface RegistryEntry {
  key: ts.DocumentRegistryBucketKey;
  version: string;
  kind: ts.ScriptKind | undefined;
  format: ts.ResolutionMode;
  file: ts.SourceFile;
}

/**
 * TypeScript's document registry `registry`, for one language service, answering
 * the request that makes up nearly all of a notebook's: every new program (one per edit of the
 * cell) asks again for each of its ~200 files, nearly all unchanged (lib files, `@types/node`,
 * earlier cells). An update of a file to the version, settings and module format it was last
 * given at returns that same SourceFile at once; anything else goes to TypeScript's registry,
 * which parses, updates incrementally and counts references as usual.
 */
function reusingDocumentRegistry(registry: ts.DocumentRegistry): ts.DocumentRegistry {
  const last = new Map<ts.Path, RegistryEntry>();
  const formatOf = (options: ts.ScriptTarget | ts.CreateSourceFileOptions | undefined) => (typeof options === "object" ? options.impliedNodeFormat : undefined);
  const remember = (path: ts.Path, entry: RegistryEntry) => (last.set(path, entry), entry.file);
  return {
    ...registry,
    acquireDocumentWithKey: (fileName, path, host, key, snapshot, version, kind, options) =>
      remember(path, {
        key,
        version,
        kind,
        format: formatOf(options),
        file: registry.acquireDocumentWithKey(fileName, path, host, key, snapshot, version, kind, options),
      }),
    updateDocumentWithKey: (fileName, path, host, key, snapshot, version, kind, options) => {
      const known = last.get(path);
      if (known && known.version === version && known.key === key && known.kind === kind && known.format === formatOf(options)) return known.file;
      return remember(path, {
        key,
        version,
        kind,
        format: formatOf(options),
        file: registry.updateDocumentWithKey(fileName, path, host, key, snapshot, version, kind, options),
      });
    },
    releaseDocumentWithKey: (path: ts.Path, key: ts.DocumentRegistryBucketKey, kind?: ts.ScriptKind, format?: ts.ResolutionMode) => {
      last.delete(path);
      if (kind === undefined) registry.releaseDocumentWithKey(path, key);
      else registry.releaseDocumentWithKey(path, key, kind, format);
    },
  };
}

/**
 * The files a program with `options` reads before any cell: the lib files, the type packages of
 * `types`, a root file, then what each of them references (`/// <reference path|lib|types>`) or
 * imports, as found by {@link ts.preProcessFile}, in the order they are found. Only files that
 * `wanted` accepts are listed or followed.
 */
class StartupFiles {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private readonly libFolder: string;

  /**
   * @param root a root file of the program (on disk).
   * @param resolve a module specifier's resolution from a file, as the program resolves it.
   */
  constructor(
    private readonly options: ts.CompilerOptions,
    root: string,
    private readonly wanted: (file: string) => boolean,
    private readonly resolve: (specifier: string, from: string) => ts.ResolvedModuleWithFailedLookupLocations,
  ) {
    const roots = programRoots(options);
    this.libFolder = roots.libFolder;
    for (const file of [...roots.libs, ...roots.types, root]) this.add(file);
  }

  /** The next file to parse, or undefined when all are. */
  next(): string | undefined {
    return this.queue.shift();
  }

  /** Queues what `file` (as parsed: its text) references and imports. */
  visit(file: string, parsed: ts.SourceFile): void {
    const found = ts.preProcessFile(parsed.text, true, true);
    for (const ref of found.referencedFiles) this.add(path.resolve(path.dirname(file), ref.fileName));
    for (const lib of found.libReferenceDirectives) this.add(path.join(this.libFolder, `lib.${lib.fileName.toLowerCase()}.d.ts`));
    for (const type of found.typeReferenceDirectives)
      this.add(ts.resolveTypeReferenceDirective(type.fileName, file, this.options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName);
    for (const imported of found.importedFiles) this.add(this.resolve(imported.fileName, file).resolvedModule?.resolvedFileName);
  }

  private add(file: string | undefined): void {
    if (file === undefined || this.seen.has(file) || !this.wanted(file)) return;
    this.seen.add(file);
    this.queue.push(file);
  }
}

/** A version of a file on disk for the language service: changes when the file is written (its mtime and size). */
function diskVersion(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.mtimeMs}:${stat.size}` : "0";
}
