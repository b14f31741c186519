"""PyTorch: an nn.Module displays as the same kind of summary table as a Keras model (submodules,
types, output shapes from an example input, parameter counts, trainable / non-trainable / total
and their memory) with repr(module) as text/plain; torch tensors go through the tensor view."""
import base64
import io
import re

from PIL import Image

from display_helpers import execute, ok, result_data


def _params(html):
    return [p.replace(",", "") for p in re.findall(r'class="params">([0-9,]+(?: \(unbuilt\))?)<', html)]


def _total(html, key):
    return int(re.search(rf'class="{key}">([0-9,]+)<', html).group(1).replace(",", ""))


def _cell(html, name):
    return re.search(rf'class="{name}">([^<]*)<', html).group(1)


_NET = ("%%python\nimport torch\nfrom torch import nn\ntorch.manual_seed(0)\n"
        "net = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),\n"
        "                    nn.Sequential(nn.Linear(32, 10), nn.LogSoftmax(dim=1)))\n"
        "net[0].bias.requires_grad_(False)\n")


def test_torch_module_summary_counts_parameters_and_buffers(kc):
    data = result_data(ok(execute(kc, _NET + "net")))
    html = data["text/html"]
    assert "Module: Sequential" in html and "tspy-torch-summary" in html
    rows = re.findall(r"<tr><td[^>]*>(?:&nbsp;)*([\w.]+)</td><td[^>]*>(\w+)</td>", html)
    assert rows == [("0", "Linear"), ("1", "BatchNorm1d"), ("2", "ReLU"), ("3", "Sequential"),
                    ("3.0", "Linear"), ("3.1", "LogSoftmax")]
    # Linear 64*32+32, BatchNorm1d 2*32, ReLU 0, Sequential(Linear 32*10+10, LogSoftmax 0)
    assert _params(html) == ["2080", "64", "0", "330", "330", "0"]
    # trainable: every parameter but the frozen bias (32); non-trainable: that bias and the
    # BatchNorm buffers running_mean, running_var (32 each) and num_batches_tracked (1)
    assert _total(html, "trainable") == 2080 - 32 + 64 + 330
    assert _total(html, "non-trainable") == 32 + 32 + 32 + 1
    assert _total(html, "total") == 2080 + 64 + 330 + 65
    # float32 parameters and buffers, one int64 counter: (2539 - 1) * 4 + 8 = 10160 bytes
    assert "9.92 KB" in html
    assert "?" in re.findall(r"<td[^>]*>([^<]*)</td><td[^>]*class=\"params\"", html)[0]
    assert data["text/plain"].startswith("Sequential(\n  (0): Linear(in_features=64, out_features=32, bias=True)")


def test_torch_summary_with_an_example_input_shows_output_shapes_and_keeps_training_mode(kc):
    code = ("%%python\nimport tspy_display\nbefore = net[1].running_mean.clone()\n"
            "shown = tspy_display.torch_summary(net, torch.randn(5, 64) * 10)\ndisplay(shown)\n"
            "print(net.training, net[1].training, bool(torch.equal(before, net[1].running_mean)))")
    run = ok(execute(kc, code))
    assert run.stdout.split() == ["True", "True", "True"]
    html = run.of("display_data")[0]["content"]["data"]["text/html"]
    shapes = re.findall(r"<td[^>]*>([^<]*)</td><td[^>]*class=\"params\"", html)
    assert shapes == ["(5, 32)", "(5, 32)", "(5, 32)", "(5, 10)", "(5, 10)", "(5, 10)"]
    assert "output (5, 10)" in html
    assert "tspy-note" not in html


def test_module_with_example_input_array_and_a_failing_forward_still_shows_the_table(kc):
    code = ("%%python\nclass Two(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.a = nn.Linear(3, 4)\n        self.b = nn.Linear(4, 2)\n"
            "    def forward(self, x):\n        return self.b(self.a(x)), self.a(x)\n"
            "two = Two()\ntwo.example_input_array = torch.zeros(1, 3)\ndisplay(two)\n"
            "bad = Two()\nbad.example_input_array = torch.zeros(1, 7)\ndisplay(bad)\nnn.LazyLinear(4)")
    run = ok(execute(kc, code))
    good_html, bad_html = (m["content"]["data"]["text/html"] for m in run.of("display_data"))
    assert "output [(1, 2), (1, 4)]" in good_html
    assert re.findall(r"<td[^>]*>([^<]*)</td><td[^>]*class=\"params\"", good_html) == ["(1, 4)", "(1, 2)"]
    assert _params(bad_html) == ["16", "10"] and _total(bad_html, "total") == 26
    assert "example forward pass failed: RuntimeError" in bad_html
    lazy = result_data(run)["text/html"]
    assert _total(lazy, "total") == 0 and "lazy modules are not initialized yet" in lazy


def test_torch_module_from_a_typescript_cell_is_the_same_table(kc):
    data = result_data(ok(execute(kc, 'const tnn = tspy.import("torch.nn");\ntnn.Linear(8, 4)')))
    assert _total(data["text/html"], "total") == 36
    assert data["text/plain"] == "Linear(in_features=8, out_features=4, bias=True)"


def test_torch_tensor_shows_device_dtype_and_statistics(kc):
    code = "%%python\nw = torch.tensor([[1.0, 2.0], [3.0, float('nan')]], requires_grad=True)\nw * 1"
    data = result_data(ok(execute(kc, code)))
    html = data["text/html"]
    assert _cell(html, "device") == "cpu" and _cell(html, "dtype") == "float32"
    assert _cell(html, "mean") == "2" and _cell(html, "max") == "3" and _cell(html, "nan") == "1"
    assert data["text/plain"].startswith("Tensor shape=(2, 2) dtype=float32 device=cpu\nmin=1 max=3 mean=2")
    assert 'class="tspy-values"' in html


def test_torch_image_batch_is_a_grid_and_half_precision_works(kc):
    code = "%%python\nimgs = torch.zeros(10, 1, 28, 28).permute(0, 2, 3, 1).half()\nimgs[:, 4:24, 4:24] = 1\nimgs"
    data = result_data(ok(execute(kc, code)))
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert image.size == (4 * 56 + 3 * 2, 3 * 56 + 2 * 2)
    assert image.getpixel((0, 0)) == 0 and image.getpixel((28, 28)) == 255
    assert _cell(data["text/html"], "dtype") == "float16"
    big = result_data(ok(execute(kc, "%%python\ntorch.ones(3000, 3000, dtype=torch.float64)")))
    assert "statistics over a strided sample of" in big["text/plain"] and "of 9,000,000 elements" in big["text/plain"]
    assert _cell(big["text/html"], "std") == "0"
