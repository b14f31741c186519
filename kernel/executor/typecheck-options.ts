// The compiler options a notebook is checked with: the defaults, the %typecheck profiles and the
// notebook's own tsconfig.json.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { KERNEL_ROOT } from "./module-resolution";

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
 * The options a notebook in `cwd` is checked with at first: ES2022 with Node's typings, cells as
 * global scripts, the "notebook" profile, then the notebook's tsconfig.json's compilerOptions.
 */
export function notebookCompilerOptions(cwd: string): ts.CompilerOptions {
  return {
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
    ...notebookTsconfig(cwd),
  };
}

/**
 * `options` switched to a type-check profile; an option the notebook's tsconfig.json (from `cwd`)
 * sets keeps the tsconfig's value. Always a new object: the language service rebuilds its program
 * when the settings object differs.
 */
export function withProfile(options: ts.CompilerOptions, profile: TypecheckProfile, cwd: string): ts.CompilerOptions {
  const own = notebookTsconfig(cwd);
  const chosen = Object.entries(TYPECHECK_PROFILES[profile]).filter(([k]) => !(k in own));
  return { ...options, ...Object.fromEntries(chosen) };
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
