"""Issue 12, items 4 and 6 through jupyter_client, each test written as the user's code that
failed: a TS function has a Python signature (inspect.signature of `ts.f`), and an interrupt stops
any running TypeScript (callbacks in forEach/map, a backtracking regular expression, a recursion,
code after an await, a TS callback under Python) that would otherwise run for hours, the
variables of both languages kept and the kernel usable."""
import pytest

from conftest import INTERRUPTED_WITHIN_S, execute, interrupt_running


def test_python_sees_the_signature_of_a_ts_function_issue_12(kc):
    assert execute(kc, "const scale = (a: number, b = 2, ...rest: number[]) => a * b;").reply["content"]["status"] == "ok"
    run = execute(kc, "%%python\nimport inspect\nstr(inspect.signature(ts.scale)), ts.scale.__name__, ts.scale(3, b=5)")
    assert run.result == "('(a, b=2, *rest)', 'scale', 15)", run.error


SPINNING_CELLS = {
    # Nested callbacks: no loop statement for the cooperative check to see.
    "nested_forEach": "let acc = 0;\nxs.forEach((i) => xs.forEach((j) => { acc += i ^ j; }));",
    "catastrophic_regex": '/(a+)+$/.test("a".repeat(40) + "b");',
    "recursion": "function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nfib(80);",
    "while_true_in_a_callback": "[1, 2].forEach(() => { while (true) {} });",
    "map_after_await": "await new Promise((r) => setTimeout(r, 50));\nxs.map((i) => xs.reduce((s, j) => s + (i ^ j), 0));",
    "sort_comparator": "xs.slice().sort((a, b) => { let s = 0; xs.forEach((x) => (s += x)); return a - b + s * 0; });",
}


@pytest.mark.parametrize("name", SPINNING_CELLS)
def test_interrupt_stops_ts_without_loop_checks_issue_12(kernel, kc, name):
    setup = execute(kc, "let keptTs = 41;\nconst xs = Array.from({ length: 1_000_000 }, (_, i) => i);")
    assert setup.reply["content"]["status"] == "ok"
    assert execute(kc, "%%python\nkept_py = 'py'").reply["content"]["status"] == "ok"
    reply, _, elapsed = interrupt_running(kernel, kc, SPINNING_CELLS[name])
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
    assert elapsed < INTERRUPTED_WITHIN_S, f"the cell was not interrupted ({elapsed:.2f} s)"
    after = execute(kc, 'console.log("still printing");\nkeptTs + 1')
    assert after.result == "42", after.error
    assert after.stdout == "still printing\n"
    assert execute(kc, "%%python\nkept_py + '!'").result == "'py!'"


def test_interrupt_stops_a_ts_callback_without_loops_under_python_issue_12(kernel, kc):
    code = "function spinInForEach() { const ys = Array.from({ length: 1_000_000 }, (_, i) => i); let s = 0; ys.forEach((i) => ys.forEach((j) => { s += i ^ j; })); return s; }"
    assert execute(kc, code).reply["content"]["status"] == "ok"
    code = "%%python\ncaught = None\ntry:\n    ts.spinInForEach()\nexcept KeyboardInterrupt as e:\n    caught = 'KeyboardInterrupt'\n    raise"
    reply, _, elapsed = interrupt_running(kernel, kc, code)
    assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
    assert elapsed < INTERRUPTED_WITHIN_S, f"the callback was not interrupted ({elapsed:.2f} s)"
    assert execute(kc, "%%python\ncaught").result == "'KeyboardInterrupt'", "Python saw KeyboardInterrupt from the TS callback"
    assert execute(kc, "spinInForEach.name").result == "'spinInForEach'"
