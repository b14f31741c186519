"""How display messages leave the interpreter: one TS callback, reached from the executor thread
directly and from other threads through a queue (ExecutorOutbox). Knows the content of
display_data, update_display_data and clear_output (Jupyter messaging spec), nothing of sockets."""
import threading


class ExecutorOutbox:
    """Delivers calls to a TS function on the executor thread without ever blocking another
    Python thread: calls made on the executor thread go straight through (after anything queued);
    calls from other threads (TensorFlow's, a data loader's) are queued and delivered at the next
    executor-thread call or flush(). Carries the display messages."""

    def __init__(self):
        self.send = None
        self.thread = None
        self._pending = []
        self._lock = threading.Lock()

    def install(self, send):
        """Delivers through `send(*args)` from now on; the calling thread is the executor."""
        self.send = send
        self.thread = threading.get_ident()

    def post(self, *args):
        """send(*args) now on the executor thread, else queued."""
        if self.send is not None and threading.get_ident() == self.thread:
            self.flush()
            self.send(*args)
        else:
            with self._lock:
                self._pending.append(args)

    def flush(self):
        """Delivers what other threads queued; does nothing off the executor thread."""
        if self.send is None or threading.get_ident() != self.thread:
            return
        with self._lock:
            items = list(self._pending)
            self._pending.clear()
        for args in items:
            self.send(*args)


outbox = ExecutorOutbox()  # display messages: (msg_type, content) to the TS publisher


shown_figures = set()  # ids of pyplot figures already displayed explicitly during this cell


def publish(msg_type, content):
    """Sends one iopub message of `msg_type` ("display_data", "update_display_data" or
    "clear_output") with `content` (a JSON-serialisable dict; numpy scalars become numbers).
    From a thread other than the executor's the message is queued and sent at the next publish
    or at the end of the cell. Raises RuntimeError when the kernel has not installed a publisher."""
    if outbox.send is None:
        raise RuntimeError("tspy_display: no publisher installed (not running inside the tspy kernel)")
    outbox.post(msg_type, content)


def flush_pending():
    """Sends display messages queued by other threads; call on the executor thread."""
    outbox.flush()


def json_default(value):
    try:
        import numpy as np
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:
        pass
    return str(value)
