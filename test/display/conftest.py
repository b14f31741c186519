"""pytest fixtures of the display tests: `kernel` (one real tspy kernel per module) and `kc`.

pytest imports every conftest.py under the module name "conftest", so when test/protocol and
test/display run together, `from conftest import ...` in a protocol test may find this file:
it re-exports everything test/protocol/conftest.py defines."""
from display_helpers import protocol  # noqa: F401  (loads test/protocol/conftest.py)
from tspy_protocol_conftest import *  # noqa: F401,F403,E402
