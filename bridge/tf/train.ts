// tfjs's optimizers (`tf.train.*`) over Keras optimizers, and tfjs's gradient functions
// (`tf.grad`, `tf.grads`, `tf.valueAndGrad(s)`, `tf.variableGrads`) over `tf.GradientTape`
// (bridge/tf/tspy_tf.py runs the tape around the TS function). Nothing of models.
import { type PyProxy, tspy } from "../lib/index.js";
import { py } from "./runtime.js";
import { Tensor, type Variable, variableName } from "./tensor.js";

/** Tensors by name (tfjs's `NamedTensorMap`; here a variable's name). */
export type NamedTensorMap = { [name: string]: Tensor };

/** A TS function called from Python's tape: Python tensors in, the Python tensor of the result out. */
function tapeFn(f: (...xs: Tensor[]) => Tensor): (...xs: PyProxy[]) => PyProxy {
  return (...xs: PyProxy[]) => {
    const r = f(...xs.map((x) => new Tensor(x)));
    if (!(r instanceof Tensor)) throw new TypeError("The function passed to a gradient function must return a Tensor");
    return r.py;
  };
}

function unpair(pair: PyProxy): [PyProxy, PyProxy[]] {
  const value = tspy.getItem(pair, 0) as PyProxy;
  const listP = tspy.getItem(pair, 1) as PyProxy;
  const grads = [...(listP as Iterable<PyProxy>)];
  tspy.destroy(listP);
  tspy.destroy(pair);
  return [value, grads];
}

/**
 * A tfjs optimizer over a Keras optimizer (`optimizer.py`): give it to `model.compile`, or drive a
 * custom training loop with {@link minimize}. Made by {@link train}'s factories.
 */
export class Optimizer {
  /** @param py the Python `keras.optimizers.Optimizer`. */
  constructor(readonly py: PyProxy) {}

  /**
   * One step on `f()` (tfjs's `minimize(f, returnCost = false, varList?)`): gradients of its scalar
   * result with respect to `varList` (default: every trainable variable `f` read), applied.
   * @returns the cost (a scalar Tensor) when `returnCost`, else null.
   * @throws TypeError when `f` does not return a Tensor; PythonError from TensorFlow.
   */
  minimize(f: () => Tensor, returnCost = false, varList?: Variable[]): Tensor | null {
    const value = py().helpers.minimize(this.py, tapeFn(f), varList ? varList.map((v) => v.py) : null);
    const cost = new Tensor(value);
    if (returnCost) return cost;
    cost.dispose();
    return null;
  }
  /** Gradients of `f()` (tfjs's `computeGradients(f, varList?)`): `{value, grads}` by variable name. */
  computeGradients(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: NamedTensorMap } {
    return variableGrads(f, varList);
  }
  /**
   * Applies gradients (tfjs's `applyGradients(variableGradients)`): a map from variable name to
   * gradient, over `variables` (the variables those names belong to), or a list of `{name, tensor}`.
   * @throws Error when a name matches no variable in `variables`.
   */
  applyGradients(variableGradients: NamedTensorMap, variables: Variable[]): void {
    const byName = new Map(variables.map((v) => [v.name, v] as const));
    const grads: PyProxy[] = [];
    const vars: PyProxy[] = [];
    for (const [name, g] of Object.entries(variableGradients)) {
      const v = byName.get(name);
      if (!v) throw new Error(`applyGradients: no variable named ${name}`);
      grads.push(g.py);
      vars.push(v.py);
    }
    py().helpers.apply_gradients(this.py, grads, vars);
  }
  /** The learning rate now. */
  get learningRate(): number {
    return Number(py().np.asarray(this.py.learning_rate));
  }
}

const f = (n: number): unknown => tspy.float(n);

/**
 * `tf.train`: tfjs's optimizer factories (https://js.tensorflow.org/api/latest/#Training-Optimizers),
 * each a Keras optimizer with the same hyper-parameters (tfjs's defaults where tfjs has them).
 */
export const train = {
  /** Stochastic gradient descent (Keras `SGD`). */
  sgd(learningRate: number): Optimizer {
    return new Optimizer(py().keras.optimizers.SGD(tspy.kwargs({ learning_rate: f(learningRate) })));
  },
  /** SGD with momentum (Keras `SGD(momentum, nesterov)`). */
  momentum(learningRate: number, momentum: number, useNesterov = false): Optimizer {
    return new Optimizer(py().keras.optimizers.SGD(tspy.kwargs({ learning_rate: f(learningRate), momentum: f(momentum), nesterov: useNesterov })));
  },
  /** Adam (Keras `Adam`); defaults as tfjs: 0.001, 0.9, 0.999, epsilon 1e-7. */
  adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Optimizer {
    return new Optimizer(py().keras.optimizers.Adam(tspy.kwargs({ learning_rate: f(learningRate), beta_1: f(beta1), beta_2: f(beta2), epsilon: f(epsilon) })));
  },
  /** Adamax (Keras `Adamax`); tfjs's defaults 0.002, 0.9, 0.999. */
  adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): Optimizer {
    return new Optimizer(
      py().keras.optimizers.Adamax(tspy.kwargs({ learning_rate: f(learningRate), beta_1: f(beta1), beta_2: f(beta2), epsilon: f(epsilon) })),
    );
  },
  /** Adagrad (Keras `Adagrad`); tfjs's default initial accumulator 0.1. */
  adagrad(learningRate: number, initialAccumulatorValue = 0.1): Optimizer {
    return new Optimizer(py().keras.optimizers.Adagrad(tspy.kwargs({ learning_rate: f(learningRate), initial_accumulator_value: f(initialAccumulatorValue) })));
  },
  /** Adadelta (Keras `Adadelta`); tfjs's defaults 0.001, rho 0.95. */
  adadelta(learningRate = 0.001, rho = 0.95, epsilon = 1e-7): Optimizer {
    return new Optimizer(py().keras.optimizers.Adadelta(tspy.kwargs({ learning_rate: f(learningRate), rho: f(rho), epsilon: f(epsilon) })));
  },
  /** RMSprop (Keras `RMSprop`; tfjs's `decay` is Keras's `rho`, default 0.9). */
  rmsprop(learningRate: number, decay = 0.9, momentum = 0, epsilon = 1e-7, centered = false): Optimizer {
    return new Optimizer(
      py().keras.optimizers.RMSprop(tspy.kwargs({ learning_rate: f(learningRate), rho: f(decay), momentum: f(momentum), epsilon: f(epsilon), centered })),
    );
  },
};

/**
 * Runs `fn(...args)` under a `tf.GradientTape` (tspy_tf.py's `value_and_grads`), the output
 * weighted by `dy` (default ones): the value and one gradient per argument (zeros where none exists).
 */
function tapeGrads(fn: (...xs: Tensor[]) => Tensor, args: Tensor[], dy: Tensor | undefined): [PyProxy, PyProxy[]] {
  return unpair(
    py().helpers.value_and_grads(
      tapeFn(fn),
      args.map((a) => a.py),
      dy ? dy.py : null,
    ),
  );
}

/**
 * `tf.grad(f)`: the function `(x, dy?) => df/dx` of a one-argument function `f` (tfjs's
 * https://js.tensorflow.org/api/latest/#grad), computed with a `tf.GradientTape`; `dy` weights
 * the output (default ones). A gradient that does not exist is zeros.
 */
export function grad<I extends Tensor, O extends Tensor>(fn: (x: I) => O): (x: I, dy?: O) => I {
  return (x, dy) => {
    const [value, gs] = tapeGrads(fn as unknown as (...xs: Tensor[]) => Tensor, [x], dy);
    tspy.destroy(value);
    return new Tensor(gs[0]) as I;
  };
}
/** `tf.grads(f)`: `(args, dy?) => [df/darg...]` for a function of several tensors. */
export function grads<O extends Tensor>(fn: (...args: Tensor[]) => O): (args: Tensor[], dy?: O) => Tensor[] {
  return (args, dy) => {
    const [value, gs] = tapeGrads(fn, args, dy);
    tspy.destroy(value);
    return gs.map((g) => new Tensor(g));
  };
}
/** `tf.valueAndGrad(f)`: `(x, dy?) => {value, grad}`. */
export function valueAndGrad<I extends Tensor, O extends Tensor>(fn: (x: I) => O): (x: I, dy?: O) => { value: O; grad: I } {
  return (x, dy) => {
    const [value, gs] = tapeGrads(fn as unknown as (...xs: Tensor[]) => Tensor, [x], dy);
    return { value: new Tensor(value) as O, grad: new Tensor(gs[0]) as I };
  };
}
/** `tf.valueAndGrads(f)`: `(args, dy?) => {value, grads}`. */
export function valueAndGrads<O extends Tensor>(fn: (...args: Tensor[]) => O): (args: Tensor[], dy?: O) => { value: O; grads: Tensor[] } {
  return (args, dy) => {
    const [value, gs] = tapeGrads(fn, args, dy);
    return { value: new Tensor(value) as O, grads: gs.map((g) => new Tensor(g)) };
  };
}
/**
 * `tf.variableGrads(f, varList?)`: the value of `f()` and its gradients with respect to
 * `varList` (default: every trainable variable `f` read), by variable name.
 * @throws TypeError when `f` does not return a Tensor.
 */
export function variableGrads(fn: () => Tensor, varList?: Variable[]): { value: Tensor; grads: NamedTensorMap } {
  const triple = py().helpers.variable_grads(tapeFn(fn), varList ? varList.map((v) => v.py) : null);
  const value = tspy.getItem(triple, 0) as PyProxy;
  const vars = [...(tspy.getItem(triple, 1) as Iterable<PyProxy>)];
  const gs = [...(tspy.getItem(triple, 2) as Iterable<PyProxy>)];
  tspy.destroy(triple);
  const out: NamedTensorMap = {};
  vars.forEach((v, i) => {
    out[variableName(v)] = new Tensor(gs[i]);
  });
  return { value: new Tensor(value), grads: out };
}
