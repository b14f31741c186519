"""Binary buffers of comm messages (messaging spec, "Custom Messages"; what ipywidgets uses for
images and arrays) between a Python comm of the `comm` package and a jupyter_client frontend:
the bytes arrive exactly, as ZeroMQ frames after the content, in both directions, and Python's
handlers get them as memoryviews."""
import numpy as np

from conftest import collect, execute

PAYLOAD = b"\x00\x01\xff" * 1000


def _comm_msgs(messages):
    return [m for m in messages if m["msg_type"] == "comm_msg"]


def _open_comm(kc, target):
    """Opens a Python comm to `target` that records what the frontend sends; returns its comm_id."""
    run = execute(kc, "%%python\nimport comm\nreceived = []\n"
                      f"c = comm.create_comm(target_name={target!r})\n"
                      "c.on_msg(lambda msg: received.append(msg))\nc.comm_id")
    assert run.reply["content"]["status"] == "ok", run.reply["content"]
    return run.result.strip("'")


def test_python_comm_buffers_reach_the_frontend_byte_for_byte(kc):
    comm_id = _open_comm(kc, "tspy.bytes")
    run = execute(kc, "%%python\nc.send(data={'n': 1}, buffers=[b'\\x00\\x01\\xff' * 1000, b''])")
    sent = _comm_msgs(run.messages)
    assert len(sent) == 1 and sent[0]["content"] == {"comm_id": comm_id, "data": {"n": 1}}
    assert [bytes(b) for b in sent[0]["buffers"]] == [PAYLOAD, b""]


def test_writable_and_typed_buffers_are_sent_as_they_were_when_sent(kc):
    # A bytearray changed right after send(), and a numpy array's memory (float32, 2-D, and a
    # strided view): the frontend gets the bytes each held at send() time, in C order.
    code = ("%%python\nimport numpy as np\nblob = bytearray(b'abc')\nm = np.arange(6, dtype=np.float32).reshape(2, 3)\n"
            "c.send(data={}, buffers=[blob, m, m[:, ::2]])\nblob[:] = b'xyz'\nm[:] = 0")
    sent = _comm_msgs(execute(kc, code).messages)
    expected = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert [bytes(b) for b in sent[0]["buffers"]] == [b"abc", expected.tobytes(), expected[:, ::2].tobytes()]


def test_frontend_buffers_reach_the_python_comm_as_memoryviews(kc):
    comm_id = _open_comm(kc, "tspy.bytes.in")
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"kind": "blob"}}, metadata={"version": "2.1.0"})
    kc.session.send(kc.shell_channel.socket, msg, buffers=[PAYLOAD, b"tail"])
    collect(kc, msg["header"]["msg_id"])
    seen = execute(kc, "%%python\nm = received[-1]\n"
                       "(m['content']['data'], m['metadata'], [type(b).__name__ for b in m['buffers']], "
                       "bytes(m['buffers'][0]) == b'\\x00\\x01\\xff' * 1000, bytes(m['buffers'][1]))")
    assert seen.result == "({'kind': 'blob'}, {'version': '2.1.0'}, ['memoryview', 'memoryview'], True, b'tail')"


def test_a_python_comm_echoes_frontend_buffers_unchanged(kc):
    comm_id = _open_comm(kc, "tspy.bytes.echo")
    execute(kc, "%%python\nc.on_msg(lambda msg: c.send(data={'echo': True}, buffers=msg['buffers']))")
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {}})
    kc.session.send(kc.shell_channel.socket, msg, buffers=[PAYLOAD])
    echoed = _comm_msgs(collect(kc, msg["header"]["msg_id"]))
    assert echoed and echoed[0]["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    assert [bytes(b) for b in echoed[0]["buffers"]] == [PAYLOAD]


def test_typescript_comm_buffers_reach_the_frontend_byte_for_byte(kc):
    # A TS cell sends buffers as JupyterLab's IComm.send takes them: typed arrays (a subarray view
    # included), a DataView and a bare ArrayBuffer. Changing the memory after send() changes
    # nothing sent, and the cell keeps its memory (it was copied, not transferred away).
    run = execute(kc, "const bytes = new Uint8Array([0, 1, 255]);\n"
                      "const tc = comms.open('tspy.ts.bytes', { hello: 1 }, {}, [bytes]);\n"
                      "tc.send({ n: 1 }, {}, [bytes, new Uint8Array([5, 6, 7, 8]).subarray(1, 3),\n"
                      "  new DataView(new Float32Array([1.5]).buffer), new ArrayBuffer(0)]);\n"
                      "bytes[0] = 9;\n"
                      "[bytes.byteLength, bytes[0]]")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "[ 3, 9 ]"
    opened = [m for m in run.messages if m["msg_type"] == "comm_open"]
    assert len(opened) == 1 and opened[0]["content"]["target_name"] == "tspy.ts.bytes"
    assert [bytes(b) for b in opened[0]["buffers"]] == [b"\x00\x01\xff"]
    sent = _comm_msgs(run.messages)
    assert len(sent) == 1 and sent[0]["content"]["data"] == {"n": 1}
    assert sent[0]["content"]["comm_id"] == opened[0]["content"]["comm_id"]
    assert [bytes(b) for b in sent[0]["buffers"]] == [b"\x00\x01\xff", b"\x06\x07", np.float32(1.5).tobytes(), b""]


def test_frontend_buffers_reach_a_typescript_handler(kc):
    # The TS handler gets the buffers as DataViews (as JupyterLab's onMsg does), answers with the
    # first one's length and first byte, and sends that buffer back as it received it.
    setup = execute(kc, "const openedWith: number[] = [];\n"
                        "comms.registerTarget('tspy.ts.in', (comm, data, msg) => {\n"
                        "  openedWith.push(...msg.buffers.map((b) => b.byteLength));\n"
                        "  comm.onMessage((d, m) => comm.send({ length: m.buffers[0].byteLength, first: m.buffers[0].getUint8(0),\n"
                        "    views: m.buffers.map((b) => b.constructor.name) }, {}, [m.buffers[0]]));\n"
                        "});")
    assert setup.reply["content"]["status"] == "ok", setup.error
    msg = kc.session.msg("comm_open", {"comm_id": "b1nary", "target_name": "tspy.ts.in", "data": {}})
    kc.session.send(kc.shell_channel.socket, msg, buffers=[b"ab", b"cde"])
    collect(kc, msg["header"]["msg_id"])
    msg = kc.session.msg("comm_msg", {"comm_id": "b1nary", "data": {"kind": "blob"}})
    kc.session.send(kc.shell_channel.socket, msg, buffers=[b"\xfe" + PAYLOAD, b"tail"])
    echoed = _comm_msgs(collect(kc, msg["header"]["msg_id"]))
    assert len(echoed) == 1 and echoed[0]["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    assert echoed[0]["content"]["data"] == {"length": 3001, "first": 254, "views": ["DataView", "DataView"]}
    assert [bytes(b) for b in echoed[0]["buffers"]] == [b"\xfe" + PAYLOAD]
    assert execute(kc, "openedWith").result == "[ 2, 3 ]"


def test_a_typescript_comm_rejects_a_buffer_that_is_not_binary(kc):
    run = execute(kc, "const bad = comms.open('tspy.ts.bad');\nbad.send({}, {}, ['not bytes' as any]);")
    assert run.reply["content"]["status"] == "error"
    assert run.error["ename"] == "TypeError" and "comm buffer 0 is not an ArrayBuffer" in run.error["evalue"], run.error
    assert not _comm_msgs(run.messages)


def test_cells_see_the_comms_global_with_its_types(kc):
    # `comms` is declared for the notebook's type checker: under strict checking a handler's
    # parameters are typed (msg.buffers are DataViews), and a wrong argument is a type error
    # reported before the cell runs.
    assert execute(kc, "%typecheck strict").stdout == "typecheck: strict\n"
    try:
        ok = execute(kc, "comms.registerTarget('tspy.ts.typed', (comm, data, msg) => {\n"
                         "  const sizes: number[] = msg.buffers.map((b) => b.byteLength);\n"
                         "  comm.send({ sizes });\n"
                         "});\ntypeof comms.open")
        assert ok.reply["content"]["status"] == "ok", ok.error
        assert ok.result == "'function'" and ok.stderr == ""
        bad = execute(kc, "comms.open(42);")
        assert bad.reply["content"]["status"] == "error" and bad.error["ename"] == "TypeScriptError", bad.error
        assert "not assignable to parameter of type 'string'" in "\n".join(bad.error["traceback"])
    finally:
        execute(kc, "%typecheck warn")
