"""`import`, `import()` and `require` in TS cells: npm packages from the notebook's folder (CommonJS
and ESM-only) or the kernel's, Node built-ins, local `.ts`/`.js` modules next to the notebook
(type-checked, reloaded after an edit), and decorators (issue 18)."""
import hashlib
import json
import pathlib
import tempfile

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import TIMEOUT, execute


def _package(root, name, files, **package):
    d = root / "node_modules" / name
    d.mkdir(parents=True)
    (d / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", **package}))
    for file, text in files.items():
        (d / file).write_text(text)


def test_packages_resolve_from_the_notebook_folder_commonjs_and_esm_only():
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        _package(root, "cjs-greeter", {"index.js": "module.exports = { greet: (n) => `hello ${n}` };"}, main="index.js")
        _package(root, "esm-only-greeter", {"index.js": "export const shout = (n) => n.toUpperCase();\nexport default 'esm default';"},
                 type="module", exports={".": "./index.js"})
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            assert execute(kc, "import { greet } from 'cjs-greeter';\ngreet('ts')").result == "'hello ts'"
            assert execute(kc, "import esmDefault, { shout } from 'esm-only-greeter';\nesmDefault + ' ' + shout('loud')").result == "'esm default LOUD'"
            assert execute(kc, "require('cjs-greeter').greet('require')").result == "'hello require'"
            # The kernel's own packages are found too.
            assert execute(kc, "import ts from 'typescript';\ntypeof ts.transpileModule").result == "'function'"
            err = execute(kc, "import missing from 'not-installed-anywhere';").error
            assert "not-installed-anywhere" in err["evalue"] and "npm install not-installed-anywhere" in err["evalue"]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def test_type_checking_ships_its_own_typings_and_reads_the_notebooks_tsconfig():
    with tempfile.TemporaryDirectory() as tmp:
        # No node_modules and no tsconfig here: Node's typings come with the kernel.
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            run = execute(kc, "const b: Buffer = Buffer.from('x');\nconst n: number = process.pid;\nfunction loose(a) { return a }")
            assert run.reply["content"]["status"] == "ok"
            assert "TS2304" not in run.stderr and "Buffer" not in run.stderr  # Node's globals are known
            assert "TS7006" not in run.stderr  # the notebook profile (issue 18): implicit any is no error
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        pathlib.Path(tmp, "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": True}}))
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            run = execute(kc, "function loose(a) { return a }")
            assert run.reply["content"]["status"] == "ok" and "TS7006" in run.stderr  # the tsconfig wins
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def notebook():
    """(the notebook's folder, a client of a kernel started in it); each test writes its own subfolder."""
    with tempfile.TemporaryDirectory() as tmp:
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            yield pathlib.Path(tmp), kc
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def _ok(run):
    """The run's reply status is ok; else its error content, for the assertion message."""
    return run.reply["content"]["status"] == "ok", run.error


def _type_errors(run):
    """The type checker's lines on the cell's stderr (warn mode), e.g. "cell-3.ts:1:7 - error TS2322: ..."."""
    return [line for line in run.stderr.splitlines() if " - error TS" in line]


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_local_ts_module_is_type_checked_and_reloaded_after_an_edit_issue_18(notebook):
    """tslab's executor.spec.ts externalFiles "changed", "cache module", "dependencies" and "errors"."""
    root, kc = notebook
    _write(root / "lib" / "a.ts", 'export const greeting: string = "ABC";\nexport function twice(n: number): number { return 2 * n; }\n')
    cell = 'import { greeting, twice } from "./lib/a";\n`${greeting} ${twice(21)}`'
    first = execute(kc, cell)
    assert _ok(first) == (True, None) and first.result == "'ABC 42'" and first.stderr == ""
    # Its types reach the cell: a wrong use is a type error (the cell still runs: %typecheck warn).
    typed = execute(kc, 'const wrong: number = greeting;\ntwice("x")')
    errors = _type_errors(typed)
    assert len(errors) == 2 and ":1:7 - error TS2322" in errors[0] and ":2:7 - error TS2345" in errors[1], typed.stderr
    # Re-running the cell after an edit of lib/a.ts runs the new code, and the checker sees the new types.
    _write(root / "lib" / "a.ts", 'export const greeting: number = 7;\nexport function twice(n: number): number { return 3 * n; }\n')
    again = execute(kc, cell)
    assert _ok(again) == (True, None) and again.result == "'7 63'"
    assert _type_errors(execute(kc, "const nowNumber: number = greeting;")) == []

    # Unchanged, a module is not run again (one random id for two imports).
    _write(root / "lib" / "rand.ts", 'import { randomBytes } from "crypto";\nexport const uid = randomBytes(8).toString("hex");\n')
    uid = execute(kc, 'import { uid } from "./lib/rand";\nuid').result
    assert uid is not None and execute(kc, 'import { uid as uid2 } from "./lib/rand";\nuid2').result == uid

    # An exception from a local module shows the module's own line (its compiled code drops the interface).
    _write(root / "lib" / "thrower.ts", 'interface Unused {\n  x: number;\n}\nexport function fail(): never {\n  throw new Error("from the module");\n}\n')
    failed = execute(kc, 'import { fail } from "./lib/thrower";\nfail();')
    traceback = "\n".join(failed.error["traceback"])
    assert failed.error["evalue"] == "from the module" and "lib/thrower.ts:5:9" in traceback and ".ts:2:1" in traceback, traceback

    # A local module imports another; an edit of the inner one reaches the cell through the outer one.
    _write(root / "pkg" / "a.ts", 'export const aVal: string = "AAA";\n')
    _write(root / "pkg" / "b" / "c.ts", 'import { aVal } from "../a";\nexport const bVal = "BBB" + aVal;\n')
    nested = 'import { bVal } from "./pkg/b/c";\nbVal'
    assert execute(kc, nested).result == "'BBBAAA'"
    _write(root / "pkg" / "a.ts", 'export const aVal: string = "ZZZZ";\n')
    assert execute(kc, nested).result == "'BBBZZZZ'"

    # A type error inside a local module (here one import away) is reported on the cell's import.
    _write(root / "pkg" / "bad.ts", 'export const bad: number = "AAA";\n')
    _write(root / "pkg" / "uses-bad.ts", 'export { bad } from "./bad";\n')
    warned = execute(kc, 'import { bad } from "./pkg/uses-bad";\nbad')
    assert _ok(warned) == (True, None) and warned.result == "'AAA'"
    [error] = _type_errors(warned)
    assert ":1:21 - error TS2322: pkg/bad.ts:1:14: Type 'string' is not assignable to type 'number'." in error, warned.stderr
    strict = execute(kc, '%typecheck strict\nimport { bad as bad2 } from "./pkg/uses-bad";')
    assert strict.reply["content"]["status"] == "error" and "pkg/bad.ts:1:14" in "\n".join(strict.error["traceback"])
    assert _ok(execute(kc, "%typecheck warn")) == (True, None)


def test_dynamic_import_loads_packages_builtins_and_local_modules_typed_like_a_static_import_issue_18(notebook):
    root, kc = notebook
    # tslab's executor.spec.ts "dynamic import".
    hashed = execute(
        kc,
        'const crypto = await import("crypto");\nconst message = "Hello TypeScript!";\n'
        'const hash = crypto.createHash("sha256").update(message).digest("hex");\nhash',
    )
    assert _ok(hashed) == (True, None) and hashed.result == repr(hashlib.sha256(b"Hello TypeScript!").hexdigest())
    assert execute(kc, 'const nodePath = await import("node:path");\nnodePath.join("a", "b")').result == "'a/b'"
    # A package the kernel has (lodash, typed by @types/lodash): its CommonJS exports are the default export.
    chunked = execute(kc, 'const _ = (await import("lodash")).default;\n_.chunk([1, 2, 3], 2)')
    assert _ok(chunked) == (True, None) and chunked.result == "[ [ 1, 2 ], [ 3 ] ]" and chunked.stderr == ""
    _write(root / "dyn" / "m.ts", 'export const n: number = 7;\nexport default "dflt";\n')
    local = execute(kc, 'const dynM = await import("./dyn/m");\n[dynM.n, dynM.default]')
    assert _ok(local) == (True, None) and local.result == "[ 7, 'dflt' ]" and local.stderr == ""
    typed = execute(kc, 'const dynS: string = (await import("./dyn/m")).n;')
    [error] = _type_errors(typed)
    assert ":1:7 - error TS2322" in error, typed.stderr
    # import() inside a function a cell declares, with a computed specifier.
    inner = execute(kc, "async function loadN(name: string) {\n  return (await import(`./dyn/${name}`)).n;\n}\nawait loadN('m')")
    assert _ok(inner) == (True, None) and inner.result == "7"
    missing = execute(kc, 'await import("./dyn/missing")')
    assert missing.reply["content"]["status"] == "error" and "Cannot find module './dyn/missing'" in missing.error["evalue"]


def test_local_js_mjs_cjs_modules_and_a_ts_extension_import_issue_18(notebook):
    root, kc = notebook
    # Deno's tests/integration/jupyter_tests.rs jupyter_relative_import.
    _write(root / "data.ts", "export function getData() { return 42; }\n")
    deno = execute(kc, "import { getData } from './data.ts';\nconsole.log(getData());")
    assert _ok(deno) == (True, None) and deno.stdout == "42\n" and deno.stderr == ""
    _write(root / "js" / "c.cjs", "module.exports = { c: 3 };\n")
    _write(root / "js" / "m.mjs", 'export const m = 4;\nexport default "m-default";\n')
    _write(root / "js" / "j.js", 'const { c } = require("./c.cjs");\nexports.j = c + 2;\n')
    run = execute(
        kc,
        'import { c } from "./js/c.cjs";\nimport mDefault, { m } from "./js/m.mjs";\nimport { j } from "./js/j";\n'
        '[c, m, mDefault, j, require("./js/c.cjs").c]',
    )
    assert _ok(run) == (True, None) and run.result == "[ 3, 4, 'm-default', 5, 3 ]" and run.stderr == ""
    # JavaScript modules are typed from their code.
    [error] = _type_errors(execute(kc, "const cAsString: string = c;"))
    assert "TS2322" in error


def test_import_require_dynamic_import_and_the_checker_resolve_packages_by_one_rule_issue_18(notebook):
    root, kc = notebook
    # zeromq (the kernel's own dependency) is in the kernel's node_modules only: every form finds it, and the checker types it.
    run = execute(
        kc,
        'import * as zmqStatic from "zeromq";\nconst zmqRequired = require("zeromq");\nconst zmqDynamic = await import("zeromq");\n'
        '[typeof zmqStatic.Dealer, zmqRequired === zmqStatic, zmqDynamic.Dealer === zmqStatic.Dealer, require.resolve("zeromq").includes("node_modules")]',
    )
    assert _ok(run) == (True, None) and run.result == "[ 'function', true, true, true ]" and run.stderr == ""
    # The notebook's folder comes first: its own `semver` hides the kernel's, for the runtime and the checker alike.
    _package(root, "semver", {"index.js": "exports.notebookCopy = true;", "index.d.ts": "export declare const notebookCopy: true;"}, main="index.js")
    mine = execute(
        kc,
        'import { notebookCopy } from "semver";\nconst viaRequire: boolean = require("semver").notebookCopy;\n'
        'const viaImport: true = (await import("semver")).notebookCopy;\n[notebookCopy, viaRequire, viaImport]',
    )
    assert _ok(mine) == (True, None) and mine.result == "[ true, true, true ]" and mine.stderr == ""
    assert "Cannot find package 'not-installed-anywhere'" in execute(kc, 'require("not-installed-anywhere")').error["evalue"]


def test_class_method_and_field_decorators_run_issue_18(notebook):
    """TC39 standard decorators, as TypeScript 5+ compiles them without experimentalDecorators."""
    _, kc = notebook
    run = execute(
        kc,
        """const decorated: string[] = [];
function register(value: Function, ctx: ClassDecoratorContext) { decorated.push(`class ${String(ctx.name)}`); }
function loud(method: (this: unknown, name: string) => string, ctx: ClassMethodDecoratorContext) {
  decorated.push(`method ${String(ctx.name)}`);
  return function (this: unknown, name: string) { return method.call(this, name).toUpperCase(); };
}
function doubled(_: undefined, ctx: ClassFieldDecoratorContext) {
  decorated.push(`field ${String(ctx.name)}`);
  return (v: number) => v * 2;
}
@register
class Greeter {
  @doubled count = 21;
  @loud greet(name: string) { return `hello ${name}`; }
}
const greeter = new Greeter();
[greeter.greet("ts"), greeter.count, decorated]""",
    )
    assert _ok(run) == (True, None) and run.stderr == ""
    assert run.result == "[ 'HELLO TS', 42, [ 'method greet', 'field count', 'class Greeter' ] ]"
    assert execute(kc, 'new Greeter().greet("again")').result == "'HELLO AGAIN'"


def test_experimental_decorators_run_when_the_notebooks_tsconfig_asks_for_them_issue_18():
    """tslab's converter.spec.ts "decorators" (`@sealed`), run; a method decorator and a local module's too."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"experimentalDecorators": True}}))
        _write(
            root / "lib" / "frozen.ts",
            "function frozen(constructor: Function) { Object.freeze(constructor); }\n@frozen\nexport class Point { constructor(public x = 1) {} }\n",
        )
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            run = execute(
                kc,
                """function sealed(constructor: Function) {
  Object.seal(constructor);
  Object.seal(constructor.prototype);
}
function enumerable(value: boolean) {
  return function (target: any, key: string, descriptor: PropertyDescriptor) { descriptor.enumerable = value; };
}
@sealed
class Greeter {
  greeting = "hi";
  @enumerable(true) greet() { return this.greeting; }
}
import { Point } from "./lib/frozen";
[Object.isSealed(Greeter), Object.isSealed(Greeter.prototype), Object.keys(Greeter.prototype), Object.isFrozen(Point), new Point().x]""",
            )
            assert _ok(run) == (True, None) and run.stderr == ""
            assert run.result == "[ true, true, [ 'greet' ], true, 1 ]"
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
