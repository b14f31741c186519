"""Python's standard streams inside the kernel: file descriptors 1 and 2 become pipes that the
kernel's main thread reads, batches and publishes as Jupyter `stream` messages (like ipykernel's
OutStream with fd capture). Knows file descriptors; nothing of messages or sockets.

Every writer (Python's `sys.stdout` from any thread, C libraries, `os.system`, subprocesses,
TypeScript's `console.log`) writes to the same descriptor, so order within one stream is the
order of the writes, and no writer needs the executor thread to be free."""
import atexit
import gc
import io
import os
import sys

#: Bytes a capture pipe holds before a writer waits for the kernel to read (Linux F_SETPIPE_SZ;
#: the default is 64 KiB). A full pipe slows the writer down, it never loses output.
PIPE_BYTES = 1 << 20


class OutStream(io.TextIOBase):
    """`sys.stdout` / `sys.stderr`: text in, UTF-8 bytes written to a real file descriptor at once
    (no Python-side buffer, so output from any thread is live and ordered with C-level writes).
    `fileno()` is that descriptor, so `faulthandler.enable()` and libraries that check for a
    real stream (ray) work."""

    encoding = "utf-8"
    errors = "backslashreplace"

    def __init__(self, name, fd):
        super().__init__()
        self._name = name
        self._fd = fd

    @property
    def name(self):
        """`<stdout>` / `<stderr>`, as Python's own streams are named."""
        return f"<{self._name}>"

    def write(self, text):
        """Writes `text` (str) to the descriptor; returns its length in characters.
        @raises TypeError for a non-str argument, like io.TextIOWrapper."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        data = text.encode("utf-8", self.errors)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        return len(text)

    def writelines(self, lines):
        """Writes each str of `lines`."""
        for line in lines:
            self.write(line)

    def flush(self):
        """Nothing to flush: every write reaches the descriptor at once."""

    def fileno(self):
        """The file descriptor behind this stream (1 or 2)."""
        return self._fd

    def isatty(self):
        """False: the kernel's output is not a terminal."""
        return False

    def readable(self):
        return False

    def writable(self):
        return True


def capture():
    """Points fds 1 and 2 at new pipes and makes `sys.stdout`/`sys.stderr` write to them.

    Returns [stdout_read_fd, stderr_read_fd, saved_stdout_fd, saved_stderr_fd]: the kernel
    reads the pipes and keeps writing its own log to the saved descriptors (the terminal or
    log file the kernel was started with). fds 0-2 stay inheritable, so `os.system` and
    subprocesses write into the cell. Call once, on the executor thread.
    @raises OSError when a pipe cannot be made."""
    saved = [os.dup(1), os.dup(2)]  # os.dup's copies are close-on-exec
    reads = []
    for fd in (1, 2):
        r, w = os.pipe()  # both ends close-on-exec
        try:
            import fcntl
            fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (ImportError, AttributeError, OSError):
            pass  # a smaller pipe only makes a fast writer wait sooner
        os.dup2(w, fd)  # inheritable by default
        os.close(w)
        reads.append(r)
    try:
        os.fstat(0)
        os.set_inheritable(0, True)
    except OSError:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
    sys.stdout = OutStream("stdout", 1)
    sys.stderr = OutStream("stderr", 2)
    sys.__stdout__ = sys.stdout
    sys.__stderr__ = sys.stderr
    return reads + saved


def shutdown():
    """What Python does at exit, without finalising the interpreter (other threads, such as
    TensorFlow's, may still run): `atexit` handlers, then `__main__`'s names are dropped and
    garbage is collected so that open files flush and close. Errors of handlers are printed
    (as Python prints them at exit) and never raised."""
    try:
        atexit._run_exitfuncs()
    except BaseException as exc:  # noqa: BLE001 - exit must go on, as Python's own does
        print(f"Error in atexit._run_exitfuncs: {exc!r}", file=sys.stderr)
    main = sys.modules.get("__main__")
    if main is not None:
        for name in [n for n in vars(main) if not n.startswith("__")]:
            try:
                del vars(main)[name]
            except KeyError:
                pass
    gc.collect()
