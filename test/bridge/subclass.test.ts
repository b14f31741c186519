// TS subclasses of Python classes (tspy.subclass): Python sees a real subclass, with the TS
// functions as its methods; a Keras Callback and a Keras Layer implemented in TS train a model.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("ts_subclass_is_a_real_python_subclass", () => {
  tspy.exec(
    "class Greeter:\n    def __init__(self, who):\n        self.who = who\n    def name(self):\n        return 'base'\n    def greet(self, punct='!'):\n        return 'hello ' + self.name() + ' from ' + self.who + punct\n",
  );
  const Loud = tspy.subclass(
    py.Greeter,
    {
      name(this: PyProxy) {
        return `loud ${this.who.toUpperCase()}`;
      },
      shout(this: PyProxy, times: number, opts?: { sep: string }) {
        return Array(times)
          .fill(this.greet())
          .join(opts?.sep ?? " ");
      },
    },
    { name: "Loud", attrs: { volume: 11 } },
  );
  py.Loud = Loud;
  assert.equal(tspy.eval("Loud('ts').greet('?')"), "hello loud TS from ts?", "Python calls the TS override through self.name()");
  assert.equal(tspy.eval("issubclass(Loud, Greeter) and isinstance(Loud('x'), Greeter)"), true);
  assert.equal(tspy.eval("Loud.__name__ + ':' + str(Loud.volume)"), "Loud:11");
  assert.equal(tspy.eval("Loud('a').shout(2, sep='|')"), "hello loud A from a!|hello loud A from a!", "keyword arguments arrive as a trailing object");
  const sig = tspy.eval("str(__import__('inspect').signature(Loud.shout))");
  assert.match(sig, /\(self, times=.*, opts=.*, \*args, \*\*kwargs\)/, "Python sees the TS parameter names");
  const inst = Loud("js");
  assert.equal(inst.greet(), "hello loud JS from js!");
  py.Init = tspy.subclass(py.Greeter, {
    __init__(this: PyProxy, who: string) {
      py.Greeter.__init__(this, who + "-init");
      this.extra = true;
    },
  });
  assert.equal(tspy.toJS(tspy.eval("(lambda o: (o.who, o.extra))(Init('z'))")).join(), "z-init,true");
  assert.throws(() => tspy.subclass(py.Greeter, { bad: 3 as unknown as () => void }), TypeError);
  assert.throws(() => tspy.subclass(py.Greeter, {}, { name: "not valid" }), TypeError);
  py.Boom = tspy.subclass(py.Greeter, {
    name: () => {
      throw new Error("ts method failed");
    },
  });
  assert.throws(() => tspy.eval("Boom('q').greet()"), /ts method failed/);
  for (const p of [Loud, inst]) tspy.destroy(p);
  tspy.exec("del Greeter, Loud, Init, Boom");
});

test("keras_callback_written_in_ts_sees_every_epoch", () => {
  tspy.exec("import os\nos.environ.setdefault('KERAS_BACKEND', 'tensorflow')\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')");
  const keras = tspy.import("keras");
  const np = tspy.import("numpy");
  const epochs: number[] = [];
  const losses: number[] = [];
  const Counter = tspy.subclass(
    keras.callbacks.Callback,
    {
      on_epoch_end(this: PyProxy, epoch: number, logs: PyProxy) {
        epochs.push(epoch);
        losses.push(tspy.getItem(logs, "loss"));
        this.last_epoch = epoch;
        tspy.destroy(logs);
      },
    },
    { name: "EpochCounter" },
  );
  const cb = Counter();
  tspy.exec("import numpy as np\nrng = np.random.default_rng(0)\nX = rng.normal(size=(64, 4)).astype('float32')\ny = (X.sum(axis=1) > 0).astype('float32')");
  const model = keras.Sequential([
    keras.Input(tspy.tuple(4)),
    keras.layers.Dense(8, tspy.kwargs({ activation: "relu" })),
    keras.layers.Dense(1, tspy.kwargs({ activation: "sigmoid" })),
  ]);
  model.compile(tspy.kwargs({ optimizer: "adam", loss: "binary_crossentropy" }));
  const history = model.fit(py.X, py.y, tspy.kwargs({ epochs: 3, batch_size: 16, verbose: 0, callbacks: [cb] }));
  assert.deepEqual(epochs, [0, 1, 2], "on_epoch_end ran in TS once per epoch");
  assert.equal(losses.length, 3);
  for (const l of losses) assert.ok(typeof l === "number" && Number.isFinite(l) && l > 0, `loss ${l} is a positive number`);
  assert.equal(cb.last_epoch, 2, "state set on self from TS is a Python attribute");
  assert.equal(tspy.isinstance(cb, keras.callbacks.Callback), true);
  for (const p of [keras, np, Counter, cb, model, history]) tspy.destroy(p);
  tspy.exec("del rng, X, y\nimport gc; gc.collect()");
});

test("keras_layer_with_ts_call_trains_inside_a_model", () => {
  const keras = tspy.import("keras");
  const ops = keras.ops;
  let calls = 0;
  const Scale = tspy.subclass(
    keras.layers.Layer,
    {
      build(this: PyProxy, inputShape: PyProxy) {
        const units = tspy.getItem(inputShape, -1);
        this.w = this.add_weight(tspy.kwargs({ shape: tspy.tuple(units), initializer: "ones", name: "w" }));
      },
      call(this: PyProxy, inputs: PyProxy) {
        calls++;
        return ops.multiply(inputs, this.w);
      },
    },
    { name: "TsScale" },
  );
  const model = keras.Sequential([keras.Input(tspy.tuple(4)), Scale(), keras.layers.Dense(1)]);
  model.compile(tspy.kwargs({ optimizer: keras.optimizers.SGD(0.05), loss: "mse" }));
  tspy.exec(
    "import numpy as np\nrng = np.random.default_rng(1)\nX2 = rng.normal(size=(128, 4)).astype('float32')\ny2 = (X2 @ np.array([1., -2., 3., 0.5], dtype='float32'))[:, None]",
  );
  const before = model.evaluate(py.X2, py.y2, tspy.kwargs({ verbose: 0 }));
  const history = model.fit(py.X2, py.y2, tspy.kwargs({ epochs: 5, batch_size: 16, verbose: 0 }));
  const after = model.evaluate(py.X2, py.y2, tspy.kwargs({ verbose: 0 }));
  assert.ok(calls > 0, "the TS call ran (traced by Keras)");
  assert.ok(after < before * 0.5, `training through the TS layer lowers the loss (${before} -> ${after})`);
  const layer = tspy.getItem(model.layers, 0);
  assert.equal(tspy.type(layer).__name__, "TsScale");
  const w = layer.w.numpy();
  assert.notDeepEqual(tspy.toJS(w.tolist()), [1, 1, 1, 1], "the TS layer's weight was trained");
  for (const p of [keras, ops, Scale, model, history, layer, w]) tspy.destroy(p);
  tspy.exec("del rng, X2, y2\nimport gc; gc.collect()");
});

test("keras_model_subclass_with_ts_init_and_call_trains", () => {
  const keras = tspy.import("keras");
  let calls = 0;
  // R's keras_model_custom: a keras.Model whose __init__ builds layers and whose call is TS.
  const TwoLayer = tspy.subclass(
    keras.Model,
    {
      __init__(this: PyProxy) {
        keras.Model.__init__(this);
        this.hidden = keras.layers.Dense(8, tspy.kwargs({ activation: "relu" }));
        this.out = keras.layers.Dense(1);
      },
      call(this: PyProxy, inputs: PyProxy) {
        calls++;
        return this.out(this.hidden(inputs));
      },
    },
    { name: "TsTwoLayer" },
  );
  const model = TwoLayer();
  model.compile(tspy.kwargs({ optimizer: keras.optimizers.Adam(0.05), loss: "mse" }));
  tspy.exec(
    "import numpy as np\nrng = np.random.default_rng(2)\nX3 = rng.normal(size=(256, 3)).astype('float32')\ny3 = (X3 @ np.array([2., -1., 0.5], dtype='float32'))[:, None]",
  );
  const history = model.fit(py.X3, py.y3, tspy.kwargs({ epochs: 20, batch_size: 32, verbose: 0 }));
  const losses = tspy.toJS(tspy.getItem(history.history, "loss")) as number[];
  assert.ok(calls > 0, "the TS call ran");
  assert.equal(tspy.type(model).__name__, "TsTwoLayer");
  assert.equal(tspy.isinstance(model, keras.Model), true);
  assert.ok(losses[losses.length - 1] < losses[0] * 0.5, `the TS model trains (${losses[0]} -> ${losses[losses.length - 1]})`);
  for (const p of [keras, TwoLayer, model, history]) tspy.destroy(p);
  tspy.exec("del rng, X3, y3\nimport gc; gc.collect()");
});
