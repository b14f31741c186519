"""ipywidgets from Python cells through the kernel's comms, as JupyterLab's widget manager drives
them: comm_open on target jupyter.widget with the protocol version in the message metadata, a
widget-view MIME bundle, frontend updates seen by `observe` callbacks and the next cell, binary
buffers both ways, and the jupyter.widget.control comm a reconnecting frontend opens."""
import uuid

from display_helpers import execute, ok, result_data, drain, protocol

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _send(kc, msg_type, content, buffers=None, metadata=None):
    """Sends a comm message as a frontend does; returns the iopub messages it caused."""
    msg = kc.session.msg(msg_type, content, metadata=metadata)
    kc.shell_channel.send(msg) if buffers is None else kc.session.send(
        kc.shell_channel.socket, msg, buffers=buffers)
    return protocol.collect(kc, msg["header"]["msg_id"])


def _opened(run, model_name):
    opens = [m for m in run.of("comm_open") if m["content"]["data"]["state"].get("_model_name") == model_name]
    assert len(opens) == 1, [m["content"]["data"]["state"].get("_model_name") for m in run.of("comm_open")]
    return opens[0]


def test_int_slider_opens_a_widget_comm_and_shows_a_widget_view(kc):
    code = ("%%python\nimport ipywidgets as widgets\nslider = widgets.IntSlider(value=3, min=0, max=10, description='n')\n"
            "seen = []\nslider.observe(lambda change: seen.append(change['new']), names='value')\nslider")
    run = ok(execute(kc, code))
    opened = _opened(run, "IntSliderModel")
    assert opened["content"]["target_name"] == "jupyter.widget"
    assert opened["metadata"]["version"].startswith("2.")
    assert "_tspy_metadata" not in opened["content"]
    state = opened["content"]["data"]["state"]
    assert state["value"] == 3 and state["max"] == 10 and state["description"] == "n"
    # the slider's layout and style are widgets of their own, opened first and referenced by id
    layout = _opened(run, "LayoutModel")["content"]["comm_id"]
    assert state["layout"] == f"IPY_MODEL_{layout}"
    view = result_data(run)[WIDGET_VIEW]
    assert view["model_id"] == opened["content"]["comm_id"] and view["version_major"] == 2
    kc.comm_info(target_name="jupyter.widget")
    comms = kc.get_shell_msg(timeout=30)["content"]["comms"]
    assert view["model_id"] in comms and len(comms) == 3


def test_frontend_update_reaches_observe_callback_and_the_next_cell(kc):
    model_id = execute(kc, "%%python\nslider.model_id").result.strip("'")
    caused = _send(kc, "comm_msg", {"comm_id": model_id,
                                    "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}})
    echoes = [m["content"]["data"] for m in caused if m["msg_type"] == "comm_msg"]
    assert echoes and echoes[0]["method"] == "echo_update" and echoes[0]["state"] == {"value": 7}
    assert execute(kc, "%%python\n(slider.value, seen)").result == "(7, [7])"
    run = ok(execute(kc, "%%python\nslider.value = 9"))
    updates = [m["content"]["data"] for m in run.of("comm_msg")]
    assert {"method": "update", "state": {"value": 9}, "buffer_paths": []} in updates
    assert execute(kc, "%%python\nseen").result == "[7, 9]"


def test_widget_shown_with_display_and_from_a_typescript_cell(kc):
    run = ok(execute(kc, "%%python\nbox = widgets.VBox([slider, widgets.Label('hi')])\ndisplay(box)"))
    shown = run.of("display_data")[0]["content"]["data"]
    assert shown[WIDGET_VIEW]["model_id"] == _opened(run, "VBoxModel")["content"]["comm_id"]
    data = result_data(ok(execute(kc, "py.slider")))
    assert data[WIDGET_VIEW]["model_id"] == execute(kc, "%%python\nslider.model_id").result.strip("'")


def test_binary_buffers_travel_both_ways(kc):
    run = ok(execute(kc, "%%python\nimage = widgets.Image(value=bytes(range(256)) * 4, format='raw')\nimage"))
    opened = _opened(run, "ImageModel")
    assert opened["content"]["data"]["buffer_paths"] == [["value"]]
    assert [bytes(b) for b in opened["buffers"]] == [bytes(range(256)) * 4]
    assert "_tspy_buffers" not in opened["content"]
    payload = uuid.uuid4().bytes * 3
    _send(kc, "comm_msg", {"comm_id": opened["content"]["comm_id"],
                           "data": {"method": "update", "state": {}, "buffer_paths": [["value"]]}}, buffers=[payload])
    assert execute(kc, "%%python\nimage.value.hex()").result == repr(payload.hex())


def test_reconnecting_frontend_gets_every_widget_state_through_the_control_comm(kc):
    drain(kc)
    control = uuid.uuid4().hex
    # the control protocol version travels in the message metadata; without it ipywidgets refuses
    refused = _send(kc, "comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget.control", "data": {}})
    assert "Incompatible widget control protocol versions" in "".join(
        m["content"].get("text", "") for m in refused if m["msg_type"] == "stream")
    _send(kc, "comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
          metadata={"version": "1.0.0"})
    caused = _send(kc, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    replies = [m for m in caused if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == control]
    assert replies, [m["msg_type"] for m in caused]
    states = replies[0]["content"]["data"]["states"]
    slider_id = execute(kc, "%%python\nslider.model_id").result.strip("'")
    assert states[slider_id]["state"]["value"] == 9
    assert any(s["model_name"] == "ImageModel" for s in states.values())
    assert replies[0]["content"]["data"]["method"] == "update_states"
    assert len(replies[0]["buffers"]) >= 1  # the Image's value travels as a binary buffer
