"""Helpers for the display tests: the protocol tests' kernel fixtures and execute() (loaded from
test/protocol/conftest.py under their own module name, so the two conftest files never clash)
and functions that pick display messages out of a cell's iopub output."""
import importlib.util
import pathlib
import sys

_PROTOCOL = pathlib.Path(__file__).resolve().parents[1] / "protocol" / "conftest.py"
_spec = importlib.util.spec_from_file_location("tspy_protocol_conftest", _PROTOCOL)
protocol = sys.modules.get("tspy_protocol_conftest")
if protocol is None:
    protocol = importlib.util.module_from_spec(_spec)
    sys.modules["tspy_protocol_conftest"] = protocol
    _spec.loader.exec_module(protocol)

TIMEOUT = protocol.TIMEOUT
execute = protocol.execute
drain = protocol.drain
kernel = protocol.kernel
kc = protocol.kc


def displays(run, msg_type="display_data"):
    """The content of every `msg_type` message (display_data by default) a cell produced."""
    return [m["content"] for m in run.of(msg_type)]


def result_data(run):
    """The execute_result's MIME bundle of a cell (fails the test when there is none)."""
    results = run.of("execute_result")
    assert results, f"no execute_result; error: {run.error}; stderr: {run.stderr}"
    return results[0]["content"]["data"]


def ok(run):
    """Asserts the cell ran without error and returns it."""
    assert run.reply["content"]["status"] == "ok", (run.error, run.stderr)
    return run
