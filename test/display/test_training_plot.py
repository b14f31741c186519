"""Live training charts: every keras fit (from Python or TS) shows a Vega-Lite chart with a
display_id after the first epoch and replaces it after each later epoch while fit runs; the last
chart of a fit (also of one stopped early) carries the SVG fallback, the ones before it do not (it
costs more than a short epoch); a History displays as the same chart; the live chart can be
turned off from Python and from TS."""
import datetime
import xml.etree.ElementTree as ET

from display_helpers import displays, execute, ok, result_data

VEGALITE = "application/vnd.vegalite.v5+json"

SETUP = ("%%python\nimport keras, numpy as np, time\nkeras.utils.set_random_seed(0)\n"
         "x = np.random.rand(64, 4).astype('float32')\ny = (x.sum(axis=1) > 2).astype('int32')\n"
         "def make():\n"
         "    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation='relu'), keras.layers.Dense(2, activation='softmax')])\n"
         "    m.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n"
         "    return m\n"
         "class Clock(keras.callbacks.Callback):\n"
         "    def on_train_begin(self, logs=None): self.ends = []\n"
         "    def on_epoch_end(self, epoch, logs=None): self.ends.append(time.time()); time.sleep(0.05)\n")


def _points(spec, metric, split):
    return [p["epoch"] for p in spec["data"]["values"] if p["metric"] == metric and p["split"] == split]


def _time(msg):
    date = msg["header"]["date"]
    if isinstance(date, str):
        date = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
    return date.timestamp()


def test_python_fit_shows_a_chart_updated_after_every_epoch_during_training(kc):
    ok(execute(kc, SETUP))
    run = ok(execute(kc, "%%python\nclock = Clock()\nmodel = make()\nhistory = model.fit(x, y, epochs=4, validation_split=0.25, verbose=0, callbacks=[clock])\nclock.ends"))
    first = run.of("display_data")
    updates = run.of("update_display_data")
    assert len(first) == 1 and len(updates) == 3
    display_id = first[0]["content"]["transient"]["display_id"]
    assert all(u["content"]["transient"]["display_id"] == display_id for u in updates)
    for i, msg in enumerate(first + updates):
        spec = msg["content"]["data"][VEGALITE]
        for metric in ("loss", "accuracy"):
            for split in ("training", "validation"):
                assert _points(spec, metric, split) == list(range(1, i + 2))
    # Each chart was published during fit: after epoch k ended and before epoch k+1 ended.
    ends = [float(t) for t in run.result.strip("[]").split(",")]
    for k, msg in enumerate(first + updates):
        assert ends[k] <= _time(msg) + 0.01
        if k + 1 < len(ends):
            assert _time(msg) < ends[k + 1]
    assert _time(updates[-1]) <= _time(run.reply)
    assert all("image/svg+xml" not in m["content"]["data"] for m in first + updates[:-1]), "SVG only at the end"
    final = updates[-1]["content"]["data"]
    svg = ET.fromstring(final["image/svg+xml"].encode())
    assert svg.tag.endswith("svg")
    assert "val_accuracy" not in final["image/svg+xml"] and ">validation<" in final["image/svg+xml"].replace("\n", "")
    assert final["text/plain"].startswith("Training: 4 epochs; ")
    assert " loss=" in final["text/plain"] and " val_accuracy=" in final["text/plain"]


def test_a_fit_stopped_early_ends_with_the_svg_chart(kc):
    code = ("%%python\nstop = keras.callbacks.EarlyStopping(monitor='loss', min_delta=1e9, patience=0)\n"
            "len(make().fit(x, y, epochs=50, verbose=0, callbacks=[stop]).epoch)")
    run = ok(execute(kc, code))
    epochs = int(run.result)
    charts = displays(run) + displays(run, "update_display_data")
    assert epochs < 50
    assert len(charts) == epochs + 1, "one chart per epoch, then the final one with the SVG"
    assert [("image/svg+xml" in c["data"]) for c in charts] == [False] * epochs + [True]
    assert _points(charts[-1]["data"][VEGALITE], "loss", "training") == list(range(1, epochs + 1))


def test_history_displays_as_the_same_chart(kc):
    data = result_data(ok(execute(kc, "%%python\nhistory")))
    spec = data[VEGALITE]
    assert _points(spec, "loss", "training") == [1, 2, 3, 4]
    assert spec["facet"]["column"]["sort"] == ["loss", "accuracy"]
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert data["text/plain"].startswith("Training history: 4 epochs")


def test_typescript_fit_shows_the_live_chart(kc):
    run = ok(execute(kc, 'const m = py.make();\nm.fit(py.x, py.y, tspy.kwargs({ epochs: 3, verbose: 0 }));\nundefined'))
    assert len(displays(run)) == 1 and len(displays(run, "update_display_data")) == 2
    assert _points(displays(run, "update_display_data")[-1]["data"][VEGALITE], "loss", "training") == [1, 2, 3]


def test_live_plot_can_be_turned_off_from_python_and_from_typescript(kc):
    run = ok(execute(kc, "%%python\nimport tspy_display\ntspy_display.live_plot = False\nmake().fit(x, y, epochs=2, verbose=0)\ntspy_display.live_plot = True"))
    assert displays(run) == [] and displays(run, "update_display_data") == []
    run = ok(execute(kc, "display.livePlot = false;\npy.make().fit(py.x, py.y, tspy.kwargs({ epochs: 2, verbose: 0 }));\ndisplay.livePlot"))
    assert displays(run) == [] and run.result == "false"
    run = ok(execute(kc, "display.livePlot = true;\npy.make().fit(py.x, py.y, tspy.kwargs({ epochs: 2, verbose: 2 }));\ndisplay.livePlot"))
    assert len(displays(run)) == 1 and run.result == "true"
    assert "Epoch 2/2" in run.stdout  # Keras' own progress output still reaches the notebook
