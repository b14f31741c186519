"""Writes examples/digits.ipynb (run with the venv's python when the example changes).
The notebook is the source of truth for users; this script keeps its JSON tidy and reviewable."""
import pathlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell(
        "# Handwritten digits with Keras, from TypeScript\n\n"
        "scikit-learn's digits (1,797 8×8 images that ship with scikit-learn: nothing is downloaded), "
        "scaled in place through a shared TypedArray, a `keras.Sequential` MLP trained from TypeScript, "
        "and values passed between TypeScript and `%%python` cells without copies."
    ),
    new_code_cell(
        "const datasets = tspy.import(\"sklearn.datasets\");\n"
        "const np = tspy.import(\"numpy\");\n"
        "const digits = datasets.load_digits();\n"
        "// A float32 copy of the pixels (values 0..16) that TypeScript and Python will share.\n"
        "const images = np.asarray(digits.data, tspy.kwargs({ dtype: \"float32\" }));\n"
        "const labels = digits.target;\n"
        "console.log(`images ${images.shape}, labels ${labels.shape}, classes ${np.unique(labels).size}`);"
    ),
    new_markdown_cell("Scale the pixels to 0..1 **in place** through the array's TypedArray view: no copy is made, so Python sees the change."),
    new_code_cell(
        "const pixels = tspy.getBuffer(images);\n"
        "let max = 0;\n"
        "for (const v of pixels.data) max = Math.max(max, v);\n"
        "for (let i = 0; i < pixels.data.length; i++) pixels.data[i] /= max;\n"
        "[pixels.dtype, pixels.shape, pixels.data.constructor.name, max]"
    ),
    new_code_cell(
        "%%python\n"
        "# A Python cell reads the TypeScript value `images`: the same numpy array, now scaled.\n"
        "scaled = ts.images\n"
        "print(f\"min {scaled.min():.1f}, max {scaled.max():.1f}, mean {scaled.mean():.3f}\")\n"
        "scaled.dtype"
    ),
    new_markdown_cell(
        "A tensor shows itself as a picture: reshaped to 8×8 images (a view, not a copy), the batch displays "
        "its shape, dtype and statistics and a grid of its first 64 digits."
    ),
    new_code_cell(
        "images.reshape(-1, 8, 8)"
    ),
    new_code_cell(
        "const { train_test_split } = tspy.import(\"sklearn.model_selection\");\n"
        "const [xTrain, xTest, yTrain, yTest] = train_test_split(images, labels,\n"
        "  tspy.kwargs({ test_size: 0.25, shuffle: true, stratify: labels, random_state: 0 }));\n"
        "console.log(`train ${xTrain.shape}, test ${xTest.shape}`);"
    ),
    new_code_cell(
        "const keras = tspy.import(\"keras\");\n"
        "keras.utils.set_random_seed(0);\n"
        "const model = keras.Sequential([\n"
        "  keras.Input(tspy.kwargs({ shape: tspy.tuple(64) })),\n"
        "  keras.layers.Dense(64, tspy.kwargs({ activation: \"relu\" })),\n"
        "  keras.layers.Dense(32, tspy.kwargs({ activation: \"relu\" })),\n"
        "  keras.layers.Dense(10, tspy.kwargs({ activation: \"softmax\" })),\n"
        "]);\n"
        "model.compile(tspy.kwargs({ optimizer: \"adam\", loss: \"sparse_categorical_crossentropy\", metrics: [\"accuracy\"] }));\n"
        "model.summary();"
    ),
    new_markdown_cell("The model itself displays as a summary table: layers, output shapes and parameters."),
    new_code_cell("model"),
    new_markdown_cell(
        "Every `fit` shows a live chart of loss and accuracy per epoch (training and validation), updated in place "
        "while training runs, next to Keras' own log. Turn it off with `display.livePlot = false`."
    ),
    new_code_cell(
        "const history = model.fit(xTrain, yTrain, tspy.kwargs({ epochs: 40, batch_size: 32, validation_split: 0.2, verbose: 2 }));\n"
        "const valAccuracy = tspy.toJS(history.history.get(\"val_accuracy\")) as number[];\n"
        "console.log(`validation accuracy after the last epoch: ${valAccuracy[valAccuracy.length - 1].toFixed(3)}`);"
    ),
    new_code_cell(
        "const [testLoss, testAccuracy] = model.evaluate(xTest, yTest, tspy.kwargs({ verbose: 0 }));\n"
        "console.log(`test accuracy: ${testAccuracy.toFixed(3)} (loss ${testLoss.toFixed(3)})`);\n"
        "testAccuracy"
    ),
    new_code_cell(
        "// Predict the first ten test digits and compare with their labels.\n"
        "const probabilities = model.predict(xTest, tspy.kwargs({ verbose: 0 }));\n"
        "const predicted = tspy.getBuffer(np.argmax(probabilities, tspy.kwargs({ axis: 1 }))).data as BigInt64Array;\n"
        "const actual = tspy.getBuffer(yTest).data as BigInt64Array;\n"
        "const first = Array.from({ length: 10 }, (_, i) => `${predicted[i]}/${actual[i]}`);\n"
        "console.log(`predicted/actual: ${first.join(\" \")}`);"
    ),
    new_code_cell(
        "%%python\n"
        "# Python reads TypeScript's numbers the same way.\n"
        "print(f\"TypeScript measured a test accuracy of {ts.testAccuracy:.3f}\")\n"
        "summary = {\"epochs\": len(ts.valAccuracy), \"best_val_accuracy\": round(max(ts.valAccuracy), 3)}\n"
        "summary"
    ),
    new_code_cell(
        "// And TypeScript reads Python's dict back.\n"
        "tspy.toJS(py.summary)"
    ),
]

nb = new_notebook(cells=cells, metadata={
    "kernelspec": {"name": "tspy", "display_name": "TypeScript + Python", "language": "typescript"},
    "language_info": {"name": "typescript", "file_extension": ".ts", "mimetype": "text/typescript"},
})
out = pathlib.Path(__file__).with_name("digits.ipynb")
nbformat.write(nb, out)
print(f"wrote {out}")
