"""Issue 16, environments reticulate-style, from TS cells of the real kernel: `tspy.pyInstall` adds a
package (pip's output streams into the cell) that the next cell imports, `tspy.pyConfig()` names
the embedded interpreter, and `tspy.usePython` once the kernel's Python runs says what to do instead."""
import subprocess
import sys

import pytest
from conftest import execute

#: A small pure-Python package of the local index that the project's environment does not ship.
PACKAGE = "tabulate"
PIP = [sys.executable, "-m", "pip"]  # pytest runs in the environment the kernel embeds


def installed(name):
    return subprocess.run(PIP + ["show", "-q", name], capture_output=True).returncode == 0


@pytest.fixture
def uninstalled_afterwards():
    assert not installed(PACKAGE), f"{PACKAGE} is already installed; the test needs an environment without it"
    yield
    subprocess.run(PIP + ["uninstall", "-y", "-q", PACKAGE], check=True, capture_output=True)


def test_py_install_in_a_ts_cell_lets_the_next_cell_import_the_package(kc, uninstalled_afterwards):
    run = execute(kc, f'await tspy.pyInstall(["{PACKAGE}"]);\n"installed"', timeout=600)
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "'installed'"
    assert f"Successfully installed {PACKAGE}" in run.stdout, run.stdout + run.stderr
    py_cell = execute(kc, f"%%python\nimport {PACKAGE}\nprint({PACKAGE}.tabulate([[1, 2]], tablefmt='plain'))")
    assert py_cell.reply["content"]["status"] == "ok", py_cell.error
    assert py_cell.stdout.split() == ["1", "2"]
    ts_cell = execute(kc, f'tspy.import("{PACKAGE}").__name__')
    assert ts_cell.result == f"'{PACKAGE}'", ts_cell.error


def test_py_install_of_a_missing_package_fails_the_cell_with_pips_words(kc):
    run = execute(kc, 'await tspy.pyInstall(["tspy-no-such-package-9f3e2"], { pipOptions: ["--no-index"] })', timeout=300)
    assert run.reply["content"]["status"] == "error"
    assert "No matching distribution found for tspy-no-such-package-9f3e2" in run.error["evalue"], run.error


def test_py_config_names_the_embedded_interpreter(kc):
    run = execute(kc, "const c = tspy.pyConfig();\n[c.executable, c.version, c.numpy !== null]")
    assert run.reply["content"]["status"] == "ok", run.error
    check = execute(kc, "%%python\nimport sys, platform\nprint(sys.executable, platform.python_version())")
    executable, version = check.stdout.split()
    assert run.result == f"[ '{executable}', '{version}', true ]"


def test_use_python_once_the_kernel_runs_says_to_register_a_kernel_or_set_tspy_python(kc):
    run = execute(kc, 'tspy.usePython("/usr/bin/python3")')
    assert run.reply["content"]["status"] == "error"
    evalue = run.error["evalue"]
    assert "already started" in evalue
    assert "npx tspy install --python /usr/bin/python3" in evalue and "TSPY_PYTHON=/usr/bin/python3" in evalue
