// TypeScript's lib files served to the notebook's program as one file. `lib: ["es2022"]` is 58
// files (es5, es2015.core, es2015.collection, ...), each of which every new program (one per
// edit or run of a cell) walks again: its module format, its document, its symbols merged into
// the new checker's globals. Served as one file with the same declarations in the same order,
// the program has the same global types with ~55 fewer files.
import * as path from "node:path";
import ts from "typescript";

/**
 * The lib files a program with given compiler options reads, as one: the first root lib file
 * (`lib[0]`, or the target's default lib when `lib` is not set) holds every declaration of every lib
 * file reachable from the roots by `/// <reference lib>` (and from the `types` packages' entry
 * files, e.g. `@types/node`'s `es2020`), concatenated in the order TypeScript itself merges them
 * (its sorted default-lib order, see createProgram's compareDefaultLibFiles), their reference lines
 * removed; every other of those files is empty. A lib file outside that set keeps its own text.
 * Declaration merging (interfaces, overload order, `declare var`) is unchanged: TypeScript merges a
 * program's global declarations file after file, in that order.
 */
export class LibBundle {
  /** TypeScript's folder of lib files. */
  private readonly folder: string;
  /** The file whose text is the whole bundle. */
  private readonly root: string;
  /** The bundle's text. */
  private readonly text: string;
  /** The lib files folded into {@link root} (served empty). */
  private readonly folded: Set<string>;

  /**
   * Reads the lib files (synchronously, ~0.5 MB for ES2022) and orders them as TypeScript does.
   * @param options the program's options (`lib`, `target`, `types`, `typeRoots`).
   * @param read a file's text, undefined when it does not exist (as `ts.sys.readFile`).
   * @throws Error when the root lib file cannot be read (TypeScript's installation is broken).
   */
  constructor(options: ts.CompilerOptions, read: (file: string) => string | undefined) {
    const defaultLib = ts.getDefaultLibFilePath(options);
    this.folder = path.dirname(defaultLib);
    const roots = (options.lib ?? [path.basename(defaultLib)]).map((lib) => path.join(this.folder, lib));
    this.root = roots[0];
    const texts = new Map<string, string>();
    const textOf = (file: string) => {
      let text = texts.get(file);
      if (text === undefined) {
        text = read(file) ?? "";
        texts.set(file, text);
      }
      return text;
    };
    if (!read(this.root)) throw new Error(`TypeScript's lib file ${this.root} cannot be read`);
    const ordered = this.programOrder(roots, options, textOf);
    this.folded = new Set(ordered);
    const header = '/// <reference no-default-lib="true"/>\n';
    this.text = header + ordered.map((file) => textOf(file).replace(/^\/\/\/\s*<reference\s+(lib|no-default-lib)=.*$/gm, "")).join("\n");
  }

  /**
   * The text the program reads for `file` when it is one of the bundled lib files (the bundle, or
   * "" for a file folded into it); undefined for any other file.
   */
  textOf(file: string): string | undefined {
    if (file === this.root) return this.text;
    return this.folded.has(file) ? "" : undefined;
  }

  /**
   * The lib files reachable from `roots` and the `types` packages' lib references, in the order a
   * program merges them: TypeScript's own order, read from a program over stand-ins of the files
   * that hold only their `/// <reference lib>` lines (no declarations: cheap to build).
   */
  private programOrder(roots: string[], options: ts.CompilerOptions, textOf: (file: string) => string): string[] {
    const referencesOnly = (text: string) =>
      ts
        .preProcessFile(text, true, false)
        .libReferenceDirectives.map((lib) => `/// <reference lib="${lib.fileName}" />\n`)
        .join("");
    // The lib references of the type packages (e.g. @types/node's `/// <reference lib="es2020" />`).
    const typeEntries = new Map<string, string>();
    const from = path.join(this.folder, "__tspy_types__.ts");
    for (const name of options.types ?? []) {
      const entry = ts.resolveTypeReferenceDirective(name, from, options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName;
      if (entry) typeEntries.set(entry, referencesOnly(textOf(entry)));
    }
    // A program without root files reads no lib file: one empty root.
    const root = path.join(this.folder, "__tspy_lib_order__.ts");
    const host = ts.createCompilerHost({});
    host.getSourceFile = (file, languageVersion) => {
      const text = file === root ? "" : typeEntries.get(file) ?? (file.startsWith(this.folder) ? referencesOnly(textOf(file)) : undefined);
      return text === undefined ? undefined : ts.createSourceFile(file, text, languageVersion);
    };
    host.getDefaultLibLocation = () => this.folder;
    host.getDefaultLibFileName = () => this.root;
    const program = ts.createProgram({
      rootNames: [root, ...typeEntries.keys()],
      options: { lib: roots.map((f) => path.basename(f)), types: [], noEmit: true, noResolve: false, target: options.target },
      host,
    });
    return program
      .getSourceFiles()
      .map((file) => path.normalize(file.fileName))
      .filter((file) => path.dirname(file) === this.folder && file !== root && !typeEntries.has(file));
  }
}
