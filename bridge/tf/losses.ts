// tfjs's `tf.losses.*` (reduced to a scalar, tfjs's default reduction without weights) and
// `tf.metrics.*` (one value per example, as tfjs) as functions of Tensors, for custom training
// loops and `compile`. Each is a few TensorFlow/Keras ops; nothing of models.
import { type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";
import { Tensor, type TensorLike, tensor } from "./tensor.js";

type In = Tensor | TensorLike;
const t = (x: In): Tensor => (x instanceof Tensor ? x : tensor(x));
const wrap = (p: PyProxy): Tensor => new Tensor(p);

/**
 * `tf.losses`: tfjs's loss functions (https://js.tensorflow.org/api/latest/#Training-Losses), each
 * the mean over all elements (tfjs's default `SUM_BY_NONZERO_WEIGHTS` reduction with no weights;
 * tfjs's `weights`/`reduction` arguments are not taken). Each returns a scalar Tensor.
 */
export const losses = {
  /** Mean of `(labels - predictions)²`. */
  meanSquaredError: (labels: In, predictions: In): Tensor => t(predictions).sub(t(labels)).square().mean(),
  /** Mean of `|labels - predictions|`. */
  absoluteDifference: (labels: In, predictions: In): Tensor => t(predictions).sub(t(labels)).abs().mean(),
  /** Mean over examples of the cross-entropy of `softmax(logits)` against one-hot `onehotLabels` (last axis). */
  softmaxCrossEntropy: (onehotLabels: In, logits: In): Tensor =>
    wrap(py().tf.nn.softmax_cross_entropy_with_logits(tspy.kwargs({ labels: t(onehotLabels).py, logits: t(logits).py }))).mean(),
  /** Mean of the element-wise cross-entropy of `sigmoid(logits)` against 0/1 labels. */
  sigmoidCrossEntropy: (multiClassLabels: In, logits: In): Tensor =>
    wrap(py().tf.nn.sigmoid_cross_entropy_with_logits(tspy.kwargs({ labels: t(multiClassLabels).py, logits: t(logits).py }))).mean(),
  /** Mean of `-(l·log(p + ε) + (1 - l)·log(1 - p + ε))` (tfjs's `logLoss`, ε default 1e-7). */
  logLoss: (labels: In, predictions: In, epsilon = 1e-7): Tensor => {
    const l = t(labels);
    const p = t(predictions);
    return l
      .mul(p.add(epsilon).log())
      .add(
        l
          .neg()
          .add(1)
          .mul(
            p
              .neg()
              .add(1 + epsilon)
              .log(),
          ),
      )
      .neg()
      .mean();
  },
  /** Mean Huber loss with threshold `delta` (default 1). */
  huberLoss: (labels: In, predictions: In, delta = 1): Tensor =>
    wrap(py().keras.losses.Huber(tspy.kwargs({ delta: tspy.float(delta) }))(t(labels).py, t(predictions).py)),
  /** Mean of `max(0, 1 - (2·labels - 1)·predictions)` (labels 0/1, as tfjs). */
  hingeLoss: (labels: In, predictions: In): Tensor => t(labels).mul(2).sub(1).mul(t(predictions)).neg().add(1).relu().mean(),
  /** Mean over the other axes of `1 - sum(labels · predictions, axis)` (unit vectors). */
  cosineDistance: (labels: In, predictions: In, axis: number): Tensor => t(labels).mul(t(predictions)).sum(axis).neg().add(1).mean(),
};

/**
 * `tf.metrics`: tfjs's metric functions (https://js.tensorflow.org/api/latest/#Metrics): one value per
 * example (reduced over the last axis), as tfjs; pass them to `compile({metrics})` or call them on Tensors.
 */
export const metrics = {
  /** 1 where `round(yPred)` equals `yTrue`, averaged over the last axis. */
  binaryAccuracy: (yTrue: In, yPred: In): Tensor =>
    t(yTrue)
      .equal(wrap(py().tf.math.round(t(yPred).py)))
      .cast("float32")
      .mean(-1),
  /** 1 where the argmax of `yPred` equals the argmax of one-hot `yTrue` (last axis). */
  categoricalAccuracy: (yTrue: In, yPred: In): Tensor => t(yTrue).argMax(-1).equal(t(yPred).argMax(-1)).cast("float32"),
  /** Mean of `(yPred - yTrue)²` over the last axis. */
  meanSquaredError: (yTrue: In, yPred: In): Tensor => t(yPred).sub(t(yTrue)).square().mean(-1),
  /** Mean of `|yPred - yTrue|` over the last axis. */
  meanAbsoluteError: (yTrue: In, yPred: In): Tensor => t(yPred).sub(t(yTrue)).abs().mean(-1),
  /** Cross-entropy of probabilities `yPred` against one-hot `yTrue` (Keras's `categorical_crossentropy`). */
  categoricalCrossentropy: (yTrue: In, yPred: In): Tensor => wrap(py().keras.losses.categorical_crossentropy(t(yTrue).py, t(yPred).py)),
  /** Binary cross-entropy of probabilities `yPred` against 0/1 `yTrue`, averaged over the last axis. */
  binaryCrossentropy: (yTrue: In, yPred: In): Tensor => wrap(py().keras.losses.binary_crossentropy(t(yTrue).py, t(yPred).py)),
};
