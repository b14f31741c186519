"""Magics, stdin (input_request), history_request, comms and the other messages JupyterLab sends."""
import json
import re
import os
import tempfile
import time

from jupyter_client.manager import start_new_kernel

from conftest import TIMEOUT, collect, drain, execute


def test_who_lists_variables_of_both_languages(kc):
    execute(kc, "const weights = new Float32Array(10);\nconst label = 'digits';")
    execute(kc, "%%python\nimport numpy as np\nbatch = np.zeros((4, 8, 8), dtype=np.uint8)")
    out = execute(kc, "%who").stdout
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "TypeScript" in rows["weights"] and "Float32Array" in rows["weights"] and "float32" in rows["weights"] and "40 B" in rows["weights"]
    assert "Python" in rows["batch"] and "4x8x8" in rows["batch"] and "uint8" in rows["batch"] and "256 B" in rows["batch"]
    assert "string" in rows["label"]


def test_env_magic_sets_the_environment_for_both_languages(kc):
    assert execute(kc, "%env TSPY_TEST_VAR=forty two").stdout == "env: TSPY_TEST_VAR=forty two\n"
    assert execute(kc, "process.env.TSPY_TEST_VAR").result == "'forty two'"
    assert execute(kc, "%%python\nimport os\nos.environ['TSPY_TEST_VAR']").result == "'forty two'"
    assert execute(kc, "%env TSPY_TEST_VAR").stdout == "forty two\n"


def test_time_magic_reports_wall_time_and_ts_magic_is_typescript(kc):
    run = execute(kc, "%%time\n%%python\nsum(range(10))")
    assert run.result == "45" and run.stdout.startswith("Wall time: ")
    assert execute(kc, "%%ts\nconst viaTs: number = 3;\nviaTs * 2").result == "6"


def test_pip_magic_runs_the_environments_pip(kc):
    run = execute(kc, "%pip --version")
    assert run.reply["content"]["status"] == "ok"
    assert run.stdout.startswith("pip ") and "python" in run.stdout


def test_unknown_magic_is_a_clear_usage_error(kc):
    err = execute(kc, "%timeit 1").error
    assert err["ename"] == "UsageError" and "%timeit" in err["evalue"] and "%who" in err["evalue"]
    err = execute(kc, "%%bash\nls").error
    assert err["ename"] == "UsageError" and "%%python" in err["evalue"]


def _answer_input(kc, msg_id, answer):
    """Waits for the kernel's input_request and answers it; returns the request's content."""
    request = kc.get_stdin_msg(timeout=30)
    assert request["msg_type"] == "input_request"
    assert request["parent_header"]["msg_id"] == msg_id
    kc.input(answer)
    return request["content"]


def test_python_input_and_getpass_use_input_request(kc):
    msg_id = kc.execute("%%python\nname = input('Your name: ')\nprint('hello', name)", allow_stdin=True)
    assert _answer_input(kc, msg_id, "Ada") == {"prompt": "Your name: ", "password": False}
    messages = collect(kc, msg_id)
    assert "hello Ada\n" in "".join(m["content"].get("text", "") for m in messages if m["msg_type"] == "stream")
    msg_id = kc.execute("%%python\nimport getpass\nsecret = getpass.getpass('Key: ')\nlen(secret)", allow_stdin=True)
    assert _answer_input(kc, msg_id, "hunter2")["password"] is True
    results = [m for m in collect(kc, msg_id) if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "7"


def test_typescript_input_is_awaitable(kc):
    msg_id = kc.execute("const answer = await input('Number? ');\nNumber(answer) * 2", allow_stdin=True)
    assert _answer_input(kc, msg_id, "21")["prompt"] == "Number? "
    results = [m for m in collect(kc, msg_id) if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "42"


def test_python_threads_run_while_a_typescript_cell_waits_for_input(kc):
    # The TS cell calls Python just before it blocks for input: the executor must not keep the
    # GIL through the wait, or the Python thread below stops ticking.
    execute(kc, "%%python\nimport threading, time\nticks = []\nstop_ticks = threading.Event()\n"
                "def tick():\n    while not stop_ticks.is_set():\n        ticks.append(1)\n        time.sleep(0.005)\n"
                "threading.Thread(target=tick, daemon=True).start()")
    msg_id = kc.execute("const before = tspy.len(py.ticks);\nconst line = await input('go? ');\ntspy.len(py.ticks) - before", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=30)
    assert request["parent_header"]["msg_id"] == msg_id
    time.sleep(1.0)
    kc.input("go")
    results = [m for m in collect(kc, msg_id) if m["msg_type"] == "execute_result"]
    execute(kc, "%%python\nstop_ticks.set()")
    # ~200 ticks in a second when the thread runs; a held GIL would allow at most one or two.
    assert int(results[0]["content"]["data"]["text/plain"]) > 20


def test_input_without_stdin_fails_clearly(kc):
    err = execute(kc, "%%python\ninput('x')", allow_stdin=False).error
    assert err["ename"] == "StdinNotImplementedError"
    err = execute(kc, "await input('x')", allow_stdin=False).error
    assert "does not support input" in err["evalue"]


def test_interrupt_while_waiting_for_input(kernel, kc):
    km, _ = kernel
    msg_id = kc.execute("%%python\ninput('wait: ')", allow_stdin=True)
    assert kc.get_stdin_msg(timeout=30)["msg_type"] == "input_request"
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert execute(kc, "1 + 1").result == "2"


def _comm_messages(kc, msg_id):
    return [m for m in collect(kc, msg_id) if m["msg_type"].startswith("comm_")]


def test_python_comms_open_send_and_receive(kc):
    msg_id = kc.execute(
        "%%python\nimport comm\nreceived = []\n"
        "c = comm.create_comm(target_name='tspy.test', data={'hello': 1})\n"
        "c.on_msg(lambda msg: received.append(msg['content']['data']))\n"
        "c.send({'n': 2})")
    opened = _comm_messages(kc, msg_id)
    assert [m["msg_type"] for m in opened] == ["comm_open", "comm_msg"]
    comm_id = opened[0]["content"]["comm_id"]
    assert opened[0]["content"]["target_name"] == "tspy.test" and opened[0]["content"]["data"] == {"hello": 1}
    drain(kc)
    kc.comm_info(target_name="tspy.test")
    info = kc.get_shell_msg(timeout=30)["content"]
    assert info["comms"] == {comm_id: {"target_name": "tspy.test"}}
    kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"from": "frontend"}}))
    time.sleep(0.5)
    assert execute(kc, "%%python\nreceived").result == "[{'from': 'frontend'}]"


def test_typescript_comm_targets_receive_frontend_comms(kc):
    execute(kc, "const seen: unknown[] = [];\ncomms.registerTarget('tspy.echo', (comm, data) => {\n"
                "  seen.push(data);\n  comm.onMessage((d) => comm.send({ echo: d }));\n});")
    msg = kc.session.msg("comm_open", {"comm_id": "c0ffee", "target_name": "tspy.echo", "data": {"x": 1}})
    kc.shell_channel.send(msg)
    drain(kc)
    msg = kc.session.msg("comm_msg", {"comm_id": "c0ffee", "data": {"ping": True}})
    kc.shell_channel.send(msg)
    echoed = [m for m in collect(kc, msg["header"]["msg_id"]) if m["msg_type"] == "comm_msg"]
    assert echoed[0]["content"] == {"comm_id": "c0ffee", "data": {"echo": {"ping": True}}, "metadata": {}}
    assert execute(kc, "JSON.stringify(seen)").result == "'[{\"x\":1}]'"
    msg = kc.session.msg("comm_open", {"comm_id": "dead", "target_name": "no.such.target", "data": {}})
    kc.shell_channel.send(msg)
    closed = [m for m in collect(kc, msg["header"]["msg_id"]) if m["msg_type"] == "comm_close"]
    assert closed and closed[0]["content"]["comm_id"] == "dead"


def test_debug_request_is_answered_as_unsupported(kc):
    msg = kc.session.msg("debug_request", {"type": "request", "seq": 7, "command": "initialize", "arguments": {}})
    kc.control_channel.send(msg)
    reply = kc.get_control_msg(timeout=30)
    assert reply["msg_type"] == "debug_reply"
    assert reply["content"]["success"] is False and reply["content"]["request_seq"] == 7


def test_history_survives_a_restart_and_answers_tail_range_and_search():
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TSPY_HISTORY_FILE"] = os.path.join(tmp, "history.jsonl")
        try:
            km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT)
            try:
                execute(kc, "const first = 1;")
                execute(kc, "%%python\nsecond = 2")
                km.restart_kernel(now=False)
                kc.wait_for_ready(timeout=TIMEOUT)
                drain(kc)
                execute(kc, "const third = 3;")
                kc.history(hist_access_type="tail", n=3)
                tail = kc.get_shell_msg(timeout=30)["content"]["history"]
                assert [tuple(e) for e in tail] == [(1, 1, "const first = 1;"), (1, 2, "%%python\nsecond = 2"), (2, 1, "const third = 3;")]
                kc.history(hist_access_type="range", session=-1, start=1, stop=3)
                assert [e[2] for e in kc.get_shell_msg(timeout=30)["content"]["history"]] == ["const first = 1;", "%%python\nsecond = 2"]
                kc.history(hist_access_type="search", pattern="*third*")
                assert [e[2] for e in kc.get_shell_msg(timeout=30)["content"]["history"]] == ["const third = 3;"]
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
            with open(os.environ["TSPY_HISTORY_FILE"]) as f:
                assert len([json.loads(line) for line in f]) == 3
        finally:
            del os.environ["TSPY_HISTORY_FILE"]


def test_five_hundred_declaring_cells_never_lose_a_reply_or_an_idle(kc):
    ids = [kc.execute(f"const v{i} = {i};") for i in range(500)]
    replies = {}
    while len(replies) < 500:
        r = kc.get_shell_msg(timeout=TIMEOUT)
        replies[r["parent_header"]["msg_id"]] = r["content"]["status"]
    assert set(replies) == set(ids) and set(replies.values()) == {"ok"}
    idle = set()
    deadline = time.monotonic() + TIMEOUT
    while len(idle) < 500 and time.monotonic() < deadline:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            idle.add(m["parent_header"]["msg_id"])
    assert set(ids) <= idle
    assert execute(kc, "v0 + v499").result == "499"


def test_type_errors_are_reported_without_blocking_unless_strict(kc):
    execute(kc, "%typecheck warn")
    execute(kc, "function twice(n: number): number { return 2 * n }")
    run = execute(kc, "const wrong: string = twice(2);\nwrong")
    assert run.reply["content"]["status"] == "ok" and run.result == "4"
    assert re.search(r"cell-\d+\.ts:1:7 - error TS2322: Type 'number' is not assignable to type 'string'", run.stderr), run.stderr
    assert execute(kc, "%typecheck strict").stdout == "typecheck: strict\n"
    strict = execute(kc, "globalThis.ranStrict = true;\nconst bad: string = twice(3);")
    assert strict.error["ename"] == "TypeScriptError" and "TS2322" in "\n".join(strict.error["traceback"])
    assert execute(kc, "typeof (globalThis as any).ranStrict").result == "'undefined'"
    assert execute(kc, "const fine: number = twice(4);\nfine").result == "8"
    execute(kc, "%typecheck warn")


def test_lsmagic_lists_every_line_and_cell_magic_with_its_help(kc):
    listing = execute(kc, "%lsmagic").stdout
    line_part, cell_part = listing.split("Cell magics:")
    for magic in ("%who", "%env", "%pip", "%typecheck", "%lsmagic"):
        assert f"  {magic}" in line_part, listing
    for magic in ("%%python", "%%ts", "%%time"):
        assert f"  {magic}" in cell_part, listing
    assert "wall time" in cell_part and "pip" in line_part
