"""The display protocol in both languages: display / update_display / clear_output from Python
(builtins and IPython.display) and TS (display.*, updateDisplay, clearOutput), IPython's _repr_*_
methods, Deno's Symbol.for("Jupyter.display"), and matplotlib figures shown inline."""
import base64
import io

from PIL import Image

from display_helpers import displays, execute, ok, result_data


def test_python_display_with_display_id_then_update_display(kc):
    run = ok(execute(kc, '%%python\nh = display("first", display_id="py-1")\nupdate_display("second", display_id="py-1")\nh.update("third")'))
    shown = displays(run)
    updates = displays(run, "update_display_data")
    assert [d["data"]["text/plain"] for d in shown] == ["'first'"]
    assert shown[0]["transient"] == {"display_id": "py-1"}
    assert [u["data"]["text/plain"] for u in updates] == ["'second'", "'third'"]
    assert all(u["transient"] == {"display_id": "py-1"} for u in updates)


def test_ipython_display_functions_publish_through_the_kernel(kc):
    code = ("%%python\nfrom IPython.display import display, update_display, clear_output, HTML, Markdown\n"
            "handle = display(HTML('<b>bold</b>'), display_id=True)\n"
            "display(Markdown('*md*'))\n"
            "handle.update(HTML('<i>new</i>'))\n"
            "clear_output(wait=True)")
    run = ok(execute(kc, code))
    shown = displays(run)
    assert shown[0]["data"]["text/html"] == "<b>bold</b>"
    assert shown[1]["data"]["text/markdown"] == "*md*"
    update = displays(run, "update_display_data")[0]
    assert update["data"]["text/html"] == "<i>new</i>"
    assert update["transient"]["display_id"] == shown[0]["transient"]["display_id"]
    assert displays(run, "clear_output") == [{"wait": True}]
    assert run.stdout == ""  # IPython's fallback without a shell would have printed


def test_repr_methods_are_honoured_and_a_failing_one_is_skipped(kc):
    code = ("%%python\nclass Rich:\n"
            "    def _repr_html_(self): return '<p>html</p>'\n"
            "    def _repr_markdown_(self): return '**md**'\n"
            "    def _repr_latex_(self): return '$x$'\n"
            "    def _repr_json_(self): return {'a': 1}\n"
            "    def _repr_svg_(self): raise ValueError('broken')\n"
            "    def _repr_png_(self): return b'\\x89PNG'\n"
            "    def __repr__(self): return 'Rich()'\n"
            "class Bundle:\n"
            "    def _repr_mimebundle_(self, include=None, exclude=None): return {'text/html': '<em>b</em>', 'application/x-custom': 'c'}\n"
            "display(Bundle())\n"
            "Rich()")
    run = ok(execute(kc, code))
    data = result_data(run)
    assert data["text/html"] == "<p>html</p>"
    assert data["text/markdown"] == "**md**"
    assert data["text/latex"] == "$x$"
    assert data["application/json"] == {"a": 1}
    assert base64.b64decode(data["image/png"]) == b"\x89PNG"
    assert "image/svg+xml" not in data
    assert data["text/plain"] == "Rich()"
    bundle = displays(run)[0]["data"]
    assert bundle["text/html"] == "<em>b</em>" and bundle["application/x-custom"] == "c"


def test_pandas_dataframe_is_an_html_table_and_pil_image_a_png(kc):
    code = ("%%python\nimport pandas as pd\nfrom PIL import Image\n"
            "display(Image.new('RGB', (7, 5), (255, 0, 0)))\n"
            "pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})")
    run = ok(execute(kc, code))
    html = result_data(run)["text/html"]
    assert "<table" in html and "<td>x</td>" in html
    image = Image.open(io.BytesIO(base64.b64decode(displays(run)[0]["data"]["image/png"])))
    assert image.size == (7, 5)


def test_python_object_shown_from_typescript_uses_the_python_bundle(kc):
    ok(execute(kc, "%%python\nimport pandas as pd\nframe = pd.DataFrame({'col': [10, 20]})"))
    run = ok(execute(kc, 'display(py.frame);\npy.frame'))
    assert "<table" in displays(run)[0]["data"]["text/html"]
    assert "col" in result_data(run)["text/html"]


def test_typescript_display_helpers_publish_their_mime_types(kc):
    code = ('display.html("<b>h</b>");\n'
            'display.markdown("# m");\n'
            'display.svg("<svg xmlns=\\"http://www.w3.org/2000/svg\\"></svg>");\n'
            'display.png(new Uint8Array([137, 80, 78, 71]));\n'
            'display.jpeg("/9j/");\n'
            'display.json({ a: [1, 2] });\n'
            'display.latex("$$x^2$$");\n'
            'display.vegalite({ mark: "point" });\n'
            'display.bundle({ "text/plain": "plain", "text/html": "<i>i</i>" });')
    run = ok(execute(kc, code))
    shown = [d["data"] for d in displays(run)]
    assert shown[0]["text/html"] == "<b>h</b>"
    assert shown[1]["text/markdown"] == "# m"
    assert shown[2]["image/svg+xml"].startswith("<svg")
    assert base64.b64decode(shown[3]["image/png"]) == b"\x89PNG"
    assert shown[4]["image/jpeg"] == "/9j/"
    assert shown[5]["application/json"] == {"a": [1, 2]}
    assert shown[6]["text/latex"] == "$$x^2$$"
    assert shown[7]["application/vnd.vegalite.v5+json"] == {"mark": "point"}
    assert shown[8] == {"text/plain": "plain", "text/html": "<i>i</i>"}
    assert all("text/plain" in d for d in shown)


def test_typescript_display_id_update_display_and_clear_output(kc):
    code = ('const handle = display("a", { display_id: "ts-1" });\n'
            'updateDisplay("ts-1", "b");\n'
            'handle!.update("c");\n'
            'clearOutput({ wait: true });\n'
            'const auto = display(1, { display_id: true });\n'
            'auto!.display_id')
    run = ok(execute(kc, code))
    shown = displays(run)
    assert shown[0]["transient"] == {"display_id": "ts-1"} and shown[0]["data"]["text/plain"] == "'a'"
    assert [u["data"]["text/plain"] for u in displays(run, "update_display_data")] == ["'b'", "'c'"]
    assert displays(run, "clear_output") == [{"wait": True}]
    assert shown[1]["transient"]["display_id"] == result_data(run)["text/plain"].strip("'")


def test_object_with_jupyter_display_symbol_renders_itself(kc):
    code = ('class Card { [Symbol.for("Jupyter.display")]() { return { "text/html": "<div>card</div>" }; } }\n'
            'display(new Card());\n'
            'new Card()')
    run = ok(execute(kc, code))
    assert displays(run)[0]["data"]["text/html"] == "<div>card</div>"
    data = result_data(run)
    assert data["text/html"] == "<div>card</div>" and "Card" in data["text/plain"]


def _png_size(b64):
    return Image.open(io.BytesIO(base64.b64decode(b64))).size


def test_matplotlib_figure_from_a_python_cell_shows_inline_and_is_closed(kc):
    run = ok(execute(kc, "%%python\nimport matplotlib.pyplot as plt\nplt.figure(figsize=(4, 3))\nplt.plot([1, 3, 2])\nNone"))
    shown = displays(run)
    assert len(shown) == 1
    width, height = _png_size(shown[0]["data"]["image/png"])
    assert width > 100 and height > 100
    after = ok(execute(kc, "%%python\nimport matplotlib\nprint(plt.get_fignums(), matplotlib.get_backend())"))
    assert after.stdout.strip().lower() == "[] agg"
    assert displays(after) == []


def test_plt_show_and_display_of_a_figure_show_it_once(kc):
    run = ok(execute(kc, "%%python\nfig = plt.figure()\nplt.plot([1, 2])\nplt.show()\nfig2 = plt.figure()\ndisplay(fig2)"))
    assert len([d for d in displays(run) if "image/png" in d["data"]]) == 2
    assert "non-interactive" not in run.stderr


def test_matplotlib_figure_from_a_typescript_cell_shows_inline(kc):
    run = ok(execute(kc, 'const plt = tspy.import("matplotlib.pyplot");\nplt.bar(["a", "b"], [3, 4]);\nundefined'))
    shown = displays(run)
    assert len(shown) == 1 and "image/png" in shown[0]["data"]
    assert ok(execute(kc, "%%python\nprint(len(plt.get_fignums()))")).stdout.strip() == "0"
