"""Issue 13, through jupyter_client as a user writes cells: TensorFlow.js programs run with only the
import line changed (`import * as tf from "tspy/tf"`) — linear regression with tf.train.sgd, a
`layers: [...]` classifier on scikit-learn's digits with validationSplit and an onEpochEnd
callback, the functional API — the Keras model reaches `%%python` cells, and under
`%typecheck strict` tfjs's misspellings are type errors naming the misspelt name."""
import re

from conftest import execute

TF_TIMEOUT = 300  # s: the first cell imports TensorFlow on two shared cores


def ok(run):
    assert run.reply["content"]["status"] == "ok", run.error
    return run


def test_linear_regression_with_tf_train_sgd_runs_as_in_tfjs_issue_13(kc):
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    run = ok(execute(kc, "const model = tf.sequential();\n"
                         "model.add(tf.layers.dense({ units: 1, inputShape: [1] }));\n"
                         "model.compile({ loss: \"meanSquaredError\", optimizer: tf.train.sgd(0.05) });\n"
                         "const xs = tf.tensor2d([-1, 0, 1, 2, 3, 4], [6, 1]);\n"
                         "const ys = tf.tensor2d([-3, -1, 1, 3, 5, 7], [6, 1]);\n"
                         "const history = await model.fit(xs, ys, { epochs: 120, verbose: 0 });\n"
                         "const pred = (model.predict(tf.tensor2d([10], [1, 1])) as tf.Tensor).dataSync()[0];\n"
                         "[history.history.loss.length, history.history.loss.every((l) => typeof l === \"number\"),"
                         " history.history.loss[119] < history.history.loss[0], Math.abs(pred - 19) < 1]",
                     timeout=TF_TIMEOUT))
    assert run.result == "[ 120, true, true, true ]"
    chain = ok(execute(kc, "const a = tf.tensor2d([[1, 2], [3, 4]]);\n"
                           "a.matMul(tf.tensor2d([[1, 0], [0, 1]])).add(tf.scalar(-2)).relu().print();\n"
                           "[a.dtype, Number(a.sum())]"))
    assert chain.stdout == "Tensor\n    [[0., 0.],\n     [1., 2.]]\n"
    assert chain.result == "[ 'float32', 10 ]"


def test_sequential_digits_classifier_with_validation_split_and_on_epoch_end_issue_13(kc):
    ok(execute(kc, "%%python\nfrom sklearn.datasets import load_digits\n"
                   "digits = load_digits()\nX = (digits.data / 16.0).astype('float32')\ny = digits.target"))
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    run = ok(execute(kc, "const xs = tf.tensor(py.X);\n"
                         "const ys = tf.oneHot(tf.tensor(py.y, undefined, \"int32\"), 10).cast(\"float32\");\n"
                         "const clf = tf.sequential({ layers: [\n"
                         "  tf.layers.dense({ units: 32, activation: \"relu\", inputShape: [64] }),\n"
                         "  tf.layers.dense({ units: 10, activation: \"softmax\" }),\n"
                         "] });\n"
                         "clf.compile({ optimizer: \"adam\", loss: \"categoricalCrossentropy\", metrics: [\"accuracy\"] });\n"
                         "class Counter extends tf.Callback { ends = 0; async onEpochEnd() { this.ends++; } }\n"
                         "const counter = new Counter();\n"
                         "const h = await clf.fit(xs, ys, { epochs: 6, batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks: [counter, {\n"
                         "  onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch}: val_acc ${logs?.val_acc.toFixed(3)}`),\n"
                         "}] });\n"
                         "[xs.shape, h.history.val_acc.length, counter.ends, h.history.val_acc[5] > 0.8]",
                     timeout=TF_TIMEOUT))
    lines = run.stdout.strip().split("\n")
    assert [line.split(":")[0] for line in lines] == [f"epoch {i}" for i in range(6)], run.stdout
    assert all(re.match(r"epoch \d: val_acc 0\.\d{3}$", line) for line in lines), run.stdout
    assert run.result == "[ [ 1797, 64 ], 6, 6, true ]"
    ok(execute(kc, "py.model = clf.py;"))
    check = ok(execute(kc, "%%python\nimport keras\nprint(isinstance(model, keras.Sequential), model.count_params())"))
    assert check.stdout == f"True {64 * 32 + 32 + 32 * 10 + 10}\n"


def test_functional_api_with_tf_input_and_apply_issue_13(kc):
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    run = ok(execute(kc, "const input = tf.input({ shape: [4] });\n"
                         "const dense1 = tf.layers.dense({ units: 8, activation: \"relu\" }).apply(input) as tf.SymbolicTensor;\n"
                         "const dense2 = tf.layers.dense({ units: 2, activation: \"softmax\" }).apply(dense1) as tf.SymbolicTensor;\n"
                         "const fmodel = tf.model({ inputs: input, outputs: dense2 });\n"
                         "fmodel.compile({ optimizer: tf.train.adam(0.01), loss: \"sparseCategoricalCrossentropy\", metrics: [\"accuracy\"] });\n"
                         "const fx = tf.randomNormal([40, 4], 0, 1, \"float32\", 3);\n"
                         "const fy = fx.sum(1).greater(0).cast(\"float32\");\n"
                         "const fh = await fmodel.fit(fx, fy, { epochs: 2, batchSize: 10, verbose: 0 });\n"
                         "[dense1.shape, fh.epoch, (fmodel.predict(fx) as tf.Tensor).shape, fmodel.layers.length,"
                         ' require("tspy/tf").model === tf.model]',
                     timeout=TF_TIMEOUT))
    assert run.result == "[ [ null, 8 ], [ 0, 1 ], [ 40, 2 ], 3, true ]"


def test_custom_layer_class_extends_tf_layers_layer_and_trains_issue_13(kc):
    # The import in an earlier cell: its type names (tf.SymbolicShape) reach this one too.
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    run = ok(execute(kc, "class Scale extends tf.layers.Layer {\n"
                         "  static override className = \"Scale\";\n"
                         "  w?: tf.LayerVariable;\n"
                         "  override build(inputShape: tf.SymbolicShape | tf.SymbolicShape[]) {\n"
                         "    const s = inputShape as tf.SymbolicShape;\n"
                         "    this.w = this.addWeight(\"w\", [s[s.length - 1] as number], \"float32\", \"ones\");\n"
                         "  }\n"
                         "  override call(inputs: tf.Tensor | tf.Tensor[]) { return (inputs as tf.Tensor).mul(this.w!.read()); }\n"
                         "}\n"
                         "const scaled = tf.sequential({ layers: [new Scale({ inputShape: [2] }), tf.layers.dense({ units: 1 })] });\n"
                         "scaled.compile({ optimizer: \"sgd\", loss: \"meanSquaredError\" });\n"
                         "const sx = tf.randomNormal([32, 2], 0, 1, \"float32\", 5);\n"
                         "const sh = await scaled.fit(sx, sx.sum(1), { epochs: 3, verbose: 0 });\n"
                         "[sh.history.loss.length, scaled.layers[0].name, scaled.countParams()]",
                     timeout=TF_TIMEOUT))
    assert run.stderr == "", run.stderr  # no type errors in the tfjs-style class
    assert run.result == "[ 3, 'scale', 5 ]"


def test_typecheck_strict_names_tfjs_misspellings_issue_13(kc):
    ok(execute(kc, 'import * as tf from "tspy/tf";\nconst tt = tf.tensor([1, 2]);\nconst tm = tf.sequential();', timeout=TF_TIMEOUT))
    ok(execute(kc, "%typecheck strict"))
    try:
        for code, pattern in [
            ("const bad = tt + 1;", r"Operator '\+' cannot be applied to types 'Tensor(<Rank>)?' and 'number'"),
            ("tf.layers.dense({ unitz: 3 });", r"'unitz' does not exist in type 'DenseLayerArgs'"),
            ("await tm.fit(tt, tt, { epochz: 2 });", r"'epochz' does not exist in type 'ModelFitArgs'"),
        ]:
            err = execute(kc, code).error
            assert err is not None and err["ename"] == "TypeScriptError", (code, err)
            assert re.search(pattern, "\n".join(err["traceback"])), (code, err["traceback"])
        good = execute(kc, "const fine = tt.add(1).relu();\ntf.layers.dense({ units: 3, activation: \"relu\" });\nfine.shape")
        assert good.reply["content"]["status"] == "ok", good.error
        assert good.result == "[ 2 ]"
    finally:
        execute(kc, "%typecheck warn")


def test_tfjs_style_example_notebook_trains_digits_without_errors_issue_13():
    import pathlib

    import nbformat
    from nbclient import NotebookClient

    path = pathlib.Path(__file__).resolve().parents[2] / "examples" / "tfjs-style.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="tspy", timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    streams = "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout")
    stderr = "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr")
    assert "error TS" not in stderr, stderr  # the example type-checks, types from the first cell's import included
    assert "Total params: 4,810" in streams
    assert re.search(r"epoch 5: loss \d\.\d{3}, val_acc \d\.\d{3}", streams), streams
    accuracy = float(re.search(r"accuracy on the last 360 digits: ([0-9.]+)", streams).group(1))
    assert accuracy >= 0.8
    assert "True 4810 parameters" in streams
    assert any("application/vnd.vegalite.v5+json" in o.get("data", {}) for o in outputs), "fit showed the live chart"


def test_fit_dataset_of_a_small_classifier_from_tf_data_cells_issue_13(kc):
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    made = ok(execute(kc, "const points = Array.from({ length: 240 }, (_, i) => {\n"
                          "  const p = [Math.cos(i * 0.7) * (1 + (i % 5)), Math.sin(i * 1.3) * (1 + (i % 3))];\n"
                          "  return { xs: p, ys: p[0] + p[1] > 0 ? 1 : 0 };\n"
                          "});\n"
                          "const pointsDs = tf.data.array(points).shuffle(240, \"points\", false);\n"
                          "const trainDs = pointsDs.take(200).batch(20);\n"
                          "const valDs = pointsDs.skip(200).batch(40);\n"
                          "[pointsDs.size, trainDs.size, await pointsDs.take(1).toArray()]"))
    assert re.fullmatch(r"\[ 240, 10, \[ \{ xs: \[ -?\d.*\], ys: [01] \} \] \]", re.sub(r"\s+", " ", made.result)), made.result
    run = ok(execute(kc, "const pointsModel = tf.sequential({ layers: [\n"
                         "  tf.layers.dense({ units: 8, activation: \"relu\", inputShape: [2] }),\n"
                         "  tf.layers.dense({ units: 1, activation: \"sigmoid\" }),\n"
                         "] });\n"
                         "pointsModel.compile({ optimizer: tf.train.adam(0.05), loss: \"binaryCrossentropy\", metrics: [\"accuracy\"] });\n"
                         "const ph = await pointsModel.fitDataset(trainDs, { epochs: 25, validationData: valDs, verbose: 0, callbacks: {\n"
                         "  onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch}: loss ${logs?.loss.toFixed(3)}`),\n"
                         "} });\n"
                         "[ph.history.loss.length, ph.history.val_acc.length, ph.history.loss[24] < ph.history.loss[0],"
                         " ph.history.acc[24] > 0.85, ph.history.val_acc[24] > 0.8]",
                     timeout=TF_TIMEOUT))
    lines = run.stdout.strip().split("\n")
    assert [line.split(":")[0] for line in lines] == [f"epoch {i}" for i in range(25)], run.stdout
    assert run.result == "[ 25, 25, true, true, true ]", (run.result, run.stdout)
    # The dataset is Python's tf.data.Dataset in %%python cells.
    ok(execute(kc, "py.train_ds = trainDs.py;"))
    check = ok(execute(kc, "%%python\nimport tensorflow as tf\n"
                           "print(isinstance(train_ds, tf.data.Dataset), int(train_ds.cardinality()), sorted(train_ds.element_spec))"))
    assert check.stdout == "True 10 ['xs', 'ys']\n"


def test_custom_model_class_extends_tf_layers_model_trains_with_fit_in_cells_issue_13(kc):
    ok(execute(kc, 'import * as tf from "tspy/tf";', timeout=TF_TIMEOUT))
    run = ok(execute(kc, "class TwoDense extends tf.LayersModel {\n"
                         "  hidden: tf.Layer;\n"
                         "  head: tf.Layer;\n"
                         "  constructor(units: number) {\n"
                         "    super();\n"
                         "    this.hidden = tf.layers.dense({ units, activation: \"relu\" });\n"
                         "    this.head = tf.layers.dense({ units: 1 });\n"
                         "  }\n"
                         "  call(inputs: tf.Tensor | tf.Tensor[]) {\n"
                         "    return this.head.apply(this.hidden.apply(inputs as tf.Tensor) as tf.Tensor) as tf.Tensor;\n"
                         "  }\n"
                         "}\n"
                         "const custom = new TwoDense(6);\n"
                         "custom.compile({ optimizer: tf.train.adam(0.05), loss: \"meanSquaredError\" });\n"
                         "const cx = tf.randomUniform([64, 3], -1, 1, \"float32\", 11);\n"
                         "const cy = cx.sum(1, true).mul(2);\n"
                         "const ch = await custom.fit(cx, cy, { epochs: 40, batchSize: 16, verbose: 0 });\n"
                         "[custom instanceof TwoDense, ch.history.loss.length, ch.history.loss[39] < ch.history.loss[0] / 4,"
                         " (custom.predict(cx) as tf.Tensor).shape, custom.countParams()]",
                     timeout=TF_TIMEOUT))
    assert run.stderr == "", run.stderr  # the tfjs-style class type-checks
    assert run.result == f"[ true, 40, true, [ 64, 1 ], {3 * 6 + 6 + 6 + 1} ]", run.result
    ok(execute(kc, "py.custom = custom;"))
    check = ok(execute(kc, "%%python\nimport keras\n"
                           "print(isinstance(custom, keras.Model), type(custom).__name__, len(custom.trainable_weights))"))
    assert check.stdout == "True TwoDense 4\n"
