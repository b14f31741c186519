"""Issue 11, no output is ever lost: floods of printed lines in both languages arrive complete,
in order and batched, with `idle` last; a Python thread's output arrives while the executor waits;
whatever writes to fds 1 and 2 (os.system, subprocesses, C code, process.stdout.write) lands in
the cell; the per-cell limit cuts with a notice that says how much. Through jupyter_client."""
import os
import tempfile

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import TIMEOUT, drain, execute

LINES = 200_000


def _assert_lines(run, n):
    assert run.reply["content"]["status"] == "ok", run.error
    text = run.stdout
    assert text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert len(lines) == n, f"{len(lines)} of {n} lines arrived"
    assert lines == [str(i) for i in range(n)], "lines arrived out of order or altered"
    streams = run.of("stream")
    assert len(streams) < 2000, f"{len(streams)} stream messages: output is not batched"


def test_200000_python_print_lines_arrive_complete_in_order_and_batched(kc):
    run = execute(kc, f"%%python\nfor i in range({LINES}):\n    print(i)", timeout=600)
    _assert_lines(run, LINES)


def test_200000_typescript_console_log_lines_arrive_complete_in_order_and_batched(kc):
    run = execute(kc, f"for (let k = 0; k < {LINES}; k++) console.log(k)", timeout=600)
    _assert_lines(run, LINES)


def test_one_print_with_several_arguments_is_one_stream_message(kc):
    run = execute(kc, '%%python\nprint("a", 1, 2.5, sep=", ")')
    streams = run.of("stream")
    assert [m["content"]["text"] for m in streams] == ["a, 1, 2.5\n"]


def test_python_thread_output_arrives_while_the_executor_waits_in_join(kc):
    code = """%%python
import threading, time
def work():
    for i in range(3):
        print("tick", i, flush=True)
        time.sleep(0.6)
t = threading.Thread(target=work)
t.start()
t.join()
"""
    run = execute(kc, code)
    streams = run.of("stream")
    assert "".join(m["content"]["text"] for m in streams) == "tick 0\ntick 1\ntick 2\n"
    # Published as they were printed (0.6 s apart), not all at once when join() returned.
    assert len(streams) == 3, [m["content"]["text"] for m in streams]


def test_fd_writers_land_in_the_cell_os_system_subprocess_c_code(kc):
    code = """%%python
import ctypes, os, subprocess, sys
status = os.system("echo from-os-system")
subprocess.run(["echo", "from-subprocess"], check=True)
subprocess.check_call([sys.executable, "-c", "import sys; sys.stderr.write('child-stderr\\\\n')"])
libc = ctypes.CDLL(None)
libc.write(1, b"from-c-write\\n", 13)
print("status", status)
"""
    run = execute(kc, code)
    assert run.reply["content"]["status"] == "ok", run.error
    for text in ("from-os-system", "from-subprocess", "from-c-write", "status 0"):
        assert text in run.stdout
    assert "child-stderr" in run.stderr


def test_sys_stdout_has_a_real_fileno_and_faulthandler_enables(kc):
    run = execute(kc, "%%python\nimport faulthandler, sys\nfaulthandler.enable()\nprint(sys.stdout.fileno(), sys.stderr.fileno(), faulthandler.is_enabled())")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.stdout == "1 2 True\n"


def test_typescript_process_stdout_write_lands_in_the_cell(kc):
    run = execute(kc, 'process.stdout.write("raw-out\\n"); process.stderr.write("raw-err\\n"); console.error("via-console")')
    assert run.stdout == "raw-out\n"
    assert run.stderr == "raw-err\nvia-console\n"


def test_output_of_both_languages_keeps_the_order_it_was_written_in(kc):
    run = execute(kc, 'console.log("1-ts"); tspy.import("builtins").print("2-py"); console.log("3-ts")')
    assert run.stdout == "1-ts\n2-py\n3-ts\n"


def test_streams_are_flushed_before_a_display_and_the_result(kc):
    run = execute(kc, '%%python\nprint("before")\ndisplay("shown")\nprint("after")\n41 + 1')
    kinds = [(m["msg_type"], m["content"].get("text")) for m in run.messages if m["msg_type"] in ("stream", "display_data", "execute_result")]
    assert kinds == [("stream", "before\n"), ("display_data", None), ("stream", "after\n"), ("execute_result", None)]


def test_error_comes_after_the_output_printed_before_it(kc):
    run = execute(kc, '%%python\nfor i in range(1000):\n    print(i)\nraise ValueError("late")')
    types = [m["msg_type"] for m in run.messages if m["msg_type"] in ("stream", "error")]
    assert types[-1] == "error" and "stream" in types
    assert run.stdout.count("\n") == 1000


@pytest.fixture(scope="module")
def limited_kernel():
    """A kernel whose per-cell output limit is 1 MiB (TSPY_CELL_OUTPUT_LIMIT_MB=1)."""
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    env = dict(os.environ, TSPY_CELL_OUTPUT_LIMIT_MB="1")
    km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, stderr=log, env=env)
    drain(kc)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    log.close()
    os.unlink(log.name)


def test_output_past_the_cell_limit_is_replaced_by_a_notice_with_the_count(limited_kernel):
    kc = limited_kernel
    # 2,000 lines of 1,000 bytes: about 1.9 MiB, past the 1 MiB limit.
    run = execute(kc, '%%python\nfor i in range(2000):\n    print("x" * 999)', timeout=300)
    assert run.reply["content"]["status"] == "ok"
    shown = run.stdout.count("\n")
    assert 1000 <= shown < 1100, shown
    assert "passed 1 MiB" in run.stderr
    cut = 2000 - shown
    assert f"({cut} lines) of this cell's output were not shown" in run.stderr, run.stderr
    # The limit is per cell: the next cell's output is shown in full.
    after = execute(kc, '%%python\nprint("next cell")')
    assert after.stdout == "next cell\n" and after.stderr == ""
