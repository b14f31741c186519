"""ipywidgets' Output widget capture through the real tspy kernel: `with out:` and `interact` set the
widget's msg_id to the request being handled (comm.kernel.get_parent()), and the output produced
inside carries that request as its parent, so a frontend can show it in the widget."""
import uuid

from conftest import TIMEOUT, collect, execute


def state_updates(messages, comm_id):
    """The `state` dicts of the comm_msg updates (and echo_updates) sent on comm `comm_id`, in order."""
    return [
        m["content"]["data"]["state"]
        for m in messages
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id and "state" in m["content"]["data"]
    ]


def comm_of(messages, model_name):
    """The comm id of the first comm_open of a widget model called `model_name`."""
    opens = [m for m in messages if m["msg_type"] == "comm_open" and m["content"]["data"]["state"].get("_model_name") == model_name]
    assert opens, f"no {model_name} was opened: {[m['msg_type'] for m in messages]}"
    return opens[0]["content"]["comm_id"]


def send_comm_msg(kc, comm_id, data):
    """Sends a comm_msg on shell as a frontend does; returns its msg_id."""
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def test_with_out_sets_msg_id_to_the_execute_request_and_prints_under_it(kc):
    run = execute(
        kc,
        '%%python\nimport ipywidgets as w\nout = w.Output()\ndisplay(out)\nprint("before")\nwith out:\n    print("inside")\nprint("after")',
    )
    assert run.reply["content"]["status"] == "ok", run.error
    msg_id = run.reply["parent_header"]["msg_id"]
    comm_id = comm_of(run.messages, "OutputModel")
    assert [s["msg_id"] for s in state_updates(run.messages, comm_id) if "msg_id" in s] == [msg_id, ""]
    # Between the two msg_id updates: exactly the "inside" text, with the execute_request as parent
    # (print writes its text and its newline apart: consecutive streams are joined here).
    kinds = []
    for m in run.messages:
        if m["msg_type"] == "comm_msg" and "msg_id" in m["content"]["data"].get("state", {}):
            kinds.append(("msg_id", m["content"]["data"]["state"]["msg_id"]))
        elif m["msg_type"] == "stream":
            if kinds and kinds[-1][0] == "stream":
                kinds[-1] = ("stream", kinds[-1][1] + m["content"]["text"])
            else:
                kinds.append(("stream", m["content"]["text"]))
    assert kinds == [("stream", "before\n"), ("msg_id", msg_id), ("stream", "inside\n"), ("msg_id", ""), ("stream", "after\n")]
    assert all(m["parent_header"]["msg_id"] == msg_id for m in run.of("stream"))


def test_with_out_error_is_published_inside_the_widget_and_suppressed(kc):
    run = execute(kc, '%%python\nimport ipywidgets as w\nerr_out = w.Output()\nwith err_out:\n    raise ValueError("in the widget")\nprint("went on")')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.stdout == "went on\n"
    errors = run.of("error")
    assert len(errors) == 1 and errors[0]["content"]["ename"] == "ValueError"
    assert "in the widget" in "".join(errors[0]["content"]["traceback"])
    comm_id = comm_of(run.messages, "OutputModel")
    order = [m["msg_type"] if m["msg_type"] != "comm_msg" else m["content"]["data"]["state"].get("msg_id") for m in run.messages if m["msg_type"] in ("error", "comm_msg") and m["content"].get("comm_id", comm_id) == comm_id]
    assert order == [run.reply["parent_header"]["msg_id"], "error", ""]


def test_interact_slider_change_prints_under_the_comm_msg(kc):
    run = execute(kc, '%%python\nfrom ipywidgets import interact\nw_interact = interact(lambda x: print("x is", x), x=(0, 10))')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.stdout == "x is 5\n"
    slider = comm_of(run.messages, "IntSliderModel")
    out_comm = comm_of(run.messages, "OutputModel")

    msg_id = send_comm_msg(kc, slider, {"method": "update", "state": {"value": 6}, "buffer_paths": []})
    messages = collect(kc, msg_id, TIMEOUT)
    assert "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream") == "x is 6\n"
    assert all(m["parent_header"]["msg_id"] == msg_id for m in messages)
    assert [s["msg_id"] for s in state_updates(messages, out_comm) if "msg_id" in s] == [msg_id, ""]
    # interact clears the widget (wait=True) before it calls the function again, under the same parent.
    assert [m["content"]["wait"] for m in messages if m["msg_type"] == "clear_output"] == [True]


def test_comm_kernel_get_parent_is_the_current_execute_request(kc):
    token = uuid.uuid4().hex
    run = execute(kc, f'%%python\nimport comm\nc = comm.create_comm(target_name="none-{token}")\nprint(c.kernel.get_parent()["header"]["msg_id"])')
    assert run.stdout == run.reply["parent_header"]["msg_id"] + "\n"
    run2 = execute(kc, '%%python\nprint(c.kernel.get_parent()["header"]["msg_id"])')
    assert run2.stdout == run2.reply["parent_header"]["msg_id"] + "\n" != run.stdout
