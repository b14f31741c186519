// Turns one TypeScript notebook cell into a script that keeps its top-level declarations across
// cells, allows top-level await, yields its last expression, and can be interrupted in loops.
// Knows the TypeScript compiler API; knows nothing of Jupyter messages or of Python.
import ts from "typescript";

/** Names the transformed script uses; the cell runtime defines them on `globalThis`. */
export const RUNTIME = {
  /** `__tspy_check()`: throws the interrupt error when an interrupt is pending. Called at the top of every loop body. */
  check: "__tspy_check",
  /** `await __tspy_import(specifier)`: resolves and loads a module (CommonJS or ESM) for an `import` statement. */
  importModule: "__tspy_import",
  /** `__tspy_dynamic_import(specifier)`: what `import(specifier)` in a cell becomes; a Promise of the module's namespace. */
  dynamicImport: "__tspy_dynamic_import",
  /** `__tspy_default(module)`: a module's default export (`module.default` for ESM, the module itself for CommonJS). */
  importDefault: "__tspy_default",
  /**
   * `__tspy_async(function* () {...}, this)`: runs a cell body whose `await`s became `yield`s, each
   * step (the start and every continuation) under the runtime's terminable guard; returns a Promise
   * of the body's return value, as the async function it replaces would.
   */
  runAsync: "__tspy_async",
} as const;

/** Options of the notebook's tsconfig.json that change the code compiled for cells and local modules. */
export interface TranspileSettings {
  /** TypeScript's legacy decorators (else TC39 standard decorators). */
  experimentalDecorators?: boolean;
  /** Design-time type metadata for legacy decorators (`Reflect.metadata`). */
  emitDecoratorMetadata?: boolean;
}

/** A syntax error found while transpiling a cell; positions are 1-based, in the cell's own lines. */
export interface CellSyntaxError {
  /** The compiler's message, e.g. "';' expected." */
  message: string;
  /** 1-based line in the cell. */
  line: number;
  /** 1-based column in the cell (UTF-16 code units). */
  column: number;
}

/** A cell turned into a script, or the syntax errors that stopped it. */
export interface TransformedCell {
  /** JavaScript for `vm.Script`: evaluating it returns a Promise of the cell's last expression value (undefined when the last statement is not an expression). */
  code: string;
  /** Source map (v3 JSON) from `code` back to the cell's TypeScript. */
  sourceMap: string;
  /** Top-level names the cell declares (they become properties of `globalThis`). */
  declared: string[];
  /** Non-empty when the cell does not parse; `code` is then "". */
  errors: CellSyntaxError[];
}

/**
 * Transpiles a TypeScript cell (types stripped, no type checking) into a script for the
 * notebook's global scope:
 * - top-level `const`/`let`/`var`/`class`/`import` become assignments to `var` names hoisted to
 *   the script's top, so they persist on `globalThis` and re-running a cell replaces them
 *   (a notebook, not a module: `const x` may be declared again by a later cell);
 * - top-level function, enum and namespace declarations stay at script level (global);
 * - the remaining statements run inside an async arrow function, so top-level `await` works,
 *   and the last expression statement is returned (the REPL rule Node's own REPL follows);
 * - every loop body starts with a call to {@link RUNTIME.check}, so an interrupt stops `while (true) {}`;
 * - the body's own `await`s become `yield`s of a generator that {@link RUNTIME.runAsync} steps, so
 *   that the runtime can stop any continuation of the cell (not only its first synchronous part);
 * - every `import(specifier)` becomes {@link RUNTIME.dynamicImport}`(specifier)` (a script compiled
 *   by `vm` has no loader of its own, and cells resolve modules by the notebook's rule);
 * - a decorated class (on the class or its members) becomes the value of an arrow function that
 *   declares it, so that TypeScript's decorator transform, which only handles declarations for
 *   `experimentalDecorators`, runs its decorators before the global is assigned.
 * @param source the cell's TypeScript source.
 * @param fileName the name stack traces and the source map use for the cell, e.g. "cell-3.ts".
 * @param options the notebook's tsconfig options that change the emitted code (decorators).
 * @returns the script, its source map and declared names; never throws for bad user code (see `errors`).
 */
export function transformCell(source: string, fileName: string, options: TranspileSettings = {}): TransformedCell {
  const declared = new Set<string>();
  const redeclared: { text: string; start: number }[] = [];
  const result = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      inlineSources: false,
      removeComments: false,
      experimentalDecorators: options.experimentalDecorators ?? false,
      emitDecoratorMetadata: options.emitDecoratorMetadata ?? false,
    },
    transformers: {
      before: [
        (context) => (file) => {
          redeclared.push(...redeclarations(file).map((id) => ({ text: id.text, start: id.getStart(file) })));
          return notebookTransform(dynamicImportsToRuntime(file, context), context, declared);
        },
      ],
    },
  });
  const diagnostics = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  // TypeScript's TS2451, which transpiling alone does not report: a cell is one scope.
  for (const id of redeclared) {
    diagnostics.push({
      category: ts.DiagnosticCategory.Error,
      code: 2451,
      file: undefined,
      start: id.start,
      length: id.text.length,
      messageText: `Cannot redeclare block-scoped variable '${id.text}'.`,
    });
  }
  if (diagnostics.length > 0) {
    const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    return {
      code: "",
      sourceMap: "",
      declared: [],
      errors: diagnostics.map((d) => {
        const { line, character } = file.getLineAndCharacterOfPosition(d.start ?? 0);
        return { message: ts.flattenDiagnosticMessageText(d.messageText, "\n"), line: line + 1, column: character + 1 };
      }),
    };
  }
  // The file was a module (it had import/export) before our transform removed those; TypeScript
  // then appends `export {};`, which a script cannot hold.
  let code = result.outputText.replace(/^export \{\};\s*$/m, "").replace(/^\/\/# sourceMappingURL=.*$/m, "");
  // Cells are strict code, as modules are, with or without an import (same line: keeps the source map's lines).
  if (!code.startsWith('"use strict";')) code = `"use strict"; ${code}`;
  return { code, sourceMap: result.sourceMapText ?? "", declared: [...declared], errors: [] };
}

/**
 * The names a cell declares twice at top level where JavaScript forbids it (a `let`, `const`,
 * `class` or `import` binding declared again by any declaration; `var` and `function` may repeat
 * each other): each repeated declaration's name, in source order.
 */
function redeclarations(file: ts.SourceFile): ts.Identifier[] {
  const seen = new Map<string, "lexical" | "var">();
  const repeated: ts.Identifier[] = [];
  const declare = (id: ts.Identifier, kind: "lexical" | "var") => {
    const before = seen.get(id.text);
    if (before && (before === "lexical" || kind === "lexical")) repeated.push(id);
    if (before !== "lexical") seen.set(id.text, kind);
  };
  const identifiers = (name: ts.BindingName): ts.Identifier[] =>
    ts.isIdentifier(name) ? [name] : name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : identifiers(e.name)));
  for (const st of file.statements) {
    if (ts.isVariableStatement(st) && !hasModifier(st, ts.SyntaxKind.DeclareKeyword)) {
      const lexical = (st.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0;
      for (const d of st.declarationList.declarations) for (const id of identifiers(d.name)) declare(id, lexical ? "lexical" : "var");
    } else if (ts.isClassDeclaration(st) && st.name && !hasModifier(st, ts.SyntaxKind.DeclareKeyword)) {
      declare(st.name, "lexical");
    } else if (ts.isFunctionDeclaration(st) && st.name && st.body) {
      declare(st.name, "var");
    } else if (ts.isImportDeclaration(st) && st.importClause && !st.importClause.isTypeOnly) {
      const clause = st.importClause;
      if (clause.name) declare(clause.name, "lexical");
      const b = clause.namedBindings;
      if (b && ts.isNamespaceImport(b)) declare(b.name, "lexical");
      else if (b) for (const spec of b.elements) if (!spec.isTypeOnly) declare(spec.name, "lexical");
    }
  }
  return repeated;
}

/** Collects the identifiers a binding name (identifier or destructuring pattern) declares. */
function boundNames(name: ts.BindingName, into: string[]): string[] {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
  } else {
    for (const element of name.elements) {
      if (!ts.isOmittedExpression(element)) boundNames(element.name, into);
    }
  }
  return into;
}

/**
 * Converts a destructuring binding pattern (`{a, b: [c] = d, ...e}`) into the equivalent
 * assignment target (object/array literal), so `const {a} = v` can become `({a} = v)`.
 */
function patternToTarget(f: ts.NodeFactory, name: ts.BindingName): ts.Expression {
  if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
  if (ts.isObjectBindingPattern(name)) {
    const props: ts.ObjectLiteralElementLike[] = name.elements.map((el) => {
      if (el.dotDotDotToken) return f.createSpreadAssignment(patternToTarget(f, el.name));
      if (!el.propertyName && ts.isIdentifier(el.name)) {
        return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
      }
      const target = patternToTarget(f, el.name);
      const value = el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
      return f.createPropertyAssignment(el.propertyName ?? (el.name as ts.Identifier), value);
    });
    return f.createObjectLiteralExpression(props, false);
  }
  const items = name.elements.map((el) => {
    if (ts.isOmittedExpression(el)) return el;
    const target = patternToTarget(f, el.name);
    if (el.dotDotDotToken) return f.createSpreadElement(target);
    return el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
  });
  return f.createArrayLiteralExpression(items, false);
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Drops `export`/`default` modifiers: a cell is a script, its declarations are global anyway. */
function withoutExport<T extends ts.Node>(f: ts.NodeFactory, node: T): T {
  if (!ts.canHaveModifiers(node)) return node;
  const mods = (ts.getModifiers(node) ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
  if (ts.isFunctionDeclaration(node)) {
    return f.updateFunctionDeclaration(node, mods, node.asteriskToken, node.name, node.typeParameters, node.parameters, node.type, node.body) as unknown as T;
  }
  if (ts.isEnumDeclaration(node)) return f.updateEnumDeclaration(node, mods, node.name, node.members) as unknown as T;
  if (ts.isModuleDeclaration(node)) return f.updateModuleDeclaration(node, mods, node.name, node.body) as unknown as T;
  return node;
}

function notebookTransform(file: ts.SourceFile, context: ts.TransformationContext, declared: Set<string>): ts.SourceFile {
  const f = context.factory;
  const hoisted: string[] = [];
  const scriptLevel: ts.Statement[] = [];
  const body: ts.Statement[] = [];
  const assign = (target: ts.Expression, value: ts.Expression, original: ts.Node): ts.Statement =>
    ts.setTextRange(f.createExpressionStatement(f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, value)), original);
  const hoist = (name: string) => {
    hoisted.push(name);
    declared.add(name);
  };

  let importIndex = 0;
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const load = f.createAwaitExpression(
        f.createCallExpression(f.createIdentifier(RUNTIME.importModule), undefined, [statement.moduleSpecifier as ts.Expression]),
      );
      if (!clause) {
        body.push(ts.setTextRange(f.createExpressionStatement(load), statement));
        continue;
      }
      const moduleVar = `__tspy_module_${importIndex++}`;
      body.push(
        ts.setTextRange(
          f.createVariableStatement(
            undefined,
            f.createVariableDeclarationList([f.createVariableDeclaration(moduleVar, undefined, undefined, load)], ts.NodeFlags.Const),
          ),
          statement,
        ),
      );
      if (clause.name) {
        hoist(clause.name.text);
        body.push(
          assign(
            f.createIdentifier(clause.name.text),
            f.createCallExpression(f.createIdentifier(RUNTIME.importDefault), undefined, [f.createIdentifier(moduleVar)]),
            statement,
          ),
        );
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        hoist(bindings.name.text);
        body.push(assign(f.createIdentifier(bindings.name.text), f.createIdentifier(moduleVar), statement));
      } else if (bindings) {
        for (const spec of bindings.elements) {
          if (spec.isTypeOnly) continue;
          hoist(spec.name.text);
          const imported = (spec.propertyName ?? spec.name).text;
          body.push(
            assign(
              f.createIdentifier(spec.name.text),
              f.createElementAccessExpression(f.createIdentifier(moduleVar), f.createStringLiteral(imported)),
              statement,
            ),
          );
        }
      }
    } else if (ts.isImportEqualsDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      hoist(statement.name.text);
      const ref = statement.moduleReference;
      const value = ts.isExternalModuleReference(ref)
        ? f.createAwaitExpression(f.createCallExpression(f.createIdentifier(RUNTIME.importModule), undefined, [ref.expression]))
        : (ref as ts.Expression);
      body.push(assign(f.createIdentifier(statement.name.text), value, statement));
    } else if (ts.isVariableStatement(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) continue;
      for (const decl of statement.declarationList.declarations) {
        for (const n of boundNames(decl.name, [])) hoist(n);
        const value = decl.initializer ?? f.createVoidZero();
        const target = patternToTarget(f, decl.name);
        const stmt = ts.isIdentifier(decl.name)
          ? assign(target, value, decl)
          : ts.setTextRange(
              f.createExpressionStatement(f.createParenthesizedExpression(f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, value))),
              decl,
            );
        body.push(stmt);
      }
    } else if (ts.isClassDeclaration(statement) && statement.name && !hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) {
      hoist(statement.name.text);
      // Decorators stay: they are ModifierLikes too (ts.getModifiers would drop them).
      const modifiers = statement.modifiers?.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
      const name = statement.name;
      const value = isDecorated(statement)
        ? // `(() => { @d class C {...} return C; })()`
          f.createCallExpression(
            f.createParenthesizedExpression(
              f.createArrowFunction(
                undefined,
                undefined,
                [],
                undefined,
                f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
                f.createBlock(
                  [
                    ts.setTextRange(
                      f.createClassDeclaration(modifiers, name, statement.typeParameters, statement.heritageClauses, statement.members),
                      statement,
                    ),
                    f.createReturnStatement(f.createIdentifier(name.text)),
                  ],
                  true,
                ),
              ),
            ),
            undefined,
            [],
          )
        : f.createClassExpression(modifiers, name, statement.typeParameters, statement.heritageClauses, statement.members);
      body.push(assign(f.createIdentifier(name.text), value, statement));
    } else if (ts.isFunctionDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) {
      if (statement.name && ts.isIdentifier(statement.name)) declared.add(statement.name.text);
      scriptLevel.push(withoutExport(f, statement));
    } else if (ts.isExportAssignment(statement)) {
      body.push(ts.setTextRange(f.createExpressionStatement(statement.expression), statement));
    } else if (ts.isExportDeclaration(statement)) {
      continue;
    } else {
      body.push(statement);
    }
  }

  // The cell's value is its last statement's, when that statement (as written) is an expression.
  const last = body[body.length - 1];
  const lastWritten = file.statements[file.statements.length - 1];
  if (last && last === lastWritten && ts.isExpressionStatement(last)) {
    body[body.length - 1] = ts.setTextRange(f.createReturnStatement(last.expression), last);
  }

  const guardedBody = body.map((s) => addLoopChecks(s, context));
  const guardedScript = scriptLevel.map((s) => addLoopChecks(s, context));
  // The body runs as a generator stepped by the runtime (each continuation after an `await` is
  // then a step the runtime can stop, see RUNTIME.runAsync), unless it needs a real async
  // function (`for await`, `await using`).
  const generatorBody = awaitsToYields(guardedBody, context);
  const wrapper = f.createExpressionStatement(
    generatorBody
      ? f.createCallExpression(f.createIdentifier(RUNTIME.runAsync), undefined, [
          f.createFunctionExpression(
            undefined,
            f.createToken(ts.SyntaxKind.AsteriskToken),
            undefined,
            undefined,
            [],
            undefined,
            f.createBlock(generatorBody, true),
          ),
          f.createThis(),
        ])
      : f.createCallExpression(
          f.createParenthesizedExpression(
            f.createArrowFunction(
              [f.createModifier(ts.SyntaxKind.AsyncKeyword)],
              undefined,
              [],
              undefined,
              f.createToken(ts.SyntaxKind.EqualsGreaterThanToken),
              f.createBlock(guardedBody, true),
            ),
          ),
          undefined,
          [],
        ),
  );
  const statements: ts.Statement[] = [];
  if (hoisted.length > 0) {
    statements.push(
      f.createVariableStatement(
        undefined,
        f.createVariableDeclarationList(
          [...new Set(hoisted)].map((n) => f.createVariableDeclaration(n)),
          ts.NodeFlags.None,
        ),
      ),
    );
  }
  statements.push(...guardedScript, wrapper);
  return f.updateSourceFile(file, statements);
}

/** Whether a class has a decorator on itself, a member or a constructor/method parameter. */
function isDecorated(node: ts.ClassDeclaration): boolean {
  const decorated = (n: ts.Node) => ts.canHaveDecorators(n) && (ts.getDecorators(n)?.length ?? 0) > 0;
  return (
    decorated(node) || node.members.some((m) => decorated(m) || ((ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) && m.parameters.some(decorated)))
  );
}

/** `file` with every `import(specifier, options?)` call turned into `__tspy_dynamic_import(specifier, options?)` (see {@link RUNTIME.dynamicImport}). */
function dynamicImportsToRuntime(file: ts.SourceFile, context: ts.TransformationContext): ts.SourceFile {
  const f = context.factory;
  const visit = (n: ts.Node): ts.Node => {
    const v = ts.visitEachChild(n, visit, context);
    return ts.isCallExpression(v) && v.expression.kind === ts.SyntaxKind.ImportKeyword
      ? f.updateCallExpression(v, f.createIdentifier(RUNTIME.dynamicImport), undefined, v.arguments)
      : v;
  };
  return ts.visitEachChild(file, visit, context);
}

/**
 * The cell body's statements with each of its own `await e` turned into `(yield e)` (nested
 * functions and classes keep theirs), or null when the body uses `for await` or `await using`,
 * which only an async function can run.
 */
function awaitsToYields(statements: ts.Statement[], context: ts.TransformationContext): ts.Statement[] | null {
  const f = context.factory;
  let needsAsync = false;
  const visit = (n: ts.Node): ts.Node => {
    if (needsAsync || ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isClassStaticBlockDeclaration(n)) return n;
    if (ts.isForOfStatement(n) && n.awaitModifier) needsAsync = true;
    if (ts.isVariableDeclarationList(n) && (n.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing) needsAsync = true;
    if (needsAsync) return n;
    const v = ts.visitEachChild(n, visit, context);
    if (ts.isAwaitExpression(v)) return ts.setTextRange(f.createParenthesizedExpression(f.createYieldExpression(undefined, v.expression)), n);
    return v;
  };
  const out = statements.map((s) => visit(s) as ts.Statement);
  return needsAsync ? null : out;
}

/** Prepends `__tspy_check();` to the body of every loop in `node` (nested functions included). */
function addLoopChecks<T extends ts.Node>(node: T, context: ts.TransformationContext): T {
  const f = context.factory;
  const check = () => f.createExpressionStatement(f.createCallExpression(f.createIdentifier(RUNTIME.check), undefined, []));
  const guard = (stmt: ts.Statement): ts.Statement =>
    ts.isBlock(stmt) ? f.updateBlock(stmt, [check(), ...stmt.statements]) : f.createBlock([check(), stmt], true);
  const visit = (n: ts.Node): ts.Node => {
    const v = ts.visitEachChild(n, visit, context);
    if (ts.isWhileStatement(v)) return f.updateWhileStatement(v, v.expression, guard(v.statement));
    if (ts.isDoStatement(v)) return f.updateDoStatement(v, guard(v.statement), v.expression);
    if (ts.isForStatement(v)) return f.updateForStatement(v, v.initializer, v.condition, v.incrementor, guard(v.statement));
    if (ts.isForInStatement(v)) return f.updateForInStatement(v, v.initializer, v.expression, guard(v.statement));
    if (ts.isForOfStatement(v)) return f.updateForOfStatement(v, v.awaitModifier, v.initializer, v.expression, guard(v.statement));
    return v;
  };
  return visit(node) as T;
}
