// Issue 13, `tspy/tf` beyond the basics, written as a tfjs user writes it: custom models (`class M
// extends tf.LayersModel`, R's keras_model_custom) trained by a real fit, constraints,
// tf.serialization.registerClass with save/load of a custom layer, precision/recall and weighted
// losses. (tf.data and fitDataset: tf-data.test.ts.)
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { tspy } from "../../bridge/lib/index.js";
import * as tf from "../../bridge/tf/index.js";
import { settle, useBridge } from "./helpers.js";

useBridge();

/**
 * Runs a test body, then lets both collectors finish with what it made: a custom class's objects
 * (TS instance -> Python model -> TS fields -> layer wrappers -> Python layers, the Python class ->
 * its TS methods) are freed one hop per round, more rounds than useBridge's leak check settles.
 */
function drained(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    await body();
    for (let i = 0; i < 3; i++) await settle();
  };
}
// Made once per process, before the leak checks start: TensorFlow's import, the module's cached
// Python functions, and the bridge's one base prototype per Python base class (keras.Model,
// keras.callbacks.Callback) that a TS class extends; a registered class lives as long (Keras's registry).
before(
  async () => {
    await tf.ready();
    tf.tidy(() => tf.tensor([1]).neg().abs().square().sqrt().exp().log().relu().sigmoid().tanh());
    class Warm extends tf.LayersModel {
      dense = tf.layers.dense({ units: 1 });
      call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return this.dense.apply(inputs as tf.Tensor) as tf.Tensor;
      }
    }
    const warm = new Warm();
    warm.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    await warm.fit(tf.ones([2, 1]), tf.ones([2, 1]), { verbose: 0, callbacks: { onEpochEnd: async () => {} } });
    warm.apply(tf.ones([1, 1]));
    await assert.rejects(warm.fit(tf.ones([2, 5]), tf.ones([2, 1]), { verbose: 0 }));
    assert.equal(tf.serialization.registerClass(TimesAlpha), TimesAlpha);
    for (let i = 0; i < 3; i++) await settle();
  },
  { timeout: 600_000 },
);

/** A custom layer with a constructor option, saved and rebuilt by name (registered for the process, as in tfjs). */
class TimesAlpha extends tf.layers.Layer {
  static override className = "TimesAlphaSaved";
  readonly alpha: number;
  constructor(config: tf.LayerArgs & { alpha: number }) {
    super(config);
    this.alpha = config.alpha;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return (inputs as tf.Tensor).mul(this.alpha);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

/** Three separable classes in 4 features: the class is the index of the largest of the first three. */
function blobs(n: number, seed = 7): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomNormal([n, 4], 0, 1, "float32", seed);
  const y = tf.oneHot(x.slice([0, 0], [n, 3]).argMax(1), 3).cast("float32");
  return { x, y };
}

test(
  "custom_model_extending_layers_model_trains_predicts_evaluates_and_summarizes",
  drained(async () => {
    class TwoLayerNet extends tf.LayersModel {
      static className = "TwoLayerNet";
      dense1: tf.Layer;
      dense2: tf.Layer;
      trainingFlags: (boolean | undefined)[] = [];
      constructor() {
        super();
        this.dense1 = tf.layers.dense({ units: 16, activation: "relu" });
        this.dense2 = tf.layers.dense({ units: 3, activation: "softmax" });
      }
      call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
        this.trainingFlags.push(kwargs.training);
        return this.dense2.apply(this.dense1.apply(inputs as tf.Tensor) as tf.Tensor) as tf.Tensor;
      }
      hiddenUnits(): number {
        return (this.dense1.getConfig() as { units: number }).units;
      }
    }
    const m = new TwoLayerNet();
    assert.ok(m instanceof TwoLayerNet && m instanceof tf.LayersModel, "instanceof the TS class and tf.LayersModel");
    assert.ok(tspy.isinstance(m, tf.keras.Model), "Python sees a keras.Model");
    assert.equal(String(tspy.type(m).__name__), "TwoLayerNet", "the Python class is named after static className");
    assert.equal(m.hiddenUnits(), 16, "the user's own methods work");
    const { x, y } = blobs(240);
    m.compile({ optimizer: tf.train.adam(0.02), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const h = await m.fit(x, y, { epochs: 12, batchSize: 32, verbose: 0 });
    assert.equal(h.history.loss.length, 12);
    assert.ok(h.history.loss[11] < h.history.loss[0] / 2, `loss fell: ${h.history.loss}`);
    assert.ok(h.history.acc[11] > 0.85, `accuracy ${h.history.acc[11]}`);
    assert.ok(m.trainingFlags.includes(true), "fit traced call with kwargs.training true");
    const pred = m.predict(x) as tf.Tensor;
    assert.deepEqual(pred.shape, [240, 3]);
    assert.ok(m.trainingFlags.includes(false), "predict traced call with kwargs.training false");
    const [loss, acc] = m.evaluate(x, y) as tf.Tensor[];
    assert.ok(Number(loss) < h.history.loss[0] && Number(acc) > 0.85);
    assert.equal(m.countParams(), 4 * 16 + 16 + 16 * 3 + 3);
    assert.deepEqual(
      m.getWeights().map((w) => w.shape),
      [[4, 16], [16], [16, 3], [3]],
    );
    const lines: string[] = [];
    m.summary(undefined, undefined, (line) => lines.push(line));
    const text = lines.join("\n");
    assert.match(text, /two_layer_net/);
    assert.match(text, /Trainable params: 131 /);
    // The layer as a functional piece: apply on concrete Tensors runs call from TS.
    assert.deepEqual((m.apply(x.slice([0, 0], [2, 4])) as tf.Tensor).shape, [2, 3]);
    tspy.exec("import keras as _k\ndef _is_model(m): return isinstance(m, _k.Model) and len(m.trainable_weights)");
    assert.equal(tspy.eval("_is_model")(m), 4, "Python gets the Keras model itself, with the TS fields' layers tracked");
    tspy.exec("del _k, _is_model");
  }),
);

test(
  "custom_model_tracks_custom_layers_and_layer_arrays_in_fields",
  drained(async () => {
    class Scale extends tf.layers.Layer {
      w?: tf.LayerVariable;
      override build(inputShape: tf.SymbolicShape | tf.SymbolicShape[]): void {
        const s = inputShape as tf.SymbolicShape;
        this.w = this.addWeight("w", [s[s.length - 1] as number], "float32", "ones");
      }
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return (inputs as tf.Tensor).mul(this.w!.read());
      }
    }
    class Stack extends tf.LayersModel {
      scale = new Scale();
      hidden = [tf.layers.dense({ units: 8, activation: "tanh" }), tf.layers.dense({ units: 8, activation: "tanh" })];
      out = tf.layers.dense({ units: 1 });
      call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        let h = this.scale.apply(inputs as tf.Tensor) as tf.Tensor;
        for (const layer of this.hidden) h = layer.apply(h) as tf.Tensor;
        return this.out.apply(h) as tf.Tensor;
      }
    }
    const m = new Stack({ name: "stacked" });
    assert.equal(m.name, "stacked");
    const x = tf.randomNormal([128, 3], 0, 1, "float32", 3);
    const y = x.sum(1, true).tanh();
    m.compile({ optimizer: "adam", loss: "meanSquaredError" });
    const before = Number(m.evaluate(x, y));
    await m.fit(x, y, { epochs: 20, batchSize: 16, verbose: 0 });
    assert.ok(Number(m.evaluate(x, y)) < before / 2, "all the layers trained");
    assert.equal(m.countParams(), 3 + (3 * 8 + 8) + (8 * 8 + 8) + (8 + 1), "custom layer, array and single layer counted");
    assert.equal(m.layers.length, 4);
    assert.ok(m.layers.includes(m.out), "model.layers hands back the field's wrapper");
  }),
);

test(
  "an_error_thrown_in_custom_model_call_stops_fit_naming_the_class",
  drained(async () => {
    class Broken extends tf.LayersModel {
      dense = tf.layers.dense({ units: 1 });
      call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        const t = this.dense.apply(inputs as tf.Tensor) as tf.Tensor;
        if (t.shape[1] === 1) throw new RangeError("no ones allowed");
        return t;
      }
    }
    const m = new Broken();
    m.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    let epochs = 0;
    await assert.rejects(
      m.fit(tf.ones([8, 2]), tf.ones([8, 1]), { epochs: 3, verbose: 0, callbacks: { onEpochEnd: async () => void epochs++ } }),
      /Broken\.call\(\) failed: no ones allowed/,
    );
    assert.equal(epochs, 0, "fit stopped before an epoch ended");
    assert.throws(() => new tf.LayersModel(), /needs a Keras model/);
  }),
);

test("constraints_from_factories_and_string_ids_bound_the_trained_weights", async () => {
  const maxed = tf.layers.dense({ units: 4, inputShape: [6], kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.5, axis: 0 }), biasConstraint: "nonNeg" });
  const unit = tf.layers.dense({ units: 2, kernelConstraint: "unitNorm" });
  const model = tf.sequential({ layers: [maxed, unit] });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: "meanSquaredError" });
  const x = tf.randomNormal([64, 6], 0, 3, "float32", 11);
  await model.fit(x, tf.randomNormal([64, 2], -5, 1, "float32", 12), { epochs: 3, verbose: 0 });
  const [kernel, bias] = maxed.getWeights();
  const colNorms = kernel.square().sum(0).sqrt().arraySync() as number[];
  assert.ok(
    colNorms.every((n) => n <= 0.5 + 1e-5),
    `maxNorm kept each unit's norm <= 0.5: ${colNorms}`,
  );
  assert.ok(
    (bias.arraySync() as number[]).every((b) => b >= 0),
    "nonNeg by its tfjs string id",
  );
  const unitNorms = unit.getWeights()[0].square().sum(0).sqrt().arraySync() as number[];
  unitNorms.forEach((n) => assert.ok(Math.abs(n - 1) < 1e-4, `unitNorm: ${unitNorms}`));
  const w = tf.tensor2d([
    [3, 0],
    [4, 0.1],
  ]);
  assert.deepEqual(
    tf.constraints
      .nonNeg()
      .apply(tf.tensor([-1, 2]))
      .arraySync(),
    [0, 2],
  );
  const mm = tf.constraints.minMaxNorm({ minValue: 1, maxValue: 2 }).apply(w).square().sum(0).sqrt().arraySync() as number[];
  assert.ok(Math.abs(mm[0] - 2) < 1e-4 && Math.abs(mm[1] - 1) < 1e-4, `minMaxNorm clips column norms into [1, 2]: ${mm}`);
  assert.throws(() => tf.constraints.maxNorm({ axis: 0.5 }), /option 'axis' must be an integer/);
});

test(
  "register_class_lets_load_layers_model_rebuild_a_saved_custom_layer",
  drained(async () => {
    const input = tf.input({ shape: [2] });
    const scaled = new TimesAlpha({ alpha: 3 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(scaled) as tf.SymbolicTensor });
    const x = tf.tensor2d([
      [1, 2],
      [3, -1],
    ]);
    const expected = (model.predict(x) as tf.Tensor).arraySync();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-tf-custom-"));
    try {
      await model.save(`file://${dir}`);
      const loaded = await tf.loadLayersModel(`file://${dir}`);
      const layer = loaded.layers[1] as unknown as TimesAlpha;
      assert.equal(layer.alpha, 3, "Keras called the TS constructor with getConfig's object");
      assert.equal(String(tspy.type(layer).__name__), "TimesAlphaSaved");
      assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), expected, "weights and the custom layer round-tripped");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => tf.serialization.registerClass(class extends tf.LayersModel {} as never), /custom layers only/);
  }),
);

test("precision_recall_and_weighted_losses_follow_tfjs_and_metric_strings_compile", async () => {
  const yTrue = tf.tensor1d([1, 1, 1, 0, 0, 0]);
  const yPred = tf.tensor1d([1, 1, 0, 1, 0, 0]);
  assert.ok(Math.abs(Number(tf.metrics.precision(yTrue, yPred)) - 2 / 3) < 1e-6, "2 true of 3 predicted positives");
  assert.ok(Math.abs(Number(tf.metrics.recall(yTrue, yPred)) - 2 / 3) < 1e-6, "2 found of 3 actual positives");
  assert.equal(Number(tf.metrics.precision(yTrue, tf.zeros([6]))), 0, "no predicted positives: 0, not NaN");
  const labels = tf.tensor2d([
    [0, 0],
    [1, 1],
  ]);
  const preds = tf.tensor2d([
    [1, 2],
    [1, 1],
  ]);
  // Squared errors [[1, 4], [0, 0]]: unweighted mean 1.25; per-example weights [2, 0]: (2 + 8) / 2 non-zero = 5.
  assert.equal(Number(tf.losses.meanSquaredError(labels, preds)), 1.25);
  assert.equal(Number(tf.losses.meanSquaredError(labels, preds, tf.tensor2d([[2], [0]]))), 5);
  assert.equal(Number(tf.losses.absoluteDifference(labels, preds, 0)), 0, "all-zero weights reduce to 0");
  const logits = tf.tensor2d([
    [2, 0],
    [0, 2],
  ]);
  const xent = tf.losses.softmaxCrossEntropy(
    tf.tensor2d([
      [1, 0],
      [1, 0],
    ]),
    logits,
    tf.tensor1d([1, 0]),
  );
  assert.ok(Math.abs(Number(xent) - Math.log(1 + Math.exp(-2))) < 1e-5, "only the first example counts");
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: "sigmoid", inputShape: [2] })] });
  model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["precision", "recall", tf.metrics.precision] });
  const x = tf.randomNormal([64, 2], 0, 1, "float32", 21);
  const h = await model.fit(x, x.sum(1, true).greater(0).cast("float32"), { epochs: 2, verbose: 0 });
  assert.deepEqual(
    Object.keys(h.history).sort(),
    ["loss", "precision", "recall"].concat(Object.keys(h.history).filter((k) => k.startsWith("precision_"))).sort(),
  );
  assert.ok(h.history.precision.every((v) => v >= 0 && v <= 1));
});
