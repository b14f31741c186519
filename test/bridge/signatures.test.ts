// Issue 12 item 4: a TS function handed to Python has a Python signature (__signature__,
// __name__, __qualname__, __doc__) read from its parameter list, so inspect.signature,
// functools.wraps, keras.layers.Lambda and tf.function accept it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type PyProxy, tspy } from "../../bridge/lib/index.js";
import { parseParameters } from "../../bridge/lib/signature.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

/** str(inspect.signature(fn)) as Python sees it. */
function signatureOf(fn: unknown): string {
  const sig = tspy.eval("lambda f: str(__import__('inspect').signature(f))") as PyProxy;
  try {
    return sig(fn) as string;
  } finally {
    tspy.destroy(sig);
  }
}

test("inspect_signature_of_an_arrow_with_default_and_rest", () => {
  assert.equal(
    signatureOf((a: number, b = 2, ...rest: number[]) => a + b + rest.length),
    "(a, b=2, *rest)",
  );
  assert.equal(
    signatureOf((x: number) => x),
    "(x)",
  );
  assert.equal(
    signatureOf(async (t: unknown, s = "a,)") => [t, s]),
    "(t, s='a,)')",
  );
});

test("destructuring_and_expression_defaults_get_names_and_an_ellipsis", () => {
  assert.equal(
    signatureOf(({ a }: { a: number }, [b]: number[] = [], n = Math.max(1, 2), z = null) => a + b + n + (z ?? 0)),
    "(arg0, arg1=..., n=..., z=None)",
  );
  assert.equal(tspy.eval("repr(__import__('tspy').JS_DEFAULT)"), "...");
});

test("a_method_read_from_an_object_has_its_parameters_and_qualname", () => {
  class Scaler {
    factor = 3;
    /** Scales x. */
    scale(x: number, offset = 0.5): number {
      return x * this.factor + offset;
    }
  }
  py.scaler = new Scaler();
  assert.equal(tspy.eval("str(__import__('inspect').signature(scaler.scale))"), "(x, offset=0.5)");
  assert.equal(tspy.eval("repr((scaler.scale.__name__, scaler.scale.__qualname__, scaler.scale.__doc__))"), "('scale', 'Scaler.scale', None)");
  assert.equal(tspy.eval("scaler.scale(2, offset=1)"), 7, "a keyword naming a parameter takes its position");
  assert.equal(signatureOf(Scaler), "()", "a class: its constructor's parameters");
  tspy.exec("del scaler");
});

test("native_and_bound_functions_take_anything", () => {
  assert.equal(signatureOf(Math.max), "(*args, **kwargs)");
  assert.equal(signatureOf(((a: number) => a).bind(null)), "(*args, **kwargs)");
  assert.equal(parseParameters("class A extends B {}"), null);
  assert.deepEqual(
    parseParameters("class A { x = '('; constructor(p, q = `)${1}`) {} }")?.map((p) => p.name),
    ["p", "q"],
  );
});

test("functools_wraps_copies_the_ts_name_and_keeps_the_signature", () => {
  const add = (a: number, b = 1) => a + b;
  const wrap = tspy.eval("lambda f: __import__('functools').wraps(f)(lambda *args, **kwargs: f(*args, **kwargs) * 10)") as PyProxy;
  const wrapped = wrap(add) as PyProxy;
  assert.equal(wrapped.__name__, "add");
  assert.equal(signatureOf(wrapped), "(a, b=1)");
  assert.equal(wrapped(2), 30);
  tspy.destroy(wrapped);
  tspy.destroy(wrap);
});

test("keras_lambda_layer_of_a_ts_function_predicts_and_trains", () => {
  tspy.exec("import os\nos.environ.setdefault('KERAS_BACKEND', 'tensorflow')\nos.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')");
  const keras = tspy.import("keras");
  let calls = 0;
  const double = (t: PyProxy) => {
    calls++;
    return keras.ops.multiply(t, 2);
  };
  const model = keras.Sequential([keras.Input(tspy.tuple(3)), keras.layers.Lambda(double), keras.layers.Dense(1)]);
  tspy.exec("import numpy as np\nrng = np.random.default_rng(0)\nXl = rng.normal(size=(32, 3)).astype('float32')\nyl = Xl.sum(axis=1, keepdims=True)");
  const pred = model.predict(py.Xl, tspy.kwargs({ verbose: 0 }));
  assert.deepEqual(tspy.toJS(pred.shape), [32, 1]);
  model.compile(tspy.kwargs({ optimizer: "sgd", loss: "mse" }));
  const history = model.fit(py.Xl, py.yl, tspy.kwargs({ epochs: 1, batch_size: 8, verbose: 0 }));
  const losses = tspy.toJS(tspy.getItem(history.history, "loss")) as number[];
  assert.equal(losses.length, 1);
  assert.ok(Number.isFinite(losses[0]), `a finite loss (${losses[0]})`);
  assert.ok(calls > 0, "Keras called the TS function");
  for (const p of [keras, model, pred, history]) tspy.destroy(p);
  tspy.exec("del rng, Xl, yl\nimport gc; gc.collect()");
});

test("tf_function_of_a_ts_function_runs_on_a_tensor", () => {
  const tf = tspy.import("tensorflow");
  const square = (x: PyProxy) => tf.multiply(x, x);
  const fn = tf.function(square);
  const out = fn(tf.constant([1.5, 2, 3]));
  assert.deepEqual(tspy.toJS(out.numpy().tolist()), [2.25, 4, 9]);
  for (const p of [tf, fn, out]) tspy.destroy(p);
  tspy.exec("import gc; gc.collect()");
});
