// TS subclasses of Python classes (py.subclass): Python sees a real subclass, with the TS
// functions as its methods; a Keras Callback and a Keras Layer implemented in TS train a model.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type PyProxy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("ts_subclass_is_a_real_python_subclass", () => {
  py.exec(
    "class Greeter:\n    def __init__(self, who):\n        self.who = who\n    def name(self):\n        return 'base'\n    def greet(self, punct='!'):\n        return 'hello ' + self.name() + ' from ' + self.who + punct\n",
  );
  const Loud = py.subclass(
    py.Greeter,
    {
      name: (self: PyProxy) => `loud ${self.who.toUpperCase()}`,
      shout: (self: PyProxy, times: number, opts?: { sep: string }) =>
        Array(times)
          .fill(self.greet())
          .join(opts?.sep ?? " "),
    },
    { name: "Loud", attrs: { volume: 11 } },
  );
  py.Loud = Loud;
  assert.equal(py.eval("Loud('ts').greet('?')"), "hello loud TS from ts?", "Python calls the TS override through self.name()");
  assert.equal(py.eval("issubclass(Loud, Greeter) and isinstance(Loud('x'), Greeter)"), true);
  assert.equal(py.eval("Loud.__name__ + ':' + str(Loud.volume)"), "Loud:11");
  assert.equal(py.eval("Loud('a').shout(2, sep='|')"), "hello loud A from a!|hello loud A from a!", "keyword arguments arrive as a trailing object");
  const sig = py.eval("str(__import__('inspect').signature(Loud.shout))");
  assert.match(sig, /\(self, times=.*, opts=.*, \*args, \*\*kwargs\)/, "Python sees the TS parameter names");
  const inst = Loud("js");
  assert.equal(inst.greet(), "hello loud JS from js!");
  py.Init = py.subclass(py.Greeter, {
    __init__: (self: PyProxy, who: string) => {
      py.Greeter.__init__(self, who + "-init");
      self.extra = true;
    },
  });
  assert.equal(py.eval("(lambda o: (o.who, o.extra))(Init('z'))").toJS().join(), "z-init,true");
  assert.throws(() => py.subclass(py.Greeter, { bad: 3 as unknown as () => void }), TypeError);
  assert.throws(() => py.subclass(py.Greeter, {}, { name: "not valid" }), TypeError);
  py.Boom = py.subclass(py.Greeter, {
    name: () => {
      throw new Error("ts method failed");
    },
  });
  assert.throws(() => py.eval("Boom('q').greet()"), /ts method failed/);
  for (const p of [Loud, inst]) p.destroy();
  py.exec("del Greeter, Loud, Init, Boom");
});

test("keras_callback_written_in_ts_sees_every_epoch", () => {
  py.exec("import os\nos.environ.setdefault('KERAS_BACKEND', 'tensorflow')\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')");
  const keras = py.import("keras");
  const np = py.import("numpy");
  const epochs: number[] = [];
  const losses: number[] = [];
  const Counter = py.subclass(
    keras.callbacks.Callback,
    {
      on_epoch_end: (self: PyProxy, epoch: number, logs: PyProxy) => {
        epochs.push(epoch);
        losses.push(logs.get("loss"));
        self.last_epoch = epoch;
        logs.destroy();
      },
    },
    { name: "EpochCounter" },
  );
  const cb = Counter();
  py.exec("import numpy as np\nrng = np.random.default_rng(0)\nX = rng.normal(size=(64, 4)).astype('float32')\ny = (X.sum(axis=1) > 0).astype('float32')");
  const model = keras.Sequential([
    keras.Input(py.tuple(4)),
    keras.layers.Dense(8, py.kwargs({ activation: "relu" })),
    keras.layers.Dense(1, py.kwargs({ activation: "sigmoid" })),
  ]);
  model.compile(py.kwargs({ optimizer: "adam", loss: "binary_crossentropy" }));
  const history = model.fit(py.X, py.y, py.kwargs({ epochs: 3, batch_size: 16, verbose: 0, callbacks: [cb] }));
  assert.deepEqual(epochs, [0, 1, 2], "on_epoch_end ran in TS once per epoch");
  assert.equal(losses.length, 3);
  for (const l of losses) assert.ok(typeof l === "number" && Number.isFinite(l) && l > 0, `loss ${l} is a positive number`);
  assert.equal(cb.last_epoch, 2, "state set on self from TS is a Python attribute");
  assert.equal(py.isinstance(cb, keras.callbacks.Callback), true);
  for (const p of [keras, np, Counter, cb, model, history]) p.destroy();
  py.exec("del rng, X, y\nimport gc; gc.collect()");
});

test("keras_layer_with_ts_call_trains_inside_a_model", () => {
  const keras = py.import("keras");
  const ops = keras.ops;
  let calls = 0;
  const Scale = py.subclass(
    keras.layers.Layer,
    {
      build: (self: PyProxy, inputShape: PyProxy) => {
        const units = inputShape.get(-1);
        self.w = self.add_weight(py.kwargs({ shape: py.tuple(units), initializer: "ones", name: "w" }));
      },
      call: (self: PyProxy, inputs: PyProxy) => {
        calls++;
        return ops.multiply(inputs, self.w);
      },
    },
    { name: "TsScale" },
  );
  const model = keras.Sequential([keras.Input(py.tuple(4)), Scale(), keras.layers.Dense(1)]);
  model.compile(py.kwargs({ optimizer: keras.optimizers.SGD(0.05), loss: "mse" }));
  py.exec(
    "import numpy as np\nrng = np.random.default_rng(1)\nX2 = rng.normal(size=(128, 4)).astype('float32')\ny2 = (X2 @ np.array([1., -2., 3., 0.5], dtype='float32'))[:, None]",
  );
  const before = model.evaluate(py.X2, py.y2, py.kwargs({ verbose: 0 }));
  const history = model.fit(py.X2, py.y2, py.kwargs({ epochs: 5, batch_size: 16, verbose: 0 }));
  const after = model.evaluate(py.X2, py.y2, py.kwargs({ verbose: 0 }));
  assert.ok(calls > 0, "the TS call ran (traced by Keras)");
  assert.ok(after < before * 0.5, `training through the TS layer lowers the loss (${before} -> ${after})`);
  const layer = model.layers.get(0);
  assert.equal(layer.type, "TsScale");
  const w = layer.w.numpy();
  assert.notDeepEqual(w.tolist().toJS(), [1, 1, 1, 1], "the TS layer's weight was trained");
  for (const p of [keras, ops, Scale, model, history, layer, w]) p.destroy();
  py.exec("del rng, X2, y2\nimport gc; gc.collect()");
});

test("keras_model_subclass_with_ts_init_and_call_trains", () => {
  const keras = py.import("keras");
  let calls = 0;
  // R's keras_model_custom: a keras.Model whose __init__ builds layers and whose call is TS.
  const TwoLayer = py.subclass(
    keras.Model,
    {
      __init__: (self: PyProxy) => {
        keras.Model.__init__(self);
        self.hidden = keras.layers.Dense(8, py.kwargs({ activation: "relu" }));
        self.out = keras.layers.Dense(1);
      },
      call: (self: PyProxy, inputs: PyProxy) => {
        calls++;
        return self.out(self.hidden(inputs));
      },
    },
    { name: "TsTwoLayer" },
  );
  const model = TwoLayer();
  model.compile(py.kwargs({ optimizer: keras.optimizers.Adam(0.05), loss: "mse" }));
  py.exec(
    "import numpy as np\nrng = np.random.default_rng(2)\nX3 = rng.normal(size=(256, 3)).astype('float32')\ny3 = (X3 @ np.array([2., -1., 0.5], dtype='float32'))[:, None]",
  );
  const history = model.fit(py.X3, py.y3, py.kwargs({ epochs: 20, batch_size: 32, verbose: 0 }));
  const losses = history.history.get("loss").toJS() as number[];
  assert.ok(calls > 0, "the TS call ran");
  assert.equal(model.type, "TsTwoLayer");
  assert.equal(py.isinstance(model, keras.Model), true);
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `the TS model trains (${losses[0]} -> ${losses[losses.length - 1]})`);
  for (const p of [keras, TwoLayer, model, history]) p.destroy();
  py.exec("del rng, X3, y3\nimport gc; gc.collect()");
});
