// tfjs's `tf.losses.*` (reduced to a scalar, tfjs's default reduction without weights) and
// `tf.metrics.*` (one value per example, as tfjs) as functions of Tensors, for custom training
// loops and `compile`. Each is a few TensorFlow/Keras ops; nothing of models.
import { type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";
import { onesLike, Tensor, type TensorLike, tensor } from "./tensor.js";

type In = Tensor | TensorLike;
const t = (x: In): Tensor => (x instanceof Tensor ? x : tensor(x));
const wrap = (p: PyProxy): Tensor => new Tensor(p);

/**
 * tfjs's default loss reduction, `SUM_BY_NONZERO_WEIGHTS`: the mean of `losses` without weights;
 * with `weights` (broadcast to the losses' shape: a scalar, one per example, or one per element)
 * the weighted sum divided by the number of non-zero weights (0 when all are zero).
 */
function reduce(losses: Tensor, weights?: In): Tensor {
  if (weights === undefined) return losses.mean();
  const w = onesLike(losses).mul(t(weights));
  const nonzero = w.abs().greater(0).cast("float32").sum();
  return wrap(py().tf.math.divide_no_nan(losses.mul(w).sum().py, nonzero.py));
}

/** tfjs's true positives and false positives/negatives of 0/1 labels against predictions thresholded at 0.5, as float32 sums. */
function counts(yTrue: In, yPred: In): { tp: Tensor; fp: Tensor; fn: Tensor } {
  const truth = t(yTrue).greater(0.5).cast("float32");
  const pred = t(yPred).greater(0.5).cast("float32");
  const tp = truth.mul(pred).sum();
  return { tp, fp: pred.sum().sub(tp), fn: truth.sum().sub(tp) };
}

/**
 * `tf.losses`: tfjs's loss functions (https://js.tensorflow.org/api/latest/#Training-Losses), each
 * reduced to a scalar Tensor by tfjs's default `SUM_BY_NONZERO_WEIGHTS`: the mean without
 * `weights`; with `weights` (a scalar, one per example or one per element, broadcast to the
 * element-wise losses) the weighted sum over the count of non-zero weights. tfjs's `reduction`
 * argument is not taken.
 */
export const losses = {
  /** `(labels - predictions)²`. */
  meanSquaredError: (labels: In, predictions: In, weights?: In): Tensor => reduce(t(predictions).sub(t(labels)).square(), weights),
  /** `|labels - predictions|`. */
  absoluteDifference: (labels: In, predictions: In, weights?: In): Tensor => reduce(t(predictions).sub(t(labels)).abs(), weights),
  /** Per example, the cross-entropy of `softmax(logits)` against one-hot `onehotLabels` (last axis); `weights` one per example. */
  softmaxCrossEntropy: (onehotLabels: In, logits: In, weights?: In): Tensor =>
    reduce(wrap(py().tf.nn.softmax_cross_entropy_with_logits(tspy.kwargs({ labels: t(onehotLabels).py, logits: t(logits).py }))), weights),
  /** Element-wise cross-entropy of `sigmoid(logits)` against 0/1 labels. */
  sigmoidCrossEntropy: (multiClassLabels: In, logits: In, weights?: In): Tensor =>
    reduce(wrap(py().tf.nn.sigmoid_cross_entropy_with_logits(tspy.kwargs({ labels: t(multiClassLabels).py, logits: t(logits).py }))), weights),
  /** `-(l·log(p + ε) + (1 - l)·log(1 - p + ε))` (tfjs's `logLoss`, ε default 1e-7). */
  logLoss: (labels: In, predictions: In, weights?: In, epsilon = 1e-7): Tensor => {
    const l = t(labels);
    const p = t(predictions);
    const oneMinus = l
      .neg()
      .add(1)
      .mul(
        p
          .neg()
          .add(1 + epsilon)
          .log(),
      );
    return reduce(l.mul(p.add(epsilon).log()).add(oneMinus).neg(), weights);
  },
  /** Huber loss with threshold `delta` (default 1), element-wise. */
  huberLoss: (labels: In, predictions: In, weights?: In, delta = 1): Tensor => {
    const err = t(predictions).sub(t(labels)).abs();
    const quadratic = wrap(py().tf.math.minimum(err.py, tspy.float(delta)));
    return reduce(quadratic.square().mul(0.5).add(err.sub(quadratic).mul(delta)), weights);
  },
  /** `max(0, 1 - (2·labels - 1)·predictions)` (labels 0/1, as tfjs). */
  hingeLoss: (labels: In, predictions: In, weights?: In): Tensor => reduce(t(labels).mul(2).sub(1).mul(t(predictions)).neg().add(1).relu(), weights),
  /** `1 - sum(labels · predictions, axis)` (unit vectors). */
  cosineDistance: (labels: In, predictions: In, axis: number, weights?: In): Tensor => reduce(t(labels).mul(t(predictions)).sum(axis).neg().add(1), weights),
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
  /**
   * Precision of 0/1 labels, a scalar (tfjs's `precision`): true positives over predicted
   * positives (`yPred` > 0.5), 0 when nothing is predicted positive.
   */
  precision: (yTrue: In, yPred: In): Tensor => {
    const { tp, fp } = counts(yTrue, yPred);
    return wrap(py().tf.math.divide_no_nan(tp.py, tp.add(fp).py));
  },
  /** Recall of 0/1 labels, a scalar (tfjs's `recall`): true positives over actual positives, 0 when there are none. */
  recall: (yTrue: In, yPred: In): Tensor => {
    const { tp, fn } = counts(yTrue, yPred);
    return wrap(py().tf.math.divide_no_nan(tp.py, tp.add(fn).py));
  },
  /** Binary cross-entropy of probabilities `yPred` against 0/1 `yTrue`, averaged over the last axis. */
  binaryCrossentropy: (yTrue: In, yPred: In): Tensor => wrap(py().keras.losses.binary_crossentropy(t(yTrue).py, t(yPred).py)),
};
