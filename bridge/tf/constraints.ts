// tfjs's `tf.constraints.*` factories (https://js.tensorflow.org/api/latest/#Constraints) over
// Keras's weight constraints; each returns a wrapper whose `.py` layer options
// (`kernelConstraint`, `biasConstraint`, ..., `addWeight`'s constraint) pass to Keras.
import { type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";
import { Tensor } from "./tensor.js";

/** A Keras weight constraint (tfjs's `Constraint`), applied to a weight after each optimizer step. */
export class Constraint {
  /** @param py the Python `keras.constraints.Constraint`. */
  constructor(readonly py: PyProxy) {}
  /** The constrained value of `w` (tfjs's `apply(w)`; Keras's `constraint(w)`). */
  apply(w: Tensor): Tensor {
    return new Tensor(this.py(w.py));
  }
}

/** tfjs's constraint string ids, accepted wherever a constraint is (Keras's "max_norm", "min_max_norm", "non_neg", "unit_norm"). */
export type ConstraintIdentifier = "maxNorm" | "minMaxNorm" | "nonNeg" | "unitNorm" | (string & {});

/** Options of {@link constraints.maxNorm} (tfjs's `MaxNormArgs`). */
export interface MaxNormArgs {
  /** Largest norm allowed (default 2). */
  maxValue?: number;
  /** Axis along which norms are computed (default 0: each column of a Dense kernel, i.e. each unit's incoming weights). */
  axis?: number;
}
/** Options of {@link constraints.minMaxNorm} (tfjs's `MinMaxNormArgs`). */
export interface MinMaxNormArgs {
  /** Smallest norm (default 0). */
  minValue?: number;
  /** Largest norm (default 1). */
  maxValue?: number;
  /** Axis along which norms are computed (default 0). */
  axis?: number;
  /** How far toward the allowed range each step moves the norm, 0..1 (default 1: all the way). */
  rate?: number;
}
/** Options of {@link constraints.unitNorm} (tfjs's `UnitNormArgs`). */
export interface UnitNormArgs {
  /** Axis along which norms are computed (default 0). */
  axis?: number;
}

function axisOf(owner: string, axis: number | undefined): number {
  const a = axis ?? 0;
  if (!Number.isInteger(a)) throw new TypeError(`tf.constraints.${owner}: option 'axis' must be an integer; got ${a}`);
  return a;
}

function make(className: string, kwargs: Record<string, unknown> = {}): Constraint {
  return new Constraint(py().keras.constraints[className](tspy.kwargs(kwargs)));
}

/**
 * `tf.constraints`: tfjs's constraint factories, each the Keras constraint of that name with
 * tfjs's option names and defaults (the same as Keras's).
 * @throws TypeError (each) when `axis` is not an integer.
 */
export const constraints = {
  /** Rescales weights whose norm along `axis` exceeds `maxValue` (Keras's `MaxNorm`). */
  maxNorm: (args: MaxNormArgs = {}): Constraint => make("MaxNorm", { max_value: tspy.float(args.maxValue ?? 2), axis: axisOf("maxNorm", args.axis) }),
  /** Keeps the norm along `axis` in `[minValue, maxValue]` (Keras's `MinMaxNorm`). */
  minMaxNorm: (args: MinMaxNormArgs = {}): Constraint =>
    make("MinMaxNorm", {
      min_value: tspy.float(args.minValue ?? 0),
      max_value: tspy.float(args.maxValue ?? 1),
      rate: tspy.float(args.rate ?? 1),
      axis: axisOf("minMaxNorm", args.axis),
    }),
  /** Sets negative weights to zero (Keras's `NonNeg`). */
  nonNeg: (): Constraint => make("NonNeg"),
  /** Scales weights to unit norm along `axis` (Keras's `UnitNorm`). */
  unitNorm: (args: UnitNormArgs = {}): Constraint => make("UnitNorm", { axis: axisOf("unitNorm", args.axis) }),
};
