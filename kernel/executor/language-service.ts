// The TypeScript language service over a notebook: every executed TS cell is a script file whose
// top-level declarations are global, plus the cell being edited. Answers completions, quick info
// and type errors. Knows the TypeScript compiler API; nothing of sockets or Python objects.
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";
import ts from "typescript";
import { rankCompletions, wordAround } from "./completion-match";
import { KERNEL_ROOT, localModuleErrors, resolveForChecker } from "./module-resolution";
import type { Diagnostic } from "../contracts/notebook-comm";

/** One completion candidate, offsets in UTF-16 code units of the cell. */
export interface TsCompletion {
  /** Text to insert in place of [start, end). */
  text: string;
  /** A kind for `_jupyter_types_experimental` (function, variable, class, property, keyword, module...). */
  type: string;
  start: number;
  end: number;
}

/**
 * A type error found in a cell: where it starts and ends (1-based lines and columns of the cell,
 * columns in UTF-16 code units as Monaco counts them; the end is exclusive), the compiler's code,
 * message and category — the `tspy.notebook` comm's Diagnostic, sent to the app as it is.
 */
export type TsDiagnostic = Diagnostic;

/** Ambient declarations every cell sees: the runtime's globals. */
const GLOBALS_FILE = path.join(KERNEL_ROOT, "kernel", "executor", "notebook-globals.d.ts");
/** Virtual file of {@link PYTHON_PRELUDE}, next to the globals so its relative import resolves the same way. */
const PRELUDE_FILE = path.join(KERNEL_ROOT, "kernel", "executor", "__tspy_python_prelude.d.ts");
/** The kernel's own packages (TypeScript's lib files, `@types/node`): they do not change while the kernel runs. */
const KERNEL_PACKAGES = path.join(KERNEL_ROOT, "node_modules") + path.sep;

/**
 * Executed cells are the files `__tspy_cell_<n>.ts`, listed in the program in blocks of this many
 * (a file not yet run is empty): running a cell then changes one file's text but not the
 * program's root files, so TypeScript reuses the program's structure (resolved modules and type
 * references, parsed and bound lib files) and only parses the new cell; the root files change
 * once per block.
 */
const CELL_SLOTS = 32;

/**
 * The vocabulary of the declarations kernel/executor/tspy_stubs.py generates for Python modules:
 * - `Arg`: any positional argument (every value; a keyword-arguments marker passes only where
 *   the parameter's `Kw<...>` alternative types it, so its names are checked);
 * - `Kw<T>`: the marker `tspy.kwargs({...})` of a callee whose keyword names are `T`: since the
 *   marker takes `T` from this context, never from its argument, the object literal gets
 *   TypeScript's excess-property check (a misspelt keyword is an error; `T` with an index
 *   signature, for a callee with open `**kwargs`, accepts every name);
 * - `Closed`: a proxy's own members without the open index signature, so the interface of a class
 *   whose attributes are all known makes a misspelt attribute an error (names starting with `_`
 *   stay open);
 * - `Open`: a proxy's own members and every attribute name, but no call signature (a class,
 *   whose constructor signature is declared next to it);
 * - `Obj`: any Python object, accepted wherever a value of an inferred type (number, string...)
 *   is expected, as Python's duck typing does.
 */
const PYTHON_PRELUDE = `declare namespace __tspy_py {
  /** Any argument of a Python call. */
  type Arg = {} | null | undefined;
  /** The keyword-arguments marker of a callee whose keyword names are T. */
  type Kw<T extends object> = import("../../bridge/lib/index").PyKwargs<T>;
  /** A proxy's own members, without the index signature that opens every name. */
  type ProxyMembers = { [K in keyof PyProxy as string extends K ? never : number extends K ? never : K]: PyProxy[K] };
  /** What the interface of a Python object whose attributes are all known extends. */
  interface Closed extends ProxyMembers {
    [name: \`_\${string}\`]: any;
  }
  /** A Python object whose attributes cannot all be known (a class's, whose call signature is declared apart). */
  interface Open extends ProxyMembers {
    [name: string]: any;
  }
  /** Any Python object. */
  type Obj = Closed | PyProxy;
}
`;

/**
 * Diagnostics that are artefacts of a notebook seen as a set of scripts, not user errors:
 * redeclared names across cells (2451 block-scoped, 2300 duplicate identifier, 2393 duplicate
 * function), top-level await in a script (1375, 1378), `import` in a script-like cell (1208),
 * an ES module imported by a CommonJS-format cell (1479: the runtime loads ES modules too).
 */
const NOTEBOOK_ARTEFACTS = new Set([2451, 2300, 2393, 1375, 1378, 1309, 1208, 2528, 1479]);

/** The type-check profiles: `%typecheck warn` (the default) checks with "notebook", `%typecheck strict` with "strict". */
export type TypecheckProfile = "notebook" | "strict";

/**
 * Compiler options of each type-check profile (a notebook's tsconfig.json wins over both).
 * "notebook" is tslab's level (TypeScript's `strict` family off): JS-style notebook code —
 * `const o = {}; o["k"] = 1`, an uninitialised class field, an untyped callback parameter, a
 * possibly-null value — checks clean, while a misspelt name (TS2304/TS2552), a wrong argument
 * type (TS2345) or calling a number (TS2349) are still errors. "strict" is `strict: true`
 * (noImplicitAny, strictNullChecks, strictPropertyInitialization, ... : TS7006, TS7053, TS2564, TS18047).
 */
export const TYPECHECK_PROFILES: Readonly<Record<TypecheckProfile, ts.CompilerOptions>> = {
  notebook: { strict: false },
  strict: { strict: true },
};

/**
 * A language service whose program is the notebook: the executed cells (in order) and the
 * current cell. Created lazily on first use; reads a tsconfig.json from the notebook's folder
 * upwards when there is one (its compilerOptions), else ES2022 with Node's typings and the
 * "notebook" {@link TYPECHECK_PROFILES | profile}.
 */
export class NotebookLanguageService {
  /**
   * Executed cells: `text` as run (imports made ambient), `declares` its top-level value names,
   * `shown` the text the program sees (declarations a later cell, or the cell being edited,
   * declares again are renamed away, see {@link hideRedeclared}) and `version` of `shown`.
   */
  private readonly executed: ExecutedCell[] = [];
  /** {@link executed} by file name. */
  private readonly executedByName = new Map<string, ExecutedCell>();
  /** The cell file names the program lists: the executed cells', then empty ones up to a multiple of {@link CELL_SLOTS}. */
  private cellSlots: string[] = [];
  private readonly cellSlotSet = new Set<string>();
  /** Package lookups (package.json reads, node_modules walks) shared by the resolutions of one program; null when a new one must be made. */
  private resolutionCache: ts.ModuleResolutionCache | null = null;
  /** The options {@link resolutionCache} was made for. */
  private resolutionCacheOptions: ts.CompilerOptions | null = null;
  /** Whether a package lookup failed since the cache was made (see {@link noteFailure}). */
  private lookupFailed = false;
  /** Snapshots of files on disk with the version they were read at. */
  private readonly diskSnapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot }>();
  private current = "";
  private currentVersion = 0;
  /** Declarations generated for Python modules (kernel/executor/tspy_stubs.py), by chunk key; one virtual file. */
  private readonly pythonChunks = new Map<string, string>();
  private pythonDeclarations = "";
  private pythonVersion = 0;
  private readonly pythonFile: string;
  private service: ts.LanguageService | null = null;
  private options: ts.CompilerOptions;
  /** Virtual file of the cell being edited (absolute, in the notebook's folder, so relative imports resolve). */
  private readonly currentFile: string;

  /** @param cwd the notebook's folder: module resolution and tsconfig.json start there. */
  constructor(private readonly cwd: string) {
    this.currentFile = path.join(cwd, "__tspy_current_cell.ts");
    this.pythonFile = path.join(cwd, "__tspy_python_modules.d.ts");
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      // A cell without import/export is a script: its declarations are global, as at run time.
      moduleDetection: ts.ModuleDetectionKind.Legacy,
      ...TYPECHECK_PROFILES.notebook,
      esModuleInterop: true,
      skipLibCheck: true,
      // Local .js/.mjs/.cjs modules are typed from their code (never checked: no checkJs).
      allowJs: true,
      noEmit: true,
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
      types: ["node"],
      typeRoots: [path.join(KERNEL_ROOT, "node_modules", "@types")],
      ...this.readTsconfig(),
    };
  }

  /**
   * Checks with the given profile's options from now on; an option the notebook's tsconfig.json
   * sets keeps the tsconfig's value.
   */
  useProfile(profile: TypecheckProfile): void {
    const own = this.readTsconfig();
    const chosen = Object.entries(TYPECHECK_PROFILES[profile]).filter(([k]) => !(k in own));
    // A new object: the language service rebuilds its program when the settings object differs.
    this.options = { ...this.options, ...Object.fromEntries(chosen) };
    this.resolutionCache = null;
  }

  /**
   * Builds the notebook's program and type checker once (parses lib files, `@types/node`, the
   * globals), so that the first cell's check, completion or hover does not pay for it: call when
   * the kernel is idle after start-up.
   */
  warmUp(): void {
    this.diagnostics("");
  }

  private readTsconfig(): ts.CompilerOptions {
    return notebookTsconfig(this.cwd);
  }

  private get ls(): ts.LanguageService {
    if (this.service) return this.service;
    // getModuleResolutionCache is not in LanguageServiceHost's declared type, but TypeScript's
    // program reads it from the host (createProgram): with it, the package.json lookups that
    // decide each file's module format are cached across programs, not repeated for every lib file.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => [GLOBALS_FILE, PRELUDE_FILE, this.pythonFile, ...this.cellSlotNames(), this.currentFile],
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
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
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
    if (this.isVirtual(file)) {
      const text = this.textOf(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    }
    const version = this.versionOf(file);
    const known = this.diskSnapshots.get(file);
    if (known?.version === version) return known.snapshot;
    const text = ts.sys.readFile(file);
    if (text === undefined) {
      this.diskSnapshots.delete(file);
      return undefined;
    }
    const snapshot = ts.ScriptSnapshot.fromString(text);
    this.diskSnapshots.set(file, { version, snapshot });
    return snapshot;
  }

  /** The cell file names the program lists (see {@link CELL_SLOTS}). */
  private cellSlotNames(): string[] {
    const wanted = Math.ceil((this.executed.length + 1) / CELL_SLOTS) * CELL_SLOTS;
    while (this.cellSlots.length < wanted) {
      const name = path.join(this.cwd, `__tspy_cell_${this.cellSlots.length + 1}.ts`);
      this.cellSlots.push(name);
      this.cellSlotSet.add(name);
    }
    return this.cellSlots;
  }

  /** Whether `file` is one the notebook makes up (no such file on disk). */
  private isVirtual(file: string): boolean {
    return file === this.currentFile || file === this.pythonFile || file === PRELUDE_FILE || this.cellSlotSet.has(file);
  }

  private versionOf(file: string): string {
    if (file === this.currentFile) return String(this.currentVersion);
    if (file === this.pythonFile) return String(this.pythonVersion);
    if (file === PRELUDE_FILE) return "0";
    if (this.cellSlotSet.has(file)) return String(this.executedByName.get(file)?.version ?? 0);
    return file.startsWith(KERNEL_PACKAGES) ? "0" : diskVersion(file);
  }

  private textOf(file: string): string | undefined {
    if (file === this.currentFile) return this.current;
    if (file === this.pythonFile) return this.pythonDeclarations;
    if (file === PRELUDE_FILE) return PYTHON_PRELUDE;
    if (this.cellSlotSet.has(file)) return this.executedByName.get(file)?.shown ?? "";
    return ts.sys.readFile(file);
  }

  /** Appends an executed cell's file (named after its place, the next {@link CELL_SLOTS} slot). */
  private pushExecuted(text: string, declares: Set<string>): void {
    const cell: ExecutedCell = {
      name: path.join(this.cwd, `__tspy_cell_${this.executed.length + 1}.ts`),
      text,
      declares,
      shown: text,
      version: 1,
      hiddenKey: "",
    };
    this.executed.push(cell);
    this.executedByName.set(cell.name, cell);
  }

  /**
   * Adds a TS cell that ran, so later cells see its declarations. Its imports become ambient
   * `declare const` of the imported module's type, so the cell stays a global script.
   * @param source the cell's TypeScript (parsed without error).
   */
  addExecutedCell(source: string): void {
    const text = globalScript(source);
    this.pushExecuted(text, topLevelNames(text));
    // `import * as tf from "m"`: later cells also need tf's type names (`tf.Tensor`), which a
    // `declare const` cannot give; a global alias of the namespace (after the cell, so it wins) can.
    const aliases = namespaceAliases(source);
    if (aliases) this.pushExecuted(aliases.text, aliases.names);
    // A package installed since a failed lookup is found by the next check.
    if (this.lookupFailed) {
      this.resolutionCache = null;
      this.lookupFailed = false;
    }
    this.hideRedeclared();
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
    this.hideRedeclared();
  }

  /**
   * A later declaration of a top-level name replaces the earlier one, as at run time: an
   * executed cell's declarations of names that a later cell or the cell being edited declares
   * again are renamed (with their uses in that cell), so the checker types the name by its
   * newest declaration (`let x = 1`, then `let x = true`: x is boolean, no TS2322).
   */
  private hideRedeclared(): void {
    const later = topLevelNames(this.current);
    for (let i = this.executed.length - 1; i >= 0; i--) {
      const cell = this.executed[i];
      const hidden = [...cell.declares].filter((n) => later.has(n));
      const key = hidden.join(" ");
      if (key !== cell.hiddenKey) {
        cell.hiddenKey = key;
        cell.shown = hidden.length > 0 ? renameIdentifiers(cell.text, new Set(hidden)) : cell.text;
        cell.version++;
      }
      for (const n of cell.declares) later.add(n);
    }
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
   * Type errors of a cell (syntax errors are the transpiler's business), without the artefacts
   * of a notebook being a set of scripts.
   */
  diagnostics(source: string): TsDiagnostic[] {
    this.setCurrent(source);
    const file = this.ls.getProgram()?.getSourceFile(this.currentFile);
    if (!file) return [];
    return [...this.ls.getSemanticDiagnostics(this.currentFile), ...localModuleErrors(this.ls, this.currentFile, this.cwd)]
      .filter((d) => !NOTEBOOK_ARTEFACTS.has(d.code) && d.start !== undefined)
      .map((d) => {
        const { line, character } = file.getLineAndCharacterOfPosition(d.start!);
        const end = file.getLineAndCharacterOfPosition(Math.min(d.start! + (d.length ?? 0), file.text.length));
        return {
          line: line + 1,
          column: character + 1,
          endLine: end.line + 1,
          endColumn: end.character + 1,
          code: d.code,
          message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
          severity: d.category === ts.DiagnosticCategory.Warning ? "warning" : "error",
        } satisfies TsDiagnostic;
      });
  }
}

/** An executed cell of {@link NotebookLanguageService}. */
interface ExecutedCell {
  /** Its virtual file. */
  name: string;
  /** The cell as run, imports made ambient (globalScript). */
  text: string;
  /** Its top-level value names. */
  declares: Set<string>;
  /** The text the program sees: `text` with declarations that later cells declare again renamed away. */
  shown: string;
  /** Version of `shown` (from 1; an empty slot is version 0). */
  version: number;
  /** The renamed names of `shown`, joined by spaces. */
  hiddenKey: string;
}

/**
 * The compilerOptions of the notebook's tsconfig.json (the first from `cwd` upwards that is not the
 * kernel's own), without the emit options a notebook has no use for; {} when there is none or it
 * does not parse.
 */
export function notebookTsconfig(cwd: string): ts.CompilerOptions {
  const file = ts.findConfigFile(cwd, (f) => fs.existsSync(f));
  if (!file || path.dirname(file) === KERNEL_ROOT) return {};
  const read = ts.readConfigFile(file, (f) => fs.readFileSync(f, "utf8"));
  if (read.error) return {};
  const parsed = ts.convertCompilerOptionsFromJson(read.config.compilerOptions ?? {}, path.dirname(file));
  const { noEmit: _n, outDir: _o, rootDir: _r, ...rest } = parsed.options;
  return rest;
}

/** A version of a file on disk for the language service: changes when the file is written (its mtime and size). */
function diskVersion(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? `${stat.mtimeMs}:${stat.size}` : "0";
}

/** The value names a script declares at top level (variables, functions, classes, enums, namespaces, imports made ambient). */
function topLevelNames(source: string): Set<string> {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of file.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) names.add(st.name.text);
    else if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      if (c?.name) names.add(c.name.text);
      const b = c?.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
      else if (b) for (const e of b.elements) names.add(e.name.text);
    }
  }
  return names;
}

/**
 * `source` with every identifier named in `names` renamed to `__tspy_superseded_<name>`, except
 * where it names a property (`o.x`, `{ x: 1 }`, members); shorthand `{ x }` becomes `{ x: renamed }`.
 * Renaming a name everywhere in one cell keeps that cell's own bindings as they were.
 */
function renameIdentifiers(source: string, names: ReadonlySet<string>): string {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const renamed = (n: string) => `__tspy_superseded_${n}`;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && names.has(node.text)) {
      const p = node.parent;
      const start = node.getStart(file);
      const isName = (p as { name?: ts.Node }).name === node;
      if (ts.isShorthandPropertyAssignment(p) || (ts.isBindingElement(p) && isName && !p.propertyName && ts.isObjectBindingPattern(p.parent))) {
        edits.push({ start, end: node.end, text: `${node.text}: ${renamed(node.text)}` });
      } else if (
        !(isName && (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isClassElement(p) || ts.isTypeElement(p) || ts.isEnumMember(p))) &&
        !(ts.isQualifiedName(p) && p.right === node) &&
        !(ts.isBindingElement(p) && p.propertyName === node) &&
        !ts.isLabeledStatement(p) &&
        !ts.isBreakOrContinueStatement(p)
      ) {
        edits.push({ start, end: node.end, text: renamed(node.text) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * Rewrites a cell for the language service so it is a global script: each import becomes
 * `declare const name: typeof import("m")...` on the same line; `export` modifiers go.
 */
/**
 * A module that makes each namespace import of `source` (`import * as tf from "m"`) a global alias
 * (`declare global { export import tf = ... }`): value and namespace, so `tf.Tensor` types in
 * later cells. Null when the cell has none.
 */
function namespaceAliases(source: string): { text: string; names: Set<string> } | null {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: { name: string; module: string }[] = [];
  for (const st of file.statements) {
    const b = ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && !st.importClause?.isTypeOnly ? st.importClause?.namedBindings : undefined;
    if (b && ts.isNamespaceImport(b))
      found.push({ name: b.name.text, module: (st as ts.ImportDeclaration & { moduleSpecifier: ts.StringLiteral }).moduleSpecifier.text });
  }
  if (found.length === 0) return null;
  const imports = found.map((f, i) => `import * as __tspy_namespace_${i} from ${JSON.stringify(f.module)};`).join("\n");
  const exports = found.map((f, i) => `  export import ${f.name} = __tspy_namespace_${i};`).join("\n");
  return { text: `${imports}\ndeclare global {\n${exports}\n}\n`, names: new Set(found.map((f) => f.name)) };
}

function globalScript(source: string): string {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const m = JSON.stringify(st.moduleSpecifier.text);
      const clause = st.importClause;
      const decls: string[] = [];
      if (clause && !clause.isTypeOnly) {
        if (clause.name) decls.push(`declare const ${clause.name.text}: typeof import(${m}) extends { default: infer D } ? D : typeof import(${m});`);
        const b = clause.namedBindings;
        if (b && ts.isNamespaceImport(b)) decls.push(`declare const ${b.name.text}: typeof import(${m});`);
        else if (b)
          for (const s of b.elements)
            if (!s.isTypeOnly) decls.push(`declare const ${s.name.text}: typeof import(${m})[${JSON.stringify((s.propertyName ?? s.name).text)}];`);
      }
      edits.push({ start: st.getStart(file), end: st.getEnd(), text: decls.join(" ") });
    } else if (ts.canHaveModifiers(st)) {
      for (const mod of ts.getModifiers(st) ?? []) {
        if (mod.kind === ts.SyntaxKind.ExportKeyword) edits.push({ start: mod.getStart(file), end: mod.getEnd(), text: "" });
      }
    }
  }
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
