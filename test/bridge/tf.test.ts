// Issue 13, `tspy/tf`: TensorFlow.js's API over real Keras 3 and TensorFlow — tensors (float32
// default, chains, dataSync views, tidy), layers and models (tfjs options -> Keras arguments, fit
// with History and callbacks, earlyStopping, functional API, save/load), gradients and the escape hatch.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { bufferAddress, liveProxyCount, tspy } from "../../bridge/lib/index.js";
import * as tf from "../../bridge/tf/index.js";
import { useBridge } from "./helpers.js";

useBridge();
// TensorFlow's import (seconds) and the module's cached Python functions happen before the leak checks start.
before(async () => {
  await tf.ready();
  tf.tidy(() => tf.tensor([1]).neg().abs().square().sqrt().exp().log().relu().sigmoid().tanh());
});

function close(actual: number[], expected: number[], eps = 1e-5): void {
  assert.equal(actual.length, expected.length, `${actual} vs ${expected}`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < eps, `${actual} vs ${expected}`));
}

/** Deterministic data: y = 2x + 1 (n points). */
function line(n: number): { xs: tf.Tensor; ys: tf.Tensor } {
  const x = Array.from({ length: n }, (_, i) => i / n);
  return {
    xs: tf.tensor2d(x, [n, 1]),
    ys: tf.tensor2d(
      x.map((v) => 2 * v + 1),
      [n, 1],
    ),
  };
}

/** Three separable classes in 4 features: the class is the index of the largest of the first three. */
function blobs(n: number): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.randomNormal([n, 4], 0, 1, "float32", 7);
  const y = tf.oneHot(x.slice([0, 0], [n, 3]).argMax(1), 3).cast("float32");
  return { x, y };
}

test("tensor_of_js_numbers_is_float32_and_dtypes_follow_tfjs", () => {
  assert.equal(tf.tensor([1, 2, 3]).dtype, "float32", "integers in JS numbers are still float32");
  assert.equal(tf.scalar(1).dtype, "float32");
  assert.equal(tf.tensor([true, false]).dtype, "bool");
  assert.equal(tf.tensor(new Int32Array([1, 2])).dtype, "int32");
  assert.equal(tf.tensor([1, 2], undefined, "int32").dtype, "int32");
  assert.deepEqual(tf.tensor(["a", "bé"]).arraySync(), ["a", "bé"]);
  const t = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  assert.deepEqual([t.shape, t.rank, t.size], [[2, 3], 2, 6]);
  assert.deepEqual(t.arraySync(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.throws(() => tf.tensor([1, 2, 3], [2, 2]), /should have 4 values but has 3/);
  assert.throws(() => tf.tensor2d([1, 2, 3]), /tensor2d\(\) requires/);
  assert.deepEqual(tf.zeros([2]).arraySync(), [0, 0]);
  assert.deepEqual(tf.ones([1, 2]).arraySync(), [[1, 1]]);
  assert.deepEqual(tf.fill([2], 7).arraySync(), [7, 7]);
  assert.deepEqual(tf.range(0, 6, 2).arraySync(), [0, 2, 4]);
  close(tf.linspace(0, 1, 5).arraySync(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(tf.oneHot([0, 2], 3).arraySync(), [
    [1, 0, 0],
    [0, 0, 1],
  ]);
  assert.equal(tf.oneHot([0], 2).dtype, "int32");
  const r = tf.randomUniform([100], 2, 3);
  assert.ok(r.min().arraySync() >= 2 && r.max().arraySync() < 3 && r.dtype === "float32");
  assert.deepEqual(tf.randomNormal([3, 2]).shape, [3, 2]);
  assert.deepEqual(tf.tensor(tspy.eval("__import__('numpy').arange(3.0)")).dtype, "float32", "a float64 numpy array becomes float32");
});

test("tensor_chain_matmul_add_relu_computes_like_tfjs", () => {
  const a = tf.tensor2d([
    [1, -2],
    [3, 4],
  ]);
  const b = tf.tensor2d([
    [1, 0],
    [0, 1],
  ]);
  const c = tf.tensor1d([-2, 1]);
  assert.deepEqual(a.matMul(b).add(c).relu().arraySync(), [
    [0, 0],
    [1, 5],
  ]);
  assert.deepEqual(a.add(1).mul(2).sub(1).div(1).arraySync(), [
    [3, -3],
    [7, 9],
  ]);
  assert.deepEqual(a.pow(2).neg().abs().arraySync(), [
    [1, 4],
    [9, 16],
  ]);
  assert.deepEqual(a.transpose().arraySync(), [
    [1, 3],
    [-2, 4],
  ]);
  assert.deepEqual(a.reshape([4]).expandDims(0).shape, [1, 4]);
  assert.deepEqual(a.reshape([1, 4]).squeeze().shape, [4]);
  assert.deepEqual(a.slice([0, 1], [2, 1]).arraySync(), [[-2], [4]]);
  assert.deepEqual(a.gather([1]).arraySync(), [[3, 4]]);
  assert.deepEqual(a.concat(b, 1).shape, [2, 4]);
  assert.equal(a.sum().arraySync(), 6);
  assert.deepEqual(a.mean(1).arraySync(), [-0.5, 3.5]);
  assert.deepEqual([a.max().arraySync(), a.min().arraySync()], [4, -2]);
  assert.deepEqual(a.argMax(1).arraySync(), [0, 1]);
  assert.equal(a.argMin(1).dtype, "int32");
  assert.deepEqual(a.greater(0).arraySync(), [
    [true, false],
    [true, true],
  ]);
  assert.deepEqual(a.equal(b).cast("int32").arraySync(), [
    [1, 0],
    [0, 0],
  ]);
  assert.deepEqual(a.less(b).dataSync(), new Uint8Array([0, 1, 0, 0]));
  close(a.softmax().sum(1).arraySync(), [1, 1]);
  close(tf.tensor1d([0]).sigmoid().arraySync(), [0.5]);
  close(tf.tensor1d([4]).sqrt().exp().log().square().arraySync(), [4]);
  close(tf.tensor1d([0]).tanh().arraySync(), [0]);
  assert.deepEqual(a.clone().arraySync(), a.arraySync());
  assert.match(a.toString(), /^Tensor\n {4}\[\[ 1\., -2\.\],/);
  assert.match(a.toString(true), /dtype: float32\n {2}rank: 2\n {2}shape: \[2,2\]/);
});

test("datasync_is_a_typed_view_of_tensorflow_memory_and_number_works_on_scalars", async () => {
  const t = tf.tensor([1.5, 2.5, 3.5]);
  const d1 = t.dataSync();
  assert.ok(d1 instanceof Float32Array);
  assert.deepEqual(Array.from(d1), [1.5, 2.5, 3.5]);
  assert.equal(bufferAddress(t.dataSync()), bufferAddress(d1), "both reads view the same memory: no copy");
  assert.ok(tf.tensor([1], undefined, "int32").dataSync() instanceof Int32Array);
  assert.deepEqual(Array.from(await t.data()), [1.5, 2.5, 3.5]);
  assert.deepEqual(await t.array(), [1.5, 2.5, 3.5]);
  assert.equal(Number(tf.scalar(3)), 3);
  assert.equal(+t.sum(), 7.5);
  assert.ok(Number.isNaN(Number(t)), "a tensor of several elements is NaN as a number");
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.throws(() => t.add(1), /Tensor is disposed/);
});

test("every_tensor_method_of_the_issue_list_exists_and_core_ops_compute_like_tfjs", () => {
  const methods =
    "add sub mul div pow neg abs square sqrt exp log relu sigmoid tanh softmax matMul transpose reshape expandDims squeeze slice gather concat sum mean max min argMax argMin equal greater less cast clone print toString dataSync data arraySync array dispose";
  for (const name of methods.split(" ")) assert.equal(typeof (tf.Tensor.prototype as unknown as Record<string, unknown>)[name], "function", `Tensor.${name}`);
  const x = tf.tensor1d([-1.5, 0.5, 2.5]);
  assert.deepEqual(x.floor().arraySync(), [-2, 0, 2]);
  assert.deepEqual(x.ceil().arraySync(), [-1, 1, 3]);
  assert.deepEqual(x.round().arraySync(), [-2, 0, 2], "halves round to even, as tfjs");
  assert.deepEqual(tf.sign(x).arraySync(), [-1, 1, 1]);
  assert.deepEqual(tf.maximum(x, 0).arraySync(), [0, 0.5, 2.5]);
  assert.deepEqual(tf.minimum(x, tf.tensor1d([0, 0, 3])).arraySync(), [-1.5, 0, 2.5]);
  assert.deepEqual(tf.mod(tf.tensor1d([-3, 3]), 2).arraySync(), [1, 1], "floor mod: the sign of the divisor");
  assert.deepEqual(tf.floorDiv(tf.tensor1d([-3, 3]), 2).arraySync(), [-2, 1]);
  assert.deepEqual(tf.squaredDifference(x, 1).arraySync(), [6.25, 0.25, 2.25]);
  assert.deepEqual(tf.clipByValue(x, -1, 1).arraySync(), [-1, 0.5, 1]);
  close(tf.sin(tf.tensor1d([Math.PI / 2])).arraySync(), [1]);
  close(tf.cos(tf.tensor1d([0])).arraySync(), [1]);
  close(tf.leakyRelu(tf.tensor1d([-1, 1])).arraySync(), [-0.2, 1]);
  close(
    tf
      .logSoftmax(tf.tensor1d([0, 0]))
      .exp()
      .arraySync(),
    [0.5, 0.5],
  );
  assert.deepEqual(
    tf
      .tensor1d([1, 2])
      .notEqual(tf.tensor1d([1, 3]))
      .arraySync(),
    [false, true],
  );
  assert.deepEqual(
    [x.greaterEqual(0.5).arraySync(), x.lessEqual(0.5).arraySync()],
    [
      [false, true, true],
      [true, true, false],
    ],
  );
  const p = tf.tensor1d([true, true, false], "bool");
  const q = tf.tensor1d([true, false, false], "bool");
  assert.deepEqual(
    [tf.logicalAnd(p, q), tf.logicalOr(p, q), tf.logicalXor(p, q), tf.logicalNot(p)].map((t) => t.arraySync()),
    [
      [true, false, false],
      [true, true, false],
      [false, true, false],
      [false, false, true],
    ],
  );
  assert.deepEqual(tf.where(x.greater(0), x, 0).arraySync(), [0, 0.5, 2.5], "a number operand takes the tensor's dtype");
  const m = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(tf.tile(m, [1, 2]).arraySync(), [
    [1, 2, 1, 2],
    [3, 4, 3, 4],
  ]);
  assert.deepEqual(tf.pad(tf.tensor1d([1, 2]), [[1, 2]], 9).arraySync(), [9, 1, 2, 9, 9]);
  assert.deepEqual(tf.reverse(m, 1).arraySync(), [
    [2, 1],
    [4, 3],
  ]);
  assert.deepEqual(tf.cumsum(tf.tensor1d([1, 2, 3])).arraySync(), [1, 3, 6]);
  assert.deepEqual([tf.prod(m).arraySync(), tf.all(p).arraySync(), tf.any(q).arraySync()], [24, false, true]);
  close([tf.logSumExp(tf.tensor1d([0, 0])).arraySync()], [Math.log(2)]);
  assert.deepEqual(
    tf.unstack(m).map((t) => t.arraySync()),
    [
      [1, 2],
      [3, 4],
    ],
  );
  assert.deepEqual(
    tf.split(tf.tensor1d([1, 2, 3, 4, 5]), [2, 3]).map((t) => t.arraySync()),
    [
      [1, 2],
      [3, 4, 5],
    ],
  );
  assert.deepEqual(tf.stack([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])], 1).arraySync(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(tf.concat([tf.tensor1d([1]), [2, 3]]).arraySync(), [1, 2, 3], "concat takes TensorLike entries");
  close(
    [tf.norm(tf.tensor1d([3, 4])).arraySync(), tf.norm(tf.tensor1d([3, -4]), 1).arraySync(), tf.norm(tf.tensor1d([3, -4]), Infinity).arraySync()],
    [5, 7, 4],
  );
  const { mean, variance } = tf.moments(tf.tensor1d([1, 2, 3, 4]));
  close([mean.arraySync(), variance.arraySync()], [2.5, 1.25]);
  const top = tf.topk(tf.tensor1d([1, 9, 3, 7]), 2);
  assert.deepEqual([top.values.arraySync(), top.indices.arraySync(), top.indices.dtype], [[9, 7], [1, 3], "int32"]);
  assert.deepEqual(tf.dot(m, tf.tensor1d([1, 1])).arraySync(), [3, 7]);
  assert.deepEqual(tf.outerProduct(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync(), [
    [3, 4],
    [6, 8],
  ]);
  assert.deepEqual(tf.eye(2).arraySync(), [
    [1, 0],
    [0, 1],
  ]);
  assert.deepEqual(tf.onesLike(m).arraySync(), [
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(tf.tensor1d([1, 2]).broadcastTo([2, 2]).arraySync(), [
    [1, 2],
    [1, 2],
  ]);
  assert.deepEqual([m.flatten().shape, m.as2D(4, 1).shape, tf.tensor1d([5]).asScalar().shape], [[4], [4, 1], []]);
  assert.deepEqual(tf.tensor5d([1, 2], [1, 1, 1, 1, 2]).shape, [1, 1, 1, 1, 2]);
  assert.deepEqual(tf.tensor6d([[[[[[1]]]]]]).rank, 6);
  assert.deepEqual(tf.isNaN(tf.tensor1d([NaN, 1])).arraySync(), [true, false]);
  const tn = tf.truncatedNormal([2000], 0, 1, "float32", 3);
  assert.ok(tn.abs().max().arraySync() <= 2 && Math.abs(tn.mean().arraySync()) < 0.1, "truncated at two standard deviations");
  const g = tf.randomGamma([2000], 2, 1, "float32", 4);
  assert.ok(g.min().arraySync() > 0 && Math.abs(g.mean().arraySync() - 2) < 0.2, "gamma(alpha 2, beta 1) has mean 2");
  const draws = tf.multinomial(tf.tensor2d([[0, 1, 0]]), 20, 5, true);
  assert.deepEqual([draws.shape, draws.dtype, Array.from(draws.dataSync())], [[1, 20], "int32", new Array(20).fill(1)], "all probability on class 1");
  assert.deepEqual(tf.multinomial(tf.tensor1d([0, 0]), 7, 1).shape, [7], "rank-1 logits give [numSamples]");
});

test("rank_generic_tensor_types_follow_tfjs_declarations", () => {
  const m: tf.Tensor2D = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const shape: [number, number] = m.shape;
  const rows: number[][] = m.arraySync();
  assert.deepEqual(
    [shape, rows],
    [
      [2, 2],
      [
        [1, 2],
        [3, 4],
      ],
    ],
  );
  const kept: tf.Tensor2D = m.relu().abs().square().cast("int32");
  assert.deepEqual(kept.shape, [2, 2], "unary ops keep the operand's type (this: T)");
  const r3 = m.reshape<tf.Rank.R3>([1, 2, 2]);
  const s3: [number, number, number] = r3.shape;
  const r4: tf.Tensor4D = m.reshape<tf.Tensor4D>([1, 1, 2, 2]);
  assert.deepEqual([s3, r4.rank], [[1, 2, 2], 4]);
  const named: tf.Tensor1D = m.sum<tf.Tensor1D>(0);
  const values: number[] = named.arraySync();
  assert.deepEqual(values, [4, 6]);
  const s: tf.Scalar = tf.scalar(2);
  const n: number = s.arraySync();
  assert.equal(n, 2);
  const v: tf.Variable<tf.Rank.R1> = tf.variable(tf.tensor1d([1, 2]));
  assert.deepEqual(v.shape, [2]);
  // @ts-expect-error a Tensor2D's values are number[][], not a number
  const wrong: number = m.arraySync();
  assert.ok(Array.isArray(wrong));
  // @ts-expect-error a Tensor1D is not a Tensor2D
  const notMatrix: tf.Tensor2D = tf.tensor1d([1]);
  assert.equal(notMatrix.rank, 1);
  const unknownRank: tf.Tensor = m.add(1);
  assert.ok(unknownRank.arraySync()[1][1] === 5, "a tensor of unknown rank reads as any, as before");
});

test("op_operands_are_released_at_once_and_a_disposed_operand_fails_loudly", () => {
  const a = tf.tensor1d([1, 2]);
  const b = tf.tensor1d([3, 4]);
  assert.equal(a.dtype, "float32");
  const before = liveProxyCount();
  for (let i = 0; i < 50; i++) {
    a.add(1).dispose();
    a.mul([2, 2]).dispose();
    tf.where(a.greater(b), a, 0).dispose();
  }
  assert.equal(liveProxyCount() - before, 50, "only the 50 a.greater(b) results are alive: number and array operands were released at once");
  assert.deepEqual(a.add(b).arraySync(), [4, 6]);
  b.dispose();
  assert.throws(() => a.add(b), /Tensor is disposed/);
  assert.throws(() => tf.sub(b, a), /Tensor is disposed/);
  const labels = tf.tensor1d([1, 0], "int32");
  tf.oneHot(labels, 2).dispose();
  labels.cast("int32").dispose();
  tf.tidy(() => labels.cast("int32").add(1));
  assert.deepEqual(labels.arraySync(), [1, 0], "a cast to the same dtype is a clone: disposing it leaves the input alive");
  const wrapped = new tf.Tensor(tspy.eval("__import__('numpy').arange(3)"));
  assert.equal(wrapped.dtype, "int64", "the constructor still converts a numpy array (tf.convert_to_tensor)");
});

test("tidy_disposes_intermediates_and_keeps_returned_and_kept_tensors", () => {
  let inner: tf.Tensor | undefined;
  let kept: tf.Tensor | undefined;
  const out = tf.tidy(() => {
    inner = tf.ones([2]).add(1);
    kept = tf.keep(inner.mul(3));
    return { sum: inner.add(inner) };
  });
  assert.equal(inner?.isDisposed, true);
  assert.equal(kept?.isDisposed, false);
  assert.deepEqual(out.sum.arraySync(), [4, 4]);
  assert.throws(() => tf.tidy(() => Promise.resolve() as never), /Cannot return a Promise inside of tidy/);
  const a = tf.scalar(1);
  tf.dispose([a, { b: kept as tf.Tensor }]);
  assert.equal(a.isDisposed && kept?.isDisposed, true);
});

test("layer_factories_convert_tfjs_options_to_keras_arguments_and_check_integers", () => {
  const conv = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    strides: [2, 2],
    padding: "same",
    useBias: false,
    kernelInitializer: "heNormal",
    dataFormat: "channelsLast",
  });
  const cfg = conv.getConfig();
  assert.deepEqual(
    [cfg.filters, cfg.kernel_size, cfg.strides, cfg.padding, cfg.use_bias, cfg.data_format],
    [4, [3, 3], [2, 2], "same", false, "channels_last"],
  );
  assert.equal((cfg.kernel_initializer as { class_name: string }).class_name, "HeNormal");
  const typeOfRate = tspy.eval("lambda layer: type(layer.rate).__name__");
  assert.equal(typeOfRate(tf.layers.dropout({ rate: 0 }).py), "float", "float options are passed as Python floats");
  assert.throws(() => tf.layers.dense({ units: 2.5 }), { name: "TypeError", message: /option 'units' must be an integer; got 2\.5/ });
  assert.throws(() => tf.layers.conv2d({ filters: 2, kernelSize: [3, 1.5] }), /option 'kernelSize' must hold integers/);
  // The generic path: every keras.layers class, tfjs-style names (none of these is in tfjs's own list).
  assert.equal(tf.layers.layerNormalization({ epsilon: 1e-3 }).getConfig().epsilon, 1e-3);
  assert.deepEqual(tf.layers.lstm({ units: 3, returnSequences: true }).getConfig().return_sequences, true);
  assert.equal(String(tspy.type(tf.layers.simpleRNN({ units: 2 }).py).__name__), "SimpleRNN");
  assert.equal(tf.layers.embedding({ inputDim: 10, outputDim: 4 }).getConfig().input_dim, 10, "Embedding keeps its own inputDim");
  for (const l of [
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.batchNormalization({ momentum: 0.9 }),
    tf.layers.reshape({ targetShape: [2, 2] }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.activation({ activation: "hardSigmoid" }),
    tf.layers.concatenate({ axis: -1 }),
    tf.layers.add(),
  ]) {
    assert.ok(l instanceof tf.Layer);
  }
  const init = tf.layers.dense({
    units: 2,
    inputDim: 3,
    kernelInitializer: tf.initializers.constant({ value: 0.5 }),
    biasInitializer: tf.initializers.randomNormal({ seed: 1 }),
    kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }),
  });
  const initCfg = init.getConfig() as Record<string, { class_name: string; config: Record<string, unknown> }>;
  assert.deepEqual([initCfg.kernel_initializer.class_name, initCfg.kernel_initializer.config.value], ["Constant", 0.5]);
  assert.deepEqual([initCfg.bias_initializer.class_name, initCfg.bias_initializer.config.stddev], ["RandomNormal", 0.05], "tfjs's default stddev");
  assert.equal(initCfg.kernel_regularizer.class_name, "L2");
  assert.deepEqual(init.batchInputShape, [null, 3], "tfjs's inputDim is inputShape [inputDim]");
  const x = tf.ones([1, 4]);
  const y = tf.layers.dense({ units: 2, kernelInitializer: "ones", biasInitializer: "zeros" }).apply(x) as tf.Tensor;
  assert.ok(y instanceof tf.Tensor, "apply on a Tensor computes now");
  assert.deepEqual(y.arraySync(), [[4, 4]]);
  assert.deepEqual((tf.layers.concatenate([x, x]) as tf.Tensor).shape, [1, 8], "merge layers take the inputs directly");
});

test("sequential_fit_returns_history_with_number_arrays_and_runs_both_callback_forms", async () => {
  const { x, y } = blobs(96);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 8, activation: "relu", inputShape: [4] }), tf.layers.dense({ units: 3, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const seen: { epoch: number; logs: tf.Logs }[] = [];
  let asyncDone = 0;
  class Recorder extends tf.Callback {
    override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
      seen.push({ epoch, logs: logs as tf.Logs });
      await new Promise((resolve) => setTimeout(resolve, 1));
      asyncDone++;
    }
  }
  const batches: number[] = [];
  let began = 0;
  const h = await model.fit(x, y, {
    epochs: 3,
    batchSize: 32,
    validationSplit: 0.25,
    verbose: 0,
    callbacks: [new Recorder(), { onTrainBegin: () => void began++, onBatchEnd: (batch) => void batches.push(batch) }],
  });
  assert.ok(h instanceof tf.History);
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.equal(h.history.loss.length, 3);
  for (const v of [...h.history.loss, ...h.history.val_loss, ...h.history.acc]) assert.equal(typeof v, "number");
  assert.deepEqual(h.history.acc, h.history.accuracy, "tfjs's acc is Keras's accuracy");
  assert.deepEqual(
    seen.map((s) => s.epoch),
    [0, 1, 2],
  );
  assert.equal(seen[2].logs.loss, h.history.loss[2], "logs are plain numbers, the same as the history");
  assert.equal(typeof seen[0].logs.val_loss, "number");
  assert.equal(asyncDone, 3, "fit resolves after the async hooks finished");
  assert.equal(began, 1);
  assert.deepEqual(batches, [0, 1, 2, 0, 1, 2, 0, 1, 2], "72 training samples in batches of 32, per epoch");
  assert.equal(model.countParams(), 4 * 8 + 8 + 8 * 3 + 3);
  const p = model.predict(x.slice([0, 0], [5, 4])) as tf.Tensor;
  assert.deepEqual(p.shape, [5, 3]);
  close(p.sum(1).arraySync(), [1, 1, 1, 1, 1], 1e-4);
  const ev = model.evaluate(x, y, { batchSize: 32 }) as tf.Tensor[];
  assert.equal(ev.length, 2);
  assert.ok(Number(ev[1]) > 0 && Number(ev[1]) <= 1);
  assert.equal(model.layers.length, 2);
  assert.equal(model.layers[0], model.layers[0], "the same wrapper for the same Keras layer");
  assert.equal(
    tf
      .sequential()
      .add(tf.layers.dense({ units: 2, inputShape: [3] }))
      .add(tf.layers.dense({ units: 1 }))
      .countParams(),
    3 * 2 + 2 + 2 + 1,
    "add chains",
  );
});

test("a_throwing_callback_stops_fit_and_stop_training_from_a_callback_ends_it", async () => {
  const { xs, ys } = line(16);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  await assert.rejects(
    model.fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      callbacks: {
        onEpochEnd: () => {
          throw new Error("stop here");
        },
      },
    }),
    /stop here/,
  );
  const h = await model.fit(xs, ys, {
    epochs: 10,
    verbose: 0,
    callbacks: {
      onEpochEnd: (epoch) => {
        if (epoch === 1) model.stopTraining = true;
      },
    },
  });
  assert.deepEqual(h.epoch, [0, 1]);
});

test("early_stopping_stops_when_the_monitored_loss_stalls", async () => {
  const { xs, ys } = line(16);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  const h = await model.fit(xs, ys, { epochs: 30, verbose: 0, callbacks: [tf.callbacks.earlyStopping({ monitor: "loss", patience: 1, minDelta: 100 })] });
  assert.equal(h.epoch.length, 2, "no epoch improves by minDelta: stops after patience + 1 epochs");
  assert.throws(() => tf.callbacks.earlyStopping({ patience: 1.5 }), /'patience' must be an integer/);
});

test("functional_model_from_input_and_apply_trains_and_round_trips_weights_and_files", async () => {
  const inp = tf.input({ shape: [4] });
  const h1 = tf.layers.dense({ units: 6, activation: "relu" }).apply(inp) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 6, activation: "tanh" }).apply(inp) as tf.SymbolicTensor;
  assert.ok(h1 instanceof tf.SymbolicTensor);
  assert.deepEqual(h1.shape, [null, 6]);
  const merged = tf.layers.concatenate().apply([h1, h2]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: "softmax" }).apply(merged) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: out });
  model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
  const { x, y } = blobs(32);
  const h = await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, validationData: [x, y] });
  assert.equal(h.history.val_loss.length, 2);
  const before = (model.predict(x) as tf.Tensor).arraySync();
  const weights = model.getWeights();
  assert.deepEqual(
    weights.map((w) => w.shape),
    [[4, 6], [6], [4, 6], [6], [12, 3], [3]],
  );
  model.setWeights(weights.map((w) => tf.zerosLike(w)));
  assert.equal(
    (model.predict(x) as tf.Tensor)
      .sub(1 / 3)
      .abs()
      .max()
      .arraySync() < 1e-6,
    true,
    "zero weights: uniform softmax",
  );
  model.setWeights(weights);
  assert.deepEqual((model.predict(x) as tf.Tensor).arraySync(), before);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-tf-"));
  try {
    const saved = await model.save(`file://${dir}`);
    assert.equal(saved.modelArtifactsInfo.path, path.join(dir, "model.keras"));
    assert.ok(saved.modelArtifactsInfo.weightDataBytes > 0);
    const loaded = await tf.loadLayersModel(`file://${dir}`);
    assert.ok(loaded instanceof tf.LayersModel);
    assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), before);
    await assert.rejects(model.save("indexeddb://m"), /only file:\/\/ URLs/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("custom_layer_class_extending_tf_layers_layer_builds_trains_and_applies", async () => {
  class TimesAlpha extends tf.layers.Layer {
    static override className = "TimesAlpha";
    calls = 0;
    seen: tf.SymbolicShape | undefined;
    alpha: tf.LayerVariable | undefined;
    override build(inputShape: tf.SymbolicShape | tf.SymbolicShape[]): void {
      this.seen = inputShape as tf.SymbolicShape;
      this.alpha = this.addWeight("alpha", [this.seen[this.seen.length - 1] as number], "float32", "ones");
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      this.calls++;
      return (inputs as tf.Tensor).mul((this.alpha as tf.LayerVariable).read());
    }
    scaleOf(): number[] {
      return (this.alpha as tf.LayerVariable).read().arraySync();
    }
  }
  const layer = new TimesAlpha({ inputShape: [3] });
  const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 1 })] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  const x = tf.randomNormal([64, 3], 0, 1, "float32", 1);
  const y = x.matMul(tf.tensor2d([[1], [-2], [3]]));
  const before = Number(model.evaluate(x, y));
  await model.fit(x, y, { epochs: 5, verbose: 0 });
  assert.ok(Number(model.evaluate(x, y)) < before / 2, "training through the TS layer lowers the loss");
  assert.equal(layer.name, "times_alpha", "Keras named it after static className");
  assert.deepEqual(layer.seen, [null, 3], "build got the input shape as an array");
  assert.ok(layer.calls > 0, "Keras called the TS call");
  assert.notDeepEqual(layer.scaleOf(), [1, 1, 1], "the weight made by addWeight was trained; helper methods work");
  assert.equal(layer.countParams(), 3);
  assert.equal(model.layers[0], layer, "the model hands back the same TS instance");
  class Double extends tf.layers.Layer {
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return (inputs as tf.Tensor).mul(2);
    }
    override computeOutputShape(inputShape: tf.SymbolicShape | tf.SymbolicShape[]): tf.SymbolicShape | tf.SymbolicShape[] {
      return inputShape;
    }
  }
  assert.deepEqual((new Double().apply(tf.ones([1, 2])) as tf.Tensor).arraySync(), [[2, 2]]);
  assert.deepEqual((new Double().apply(tf.input({ shape: [5] })) as tf.SymbolicTensor).shape, [null, 5]);
});

test("gradients_and_optimizer_minimize_fit_a_line", () => {
  const g = tf.grad((x) => x.square().sum());
  assert.deepEqual(g(tf.tensor1d([1, 2, 3])).arraySync(), [2, 4, 6]);
  const gs = tf.grads((a, b) => a.mul(b).sum());
  const [ga, gb] = gs([tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]);
  assert.deepEqual(
    [ga.arraySync(), gb.arraySync()],
    [
      [3, 4],
      [1, 2],
    ],
  );
  const vg = tf.valueAndGrad((x) => x.mul(x).sum())(tf.tensor1d([3]));
  assert.deepEqual([vg.value.arraySync(), vg.grad.arraySync()], [9, [6]]);
  assert.deepEqual(
    tf
      .valueAndGrads((a: tf.Tensor) => a.sum())([tf.tensor1d([1, 1])])
      .grads[0].arraySync(),
    [1, 1],
  );
  const m = tf.variable(tf.scalar(0), true, "m");
  const b = tf.variable(tf.scalar(0), true, "b");
  const { xs, ys } = line(8);
  const loss = (): tf.Tensor => xs.mul(m).add(b).sub(ys).square().mean();
  const vgs = tf.variableGrads(loss);
  assert.deepEqual(Object.keys(vgs.grads).sort(), ["b", "m"], "gradients by variable name");
  assert.ok(Number(vgs.grads.m) < 0 && Number(vgs.grads.b) < 0, "the loss falls as m and b grow from 0");
  const opt = tf.train.sgd(0.5);
  const first = opt.minimize(loss, true) as tf.Tensor;
  for (let i = 0; i < 300; i++) opt.minimize(loss);
  close([Number(m), Number(b)], [2, 1], 1e-2);
  assert.ok(Number(loss()) < Number(first) / 100);
  m.assign(tf.scalar(5));
  assert.equal(Number(m), 5);
});

test("losses_and_metrics_compute_tfjs_values_and_work_in_compile", async () => {
  const labels = tf.tensor2d([
    [0, 1],
    [1, 0],
  ]);
  const preds = tf.tensor2d([
    [0.2, 0.8],
    [0.4, 0.6],
  ]);
  close([Number(tf.losses.meanSquaredError(labels, preds))], [(0.04 + 0.04 + 0.36 + 0.36) / 4]);
  close([Number(tf.losses.absoluteDifference(labels, preds))], [(0.2 + 0.2 + 0.6 + 0.6) / 4]);
  close([Number(tf.losses.logLoss(labels, preds))], [-(Math.log(0.8) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4], 1e-4);
  close([Number(tf.losses.hingeLoss(labels, preds))], [(1.2 + 0.2 + 0.6 + 1.6) / 4], 1e-5);
  const logits = tf.tensor2d([[0, Math.log(3)]]);
  close([Number(tf.losses.softmaxCrossEntropy(tf.tensor2d([[0, 1]]), logits))], [-Math.log(0.75)], 1e-5);
  close([Number(tf.losses.sigmoidCrossEntropy(tf.tensor1d([1]), tf.tensor1d([0])))], [Math.log(2)], 1e-5);
  close([Number(tf.losses.huberLoss(tf.tensor1d([0]), tf.tensor1d([3])))], [2.5], 1e-5);
  close([Number(tf.losses.cosineDistance(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]]), 1))], [1]);
  assert.deepEqual(tf.metrics.categoricalAccuracy(labels, preds).arraySync(), [1, 0]);
  assert.deepEqual(tf.metrics.binaryAccuracy(labels, preds).arraySync(), [1, 0]);
  close(tf.metrics.meanSquaredError(labels, preds).arraySync(), [0.04, 0.36]);
  close(tf.metrics.meanAbsoluteError(labels, preds).arraySync(), [0.2, 0.6]);
  close(tf.metrics.categoricalCrossentropy(labels, preds).arraySync(), [-Math.log(0.8), -Math.log(0.4)], 1e-4);
  close(tf.metrics.binaryCrossentropy(tf.tensor2d([[1]]), tf.tensor2d([[0.5]])).arraySync(), [Math.log(2)], 1e-4);
  // As functions of Tensors in compile: Keras runs them on its own (graph) tensors.
  const { x, y } = blobs(32);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: "softmax", inputShape: [4] })] });
  model.compile({ optimizer: "sgd", loss: (yTrue, yPred) => tf.metrics.categoricalCrossentropy(yTrue, yPred), metrics: [tf.metrics.categoricalAccuracy] });
  const h = await model.fit(x, y, { epochs: 1, verbose: 0 });
  assert.equal(typeof h.history.loss[0], "number");
  assert.equal(h.history.categoricalAccuracy.length, 1, "a metric function's name names its history");
});

test("escape_hatch_reaches_keras_and_tensorflow_and_each_wrapper_gives_its_python_object", () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  assert.equal(tspy.isinstance(model.py, tf.keras.Model), true, "model.py is the Keras model itself");
  assert.equal(tspy.isinstance(tf.tensor([1]).py, tf.py.Tensor), true, "tensor.py is a tf.Tensor");
  assert.equal(String(tf.py.__name__), "tensorflow");
  const raw = tf.keras.layers.Dense(3, tspy.kwargs({ activation: "relu" }));
  model.add(new tf.Layer(raw));
  assert.equal(model.layers.length, 2);
  assert.deepEqual((model.predict(tf.ones([1, 2])) as tf.Tensor).shape, [1, 3]);
});
