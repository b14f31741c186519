"""Writes examples/tfjs-style.ipynb (run with the venv's python when the example changes): the
digits classifier of digits.ipynb written against `tspy/tf`, TensorFlow.js's API over Keras.
The notebook is the source of truth for users; this script keeps its JSON tidy and reviewable."""
import pathlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell(
        "# Digits with TensorFlow.js's API, on Keras\n\n"
        "`import * as tf from \"tspy/tf\"` gives TypeScript [TensorFlow.js](https://js.tensorflow.org/api/latest/)'s "
        "API — `tf.sequential`, `tf.layers.dense({units, activation})`, `await model.fit(xs, ys, {epochs, callbacks})` — "
        "run by the real Python Keras and TensorFlow. The data is scikit-learn's digits (1,797 8×8 images that ship "
        "with scikit-learn: nothing is downloaded)."
    ),
    new_code_cell(
        "import * as tf from \"tspy/tf\";\n"
        "const digits = tspy.import(\"sklearn.datasets\").load_digits();\n"
        "// Pixels 0..16 scaled to 0..1; tf.tensor of a numpy array keeps its layout (float64 becomes float32, as in tfjs).\n"
        "const xs = tf.tensor(digits.data).div(16);\n"
        "const labels = tf.tensor(digits.target, undefined, \"int32\");\n"
        "const ys = tf.oneHot(labels, 10).cast(\"float32\");\n"
        "[xs.shape, xs.dtype, ys.shape]"
    ),
    new_markdown_cell("Tensors chain as in tfjs; `print()` shows the values."),
    new_code_cell(
        "xs.slice([0, 0], [1, 64]).reshape([8, 8]).mul(16).cast(\"int32\").print();\n"
        "console.log(`mean pixel ${xs.mean().dataSync()[0].toFixed(3)}, first label ${labels.dataSync()[0]}`);"
    ),
    new_markdown_cell(
        "A `layers: [...]` sequential model; the first layer's `inputShape` gives the model its input, as in tfjs."
    ),
    new_code_cell(
        "tf.keras.utils.set_random_seed(0);\n"
        "const model = tf.sequential({\n"
        "  layers: [\n"
        "    tf.layers.dense({ units: 64, activation: \"relu\", inputShape: [64] }),\n"
        "    tf.layers.dropout({ rate: 0.1 }),\n"
        "    tf.layers.dense({ units: 10, activation: \"softmax\" }),\n"
        "  ],\n"
        "});\n"
        "model.compile({ optimizer: tf.train.adam(0.005), loss: \"categoricalCrossentropy\", metrics: [\"accuracy\"] });\n"
        "model.summary();"
    ),
    new_markdown_cell(
        "A custom callback, tfjs-style: `onEpochEnd(epoch, logs)` gets the epoch's metrics as plain numbers. "
        "`fit` also shows the kernel's live chart of loss and accuracy."
    ),
    new_code_cell(
        "class Progress extends tf.Callback {\n"
        "  best = 0;\n"
        "  override async onEpochEnd(epoch: number, logs?: tf.Logs) {\n"
        "    this.best = Math.max(this.best, logs!.val_acc);\n"
        "    if (epoch % 5 === 4) console.log(`epoch ${epoch + 1}: loss ${logs!.loss.toFixed(3)}, val_acc ${logs!.val_acc.toFixed(3)}`);\n"
        "  }\n"
        "}\n"
        "const progress = new Progress();\n"
        "const history = await model.fit(xs, ys, {\n"
        "  epochs: 20,\n"
        "  batchSize: 32,\n"
        "  validationSplit: 0.2,\n"
        "  shuffle: true,\n"
        "  verbose: 0,\n"
        "  callbacks: [progress, tf.callbacks.earlyStopping({ monitor: \"val_acc\", patience: 5 })],\n"
        "});\n"
        "console.log(`best validation accuracy: ${progress.best.toFixed(3)} after ${history.epoch.length} epochs`);"
    ),
    new_markdown_cell("Predictions are Tensors: `argMax(1)` gives the predicted digit of each image."),
    new_code_cell(
        "const held = xs.slice([1437, 0], [360, 64]);\n"
        "const predicted = (model.predict(held) as tf.Tensor).argMax(1);\n"
        "const truth = labels.slice([1437], [360]);\n"
        "const accuracy = predicted.equal(truth).cast(\"float32\").mean().dataSync()[0];\n"
        "console.log(`accuracy on the last 360 digits: ${accuracy.toFixed(3)}`);\n"
        "console.log(`first ten predicted ${Array.from(predicted.dataSync().slice(0, 10))}`);\n"
        "console.log(`first ten actual    ${Array.from(truth.dataSync().slice(0, 10))}`);"
    ),
    new_markdown_cell("`model.py` is the Keras model itself: hand it to Python."),
    new_code_cell("py.model = model.py;\npy.history = history.history;"),
    new_code_cell(
        "%%python\n"
        "import keras\n"
        "print(isinstance(model, keras.Sequential), model.count_params(), 'parameters')\n"
        "print('epochs trained:', len(history['loss']))"
    ),
]

nb = new_notebook(
    cells=cells,
    metadata={
        "kernelspec": {"display_name": "TypeScript + Python", "language": "typescript", "name": "tspy"},
        "language_info": {"file_extension": ".ts", "mimetype": "text/typescript", "name": "typescript"},
    },
)
path = pathlib.Path(__file__).resolve().parent / "tfjs-style.ipynb"
nbformat.write(nb, path)
print(f"wrote {path}")
