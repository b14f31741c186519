// TypeScript's lib files served to the notebook's program as few. `lib: ["es2022"]` is 58
// files (es5, es2015.core, es2015.collection, ...), each of which every new program (one per
// edit or run of a cell) walks again: its module format, its document, its symbols merged into
// the new checker's globals. Served as three files with the same declarations in the same order,
// the program has the same global types with ~55 fewer files.
// The declarations are split over the few lib files the program reads anyway (its `lib` roots and
// those its type packages reference), so the warm-up parses them in steps of ~100 ms, not one of ~340.
import * as path from "node:path";
import ts from "typescript";

/** The files a program with given options reads before any of its own: lib roots and type packages. */
export interface ProgramRoots {
  /** TypeScript's folder of lib files. */
  libFolder: string;
  /** The root lib files: `lib`, or the target's default lib when `lib` is not set (absolute). */
  libs: string[];
  /** The entry files of the `types` packages (e.g. `@types/node`'s index.d.ts) that resolve. */
  types: string[];
}

/**
 * The lib roots and type packages a program with `options` reads, as TypeScript resolves them
 * (type packages from the lib folder, which is outside any notebook: `typeRoots` decide).
 */
export function programRoots(options: ts.CompilerOptions): ProgramRoots {
  const defaultLib = ts.getDefaultLibFilePath(options);
  const libFolder = path.dirname(defaultLib);
  const from = path.join(libFolder, "__tspy_types__.ts");
  return {
    libFolder,
    libs: (options.lib ?? [path.basename(defaultLib)]).map((lib) => path.join(libFolder, lib)),
    types: (options.types ?? []).flatMap(
      (name) => ts.resolveTypeReferenceDirective(name, from, options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName ?? [],
    ),
  };
}

/**
 * The lib files a program with given compiler options reads, as few: every declaration of every
 * lib file reachable from the roots (`lib`, or the target's default lib when `lib` is not set) by
 * `/// <reference lib>` and from the `types` packages' entry files (e.g. `@types/node`'s `es2020`),
 * concatenated in the order TypeScript itself merges them (its sorted default-lib order, see
 * createProgram's compareDefaultLibFiles), their reference lines removed, and cut at file
 * boundaries into consecutive parts of similar size, one per "host": the lib files the program
 * still reads when the others are empty (the roots and the type packages' references), taken in
 * the program's own order. Every other of those files is empty; a lib file outside the set keeps
 * its own text. Declaration merging (interfaces, overload order, `declare var`) is unchanged:
 * TypeScript merges a program's global declarations file after file, in that order.
 */
export class LibBundle {
  /** TypeScript's folder of lib files. */
  private readonly folder: string;
  /** The text of each host file: its part of the declarations. */
  private readonly parts = new Map<string, string>();
  /** Every lib file whose declarations are in a part (served empty unless a host). */
  private readonly folded: Set<string>;

  /**
   * Reads the lib files (synchronously, ~0.5 MB for ES2022) and orders them as TypeScript does.
   * @param options the program's options (`lib`, `target`, `types`, `typeRoots`).
   * @param read a file's text, undefined when it does not exist (as `ts.sys.readFile`). A lib file
   *   that does not exist is in no part (the program reports it missing, as without the bundle).
   */
  constructor(options: ts.CompilerOptions, read: (file: string) => string | undefined) {
    const roots = programRoots(options);
    this.folder = roots.libFolder;
    const texts = new Map<string, string | undefined>();
    const textOf = (file: string) => {
      if (!texts.has(file)) texts.set(file, read(file));
      return texts.get(file);
    };
    const ordered = this.programOrder(roots, options.target, textOf, true);
    const hosts = this.programOrder(roots, options.target, textOf, false);
    this.folded = new Set(ordered);
    const declarations = ordered.map((file) => (textOf(file) ?? "").replace(/^\/\/\/\s*<reference\s+(lib|no-default-lib)=.*$/gm, ""));
    const total = declarations.reduce((n, text) => n + text.length, 0);
    // Consecutive parts, the i-th ending at the first file boundary past (i+1)/hosts of the text.
    let next = 0;
    let done = 0;
    hosts.forEach((host, i) => {
      const part: string[] = ['/// <reference no-default-lib="true"/>'];
      const end = i === hosts.length - 1 ? total : (total * (i + 1)) / hosts.length;
      while (next < declarations.length && (done < end || part.length === 1)) {
        part.push(declarations[next]);
        done += declarations[next++].length;
      }
      this.parts.set(host, part.join("\n"));
    });
  }

  /**
   * The text the program reads for `file` when it is one of the bundled lib files (a host's part,
   * or "" for a file folded into the parts); undefined for any other file.
   */
  textOf(file: string): string | undefined {
    return this.parts.get(file) ?? (this.folded.has(file) ? "" : undefined);
  }

  /**
   * The lib files a program reads from the lib roots and the type packages' lib references, in the
   * order it merges them: TypeScript's own order, read from a program over stand-ins of the files
   * that hold only their `/// <reference lib>` lines (no declarations: cheap to build).
   * @param follow whether lib files' own references are followed (else every lib file's stand-in is empty).
   */
  private programOrder(roots: ProgramRoots, target: ts.ScriptTarget | undefined, textOf: (file: string) => string | undefined, follow: boolean): string[] {
    const referencesOnly = (text: string) =>
      ts
        .preProcessFile(text, true, false)
        .libReferenceDirectives.map((lib) => `/// <reference lib="${lib.fileName}" />\n`)
        .join("");
    // The lib references of the type packages (e.g. @types/node's `/// <reference lib="es2020" />`).
    const typeEntries = new Map(roots.types.map((entry) => [entry, referencesOnly(textOf(entry) ?? "")]));
    // A program without root files reads no lib file: one empty root.
    const root = path.join(this.folder, "__tspy_lib_order__.ts");
    const host = ts.createCompilerHost({});
    host.getSourceFile = (file, languageVersion) => {
      if (file === root) return ts.createSourceFile(file, "", languageVersion);
      const entry = typeEntries.get(file);
      if (entry !== undefined) return ts.createSourceFile(file, entry, languageVersion);
      // A lib file that does not exist is not in the program, as in the real one.
      const text = file.startsWith(this.folder) ? textOf(file) : undefined;
      return text === undefined ? undefined : ts.createSourceFile(file, follow ? referencesOnly(text) : "", languageVersion);
    };
    host.getDefaultLibLocation = () => this.folder;
    host.getDefaultLibFileName = () => roots.libs[0];
    const program = ts.createProgram({
      rootNames: [root, ...typeEntries.keys()],
      options: { lib: roots.libs.map((f) => path.basename(f)), types: [], noEmit: true, noResolve: false, target },
      host,
    });
    return program
      .getSourceFiles()
      .map((file) => path.normalize(file.fileName))
      .filter((file) => path.dirname(file) === this.folder && file !== root && !typeEntries.has(file));
  }
}
