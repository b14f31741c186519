"""The `comm` package wired to the kernel: Python comms (ipywidgets) send through a TS publisher and
receive the frontend's comm messages; `comm.kernel` is a shim with what ipywidgets reads of
ipykernel's Kernel. Knows Python and the callbacks the executor gives it; nothing of sockets."""
import base64
import json
import sys

_publish = None  # TS function (msg_type, content) -> None
_parent = None  # TS function () -> JSON of the current request's header, or ""


#: Content keys that carry a comm message's metadata and binary buffers (base64 strings) between
#: Python and the kernel's protocol layer, which moves them to the message's own metadata and
#: buffers frames (kernel/protocol/kernel.ts); they never reach the wire inside content.
COMM_METADATA_KEY = "_tspy_metadata"


COMM_BUFFERS_KEY = "_tspy_buffers"


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
        _publish(msg_type, dict(content))


def install_comms(publish, parent=None):
    """Makes comm.create_comm / comm.get_comm_manager use the kernel: `publish(msg_type, content)`
    (a TS function) sends comm_open/comm_msg/comm_close (and error) on iopub; `parent()` (a TS
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
            if metadata:
                content[COMM_METADATA_KEY] = metadata
            if buffers:
                content[COMM_BUFFERS_KEY] = [base64.b64encode(bytes(b)).decode("ascii") for b in buffers]
            _publish(msg_type, content)

    manager = CommManager()
    comm.create_comm = lambda *args, **kwargs: KernelComm(*args, **kwargs)
    comm.get_comm_manager = lambda: manager
    return manager


def comm_incoming(msg_type, content):
    """Delivers a frontend's comm_open/comm_msg/comm_close to the Python comm manager; the
    message's metadata and buffers (base64) come in content under COMM_METADATA_KEY and
    COMM_BUFFERS_KEY. Returns True when Python knows the comm (or target), else False."""
    import comm

    manager = comm.get_comm_manager()
    content = dict(content)
    metadata = content.pop(COMM_METADATA_KEY, None) or {}
    buffers = [memoryview(base64.b64decode(b)) for b in content.pop(COMM_BUFFERS_KEY, None) or []]
    msg = {"content": content, "header": {"msg_type": msg_type}, "metadata": metadata, "buffers": buffers}
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
