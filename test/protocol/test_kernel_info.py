"""kernel_info_request, comm_info_request and the busy/idle envelope of every request."""
from conftest import collect


def test_kernel_info_reports_typescript_and_protocol_5_3(kc):
    msg_id = kc.kernel_info()
    reply = kc.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == msg_id
    content = reply["content"]
    assert content["status"] == "ok"
    assert content["protocol_version"] == "5.3"
    assert content["implementation"] == "tspy"
    info = content["language_info"]
    assert info["name"] == "typescript"
    assert info["file_extension"] == ".ts"
    assert info["mimetype"] == "text/typescript"
    assert info["pygments_lexer"] == "typescript"
    assert info["codemirror_mode"]
    assert content["debugger"] is False
    assert "Python 3." in content["banner"]


def test_every_request_is_wrapped_in_busy_then_idle_naming_its_parent(kc):
    msg_id = kc.kernel_info()
    kc.get_shell_msg(timeout=30)
    first = kc.get_iopub_msg(timeout=30)
    while first["parent_header"].get("msg_id") != msg_id:
        first = kc.get_iopub_msg(timeout=30)
    assert first["msg_type"] == "status" and first["content"]["execution_state"] == "busy"
    assert collect(kc, msg_id) == []


def test_comm_info_is_answered_empty(kc):
    msg = kc.session.msg("comm_info_request", {})
    kc.shell_channel.send(msg)
    reply = kc.get_shell_msg(timeout=30)
    assert reply["msg_type"] == "comm_info_reply"
    assert reply["content"] == {"status": "ok", "comms": {}}
