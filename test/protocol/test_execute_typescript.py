"""execute_request for TypeScript cells: results, persistence, await, streams, errors."""
import re
from datetime import datetime

from conftest import execute

ANSI = re.compile(r"\x1b\[")


def test_last_expression_is_the_execute_result_as_plain_text(kc):
    run = execute(kc, "const a: number = 20;\na + 22")
    assert run.reply["content"]["status"] == "ok"
    assert run.result == "42"
    run = execute(kc, "({ name: 'digits', sizes: [1, 2, 3] })")
    assert "digits" in run.result and not ANSI.search(run.result)


def test_execution_count_increases_and_execute_input_is_broadcast(kc):
    first = execute(kc, "1")
    second = execute(kc, "2")
    n1 = first.reply["content"]["execution_count"]
    assert second.reply["content"]["execution_count"] == n1 + 1
    inputs = second.of("execute_input")
    assert inputs and inputs[0]["content"]["code"] == "2"
    assert second.of("execute_result")[0]["content"]["execution_count"] == n1 + 1


def test_top_level_declarations_persist_and_can_be_declared_again(kc):
    execute(kc, "const x = 1;\nlet y = 2;\nfunction f(n: number) { return n * 10 }\nclass Box { constructor(public v: number) {} }")
    assert execute(kc, "x + y + f(1) + new Box(4).v").result == "17"
    rerun = execute(kc, "const x = 5;")
    assert rerun.reply["content"]["status"] == "ok"
    assert execute(kc, "x").result == "5"
    execute(kc, "const { p, q: [r] } = { p: 1, q: [2] };")
    assert execute(kc, "p + r").result == "3"


def test_top_level_await(kc):
    run = execute(kc, "const v = await new Promise<number>(r => setTimeout(() => r(7), 50));\nv * 6")
    assert run.result == "42"


def test_console_log_and_error_are_stream_messages(kc):
    run = execute(kc, "console.log('hello', 1 + 1);\nconsole.error('oops')")
    assert run.stdout == "hello 2\n"
    assert run.stderr == "oops\n"
    assert run.result is None


def test_console_output_is_sent_as_it_happens(kc):
    run = execute(kc, "console.log('first');\nawait new Promise(r => setTimeout(r, 1500));\nconsole.log('second')")
    streams = run.of("stream")
    assert [m["content"]["text"] for m in streams] == ["first\n", "second\n"]
    t0, t1 = (datetime.fromisoformat(str(m["header"]["date"]).replace("Z", "+00:00")) if isinstance(m["header"]["date"], str) else m["header"]["date"] for m in streams)
    assert (t1 - t0).total_seconds() >= 1.0


def test_syntax_error_names_the_line(kc):
    run = execute(kc, "const ok = 1;\nconst broken = ;")
    assert run.reply["content"]["status"] == "error"
    err = run.error
    assert err["ename"] == "SyntaxError"
    assert "line 2" in err["evalue"]
    assert any("const broken = ;" in line for line in err["traceback"])


def test_runtime_error_traceback_has_cell_line_numbers(kc):
    run = execute(kc, "function explode() {\n  throw new RangeError('too far');\n}\nexplode();")
    err = run.error
    assert err["ename"] == "RangeError" and err["evalue"] == "too far"
    text = "\n".join(err["traceback"])
    assert re.search(r"cell-\d+\.ts:2:", text), text
    assert re.search(r"cell-\d+\.ts:4:", text), text
    assert run.reply["content"]["status"] == "error"
    assert run.reply["content"]["ename"] == "RangeError"


def test_state_survives_an_error(kc):
    execute(kc, "const kept = 'still here';")
    execute(kc, "throw new Error('boom')")
    assert execute(kc, "kept").result == "'still here'"


def test_import_of_a_node_builtin_and_a_missing_package(kc):
    assert execute(kc, "import * as os from 'node:os';\ntypeof os.cpus").result == "'function'"
    err = execute(kc, "import left from 'no-such-package-tspy';").error
    assert "no-such-package-tspy" in err["evalue"] and "npm install" in err["evalue"]


def test_silent_execution_publishes_nothing_and_keeps_the_count(kc):
    before = execute(kc, "1").reply["content"]["execution_count"]
    run = execute(kc, "console.log('hidden'); 5", silent=True)
    assert [m["msg_type"] for m in run.messages] == ["status"]  # busy, and nothing else
    assert execute(kc, "1").reply["content"]["execution_count"] == before + 1
