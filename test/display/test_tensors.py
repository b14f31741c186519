"""Tensor views: numpy arrays, TensorFlow tensors and TS TypedArrays show shape, dtype, device,
statistics and NaN/Inf counts; small ones as a table, 2-D as a heatmap, image batches as a grid;
large ones from a bounded strided sample, never whole."""
import base64
import io
import re

from PIL import Image

from display_helpers import execute, ok, result_data


def _cell(html, name):
    return re.search(rf'class="{name}">([^<]*)<', html).group(1)


def _png(data):
    return Image.open(io.BytesIO(base64.b64decode(data["image/png"])))


def test_small_numpy_array_shows_statistics_and_every_value(kc):
    code = "%%python\nimport numpy as np\nnp.array([[1.0, 2.0, np.nan], [np.inf, -3.0, 4.0]], dtype='float32')"
    data = result_data(ok(execute(kc, code)))
    html = data["text/html"]
    assert _cell(html, "shape") == "(2, 3)" and _cell(html, "dtype") == "float32" and _cell(html, "device") == "cpu"
    assert _cell(html, "min") == "-3" and _cell(html, "max") == "4" and _cell(html, "mean") == "1"
    assert _cell(html, "std") == f"{(((1 - 1) ** 2 + (2 - 1) ** 2 + 16 + 9) / 4) ** 0.5:.4g}"
    assert _cell(html, "nan") == "1" and _cell(html, "inf") == "1"
    values = html[html.index('class="tspy-values"'):]
    assert values.count("<tr>") == 2 and ">nan<" in values and ">-3<" in values
    assert "image/png" not in data
    plain = data["text/plain"]
    assert plain.startswith("ndarray shape=(2, 3) dtype=float32 device=cpu\nmin=-3 max=4 mean=1")
    assert "array([[" in plain


def test_two_dimensional_array_is_a_heatmap(kc):
    data = result_data(ok(execute(kc, "%%python\nnp.arange(40 * 60, dtype='int32').reshape(40, 60)")))
    image = _png(data)
    assert image.size[0] > image.size[1] and image.mode == "RGB"
    assert image.getpixel((0, 0)) != image.getpixel((image.size[0] - 1, image.size[1] - 1))
    assert _cell(data["text/html"], "max") == "2399"
    assert "data:image/png;base64," in data["text/html"]


def test_image_batch_is_a_grid_of_its_first_images(kc):
    code = "%%python\nbatch = np.zeros((100, 8, 8), dtype='float32')\nbatch[:, 2:6, 2:6] = 1.0\nbatch"
    data = result_data(ok(execute(kc, code)))
    image = _png(data)
    # 64 images (GRID_LIMIT) in 8 columns of 48-pixel tiles, 2 pixels apart
    assert image.size == (8 * 48 + 7 * 2, 8 * 48 + 7 * 2)
    assert image.getpixel((0, 0)) == 0 and image.getpixel((24, 24)) == 255
    assert _cell(data["text/html"], "shape") == "(100, 8, 8)"
    assert _cell(data["text/html"], "mean") == "0.25"


def test_color_image_batch_is_a_grid(kc):
    data = result_data(ok(execute(kc, "%%python\nnp.full((3, 16, 16, 3), 200, dtype='uint8')")))
    image = _png(data)
    assert image.mode == "RGB" and image.getpixel((1, 1)) == (200, 200, 200)


def test_huge_array_statistics_come_from_a_bounded_sample_without_a_copy(kc):
    code = ("%%python\nbig = np.lib.stride_tricks.as_strided(np.arange(10_000, dtype='float64'), shape=(20_000, 10_000), strides=(0, 8))\n"
            "import time\nstart = time.perf_counter()\nview = __import__('tspy_display').mime_bundle(big)\n"
            "print(round(time.perf_counter() - start, 3) < 5)\nview['text/plain']")
    run = ok(execute(kc, code))
    assert run.stdout.strip() == "True"
    plain = result_data(run)["text/plain"]
    assert "shape=(20000, 10000)" in plain
    assert "statistics over a strided sample of" in plain and "of 200,000,000 elements" in plain
    assert "min=0 max=9" in plain
    assert len(plain) < 5000


def test_tensorflow_tensor_shows_device_and_statistics(kc):
    code = "%%python\nimport tensorflow as tf\ntf.constant([[1.0, 2.0], [3.0, 5.0]])"
    data = result_data(ok(execute(kc, code)))
    html = data["text/html"]
    assert "CPU" in _cell(html, "device")
    assert _cell(html, "dtype") == "float32" and _cell(html, "mean") == "2.75" and _cell(html, "max") == "5"
    assert data["text/plain"].startswith("EagerTensor shape=(2, 2) dtype=float32")


def test_tensorflow_image_batch_is_a_grid(kc):
    data = result_data(ok(execute(kc, "%%python\ntf.random.uniform((10, 28, 28, 1), seed=1)")))
    image = _png(data)
    assert image.size == (4 * 56 + 3 * 2, 3 * 56 + 2 * 2)


def test_numpy_array_from_a_typescript_cell_is_the_same_view(kc):
    data = result_data(ok(execute(kc, 'tspy.import("numpy").ones(tspy.tuple(3, 4))')))
    assert _cell(data["text/html"], "shape") == "(3, 4)" and _cell(data["text/html"], "std") == "0"


def test_typed_array_shows_dtype_and_statistics(kc):
    data = result_data(ok(execute(kc, "new Float64Array([1, 2, 3, 4, NaN, Infinity])")))
    html = data["text/html"]
    assert _cell(html, "shape") == "(6,)" and _cell(html, "dtype") == "float64"
    assert _cell(html, "mean") == "2.5" and _cell(html, "std") == "1.118"
    assert _cell(html, "nan") == "1" and _cell(html, "inf") == "1"
    assert data["text/plain"].startswith("Float64Array shape=(6,) dtype=float64 device=cpu\nmin=1 max=4 mean=2.5")
    big = result_data(ok(execute(kc, "const big = new Int16Array(3_000_000).fill(7); big")))
    assert "statistics over a strided sample of 1000000 of 3000000 elements" in big["text/plain"]
    assert "... 2999900 more items" in big["text/plain"]
    assert 'class="tspy-values"' not in big["text/html"]
