// Cell text for the notebook's language service: an executed cell rewritten as a global script
// (imports made ambient), its top-level names, and the renaming that hides a declaration a later
// cell declares again. Pure functions of the TypeScript syntax tree; no program, no checker.
import ts from "typescript";

/** Prefix of a declaration hidden by a later one of the same name (see {@link renameIdentifiers}). */
const SUPERSEDED = "__tspy_superseded_";

/**
 * The value names a script declares at top level (variables, functions, classes, enums, imports
 * made ambient).
 * @param source a cell's TypeScript (syntax errors are tolerated: what parses is read).
 */
export function topLevelNames(source: string): Set<string> {
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
 * Whether TypeScript reads `text` as a module rather than a global script (an `import`/`export`
 * statement or `import.meta`: moduleDetection "legacy", the notebook's setting), so its
 * declarations are not global.
 */
export function isModuleText(text: string): boolean {
  return ts.isExternalModule(ts.createSourceFile("cell.ts", text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS));
}

/**
 * `source` with every identifier named in `names` renamed to `__tspy_superseded_<name>`, except
 * where it names a property (`o.x`, `{ x: 1 }`, members); shorthand `{ x }` becomes `{ x: renamed }`.
 * Renaming a name everywhere in one cell keeps that cell's own bindings as they were.
 * {@link unrenamed} undoes it.
 */
export function renameIdentifiers(source: string, names: ReadonlySet<string>): string {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const renamed = (n: string) => `${SUPERSEDED}${n}`;
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
  return applyEdits(source, edits);
}

/**
 * Declarations emitted from a cell some of whose names {@link renameIdentifiers} had hidden, with
 * those names back (declarations have no shorthand properties, so dropping the prefix is the inverse).
 */
export function unrenamed(declarations: string): string {
  return declarations.replaceAll(SUPERSEDED, "");
}

/**
 * A module that makes each namespace import of `source` (`import * as tf from "m"`) a global alias
 * (`declare global { export import tf = ... }`): value and namespace, so `tf.Tensor` types in
 * later cells. Null when the cell has none.
 */
export function namespaceAliases(source: string): { text: string; names: Set<string> } | null {
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

/**
 * Rewrites a cell for the language service so it is a global script: each import becomes
 * `declare const name: typeof import("m")...` on the same line; `export` modifiers go.
 */
export function globalScript(source: string): string {
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
  return applyEdits(source, edits);
}

/** `source` with each [start, end) replaced by its text (edits do not overlap). */
function applyEdits(source: string, edits: { start: number; end: number; text: string }[]): string {
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
