"""Issue 19, faults survived, each test written as the fault itself: messages whose msg_type names
an Object.prototype member, stop_on_error's reply order, interrupts that land in blocking C calls
or in a TS callback under Python, and TS strings with lone surrogates reaching Python."""
import time

import pytest
import zmq
from jupyter_client.session import Session

from conftest import INTERRUPTED_WITHIN_S, execute, interrupt_running, wait_reply

PROTOTYPE_MEMBERS = ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]


def _connect(km, ctx, kind, port):
    sock = ctx.socket(kind)
    sock.linger = 0
    if kind == zmq.SUB:
        sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.connect(f"{km.transport}://{km.ip}:{port}")
    return sock



def test_prototype_member_msg_types_get_no_reply_on_shell_or_control_issue_19(kernel, kc):
    km, _ = kernel
    ctx = zmq.Context()
    shell = _connect(km, ctx, zmq.DEALER, km.shell_port)
    control = _connect(km, ctx, zmq.DEALER, km.control_port)
    iopub = _connect(km, ctx, zmq.SUB, km.iopub_port)
    # Signed with the kernel's key; a session of its own, so that kc's record of seen signatures is untouched.
    session = Session(key=kc.session.key, signature_scheme=kc.session.signature_scheme)
    try:
        time.sleep(0.5)  # let the SUB socket's subscription reach the kernel
        sent = set()
        for msg_type in PROTOTYPE_MEMBERS:
            for sock in (shell, control):
                sent.add(session.send(sock, msg_type, {})["header"]["msg_id"])
        # Anything at all that answers these messages, on any channel, within ~1 s is the fault.
        answers = []
        poller = zmq.Poller()
        for sock in (shell, control, iopub):
            poller.register(sock, zmq.POLLIN)
        deadline = time.monotonic() + 1.5
        while (left := deadline - time.monotonic()) > 0:
            for sock, _ in poller.poll(left * 1000):
                _, msg = session.recv(sock, mode=zmq.NOBLOCK)
                if msg is None:
                    continue
                internal = any(k in str(msg["content"]) for k in ("identities", "[object", "header"))
                if msg["parent_header"].get("msg_id") in sent or msg["msg_type"] in PROTOTYPE_MEMBERS or internal:
                    answers.append((msg["msg_type"], msg["content"]))
        assert answers == [], f"the kernel answered prototype-member msg_types: {answers}"
    finally:
        for sock in (shell, control, iopub):
            sock.close(0)
        ctx.term()
    # The kernel then serves the next requests.
    msg_id = kc.kernel_info()
    reply = wait_reply(kc, msg_id)
    assert reply["msg_type"] == "kernel_info_reply" and reply["content"]["implementation"] == "tspy"
    assert execute(kc, "40 + 2").result == "42"
    with open(km.tspy_log) as f:
        log = f.read()
    assert 'no handler for "constructor" on shell; ignored' in log
    assert 'no handler for "__proto__" on control; ignored' in log


def test_stop_on_error_replies_in_request_order_issue_19(kc):
    ids = [kc.execute("await new Promise(r => setTimeout(r, 300)); throw new Error('first fails')")]
    ids += [kc.execute(f"globalThis.ranAfter{i} = true") for i in range(4)]
    replies = [kc.get_shell_msg(timeout=60) for _ in ids]
    assert [r["parent_header"]["msg_id"] for r in replies] == ids, "replies arrive in request order"
    assert [r["content"]["status"] for r in replies] == ["error"] + ["aborted"] * 4
    # iopub: each request's busy and idle, one request after the other.
    states = []
    while len([s for s in states if s[1] == "idle"]) < len(ids):
        msg = kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") in ids:
            states.append((msg["parent_header"]["msg_id"], msg["content"]["execution_state"]))
    assert states == [(i, s) for i in ids for s in ("busy", "idle")]
    assert execute(kc, "typeof (globalThis as any).ranAfter0").result == "'undefined'"


BLOCKING_CALLS = {
    "time_sleep": "import time\ntime.sleep(30)",
    "select": "import select\nselect.select([], [], [], 30)",
    "event_wait": "import threading\nthreading.Event().wait(30)",
    "queue_get": "import queue\nqueue.Queue().get()",
}


@pytest.mark.parametrize("name", BLOCKING_CALLS)
def test_sigint_interrupts_python_blocked_in_a_c_call_issue_19(kernel, kc, name):
    execute(kc, "%%python\nkept_before_block = 41")
    reply, _, elapsed = interrupt_running(kernel, kc, "%%python\n" + BLOCKING_CALLS[name], settle=1.5)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert elapsed < INTERRUPTED_WITHIN_S, f"the 30 s call was not interrupted ({elapsed:.2f} s)"
    assert execute(kc, "%%python\nkept_before_block + 1").result == "42", "state kept, no stale interrupt"


@pytest.mark.parametrize("how", ["python_cell_calls_ts", "ts_cell_calls_python_calling_ts"])
def test_sigint_during_a_ts_callback_under_python_raises_keyboard_interrupt_issue_19(kernel, kc, how):
    assert execute(kc, "function spinForever() { let n = 0; while (true) { n++; } }").reply["content"]["status"] == "ok"
    code = "%%python\nts.spinForever()" if how == "python_cell_calls_ts" else 'tspy.eval("lambda cb: cb()")(spinForever)'
    reply, _, _ = interrupt_running(kernel, kc, code, settle=1.5)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
    assert execute(kc, "%%python\nimport time\ntime.sleep(0.2)\n'py ok'").result == "'py ok'"
    assert execute(kc, "'ts ok'").result == "'ts ok'"


def test_lone_surrogate_in_a_ts_string_reaches_python_unaltered_issue_19(kc):
    execute(kc, 'const loneSurrogate = "a\\udc00b";')
    assert execute(kc, "%%python\n[hex(ord(c)) for c in ts.loneSurrogate]").result == "['0x61', '0xdc00', '0x62']"
    assert execute(kc, "%%python\nback = '\\ud800'").reply["content"]["status"] == "ok"
    assert execute(kc, "py.back.charCodeAt(0).toString(16) + ' ' + py.back.length").result == "'d800 1'"
