"""%%python cells in the embedded interpreter, and values crossing between the languages."""
import re
from datetime import datetime

from conftest import execute


def _date(m):
    d = m["header"]["date"]
    return d if isinstance(d, datetime) else datetime.fromisoformat(d.replace("Z", "+00:00"))


def test_python_cell_prints_and_returns_the_last_expression_repr(kc):
    run = execute(kc, "%%python\nimport math\nprint('root', math.sqrt(16))\n{'a': [1, 2]}")
    assert run.reply["content"]["status"] == "ok"
    assert run.stdout == "root 4.0\n"
    assert run.result == "{'a': [1, 2]}"


def test_python_cell_without_trailing_expression_has_no_result(kc):
    run = execute(kc, "%%python\nz = 3")
    assert run.result is None and run.reply["content"]["status"] == "ok"


def test_python_globals_persist(kc):
    execute(kc, "%%python\ncounter = 10")
    assert execute(kc, "%%python\ncounter + 1").result == "11"


def test_python_exception_gives_the_python_traceback(kc):
    run = execute(kc, "%%python\ndef f(d):\n    return 1 / d\nf(0)")
    err = run.error
    assert err["ename"] == "ZeroDivisionError"
    assert err["evalue"] == "division by zero"
    text = "\n".join(err["traceback"])
    assert re.search(r'cell-\d+\.py", line 3, in f', text), text
    assert "return 1 / d" in text
    assert run.reply["content"]["status"] == "error"


def test_python_syntax_error(kc):
    err = execute(kc, "%%python\nx = = 1").error
    assert err["ename"] == "SyntaxError"
    assert "line 2" in "\n".join(err["traceback"])


def test_python_print_streams_live_during_a_long_call(kc):
    run = execute(kc, "%%python\nimport time\nprint('before', flush=True)\ntime.sleep(1.5)\nprint('after')")
    streams = run.of("stream")
    assert "".join(m["content"]["text"] for m in streams) == "before\nafter\n"
    assert (_date(streams[-1]) - _date(streams[0])).total_seconds() >= 1.0


def test_system_exit_does_not_kill_the_kernel(kc):
    err = execute(kc, "%%python\nimport sys\nsys.exit(3)").error
    assert err["ename"] == "SystemExit"
    assert execute(kc, "1 + 1").result == "2"


def test_typescript_reads_and_writes_python_globals(kc):
    execute(kc, "%%python\nfrom_python = [1, 2, 3]\nscale = 2.5")
    assert execute(kc, "py.scale * 2").result == "5"
    assert execute(kc, "String(py.from_python)").result == "'[1, 2, 3]'"
    execute(kc, "py.from_ts = 41;")
    assert execute(kc, "%%python\nfrom_ts + 1").result == "42"


def test_python_reads_typescript_values_through_ts(kc):
    execute(kc, "const greeting = 'hi from ts';\nconst weights = new Float64Array([1, 2, 3]);")
    assert execute(kc, "%%python\nts.greeting.upper()").result == "'HI FROM TS'"
    assert execute(kc, "%%python\nimport ts as ts_module\nts_module.greeting").result == "'hi from ts'"


def test_numpy_array_is_shared_with_typescript_without_a_copy(kc):
    execute(kc, "%%python\nimport numpy as np\narr = np.arange(6, dtype=np.float64).reshape(2, 3)")
    run = execute(kc, "const view = tspy.getBuffer(py.arr);\nview.data[0] = 100;\n[view.dtype, view.shape.join('x'), view.data.constructor.name]")
    assert run.result == "[ 'float64', '2x3', 'Float64Array' ]"
    assert execute(kc, "%%python\nfloat(arr[0, 0])").result == "100.0"


def test_typed_array_reaches_numpy_without_a_copy(kc):
    execute(kc, "const shared = new Float32Array([1, 2, 3, 4]);")
    execute(kc, "%%python\nimport numpy as np\nn = np.asarray(ts.shared)\nn *= 10")
    assert execute(kc, "Array.from(shared).join(',')").result == "'10,20,30,40'"


def test_python_error_in_a_typescript_cell_is_a_python_error(kc):
    err = execute(kc, "tspy.import('json').loads('{broken')").error
    assert err["ename"] == "PythonError"
    assert "JSONDecodeError" in err["evalue"]
    assert any("JSONDecodeError" in line for line in err["traceback"])


def test_output_of_other_python_threads_reaches_the_cell(kc):
    run = execute(kc, "%%python\nimport threading\n"
                      "t = threading.Thread(target=lambda: print('from a worker thread'))\n"
                      "t.start()\nt.join()\nprint('after join')")
    assert run.stdout == "from a worker thread\nafter join\n"


def test_blank_lines_before_the_python_magic_still_make_a_python_cell_with_its_line_numbers(kc):
    # IPython drops leading empty lines before reading a cell magic; the app's rule is the same
    # (kernel/contracts/cell-language.ts), so a cell the app shows as Python runs as Python.
    run = execute(kc, "\n\n%%python\nimport sys\nx = 1 // 0")
    assert run.error["ename"] == "ZeroDivisionError"
    assert any("line 5" in line or "----> 5" in line or " 5 " in line for line in run.error["traceback"]), run.error["traceback"]
    assert execute(kc, "\n%%time\n%%python\nsum(range(4))").result == "6"
    assert execute(kc, "%%python\n\n'ok'").result == "'ok'"
