"""The checks of the community conformance suite (jupyter_kernel_test: kernel_info, stdout, stderr,
completion, is_complete including invalid, error, execute_result, display_data, history, inspect,
clear_output), held for TypeScript cells and for %%python cells alike, through jupyter_client.
jupyter_kernel_test itself is not in the machine's package index; these are the same checks."""
import pytest

from conftest import collect, execute

LANGUAGES = {
    "typescript": {
        "hello_world": 'console.log("hello, world")',
        "stderr": 'console.error("trouble ahead")',
        "completion": [("Math.flo", "floor"), ('"text".toUpp', "toUpperCase")],
        "complete": ["1 + 1", "const done = { a: 1 };"],
        "incomplete": ["function open() {", "const list = [1, 2,"],
        # A stray closer is invalid (Deno's kernel); other syntax errors are complete (tslab, Deno: issue 18).
        "invalid": ["let x = )", "foo(1))"],
        "error": 'throw new RangeError("conformance failure")',
        "execute_result": [("6 * 7", "42"), ('"a" + "b"', "'ab'")],
        "display_data": [('display.html("<b>bold</b>")', "text/html"), ('display.markdown("*md*")', "text/markdown")],
        "inspect": ("Math.floor", "floor"),
        "clear_output": "clearOutput()",
        "history_marker": "const conformanceMarkerTs = 1;",
    },
    "python": {
        "hello_world": '%%python\nprint("hello, world")',
        "stderr": '%%python\nimport sys\nprint("trouble ahead", file=sys.stderr)',
        "completion": [("%%python\nimport os\nos.pat", "path"), ("%%python\nimport json\njson.dum", "dumps")],
        "complete": ["%%python\nx = 1", "%%python\nif True:\n    y = 2\n"],
        "incomplete": ["%%python\nfor i in range(3):", "%%python\nvalues = [1, 2,"],
        "invalid": ["%%python\nx = = 1", "%%python\ndef f(:"],
        "error": '%%python\nraise ValueError("conformance failure")',
        "execute_result": [("%%python\n6 * 7", "42"), ("%%python\n'a' + 'b'", "'ab'")],
        "display_data": [("%%python\nfrom IPython.display import display, HTML\ndisplay(HTML('<b>bold</b>'))", "text/html"),
                         ("%%python\nfrom IPython.display import display, Markdown\ndisplay(Markdown('*md*'))", "text/markdown")],
        "inspect": ("%%python\nimport json\njson.dumps", "dumps"),
        "clear_output": "%%python\nfrom IPython.display import clear_output\nclear_output()",
        "history_marker": "%%python\nconformance_marker_py = 1",
    },
}


@pytest.fixture(params=sorted(LANGUAGES))
def lang(request):
    return LANGUAGES[request.param]


def _reply(kc, msg_id):
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def test_execute_stdout(kc, lang):
    run = execute(kc, lang["hello_world"])
    assert run.reply["content"]["status"] == "ok"
    assert "hello, world" in run.stdout


def test_execute_stderr(kc, lang):
    run = execute(kc, lang["stderr"])
    assert "trouble ahead" in run.stderr and run.stdout == ""


def test_completion(kc, lang):
    for text, expected in lang["completion"]:
        content = _reply(kc, kc.complete(text, len(text)))
        assert content["status"] == "ok"
        assert expected in content["matches"], (text, content["matches"])
        assert 0 <= content["cursor_start"] <= content["cursor_end"] == len(text)


@pytest.mark.parametrize("kind", ["complete", "incomplete", "invalid"])
def test_is_complete(kc, lang, kind):
    for code in lang[kind]:
        assert _reply(kc, kc.is_complete(code))["status"] == kind, code


def test_error(kc, lang):
    run = execute(kc, lang["error"])
    assert run.reply["content"]["status"] == "error"
    err = run.error
    assert err["evalue"] == "conformance failure" and err["ename"] in ("RangeError", "ValueError")
    assert err["traceback"]


def test_execute_result(kc, lang):
    for code, expected in lang["execute_result"]:
        run = execute(kc, code)
        results = run.of("execute_result")
        assert len(results) == 1 and results[0]["content"]["data"]["text/plain"] == expected
        assert results[0]["content"]["execution_count"] == run.reply["content"]["execution_count"]


def test_display_data(kc, lang):
    for code, mime in lang["display_data"]:
        run = execute(kc, code)
        shown = run.of("display_data")
        assert shown and mime in shown[0]["content"]["data"], (code, shown)


def test_history(kc, lang):
    execute(kc, lang["history_marker"])
    for request in [dict(hist_access_type="tail", n=5), dict(hist_access_type="range", session=0, start=1),
                    dict(hist_access_type="search", pattern="*conformance_marker*" if "py" in lang["history_marker"] else "*conformanceMarker*")]:
        content = _reply(kc, kc.history(**request))
        assert content["status"] == "ok"
        assert lang["history_marker"] in [entry[2] for entry in content["history"]], request


def test_inspect(kc, lang):
    code, word = lang["inspect"]
    content = _reply(kc, kc.inspect(code, len(code), 0))
    assert content["status"] == "ok" and content["found"] is True
    assert word in content["data"]["text/plain"]


def test_clear_output(kc, lang):
    run = execute(kc, lang["clear_output"])
    assert run.of("clear_output") and run.reply["content"]["status"] == "ok"


def test_messages_name_their_parent_and_come_between_busy_and_idle(kc, lang):
    msg_id = kc.execute(lang["hello_world"])
    messages = collect(kc, msg_id)
    assert messages[0]["msg_type"] == "status" and messages[0]["content"]["execution_state"] == "busy"
    assert all(m["parent_header"]["msg_id"] == msg_id for m in messages)
    assert _reply(kc, msg_id)["status"] == "ok"


def test_user_expressions_are_evaluated_after_the_cell(kc):
    reply = _reply(kc, kc.execute("const ue = 20;", user_expressions={"double": "ue * 2", "bad": "nope.nope"}))
    assert reply["user_expressions"]["double"]["data"]["text/plain"] == "40"
    assert reply["user_expressions"]["bad"]["status"] == "error" and reply["user_expressions"]["bad"]["ename"] == "ReferenceError"
    reply = _reply(kc, kc.execute("%%python\nue_py = 3", user_expressions={"sq": "ue_py ** 2"}))
    assert reply["user_expressions"]["sq"]["data"]["text/plain"] == "9"


def test_connect_request_reports_the_ports(kernel, kc):
    km, _ = kernel
    msg = kc.session.msg("connect_request", {})
    kc.shell_channel.send(msg)
    content = _reply(kc, msg["header"]["msg_id"])
    assert content["shell_port"] == km.shell_port and content["hb_port"] == km.hb_port and content["iopub_port"] == km.iopub_port
