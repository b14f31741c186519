"""Issue 19, faults survived at the end of a kernel's life: shutdown_request, SIGTERM and
`process.exit(n)` end the process with the right status after Python's atexit handlers ran and
its open files were flushed; a TypeScript cell that fills the executor's heap gets a clear error
and the kernel exits with status 1 (the client's restart takes over) instead of crashing. Each
kernel is launched from the installed kernelspec and driven through jupyter_client."""
import os
import signal
import subprocess
import tempfile

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager

from conftest import TIMEOUT, collect

# Opens a file it never closes and registers an atexit handler: both must reach the disk.
LEAVE_STATE = """%%python
import atexit
f = open("buffered.txt", "w")
f.write("buffered")
atexit.register(lambda: open("atexit.txt", "w").write("ran"))
"""


class LaunchedKernel:
    """A tspy kernel process started as Jupyter starts it (kernelspec argv, a connection file) in
    a folder of its own, with a client connected."""

    def __init__(self, env=None):
        self.dir = tempfile.mkdtemp()
        self.connection_file, _ = write_connection_file(os.path.join(self.dir, "kernel.json"))
        spec = KernelSpecManager().get_kernel_spec("tspy")
        argv = [a.replace("{connection_file}", self.connection_file) for a in spec.argv]
        self.log = open(os.path.join(self.dir, "kernel.log"), "w")
        self.process = subprocess.Popen(argv, cwd=self.dir, stderr=self.log, env=dict(os.environ, **(env or {})))
        self.kc = BlockingKernelClient(connection_file=self.connection_file)
        self.kc.load_connection_file()
        # jupyter_client's heartbeat declares a kernel dead if its first ping is not answered
        # within 1 s, and `wait_for_ready` then gives up; a loaded machine starts Node slower than
        # that. Whether the process lives is what this test watches, through `self.process`.
        self.kc.hb_channel.time_to_dead = float(TIMEOUT)
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT)

    def execute(self, code, timeout=TIMEOUT):
        """Sends a cell; returns (reply, iopub messages up to its idle)."""
        msg_id = self.kc.execute(code)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        return reply, collect(self.kc, msg_id, timeout)

    def file(self, name):
        path = os.path.join(self.dir, name)
        return open(path).read() if os.path.exists(path) else None

    def wait(self, timeout=30):
        """The process's exit status (negative: the signal that ended it)."""
        try:
            return self.process.wait(timeout)
        finally:
            self.kc.stop_channels()
            self.log.close()


def test_100_shutdown_requests_exit_0_after_atexit_handlers_and_open_files_flushed():
    for i in range(100):
        k = LaunchedKernel()
        reply, _ = k.execute(LEAVE_STATE)
        assert reply["content"]["status"] == "ok"
        k.kc.shutdown()
        shutdown_reply = k.kc.get_control_msg(timeout=TIMEOUT)
        assert shutdown_reply["msg_type"] == "shutdown_reply"
        status = k.wait()
        assert status == 0, f"shutdown {i}: exit status {status}; log:\n{k.file('kernel.log')}"
        assert k.file("atexit.txt") == "ran", f"shutdown {i}: atexit handler did not run"
        assert k.file("buffered.txt") == "buffered", f"shutdown {i}: the open file was not flushed"


def test_sigterm_ends_the_kernel_the_same_orderly_way():
    k = LaunchedKernel()
    k.execute(LEAVE_STATE)
    k.process.send_signal(signal.SIGTERM)
    assert k.wait() == 0
    assert k.file("atexit.txt") == "ran" and k.file("buffered.txt") == "buffered"


def test_process_exit_in_a_typescript_cell_ends_the_kernel_with_that_status_after_the_reply():
    k = LaunchedKernel()
    k.execute(LEAVE_STATE)
    reply, messages = k.execute('console.log("bye"); process.exit(3); console.log("not reached")')
    assert reply["content"]["status"] == "ok"
    assert reply["content"]["payload"] == [{"source": "ask_exit", "keepkernel": False}]
    assert "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream") == "bye\n"
    assert k.wait() == 3
    assert k.file("atexit.txt") == "ran" and k.file("buffered.txt") == "buffered"


def test_a_cell_that_fills_the_typescript_heap_gets_an_error_and_the_kernel_exits_1():
    k = LaunchedKernel(env={"TSPY_MAX_HEAP_MB": "192"})
    k.execute("%%python\nkept = 1")
    reply, messages = k.execute('const a: string[] = []; while (true) a.push("x".repeat(64) + a.length)', timeout=300)
    content = reply["content"]
    assert content["status"] == "error"
    assert content["ename"] == "OutOfMemoryError"
    assert "192 MiB" in content["evalue"] and "TSPY_MAX_HEAP_MB" in content["evalue"]
    assert any(m["msg_type"] == "error" for m in messages)
    # Exits cleanly (status 1, not a signal) so that the client's auto-restart takes over.
    assert k.wait() == 1
