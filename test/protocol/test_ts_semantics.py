"""TypeScript cells behave like TypeScript (issue 18): a notebook's top-level names never break the
kernel's own code, cell-level redeclaration rules, awaited last expressions and display methods,
and is_complete answers as the peer kernels (tslab, Deno) give them."""
import time

import pytest

from conftest import collect, execute

#: Common global names a notebook may bind at top level (issue 18's list of 40).
GLOBAL_NAMES = (
    "performance JSON Math Object Array Map Set Number String Boolean Promise Symbol Error TypeError Date RegExp "
    "console setTimeout clearTimeout setInterval queueMicrotask process Buffer require module exports globalThis "
    "crypto URL TextEncoder TextDecoder structuredClone fetch Reflect Proxy WeakMap BigInt parseInt isNaN Intl atob"
).split()

#: Seconds any one cell may take here: a kernel that hangs fails the test instead of stalling it.
CELL_TIMEOUT = 60


def ok(run):
    """The run's reply status is ok; the error's content otherwise, for the assertion message."""
    return run.reply["content"]["status"] == "ok", run.error


def assert_kernel_works(kc):
    """An ordinary TS cell, a Python cell, a TS display, TS→Python values (BigInt, Map) still work."""
    plain = execute(kc, '[1, 2, 3].map((x) => x * 2).join(",")', timeout=CELL_TIMEOUT)
    assert ok(plain) == (True, None) and plain.result == "'2,4,6'"
    python = execute(kc, "%%python\nsix = 6\nsix * 7", timeout=CELL_TIMEOUT)
    assert ok(python) == (True, None) and python.result == "42"
    shown = execute(kc, 'display({ kind: "shown" })', timeout=CELL_TIMEOUT)
    assert ok(shown) == (True, None)
    assert any("shown" in m["content"]["data"]["text/plain"] for m in shown.of("display_data"))
    crossing = execute(kc, 'const big = tspy.eval("2 ** 70"); const m = tspy.toJS(tspy.eval("{1: 2}"), { dict: "map" }); [typeof big, m.get(1)]', timeout=CELL_TIMEOUT)
    assert ok(crossing) == (True, None) and crossing.result == "[ 'bigint', 2 ]"


# The cell-semantics tests come first: the global-name tests below leave Promise, Symbol, Object...
# bound to 1 in this module's kernel.


def test_a_cell_that_declares_a_name_twice_is_an_error_issue_18(kc):
    """TypeScript's TS2451 (tslab reports it; Deno's V8 says "Identifier 'x' has already been declared")."""
    run = execute(kc, "let twice = 3;\nlet twice = 4;", timeout=CELL_TIMEOUT)
    assert run.reply["content"]["status"] == "error"
    assert run.error["ename"] == "SyntaxError"
    assert "Cannot redeclare block-scoped variable 'twice'" in run.error["evalue"] and "line 2" in run.error["evalue"]
    assert execute(kc, "var v1 = 1; var v1 = 2; function g1() {} function g1() {}\nv1", timeout=CELL_TIMEOUT).result == "2"


def test_a_later_cell_redeclares_a_name_and_the_checker_types_it_by_the_new_declaration_issue_18(kc):
    assert ok(execute(kc, "let flag = 1;", timeout=CELL_TIMEOUT)) == (True, None)
    again = execute(kc, "let flag = true;\nflag = false;\nflag", timeout=CELL_TIMEOUT)
    assert ok(again) == (True, None) and again.result == "false"
    assert "TS2322" not in again.stderr, again.stderr
    used = execute(kc, "const asBoolean: boolean = flag;\nconst asNumber: number = flag;", timeout=CELL_TIMEOUT)
    errors = [line for line in used.stderr.splitlines() if "error TS" in line]
    assert len(errors) == 1 and ".ts:2:" in errors[0] and "TS2322" in errors[0], used.stderr


def test_a_pending_promise_as_the_last_expression_is_awaited_and_an_interrupt_ends_it_issue_18(kernel, kc):
    """Deno's rule: a cell's last-expression promise is awaited; one that never settles waits
    until the user interrupts, and the kernel goes on with its state."""
    km, _ = kernel
    assert execute(kc, "new Promise<number>((r) => setTimeout(() => r(42), 100))", timeout=CELL_TIMEOUT).result == "42"
    msg_id = kc.execute("let keptBefore = 41;\nnew Promise(() => {})")
    time.sleep(1.0)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=CELL_TIMEOUT)
    collect(kc, msg_id)
    assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
    assert execute(kc, "keptBefore + 1", timeout=CELL_TIMEOUT).result == "42"


def test_an_async_jupyter_display_method_is_awaited_for_the_result_issue_18(kc):
    """Deno's kernel awaits `[Symbol.for("Jupyter.display")]()` of a cell's result."""
    code = (
        "({ async [Symbol.for('Jupyter.display')]() {\n"
        "  await new Promise((r) => setTimeout(r, 50));\n"
        "  return { 'text/html': '<b>late</b>', 'text/plain': 'late' };\n"
        "} })"
    )
    run = execute(kc, code, timeout=CELL_TIMEOUT)
    assert ok(run) == (True, None)
    data = run.of("execute_result")[0]["content"]["data"]
    assert data["text/html"] == "<b>late</b>" and data["text/plain"] == "late"


@pytest.mark.parametrize("name", GLOBAL_NAMES)
def test_binding_a_global_name_at_top_level_leaves_the_kernel_working_issue_18(kc, name):
    """tslab/Deno: a top-level `let NAME = 1` is the user's binding; here it must not reach the
    kernel's code. The names accumulate in one kernel (a harder state than a fresh one each)."""
    bound = execute(kc, f"let {name} = 1;", timeout=CELL_TIMEOUT)
    assert ok(bound) == (True, None)
    seen = execute(kc, name, timeout=CELL_TIMEOUT)
    assert ok(seen) == (True, None) and seen.result == "1"
    assert_kernel_works(kc)


def test_a_class_named_promise_and_a_namespace_import_named_crypto_issue_18(kc):
    defined = execute(kc, "class Promise { static kind = 'mine' }\nPromise.kind", timeout=CELL_TIMEOUT)
    assert ok(defined) == (True, None) and defined.result == "'mine'"
    imported = execute(kc, 'import * as crypto from "crypto";\ntypeof crypto.randomUUID', timeout=CELL_TIMEOUT)
    assert ok(imported) == (True, None) and imported.result == "'function'"
    assert_kernel_works(kc)
