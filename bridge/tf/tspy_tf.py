"""Python half of `tspy/tf` (bridge/tf): the few steps that must run as Python code — a
GradientTape around a TypeScript function, a tensor from shared JS memory, Keras logs as floats.
Knows TensorFlow and Keras; nothing of the kernel or of Jupyter."""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


def from_buffer(buf, shape, dtype):
    """A tf.Tensor of `dtype` and `shape` (elements) from a flat buffer (a tspy.JsBuffer).

    tf.constant copies the memory, so the tensor never aliases JS memory that JS may reuse."""
    arr = np.asarray(buf)
    if dtype == "bool":
        arr = arr.astype(bool)
    return tf.constant(arr.reshape(tuple(shape)), dtype=dtype)


def from_strings(values, shape):
    """A tf.string tensor of `shape` from a flat list of str."""
    return tf.constant(np.array(values, dtype=object).reshape(tuple(shape)), dtype=tf.string)


def to_tensor(value, dtype=None):
    """tf.convert_to_tensor(value, dtype), reading a variable's current value."""
    if isinstance(value, (tf.Variable, keras.Variable)):
        value = tf.convert_to_tensor(value)
        return value if dtype is None else tf.cast(value, dtype)
    return tf.convert_to_tensor(value, dtype=dtype)


def floats(logs):
    """Keras logs (dict of str to float, numpy or tensor scalars; or None) as a dict of str to float."""
    out = {}
    for key, value in (logs or {}).items():
        try:
            out[str(key)] = float(np.asarray(value))
        except (TypeError, ValueError):
            continue
    return out


def value_and_grads(fn, xs, dy=None):
    """Runs fn(*xs) under a GradientTape watching every x; returns (value, [d value / d x]),
    the output weighted by `dy` (default ones)."""
    xs = [to_tensor(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        value = fn(*xs)
    grads = tape.gradient(value, xs, output_gradients=dy)
    return value, [tf.zeros_like(x) if g is None else g for x, g in zip(xs, grads)]


def variable_grads(fn, var_list):
    """Runs fn() under a GradientTape; returns (value, names, grads) over `var_list` or every
    trainable variable fn read (a missing gradient is zeros)."""
    with tf.GradientTape() as tape:
        value = fn()
    variables = list(var_list) if var_list is not None else [v for v in tape.watched_variables() if v.trainable]
    grads = tape.gradient(value, variables)
    grads = [tf.zeros_like(v) if g is None else tf.convert_to_tensor(g) for v, g in zip(variables, grads)]
    return value, variables, grads


def minimize(optimizer, fn, var_list):
    """One optimizer step on fn(): gradients over `var_list` (or every trainable variable fn read),
    applied with the Keras optimizer; returns fn()'s value."""
    value, variables, grads = variable_grads(fn, var_list)
    optimizer.apply_gradients(list(zip(grads, variables)))
    return value


def apply_gradients(optimizer, grads, variables):
    """optimizer.apply_gradients over parallel lists."""
    optimizer.apply_gradients(list(zip(grads, variables)))
