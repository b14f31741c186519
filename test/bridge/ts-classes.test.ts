// Real TypeScript classes over Python classes (issue 12, item 3): `class X extends <class PyProxy>`
// makes a Python subclass whose methods are the TS methods, with `this` the instance, `super`
// reaching the Python base, TS fields that stay JS values, and instanceof both ways.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

function kerasSetup(): PyProxy {
  tspy.exec("import os\nos.environ.setdefault('KERAS_BACKEND', 'tensorflow')\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')");
  return tspy.import("keras");
}

test("class_extends_keras_callback_keeps_ts_fields_through_model_fit", () => {
  const keras = kerasSetup();
  class LossLog extends keras.callbacks.Callback {
    losses: number[] = [];
    epochs: number[] = [];
    on_epoch_end(epoch: number, logs: PyProxy): void {
      this.epochs.push(epoch);
      this.losses.push(logs.get("loss"));
    }
  }
  const cb = new LossLog();
  tspy.exec("import numpy as np\nrng = np.random.default_rng(0)\nXc = rng.normal(size=(64, 4)).astype('float32')\nyc = (Xc.sum(axis=1) > 0).astype('float32')");
  const model = keras.Sequential([
    keras.Input(tspy.tuple(4)),
    keras.layers.Dense(4, tspy.kwargs({ activation: "relu" })),
    keras.layers.Dense(1, tspy.kwargs({ activation: "sigmoid" })),
  ]);
  model.compile(tspy.kwargs({ optimizer: "adam", loss: "binary_crossentropy" }));
  const history = model.fit(py.Xc, py.yc, tspy.kwargs({ epochs: 3, batch_size: 16, verbose: 0, callbacks: [cb] }));
  assert.ok(Array.isArray(cb.losses), "a TS field stays a JS array");
  assert.equal(cb.losses.length, 3);
  assert.deepEqual(cb.epochs, [0, 1, 2]);
  for (const l of cb.losses) assert.ok(typeof l === "number" && Number.isFinite(l), `loss ${l} is a number`);
  assert.ok(cb instanceof LossLog && cb instanceof keras.callbacks.Callback, "instanceof the TS class and the Python base");
  assert.equal(tspy.isinstance(cb, keras.callbacks.Callback), true, "Python sees an instance of the base");
  assert.equal(cb.model.name, model.name, "Python attributes (set by Keras) read through this");
  for (const p of [keras, model, history, cb]) tspy.destroy(p);
  tspy.exec("del rng, Xc, yc\nimport gc; gc.collect()");
});

test("class_extends_keras_layer_with_super_build_trains", () => {
  const keras = kerasSetup();
  const ops = keras.ops;
  let calls = 0;
  class Scale extends keras.layers.Layer {
    w: PyProxy | undefined;
    build(inputShape: PyProxy): void {
      this.w = this.add_weight(tspy.kwargs({ shape: tspy.tuple(inputShape.__getitem__(-1)), initializer: "ones", name: "w" }));
      super.build(inputShape);
    }
    call(inputs: PyProxy): PyProxy {
      calls++;
      return ops.multiply(inputs, this.w);
    }
  }
  const layer = new Scale();
  const model = keras.Sequential([keras.Input(tspy.tuple(4)), layer, keras.layers.Dense(1)]);
  model.compile(tspy.kwargs({ optimizer: keras.optimizers.SGD(0.05), loss: "mse" }));
  tspy.exec(
    "import numpy as np\nrng = np.random.default_rng(1)\nXl = rng.normal(size=(128, 4)).astype('float32')\nyl = (Xl @ np.array([1., -2., 3., 0.5], dtype='float32'))[:, None]",
  );
  const before = model.evaluate(py.Xl, py.yl, tspy.kwargs({ verbose: 0 }));
  const history = model.fit(py.Xl, py.yl, tspy.kwargs({ epochs: 5, batch_size: 16, verbose: 0 }));
  const after = model.evaluate(py.Xl, py.yl, tspy.kwargs({ verbose: 0 }));
  assert.ok(calls > 0, "Keras called the TS call");
  assert.ok(after < before * 0.5, `training through the TS layer lowers the loss (${before} -> ${after})`);
  assert.equal(layer.built, true, "super.build reached Layer.build");
  const first = model.layers.__getitem__(0);
  assert.equal(first, layer, "Python hands back the same TS instance");
  assert.notDeepEqual(tspy.toJS((layer.w as PyProxy).numpy()), [1, 1, 1, 1], "the TS layer's weight was trained");
  for (const p of [keras, ops, model, history, layer]) tspy.destroy(p);
  tspy.exec("del rng, Xl, yl\nimport gc; gc.collect()");
});

test("class_extends_keras_model_with_super_in_constructor_trains", () => {
  const keras = kerasSetup();
  // R's keras_model_custom: layers made in the constructor, call in TS.
  class TwoLayer extends keras.Model {
    hidden: PyProxy;
    out: PyProxy;
    calls = 0;
    constructor(units: number) {
      super(tspy.kwargs({ name: "two_layer" }));
      this.hidden = keras.layers.Dense(units, tspy.kwargs({ activation: "relu" }));
      this.out = keras.layers.Dense(1);
    }
    call(inputs: PyProxy): PyProxy {
      this.calls++;
      return this.out(this.hidden(inputs));
    }
  }
  const model = new TwoLayer(8);
  assert.equal(model.name, "two_layer", "super(...) passed keyword arguments to Model.__init__");
  model.compile(tspy.kwargs({ optimizer: keras.optimizers.Adam(0.05), loss: "mse" }));
  tspy.exec(
    "import numpy as np\nrng = np.random.default_rng(2)\nXm = rng.normal(size=(256, 3)).astype('float32')\nym = (Xm @ np.array([2., -1., 0.5], dtype='float32'))[:, None]",
  );
  const history = model.fit(py.Xm, py.ym, tspy.kwargs({ epochs: 20, batch_size: 32, verbose: 0 }));
  const losses = tspy.toJS(history.history.__getitem__("loss")) as number[];
  assert.ok(model.calls > 0, "the TS call ran and counted in a TS field");
  assert.equal(tspy.len(model.trainable_weights), 4, "layers set on this are tracked by Keras");
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `the TS model trains (${losses[0]} -> ${losses[losses.length - 1]})`);
  for (const p of [keras, model, history]) tspy.destroy(p);
  tspy.exec("del rng, Xm, ym\nimport gc; gc.collect()");
});

test("class_extends_plain_python_class_overrides_what_python_calls", () => {
  tspy.exec(
    "class Shape:\n    def __init__(self, name):\n        self.name = name\n    def area(self):\n        return 0\n    def describe(self):\n        return '%s of area %s' % (self.name, self.area())\n",
  );
  class Square extends py.Shape {
    side: number;
    constructor(side: number) {
      super("square");
      this.side = side;
    }
    area(): number {
      return this.side * this.side + super.area();
    }
  }
  class Big extends Square {
    area(): number {
      return super.area() * 100;
    }
  }
  const sq = new Square(3);
  assert.equal(sq.describe(), "square of area 9", "Python's describe calls the TS area with this = sq");
  py.sq = sq;
  assert.equal(tspy.eval("sq.describe()"), "square of area 9");
  assert.equal(tspy.eval("isinstance(sq, Shape) and sq.side == 3"), true, "Python sees the instance and its TS fields");
  tspy.exec("sq.side = 4");
  assert.equal(sq.side, 4, "a TS field set from Python stays the TS field");
  assert.equal(tspy.eval("sq") === sq, true, "the same TS instance comes back from Python");
  assert.ok(sq instanceof Square && sq instanceof py.Shape && !(sq instanceof Big));
  const big = new Big(2);
  assert.equal(big.describe(), "square of area 400", "super through two TS classes");
  py.Square = Square;
  assert.equal(tspy.eval("issubclass(Square, Shape) and Square.__name__"), "Square", "a TS class reaches Python as its Python class");
  const made = tspy.eval("Square(5)");
  assert.ok(made instanceof Square, "Python instantiating the class runs the TS constructor");
  assert.equal(made.area(), 25);
  const od = tspy.import("collections").OrderedDict;
  class Counting extends od {
    sets = 0;
    __setitem__(key: unknown, value: unknown): void {
      this.sets++;
      super.__setitem__(key, value);
    }
  }
  const c = new Counting();
  py.c = c;
  tspy.exec("c['a'] = 1\nc['b'] = 2");
  assert.equal(c.sets, 2, "Python's c[k] = v called the TS __setitem__");
  assert.deepEqual(tspy.toJS(tspy.eval("list(c.items())")), [
    ["a", 1],
    ["b", 2],
  ]);
  for (const p of [sq, big, made, c, od]) tspy.destroy(p);
  tspy.exec("del Shape, sq, Square, c\nimport gc; gc.collect()");
});

test("subclass_accepts_a_class_prototype_and_binds_this", () => {
  tspy.exec("class Base:\n    def hello(self):\n        return 'base ' + self.who()\n");
  class Methods {
    who(this: PyProxy): string {
      return `ts ${this.tag}`;
    }
  }
  const Made = tspy.subclass(py.Base, Methods.prototype, { name: "Made" });
  const m = Made();
  m.tag = "x";
  assert.equal(m.hello(), "base ts x", "the prototype's methods are the Python methods, with this bound");
  assert.throws(() => tspy.subclass(py.Base, { who: 1 as unknown as () => string }), TypeError);
  const f = tspy.eval("lambda: 1");
  assert.throws(() => tspy.subclass(f, {}), /must be a Python class/);
  for (const p of [Made, m, f]) tspy.destroy(p);
  tspy.exec("del Base");
});
