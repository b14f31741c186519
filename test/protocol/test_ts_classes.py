"""Issue 12, item 3, through jupyter_client as a user writes cells: a TypeScript class extending a
Python class (a Keras Callback driving a real model.fit, a plain Python class) is a real Python
subclass, its TS fields stay TS values and instanceof works both ways."""
from conftest import execute


def test_class_extends_keras_callback_collects_losses_in_a_ts_array_issue_12(kc):
    setup = execute(kc, "%%python\nimport os\nos.environ.setdefault('KERAS_BACKEND', 'tensorflow')\n"
                        "import numpy as np\nrng = np.random.default_rng(0)\n"
                        "Xk = rng.normal(size=(32, 3)).astype('float32')\nyk = Xk.sum(axis=1, keepdims=True)")
    assert setup.reply["content"]["status"] == "ok", setup.error
    run = execute(kc, 'const keras = tspy.import("keras");\n'
                      "class CB extends keras.callbacks.Callback {\n"
                      "  losses: number[] = [];\n"
                      "  on_epoch_end(epoch: number, logs: any) { this.losses.push(logs.get(\"loss\")); }\n"
                      "}\n"
                      "const cb = new CB();\n"
                      "const model = keras.Sequential([keras.Input(tspy.tuple(3)), keras.layers.Dense(1)]);\n"
                      'model.compile(tspy.kwargs({ optimizer: "sgd", loss: "mse" }));\n'
                      "model.fit(py.Xk, py.yk, tspy.kwargs({ epochs: 3, verbose: 0, callbacks: [cb] }));\n"
                      "[cb.losses.length, cb.losses.every((l) => typeof l === \"number\"), cb instanceof CB,"
                      " cb instanceof keras.callbacks.Callback, tspy.isinstance(cb, keras.callbacks.Callback)]",
                  timeout=240)
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "[ 3, true, true, true, true ]"


def test_class_extends_python_class_overrides_a_method_python_calls_issue_12(kc):
    execute(kc, "%%python\nclass Shape:\n    def __init__(self, name):\n        self.name = name\n"
                "    def area(self):\n        return 0\n"
                "    def describe(self):\n        return '%s: %s' % (self.name, self.area())")
    run = execute(kc, "class Square extends py.Shape {\n"
                      "  constructor(public side: number) { super(\"square\"); }\n"
                      "  area() { return this.side ** 2 + super.area(); }\n"
                      "}\n"
                      "py.sq = new Square(3);")
    assert run.reply["content"]["status"] == "ok", run.error
    check = execute(kc, "%%python\nprint(sq.describe(), isinstance(sq, Shape), type(sq).__name__)")
    assert check.reply["content"]["status"] == "ok", check.error
    assert check.stdout.strip() == "square: 9 True Square"
