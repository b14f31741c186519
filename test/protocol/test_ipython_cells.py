"""%%python cells run through IPython's InteractiveShell (issue 11, item 4): magics, `!cmd`,
get_ipython(), display hooks and `;`, %matplotlib inline, error line numbers, is_complete; and
history_request with output=True (item 5)."""
import os
import re
import tempfile

from conftest import TIMEOUT, execute


def _reply(kc, msg_id):
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return reply["content"]


def test_timeit_magic_prints_a_timing(kc):
    run = execute(kc, "%%python\n%timeit -n1 -r1 sum(range(10))")
    assert run.reply["content"]["status"] == "ok", run.error
    assert re.search(r"per loop \(mean ± std\. dev\. of 1 run, 1 loop each\)", run.stdout), run.stdout


def test_time_magic_inside_a_python_cell_reports_and_keeps_the_value(kc):
    run = execute(kc, "%%python\n%time timed = sum(range(100))\ntimed")
    assert "Wall time" in run.stdout
    assert run.result == "4950"


def test_shell_escape_runs_the_command(kc):
    run = execute(kc, "%%python\n!echo hi")
    assert run.reply["content"]["status"] == "ok", run.error
    assert "hi" in run.stdout


def test_matplotlib_inline_keeps_the_cells_imports_and_shows_a_figure_once(kc):
    run = execute(kc, "%%python\n%matplotlib inline\nimport matplotlib.pyplot as plt\nimport numpy as np")
    assert run.reply["content"]["status"] == "ok", run.error
    run = execute(kc, "%%python\nx = np.linspace(0, 1, 5)\nplt.plot(x, x ** 2);")
    assert run.reply["content"]["status"] == "ok", run.error
    images = [m for m in run.of("display_data") if "image/png" in m["content"]["data"]]
    assert len(images) == 1
    assert run.of("execute_result") == []


def test_get_ipython_is_the_shell_over_main_shared_with_typescript(kc):
    execute(kc, "py.x_from_ts = 1;")
    run = execute(kc, "%%python\nip = get_ipython()\n(ip is not None, ip.user_ns is globals(), ip.user_ns['x_from_ts'])")
    assert run.result == "(True, True, 1)", run.error


def test_trailing_semicolon_hides_the_result(kc):
    run = execute(kc, "%%python\n[1, 2, 3];")
    assert run.reply["content"]["status"] == "ok"
    assert run.of("execute_result") == []
    assert execute(kc, "%%python\n[1, 2, 3]").result == "[1, 2, 3]"


def test_writefile_cell_magic_writes_the_file(kc):
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "written.txt")
        run = execute(kc, f"%%python\n%%writefile {target}\nfirst line\nsecond line\n")
        assert run.reply["content"]["status"] == "ok", run.error
        with open(target) as f:
            assert f.read() == "first line\nsecond line\n"


def test_error_names_the_cells_line(kc):
    run = execute(kc, "%%python\na = 1\nraise ValueError('on line three')\nb = 2")
    err = run.error
    assert err["ename"] == "ValueError" and err["evalue"] == "on line three"
    assert re.search(r'cell-\d+\.py", line 3, in <module>', "\n".join(err["traceback"])), err["traceback"]


def test_last_result_is_underscore_and_out(kc):
    run = execute(kc, "%%python\n40 + 2")
    count = run.reply["content"]["execution_count"]
    assert execute(kc, "%%python\n_ + 1").result == "43"
    assert execute(kc, f"%%python\nOut[{count}]").result == "42"


def test_python_magic_after_a_comment_line(kc):
    run = execute(kc, "%%python\n# set up\n%time after_comment = 5\nafter_comment")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "5"


def test_unknown_python_magic_is_a_usage_error(kc):
    err = execute(kc, "%%python\n%no_such_magic").error
    assert err["ename"] == "UsageError"
    assert "no_such_magic" in err["evalue"]


def test_top_level_await(kc):
    assert execute(kc, "%%python\nimport asyncio\nawait asyncio.sleep(0.01)\n'awaited'").result == "'awaited'"


def test_ipython_display_goes_out_once(kc):
    run = execute(kc, "%%python\nfrom IPython.display import display, HTML\ndisplay(HTML('<b>bold</b>'))")
    htmls = [m for m in run.of("display_data") if m["content"]["data"].get("text/html") == "<b>bold</b>"]
    assert len(htmls) == 1


def test_is_complete_for_python_blocks(kc):
    samples = {
        "%%python": "incomplete",
        "%%python\ndef f():": "incomplete",
        "%%python\nx = 1": "complete",
        "%%python\nx = = 1": "invalid",
        "%%python\ndef f(:": "invalid",
    }
    for code, expected in samples.items():
        content = _reply(kc, kc.is_complete(code))
        assert content["status"] == expected, (code, content)
    assert _reply(kc, kc.is_complete("%%python\ndef f():"))["indent"] == "    "


def test_history_with_output_gives_input_output_pairs(kc):
    execute(kc, "%%python\n6 * 7")
    execute(kc, "const noResult = 1;")
    content = _reply(kc, kc.history(hist_access_type="tail", n=2, output=True))
    assert content["status"] == "ok"
    (s1, l1, first), (s2, l2, second) = content["history"]
    assert first == ["%%python\n6 * 7", "42"]
    assert second == ["const noResult = 1;", None]
    assert s1 == s2 and l2 == l1 + 1


def test_autoreload_extension_loads(kc):
    run = execute(kc, "%%python\n%load_ext autoreload\n%autoreload 2")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.stderr == ""


def test_who_leaves_out_the_names_ipython_put_in_main(kc):
    execute(kc, "%%python\nmine = 3")
    names = [line.split()[0] for line in execute(kc, "%who").stdout.splitlines() if line.strip()]
    assert "mine" in names
    assert not {"open", "In", "Out", "get_ipython", "exit", "quit"} & set(names), names
