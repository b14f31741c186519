"""input() and getpass.getpass() of the embedded interpreter routed to the frontend (stdin
input_request through a TS function). Knows Python only."""
import builtins
import getpass
import sys


class StdinNotImplementedError(RuntimeError):
    """Raised by input()/getpass() when the frontend does not accept input (allow_stdin false)."""


def install_stdin(request):
    """Routes input() and getpass.getpass() to `request(prompt, password)`, a TS function that asks
    the frontend (input_request) and returns [status, text]: "ok", "interrupted" or "unavailable"."""

    def ask(prompt, password):
        status, text = request(str(prompt), password)
        if status == "interrupted":
            raise KeyboardInterrupt
        if status != "ok":
            raise StdinNotImplementedError("input was requested, but this frontend does not support input requests")
        return text

    def _input(prompt=""):
        sys.stdout.flush()
        return ask(prompt, False)

    def _getpass(prompt="Password: ", stream=None):
        return ask(prompt, True)

    builtins.input = _input
    getpass.getpass = _getpass
