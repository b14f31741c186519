// tfjs's `tf.initializers.*` and `tf.regularizers.*` factories over Keras's initializer and
// regularizer classes; each returns a wrapper whose `.py` layer options pass to Keras.
import { type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";

/** A Keras initializer (tfjs's `Initializer`), for a layer's `kernelInitializer` etc. or `addWeight`. */
export class Initializer {
  /** @param py the Python `keras.initializers.Initializer`. */
  constructor(readonly py: PyProxy) {}
}

/** A Keras regularizer (tfjs's `Regularizer`), for a layer's `kernelRegularizer` etc. */
export class Regularizer {
  /** @param py the Python `keras.regularizers.Regularizer`. */
  constructor(readonly py: PyProxy) {}
}

/** Options with a seed (tfjs's `SeedOnlyInitializerArgs`). */
export interface SeedOnlyInitializerArgs {
  /** Random seed (integer). */
  seed?: number;
}

const f = (n: number | undefined, fallback: number): unknown => tspy.float(n ?? fallback);
const seed = (args?: SeedOnlyInitializerArgs): unknown => args?.seed ?? null;
function init(className: string, kwargs: Record<string, unknown> = {}): Initializer {
  return new Initializer(py().keras.initializers[className](tspy.kwargs(kwargs)));
}

/** `tf.initializers`: tfjs's initializer factories (https://js.tensorflow.org/api/latest/#Initializers), each the Keras initializer of that name. */
export const initializers = {
  /** All zeros. */
  zeros: (): Initializer => init("Zeros"),
  /** All ones. */
  ones: (): Initializer => init("Ones"),
  /** All `value`. */
  constant: (args: { value: number }): Initializer => init("Constant", { value: tspy.float(args.value) }),
  /** Normal with `mean` (default 0) and `stddev` (default 0.05, as tfjs). */
  randomNormal: (args: { mean?: number; stddev?: number; seed?: number } = {}): Initializer =>
    init("RandomNormal", { mean: f(args.mean, 0), stddev: f(args.stddev, 0.05), seed: seed(args) }),
  /** Uniform in `[minval, maxval)` (defaults -0.05, 0.05, as tfjs). */
  randomUniform: (args: { minval?: number; maxval?: number; seed?: number } = {}): Initializer =>
    init("RandomUniform", { minval: f(args.minval, -0.05), maxval: f(args.maxval, 0.05), seed: seed(args) }),
  /** Truncated normal with `mean` (default 0) and `stddev` (default 0.05). */
  truncatedNormal: (args: { mean?: number; stddev?: number; seed?: number } = {}): Initializer =>
    init("TruncatedNormal", { mean: f(args.mean, 0), stddev: f(args.stddev, 0.05), seed: seed(args) }),
  /** Glorot (Xavier) uniform. */
  glorotUniform: (args?: SeedOnlyInitializerArgs): Initializer => init("GlorotUniform", { seed: seed(args) }),
  /** Glorot (Xavier) normal. */
  glorotNormal: (args?: SeedOnlyInitializerArgs): Initializer => init("GlorotNormal", { seed: seed(args) }),
  /** He uniform. */
  heUniform: (args?: SeedOnlyInitializerArgs): Initializer => init("HeUniform", { seed: seed(args) }),
  /** He normal. */
  heNormal: (args?: SeedOnlyInitializerArgs): Initializer => init("HeNormal", { seed: seed(args) }),
  /** LeCun uniform. */
  leCunUniform: (args?: SeedOnlyInitializerArgs): Initializer => init("LecunUniform", { seed: seed(args) }),
  /** LeCun normal. */
  leCunNormal: (args?: SeedOnlyInitializerArgs): Initializer => init("LecunNormal", { seed: seed(args) }),
  /** Orthogonal matrices times `gain` (default 1). */
  orthogonal: (args: { gain?: number; seed?: number } = {}): Initializer => init("Orthogonal", { gain: f(args.gain, 1), seed: seed(args) }),
  /** Identity matrix times `gain` (default 1), for 2-D weights. */
  identity: (args: { gain?: number } = {}): Initializer => init("Identity", { gain: f(args.gain, 1) }),
  /**
   * Variance scaling (tfjs's `varianceScaling({scale, mode, distribution, seed})`; tfjs's
   * "fanIn"/"fanOut"/"fanAvg" are Keras's "fan_in"/"fan_out"/"fan_avg").
   */
  varianceScaling: (
    args: { scale?: number; mode?: "fanIn" | "fanOut" | "fanAvg"; distribution?: "normal" | "uniform" | "truncatedNormal"; seed?: number } = {},
  ): Initializer =>
    init("VarianceScaling", {
      scale: f(args.scale, 1),
      mode: { fanIn: "fan_in", fanOut: "fan_out", fanAvg: "fan_avg" }[args.mode ?? "fanIn"],
      distribution: args.distribution === "truncatedNormal" || args.distribution === undefined ? "truncated_normal" : args.distribution,
      seed: seed(args),
    }),
};

/** `tf.regularizers`: tfjs's regularizer factories (https://js.tensorflow.org/api/latest/#Regularizers). */
export const regularizers = {
  /** L1 penalty `l1 * sum(|w|)` (default 0.01). */
  l1: (args: { l1?: number } = {}): Regularizer => new Regularizer(py().keras.regularizers.L1(tspy.kwargs({ l1: f(args.l1, 0.01) }))),
  /** L2 penalty `l2 * sum(w²)` (default 0.01). */
  l2: (args: { l2?: number } = {}): Regularizer => new Regularizer(py().keras.regularizers.L2(tspy.kwargs({ l2: f(args.l2, 0.01) }))),
  /** Both penalties (defaults 0.01 each). */
  l1l2: (args: { l1?: number; l2?: number } = {}): Regularizer =>
    new Regularizer(py().keras.regularizers.L1L2(tspy.kwargs({ l1: f(args.l1, 0.01), l2: f(args.l2, 0.01) }))),
};
