"""Interrupts, bad signatures, stop_on_error, heartbeat, is_complete, restart and shutdown."""
import time

import zmq
from jupyter_client.session import Session

from conftest import INTERRUPTED_WITHIN_S, execute, interrupt_running, wait_reply


def test_sigint_interrupts_a_typescript_loop_and_keeps_state(kernel, kc):
    execute(kc, "const survivor = 'alive';")
    reply, messages, elapsed = interrupt_running(kernel, kc, "let spins = 0;\nwhile (true) { spins++; }", "signal")
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert elapsed < INTERRUPTED_WITHIN_S
    assert execute(kc, "survivor + ' ' + (spins > 0)").result == "'alive true'"


def test_sigint_interrupts_a_python_loop_and_keeps_state(kernel, kc):
    execute(kc, "%%python\nkept_py = 'py alive'")
    reply, messages, elapsed = interrupt_running(kernel, kc, "%%python\nwhile True:\n    pass", "signal")
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert elapsed < INTERRUPTED_WITHIN_S
    assert execute(kc, "%%python\nkept_py").result == "'py alive'"


def test_interrupt_request_on_control_stops_a_typescript_loop(kernel, kc):
    reply, _, _ = interrupt_running(kernel, kc, "while (true) {}", "control")
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert execute(kc, "1").result == "1"


def test_interrupt_request_on_shell_stops_a_python_loop(kernel, kc):
    reply, _, _ = interrupt_running(kernel, kc, "%%python\nwhile True:\n    pass", "shell")
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert execute(kc, "%%python\n2").result == "2"


def test_interrupt_stops_a_cell_waiting_on_a_promise(kernel, kc):
    reply, _, _ = interrupt_running(kernel, kc, "await new Promise(() => {});", "signal")
    assert reply["content"]["ename"] == "KeyboardInterrupt"


def test_message_with_a_bad_signature_is_dropped_and_the_kernel_keeps_serving(kernel, kc):
    km, _ = kernel
    forged = Session(key=b"not-the-kernel-key", username="intruder")
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
    try:
        msg = forged.msg("execute_request", {"code": "globalThis.pwned = 1", "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        forged.send(sock, msg)
        assert sock.poll(3000) == 0, "the kernel answered a forged message"
    finally:
        sock.close(0)
    assert execute(kc, "typeof (globalThis as any).pwned").result == "'undefined'"
    with open(km.tspy_log) as f:
        assert "signature does not verify" in f.read()


def test_stop_on_error_aborts_the_cells_already_queued(kc):
    ids = [kc.execute("await new Promise(r => setTimeout(r, 300)); throw new Error('first fails')"),
           kc.execute("globalThis.ranAfter = true"),
           kc.execute("%%python\nran_after = True")]
    replies = {}
    while len(replies) < 3:
        r = kc.get_shell_msg(timeout=60)
        replies[r["parent_header"]["msg_id"]] = r["content"]["status"]
    assert [replies[i] for i in ids] == ["error", "aborted", "aborted"]
    assert execute(kc, "typeof (globalThis as any).ranAfter").result == "'undefined'"


def test_stop_on_error_false_runs_the_next_cell(kc):
    first = kc.execute("throw new Error('ignored')", stop_on_error=False)
    second = kc.execute("globalThis.ranAnyway = 1")
    statuses = {}
    while len(statuses) < 2:
        r = kc.get_shell_msg(timeout=60)
        statuses[r["parent_header"]["msg_id"]] = r["content"]["status"]
    assert statuses[first] == "error" and statuses[second] == "ok"


def test_heartbeat_answers_during_a_long_python_sleep(kernel, kc):
    km, _ = kernel
    msg_id = kc.execute("%%python\nimport time\ntime.sleep(10)")
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.linger = 0
    hb.connect(f"{km.transport}://{km.ip}:{km.hb_port}")
    try:
        time.sleep(1)
        answered = 0
        for i in range(5):
            hb.send(b"ping %d" % i)
            assert hb.poll(2000), "heartbeat did not answer while Python slept"
            assert hb.recv() == b"ping %d" % i
            answered += 1
            time.sleep(0.5)
        assert answered == 5
        try:
            kc.get_shell_msg(timeout=0.1)
            still_running = False
        except Exception:
            still_running = True
        assert still_running, "the sleep ended before the heartbeat checks"
    finally:
        hb.close(0)
    reply = wait_reply(kc, msg_id, timeout=30)
    assert reply["content"]["status"] == "ok"


def _is_complete(kc, code):
    kc.is_complete(code)
    return kc.get_shell_msg(timeout=30)["content"]


def test_is_complete_for_typescript_and_python(kc):
    assert _is_complete(kc, "const a = 1")["status"] == "complete"
    assert _is_complete(kc, "function f() {")["status"] == "incomplete"
    assert _is_complete(kc, "let x = )")["status"] == "invalid"
    assert _is_complete(kc, "%%python\nx = 1")["status"] == "complete"
    r = _is_complete(kc, "%%python\nfor i in range(3):")
    assert r["status"] == "incomplete" and r["indent"] == "    "
    assert _is_complete(kc, "%%python\nx = = 1")["status"] == "invalid"


def test_signed_message_with_malformed_content_is_dropped(kernel, kc):
    km, _ = kernel
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
    try:
        frames = [b'{"msg_id": "x", "msg_type": "execute_request"', b"{}", b"{}", b"not json"]
        signature = kc.session.sign(frames).encode() if isinstance(kc.session.sign(frames), str) else kc.session.sign(frames)
        sock.send_multipart([b"<IDS|MSG>", signature, *frames])
        assert sock.poll(2000) == 0
    finally:
        sock.close(0)
    assert execute(kc, "'still serving'").result == "'still serving'"
    with open(km.tspy_log) as f:
        assert "is not JSON" in f.read()


def test_error_thrown_later_by_a_timer_is_reported_and_the_kernel_survives(kc):
    run = execute(kc, "setTimeout(() => { throw new Error('late failure') }, 10);\nawait new Promise(r => setTimeout(r, 200));")
    assert run.reply["content"]["status"] == "ok"
    assert "late failure" in run.stderr
    assert execute(kc, "21 * 2").result == "42"


def test_a_python_none_result_is_not_displayed(kc):
    run = execute(kc, "tspy.eval('None')")
    assert run.result is None and run.reply["content"]["status"] == "ok"
