"""Fixtures that start the real tspy kernel (the installed `tspy` kernelspec) through
jupyter_client, over real ZeroMQ sockets, and helpers to run cells and collect their output."""
import os
import queue
import tempfile
import time

import pytest
from jupyter_client.manager import start_new_kernel

TIMEOUT = 120  # s: the first Python import of a heavy module can be slow on a loaded machine


class Run:
    """What one execute_request produced: the reply and the iopub messages with it as parent."""

    def __init__(self, reply, messages):
        self.reply = reply
        self.messages = messages

    def of(self, msg_type):
        return [m for m in self.messages if m["msg_type"] == msg_type]

    @property
    def stdout(self):
        return "".join(m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stdout")

    @property
    def stderr(self):
        return "".join(m["content"]["text"] for m in self.of("stream") if m["content"]["name"] == "stderr")

    @property
    def result(self):
        results = self.of("execute_result")
        return results[0]["content"]["data"]["text/plain"] if results else None

    @property
    def error(self):
        errors = self.of("error")
        return errors[0]["content"] if errors else None


def collect(kc, msg_id, timeout=TIMEOUT):
    """Reads iopub until the `idle` whose parent is msg_id; returns the messages before it."""
    messages = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
        messages.append(msg)


def wait_reply(kc, msg_id, timeout=30):
    """The shell reply whose parent is msg_id (replies to other requests are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def execute(kc, code, timeout=TIMEOUT, **kwargs):
    """Sends an execute_request and waits for both its reply and its idle."""
    msg_id = kc.execute(code, **kwargs)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return Run(reply, collect(kc, msg_id, timeout))


#: Seconds within which an interrupted cell must have replied. The cells interrupted in tests would
#: otherwise run 30 s or for ever, so a reply before this proves the interrupt worked; how fast it
#: is (well under a second) is measured in bench/, not asserted here (shared, noisy machines).
INTERRUPTED_WITHIN_S = 10.0


def interrupt_running(kernel, kc, code, how="signal", settle=1.0):
    """Sends `code` as an execute_request, waits `settle` s for it to be running, interrupts it and
    returns (reply, iopub messages of the cell, seconds from the interrupt to the reply).
    `how`: "signal" (SIGINT through the KernelManager, as JupyterLab's Interrupt with
    interrupt_mode "signal"), "control" or "shell" (an interrupt_request on that channel)."""
    km, _ = kernel
    msg_id = kc.execute(code)
    time.sleep(settle)
    sent = time.monotonic()
    if how == "signal":
        km.interrupt_kernel()
    else:
        msg = kc.session.msg("interrupt_request", {})
        (kc.control_channel if how == "control" else kc.shell_channel).send(msg)
    reply = wait_reply(kc, msg_id, timeout=60)
    elapsed = time.monotonic() - sent
    return reply, collect(kc, msg_id), elapsed


def drain(kc):
    """Discards what is waiting on iopub and shell (messages of earlier requests)."""
    for get in (kc.get_iopub_msg, kc.get_shell_msg):
        while True:
            try:
                get(timeout=0.2)
            except queue.Empty:
                break


@pytest.fixture(scope="module")
def kernel():
    """(KernelManager, BlockingKernelClient) for one tspy kernel per test module; its stderr goes
    to a log file whose path is km.tspy_log."""
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, stderr=log)
    km.tspy_log = log.name
    drain(kc)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    log.close()
    os.unlink(log.name)


@pytest.fixture
def kc(kernel):
    _, client = kernel
    drain(client)
    return client
