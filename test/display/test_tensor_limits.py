"""One tensor view: a TS TypedArray and a numpy array of the same values get the same table of
values under the same limits (kernel/display/tspy_display/tensor_limits.json, read by both the TS
view and the Python view), and the same statistics."""
import json
import pathlib
import re

from display_helpers import execute, ok, result_data

LIMITS = json.loads((pathlib.Path(__file__).parents[2] / "kernel" / "display" / "tspy_display" / "tensor_limits.json").read_text())


def _values(html):
    """The cells of the table of values, or None when the view shows no such table."""
    if 'class="tspy-values"' not in html:
        return None
    table = html[html.index('class="tspy-values"'):]
    return re.findall(r'text-align:right">([^<]*)<', table[:table.index("</table>")])


def _cell(html, name):
    return re.search(rf'class="{name}">([^<]*)<', html).group(1)


def test_python_reads_the_limits_of_the_shared_file(kc):
    run = ok(execute(kc, "%%python\nimport tspy_display\nprint(tspy_display.STATS_SAMPLE_LIMIT, tspy_display.TABLE_LIMIT, "
                         "tspy_display.TABLE_SIDE_LIMIT, tspy_display.GRID_LIMIT)"))
    assert run.stdout.split() == [str(LIMITS[k]) for k in ("stats_sample_limit", "table_limit", "table_side_limit", "grid_limit")]


def test_typed_array_and_numpy_array_list_values_up_to_the_same_length(kc):
    side = LIMITS["table_side_limit"]
    for n in (side, side + 1):
        ts = result_data(ok(execute(kc, f"new Int32Array({n}).map((_, i) => i * 3)")))["text/html"]
        numpy = result_data(ok(execute(kc, f"%%python\nimport numpy as np\nnp.arange({n}, dtype='int32') * 3")))["text/html"]
        if n <= side:
            assert _values(ts) == [str(i * 3) for i in range(n)], "the TS view lists every value"
            assert _values(numpy) == _values(ts), "the Python view lists the same values"
        else:
            assert _values(ts) is None and _values(numpy) is None, f"neither view lists {n} values"
        for name in ("shape", "dtype", "min", "max", "mean", "std"):
            assert _cell(ts, name) == _cell(numpy, name), f"{name} of {n} values"


def test_a_small_two_dimensional_array_lists_every_value_up_to_the_element_limit(kc):
    side = LIMITS["table_side_limit"]
    rows = LIMITS["table_limit"] // side
    html = result_data(ok(execute(kc, f"%%python\nimport numpy as np\nnp.ones(({rows}, {side}))")))["text/html"]
    assert len(_values(html)) == rows * side
    more = result_data(ok(execute(kc, f"%%python\nnp.ones(({rows + 1}, {side}))")))["text/html"]
    assert _values(more) is None, "one row more than the element limit shows a picture instead"
