"""Deno's Jupyter kernel tests (denoland/deno tests/integration/jupyter_tests.rs and the cells of
tests/testdata/jupyter/integration_test.ipynb) that apply to any TypeScript kernel, rewritten as
requests to the real tspy kernel (issue 18). Each test names its source. Deno-only cases
(Deno.serve, Deno.test, Deno.jupyter.broadcast, npm: specifiers) are left out; where tspy differs
by design the test asserts tspy's documented behaviour (README, "Differences from the peer
kernels")."""
import time

import pytest
import zmq

from conftest import collect, execute, wait_reply


def is_complete(kc, code):
    return wait_reply(kc, kc.is_complete(code))["content"]


# --- jupyter_tests.rs -----------------------------------------------------------------------------

def test_heartbeat_echoes_deno_jupyter_heartbeat_echoes(kernel):
    km, _ = kernel
    hb = zmq.Context.instance().socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"{km.transport}://{km.ip}:{km.hb_port}")
    try:
        hb.send(b"ping")
        assert hb.poll(10000) and hb.recv() == b"ping"
    finally:
        hb.close(0)


def test_kernel_info_deno_jupyter_kernel_info(kc):
    content = wait_reply(kc, kc.kernel_info())["content"]
    assert content["status"] == "ok" and content["protocol_version"].startswith("5.")
    assert content["language_info"]["name"] == "typescript" and content["language_info"]["file_extension"] == ".ts"


def test_execute_request_deno_jupyter_execute_request(kc):
    before = execute(kc, "1").reply["content"]["execution_count"]
    msg_id = kc.execute('console.log("asdf")')
    reply = wait_reply(kc, msg_id, timeout=60)
    assert reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == before + 1
    streams = [m for m in collect(kc, msg_id) if m["msg_type"] == "stream"]
    assert [(m["content"]["name"], m["content"]["text"]) for m in streams] == [("stdout", "asdf\n")]
    assert all(m["parent_header"]["msg_id"] == msg_id for m in streams)


def test_execute_error_reports_traceback_deno_jupyter_execute_error_reports_traceback(kc):
    # denoland/deno#35290
    run = execute(kc, 'throw new Error("boom")')
    content = run.reply["content"]
    assert (content["status"], content["ename"], content["evalue"]) == ("error", "Error", "boom")
    assert any("boom" in line for line in content["traceback"])
    assert (run.error["ename"], run.error["evalue"]) == ("Error", "boom")


def _answer_prompt(kc, code):
    msg_id = kc.execute(code, allow_stdin=True)
    request = kc.get_stdin_msg(timeout=60)
    assert request["msg_type"] == "input_request" and request["parent_header"]["msg_id"] == msg_id
    return msg_id, request


def test_execute_prompt_stdin_deno_jupyter_execute_prompt_stdin(kc):
    # Deno's `prompt("Name?")` is tspy's `await input("Name?")` (README: differences).
    msg_id, request = _answer_prompt(kc, 'const who = await input("Name?");\nconsole.log(`Hello, ${who}!`)')
    assert request["content"] == {"prompt": "Name?", "password": False}
    kc.input("World")
    assert wait_reply(kc, msg_id, timeout=60)["content"]["status"] == "ok"
    assert "Hello, World!\n" in "".join(m["content"].get("text", "") for m in collect(kc, msg_id) if m["msg_type"] == "stream")


def test_prompt_does_not_block_heartbeat_deno_jupyter_prompt_does_not_block_heartbeat(kernel, kc):
    km, _ = kernel
    msg_id, _ = _answer_prompt(kc, 'const slowName = await input("Name?");\nslowName')
    hb = zmq.Context.instance().socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"{km.transport}://{km.ip}:{km.hb_port}")
    try:
        for i in range(5):
            time.sleep(0.4)
            hb.send(b"ping%d" % i)
            assert hb.poll(10000), f"heartbeat stalled while a prompt was open (iteration {i})"
            assert hb.recv() == b"ping%d" % i
    finally:
        hb.close(0)
    kc.input("World")
    assert wait_reply(kc, msg_id, timeout=60)["content"]["status"] == "ok"
    collect(kc, msg_id)


def test_stdin_prompt_reply_deno_jupyter_stdin_prompt_reply(kc):
    msg_id, request = _answer_prompt(kc, 'await input("name?")')
    assert request["content"]["prompt"] == "name?"
    kc.input("deno")
    assert wait_reply(kc, msg_id, timeout=60)["content"]["status"] == "ok"
    assert [m["content"]["data"]["text/plain"] for m in collect(kc, msg_id) if m["msg_type"] == "execute_result"] == ["'deno'"]


def test_stdin_disabled_deno_jupyter_stdin_disabled_returns_null(kc):
    # Deno's prompt() answers null; tspy's input() raises as ipykernel's does (README: differences).
    run = execute(kc, 'await input("name?")', allow_stdin=False)
    assert run.reply["content"]["status"] == "error" and "does not support input" in run.error["evalue"]


def test_complete_request_multibyte_deno_jupyter_complete_request_multibyte(kc):
    # denoland/deno#22771
    code = "function getLunchPlace(me) {\n  '서';\n}\n\nge"
    content = wait_reply(kc, kc.complete(code, len(code)), timeout=60)["content"]
    assert content["status"] == "ok" and content["cursor_end"] == len(code)
    assert "getLunchPlace" in content["matches"]


def test_complete_request_astral_cursor_deno_jupyter_complete_request_astral_cursor(kc):
    code = '"😀"; cons'
    content = wait_reply(kc, kc.complete(code, len(code)), timeout=60)["content"]
    assert (content["status"], content["cursor_start"], content["cursor_end"]) == ("ok", 5, 9)
    assert content["matches"][0] == "console"


def test_rejects_invalid_hmac_signature_deno_jupyter_rejects_invalid_hmac_signature(kernel, kc):
    km, _ = kernel
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.linger = 0
    sock.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
    try:
        msg = kc.session.msg("execute_request", {"code": "globalThis.forged = 1", "silent": False, "store_history": False})
        frames = [kc.session.pack(part) for part in (msg["header"], msg["parent_header"], msg["metadata"], msg["content"])]
        sock.send_multipart([b"<IDS|MSG>", b"00" * 32, *frames])
        assert sock.poll(3000) == 0, "the kernel answered a request with a forged signature"
    finally:
        sock.close(0)
    assert execute(kc, "typeof globalThis.forged").result == "'undefined'"


def test_store_history_false_deno_jupyter_store_history_false(kc):
    count = execute(kc, "1").reply["content"]["execution_count"]
    run = execute(kc, 'console.log("asdf")', store_history=False)
    assert run.reply["content"]["status"] == "ok" and run.reply["content"]["execution_count"] == count
    assert execute(kc, "2").reply["content"]["execution_count"] == count + 1


def test_interrupt_reply_deno_jupyter_interrupt_reply(kc):
    msg = kc.session.msg("interrupt_request", {})
    kc.control_channel.send(msg)
    reply = kc.control_channel.get_msg(timeout=30)
    assert reply["msg_type"] == "interrupt_reply" and reply["content"]["status"] == "ok"


def test_interrupt_running_code_deno_jupyter_interrupt_running_code(kc):
    msg_id = kc.execute("let deno_i = 0;\nwhile (true) { deno_i++ }")
    time.sleep(1)
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    reply = wait_reply(kc, msg_id, timeout=60)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert execute(kc, "deno_i > 0").result == "true"


def test_shutdown_reply_deno_jupyter_shutdown_reply():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=120)
    try:
        kc.control_channel.send(kc.session.msg("shutdown_request", {"restart": False}))
        reply = kc.control_channel.get_msg(timeout=60)
        assert reply["msg_type"] == "shutdown_reply" and reply["content"]["status"] == "ok" and reply["content"]["restart"] is False
        deadline = time.monotonic() + 60
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not km.is_alive()
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


# --- is_complete (cli/js/jupyter_kernel.js, checkIsComplete) -------------------------------------

@pytest.mark.parametrize(
    "code, status",
    [
        ("const a = 1;", "complete"),
        ("foo(1))", "invalid"),  # an unmatched `)`
        ("const o = [1, 2]]", "invalid"),  # an unmatched `]`
        ("}", "invalid"),  # an unmatched `}`
        ("const s = '(';", "complete"),  # brackets in strings do not count
        ("// (\nconst c = 1", "complete"),  # nor in comments
        ("const t = `a\nb", "incomplete"),  # an open template literal
        ("/* open comment", "incomplete"),
        ("if (x) {", "incomplete"),
    ],
)
def test_is_complete_deno_checkIsComplete(kc, code, status):
    assert is_complete(kc, code)["status"] == status


# --- integration_test.ipynb cells -----------------------------------------------------------------

@pytest.mark.parametrize(
    "code, shown",
    [
        ("true", "true"),
        ("42", "42"),
        ('"this is a test of the emergency broadcast system"', "'this is a test of the emergency broadcast system'"),
        ("31337n", "31337n"),
        ('Symbol("foo")', "Symbol(foo)"),
        ('({foo: "bar"})', "{ foo: 'bar' }"),
        ('"Cool 🫡"', "'Cool 🫡'"),
        ('Promise.resolve("it worked!")', "'it worked!'"),  # awaited (Deno's rule for a last-expression promise)
    ],
)
def test_result_display_deno_integration_test_ipynb(kc, code, shown):
    # Node's util.inspect writes strings in single quotes where Deno writes double (README: differences).
    assert execute(kc, code).result == shown


@pytest.mark.parametrize("code", ["undefined", "null"])
def test_undefined_and_null_show_nothing_deno_integration_test_ipynb(kc, code):
    # Deno shows `null`; tspy shows neither (README: a Python call that returned None).
    run = execute(kc, code)
    assert run.reply["content"]["status"] == "ok" and run.of("execute_result") == []


def test_top_level_await_and_console_log_deno_integration_test_ipynb(kc):
    run = execute(kc, 'let awaited42 = await Promise.resolve(42);\nconsole.log("x is", awaited42);')
    assert run.stdout == "x is 42\n"


def test_excess_property_is_reported_and_the_cell_runs_deno_integration_test_ipynb(kc):
    # Deno runs without checking; tspy prints the type error (TS2561) and runs the cell.
    run = execute(
        kc,
        "interface SquareConfig {\n  color?: string;\n  width?: number;\n}\n"
        "function createSquare(config: SquareConfig): { color: string; area: number } {\n"
        '  return {\n    color: config.color || "red",\n    area: config.width ? config.width * config.width : 20,\n  };\n}\n'
    )
    assert run.reply["content"]["status"] == "ok" and run.stderr == ""
    run = execute(kc, 'createSquare({ colour: "red", width: 100 })')
    assert run.result == "{ color: 'red', area: 10000 }" and "TS2561" in run.stderr


@pytest.mark.parametrize(
    "code, ename, evalue, in_traceback",
    [
        ('Promise.reject(new Error("it failed!"));', "Error", "it failed!", "it failed!"),
        ('(function foo() {\n    throw new Error("this is a test")\n})()', "Error", "this is a test", "foo"),
    ],
)
def test_errors_deno_integration_test_ipynb(kc, code, ename, evalue, in_traceback):
    run = execute(kc, code)
    assert (run.error["ename"], run.error["evalue"]) == (ename, evalue)
    assert any(in_traceback in line for line in run.error["traceback"])


def test_throw_a_string_deno_integration_test_ipynb(kc):
    run = execute(kc, 'throw "a party"')
    assert run.reply["content"]["status"] == "error" and "a party" in run.error["evalue"]


def test_console_table_deno_integration_test_ipynb(kc):
    out = execute(kc, "console.table([1, 2, 3])").stdout
    assert "Values" in out and "│" in out and all(str(n) in out for n in (1, 2, 3))


@pytest.mark.parametrize("asynchronous", ["", "async "])
def test_jupyter_display_symbol_deno_integration_test_ipynb(kc, asynchronous):
    color = "#5398ff" if asynchronous else "#ff5398"
    name = "SuperColorAsync" if asynchronous else "SuperColor"
    run = execute(
        kc,
        f'class {name} {{\n  color = "{color}";\n  hex() {{\n    return this.color\n  }}\n'
        f'  {asynchronous}[Symbol.for("Jupyter.display")]() {{\n'
        '    return { "text/html": `<div style="width: 32px; height: 32px; background-color: ${this.hex()}" />` }\n  }\n}\n'
        f"new {name}()",
    )
    results = run.of("execute_result")
    assert len(results) == 1 and color in results[0]["content"]["data"]["text/html"], (run.error, run.stderr)
