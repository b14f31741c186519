"""The `comm` package wired to the kernel: Python comms (ipywidgets) send through a TS publisher and
receive the frontend's comm messages; `comm.kernel` is a shim with what ipywidgets reads of
ipykernel's Kernel. Knows Python and the callbacks the executor gives it; nothing of sockets."""
import json
import sys

_publish = None  # TS function (msg_type, content, metadata, buffers) -> None
_parent = None  # TS function () -> JSON of the current request's header, or ""


def _frames(buffers):
    """A comm message's buffers as the bytes of the frames the wire layer sends: one 1-D memoryview
    of unsigned bytes each (format "B"). Read-only contiguous memory (bytes, which is what ipywidgets
    sends) is handed on as it is: the kernel transfers that very memory to the ZeroMQ frame, no
    copy. Writable memory (bytearray, a numpy array) is copied once, because the sender may change
    it as soon as `send` returns, before the frame is out; so is memory that is not C-contiguous. Raises TypeError for an object without the buffer protocol."""
    out = []
    for b in buffers or ():
        view = memoryview(b)
        if not view.readonly or not view.c_contiguous:
            view = memoryview(view.tobytes())
        out.append(view.cast("B"))
    return out


class KernelShim:
    """What ipywidgets reads as `comm.kernel` (ipykernel's Kernel, the little of it they use): the
    request being served, and error messages on iopub. ipywidgets' Output widget captures the
    output whose parent is `get_parent()["header"]["msg_id"]` (`with out:`, `interact`)."""

    iopub_socket = "iopub"

    def get_parent(self):
        """The execute_request or comm_msg being handled, as {"header": {...}, ...}; {} when none."""
        text = _parent() if _parent is not None else ""
        header = json.loads(text) if text else None
        return {"header": header, "parent_header": {}, "metadata": {}, "content": {}} if header else {}

    def send_response(self, stream, msg_type, content, *args, **kwargs):
        """Publishes an `error` message (what ipywidgets sends for an exception inside `with out:`)
        with the current request as parent. Raises ValueError for other message types."""
        if msg_type != "error":
            raise ValueError(f"tspy's comm kernel publishes only error messages, not {msg_type}")
        _publish(msg_type, dict(content), None, [])


def install_comms(publish, parent=None):
    """Makes comm.create_comm / comm.get_comm_manager use the kernel: `publish(msg_type, content,
    metadata, buffers)` (a TS function) sends comm_open/comm_msg/comm_close (and error) on iopub,
    with the message-level metadata (a dict or None) and the buffers (a list of byte memoryviews,
    see _frames) as the message's own metadata and binary frames; `parent()` (a TS
    function) gives the JSON header of the request being handled, for KernelShim.get_parent."""
    global _publish, _parent
    _publish = publish
    _parent = parent
    import comm
    from comm.base_comm import BaseComm, CommManager

    class KernelComm(BaseComm):
        """A comm whose messages go to the frontend through the tspy kernel."""

        kernel = KernelShim()

        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            content = {"data": {} if data is None else data, "comm_id": self.comm_id, **keys}
            _publish(msg_type, content, metadata or None, _frames(buffers))

    manager = CommManager()
    comm.create_comm = lambda *args, **kwargs: KernelComm(*args, **kwargs)
    comm.get_comm_manager = lambda: manager
    return manager


def comm_incoming(msg_type, content, metadata=None, buffers=()):
    """Delivers a frontend's comm_open/comm_msg/comm_close to the Python comm manager, with the
    message's metadata (a dict) and binary buffers (TypedArrays from the kernel, `tspy.JsBuffer`s:
    the message sees them as memoryviews of that memory, as ipykernel's messages hold them).
    Returns True when Python knows the comm (or target), else False."""
    import comm

    manager = comm.get_comm_manager()
    content = dict(content)
    msg = {
        "content": content,
        "header": {"msg_type": msg_type},
        "metadata": dict(metadata or {}),
        "buffers": [memoryview(b) for b in buffers or ()],
    }
    if msg_type == "comm_open":
        target = content.get("target_name")
        if target not in manager.targets and str(target).startswith("jupyter.widget") and "ipywidgets" in sys.modules:
            # ipywidgets registers its targets only inside IPython; a frontend reconnecting to the
            # kernel opens jupyter.widget.control to fetch every widget's state.
            sys.modules["ipywidgets"].register_comm_target()
        if target not in manager.targets:
            return False
        manager.comm_open(None, None, msg)
        return True
    if content.get("comm_id") not in manager.comms:
        return False
    getattr(manager, msg_type)(None, None, msg)
    return True


def comm_list():
    """{comm_id: target_name} of the comms Python has open."""
    import comm

    return {cid: c.target_name for cid, c in comm.get_comm_manager().comms.items()}
