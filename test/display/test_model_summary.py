"""Keras models (Sequential, functional, subclassed) display as an HTML summary table with the
right parameter counts, and Keras' own summary as text/plain; from Python and TS cells."""
import re

from display_helpers import execute, ok, result_data


def _params(html):
    return [int(p.replace(",", "")) for p in re.findall(r'class="params">([0-9,]+)', html)]


def _total(html, key):
    return int(re.search(rf'class="{key}">([0-9,]+)<', html).group(1).replace(",", ""))


def test_sequential_model_summary_has_layer_rows_and_parameter_counts(kc):
    code = ("%%python\nimport keras\n"
            "seq = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, name='hidden'),\n"
            "    keras.layers.BatchNormalization(name='norm'), keras.layers.Dense(10, name='out')], name='digits_mlp')\n"
            "seq")
    data = result_data(ok(execute(kc, code)))
    html = data["text/html"]
    assert "digits_mlp" in html and "Sequential" in html
    # Dense 64*64+64, BatchNormalization 4*64 (2*64 trainable), Dense 64*10+10
    assert _params(html) == [4160, 256, 650]
    assert _total(html, "total") == 5066
    assert _total(html, "trainable") == 4160 + 128 + 650
    assert _total(html, "non-trainable") == 128
    assert "19.79 KB" in html  # 5066 float32 parameters
    assert re.search(r"hidden</td><td[^>]*>Dense</td><td[^>]*>\(None, 64\)</td>", html)
    assert "Connected to" not in html
    assert data["text/plain"].startswith('Model: "digits_mlp"')
    assert "Total params: 5,066" in data["text/plain"]


def test_functional_model_summary_shows_connections(kc):
    code = ("%%python\ninp = keras.Input((4,), name='x')\n"
            "a = keras.layers.Dense(3, name='left')(inp)\nb = keras.layers.Dense(3, name='right')(inp)\n"
            "out = keras.layers.Add(name='sum')([a, b])\nfunc = keras.Model(inp, out, name='two_branches')\nfunc")
    html = result_data(ok(execute(kc, code)))["text/html"]
    assert "Connected to" in html
    assert _params(html) == [0, 15, 15, 0]
    assert re.search(r"sum</td><td[^>]*>Add</td><td[^>]*>\(None, 3\)</td><td[^>]*>0</td><td[^>]*>left\[0\]\[0\], right\[0\]\[0\]</td>", html)
    assert _total(html, "total") == 30


def test_subclassed_model_summary_lists_its_layers_and_unbuilt_ones(kc):
    code = ("%%python\nimport numpy as np\nclass Tiny(keras.Model):\n"
            "    def __init__(self):\n        super().__init__(name='tiny')\n"
            "        self.d1 = keras.layers.Dense(5)\n        self.d2 = keras.layers.Dense(2)\n"
            "    def call(self, x):\n        return self.d2(self.d1(x))\n"
            "fresh = Tiny()\ndisplay(fresh)\n"
            "built = Tiny()\nbuilt(np.zeros((1, 3), 'float32'))\nbuilt")
    run = ok(execute(kc, code))
    fresh_html = run.of("display_data")[0]["content"]["data"]["text/html"]
    assert fresh_html.count("0 (unbuilt)") == 2
    html = result_data(run)["text/html"]
    assert _params(html) == [3 * 5 + 5, 5 * 2 + 2]
    assert _total(html, "total") == 32


def test_compiled_and_trained_model_shows_optimizer_parameters(kc):
    code = ("%%python\nseq.compile('adam', 'sparse_categorical_crossentropy')\n"
            "seq.fit(np.zeros((8, 64)), np.zeros(8), epochs=1, verbose=0)\nseq")
    html = result_data(ok(execute(kc, code)))["text/html"]
    assert _total(html, "optimizer") > 0
    assert _total(html, "total") == 5066


def test_keras_model_from_a_typescript_cell_is_the_same_table(kc):
    code = ('const keras = tspy.import("keras");\n'
            'keras.Sequential([keras.Input(tspy.kwargs({ shape: tspy.tuple(8) })), keras.layers.Dense(4)])')
    data = result_data(ok(execute(kc, code)))
    assert _params(data["text/html"]) == [36]
    assert "Total params: 36" in data["text/plain"]
