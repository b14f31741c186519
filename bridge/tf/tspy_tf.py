"""Python half of `tspy/tf` (bridge/tf): the few steps that must run as Python code — a
GradientTape around a TypeScript function, a tensor from shared JS memory, Keras logs as floats.
Knows TensorFlow and Keras; nothing of the kernel or of Jupyter."""
import os
import weakref

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


def keras_view(model):
    """A weakref.proxy of `model`: attribute access reaches Keras's own `fit`, `layers`, ... of a
    model whose TS instance shadows those names with tfjs's methods (a custom model)."""
    return weakref.proxy(model)


def _same(old, new):
    if old is new:
        return True
    if isinstance(new, list) and old is not None and not isinstance(old, (str, bytes)):
        try:
            return len(old) == len(new) and all(a is b for a, b in zip(old, new))
        except TypeError:
            return False
    return False


def track_layers(model, layers):
    """Sets each layer (or list of layers) of the dict `layers` as attribute `_tfjs_<name>` of
    `model`, so Keras tracks the layers that a TS custom model keeps in TS fields (their weights
    train and save). Unchanged ones are left alone; Keras raises (ValueError) for a new layer
    once the model is built."""
    for name, value in layers.items():
        attr = "_tfjs_" + name
        if not _same(getattr(model, attr, None), value):
            setattr(model, attr, value)


def build_by_call(model, input_shape):
    """Builds the sublayers of a subclassed `model` by running its `call` on symbolic inputs of
    `input_shape` (Keras's own way for a model without `build()`), letting errors propagate."""
    if all(layer.built for layer in model._flatten_layers(include_self=False)):
        return
    from keras.src import backend

    inputs = keras.tree.map_shape_structure(lambda s: keras.KerasTensor(s), input_shape)
    backend.compute_output_spec(model.call, inputs)


_classes = weakref.WeakValueDictionary()


def cached_class(key):
    """The live Python class cached under `key` (a TS class's number), or None."""
    return _classes.get(key)


def cache_class(key, cls):
    """Caches `cls` weakly under `key` (the class holds TS functions; a strong JS reference to it
    would be a cycle across the two collectors); returns it."""
    _classes[key] = cls
    return cls


def set_call_signature(cls):
    """Gives the `call` of a TS layer/model class (a bridge method, whose parameters all default
    to a sentinel) the signature `(self, inputs, training=None)`, which Keras reads to pass its
    training flag and records in saved configs. Returns cls."""
    import inspect

    p = inspect.Parameter
    cls.__dict__["call"].__signature__ = inspect.Signature(
        [p("self", p.POSITIONAL_OR_KEYWORD), p("inputs", p.POSITIONAL_OR_KEYWORD), p("training", p.POSITIONAL_OR_KEYWORD, default=None)]
    )
    return cls


def _as_structure(value):
    """A JS-made element as tf.data wants it: lists (JS arrays) become tuples, dicts keep their
    keys, anything else (a tf.Tensor) is itself."""
    if isinstance(value, (list, tuple)):
        return tuple(_as_structure(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_structure(v) for k, v in value.items()}
    return value


def dataset_from_slices(columns):
    """tf.data.Dataset.from_tensor_slices over `columns` (a tensor, or lists/dicts of tensors that
    share their first dimension): one element per row. The dataset holds the tensors themselves."""
    return tf.data.Dataset.from_tensor_slices(_as_structure(columns))


def dataset_zip(datasets):
    """tf.data.Dataset.zip of a list (elements become tuples) or dict (elements become dicts) of datasets."""
    return tf.data.Dataset.zip(_as_structure(datasets))


def dataset_map(dataset, fn):
    """dataset.map(fn) with fn (a TS function) given each element as one argument (a tuple
    element is not spread) and its result's lists made tuples. tf.data traces fn into a graph once,
    here, on the calling thread; its threads then run only that graph, never fn (a TS function
    called from a tf.data thread while the executor waits in C code would deadlock)."""

    @tf.autograph.experimental.do_not_convert
    def apply(*args):
        return _as_structure(fn(args[0] if len(args) == 1 else args))

    return dataset.map(apply)


def dataset_xy(dataset):
    """A dataset whose elements Keras's fit reads as (x, y[, sample_weight]): tfjs's {xs, ys}
    dicts become (xs, ys) tuples; tuples and anything else pass unchanged."""
    spec = dataset.element_spec
    if isinstance(spec, dict) and "xs" in spec and "ys" in spec:
        if set(spec) - {"xs", "ys"}:
            raise ValueError(f"fitDataset: an element has keys {sorted(spec)}; expected only 'xs' and 'ys'")
        return dataset.map(lambda e: (e["xs"], e["ys"]))
    return dataset


def dataset_size(dataset):
    """The number of elements as a float: inf for an infinite dataset, nan when tf.data cannot tell."""
    n = int(dataset.cardinality())
    if n == int(tf.data.INFINITE_CARDINALITY):
        return float("inf")
    if n == int(tf.data.UNKNOWN_CARDINALITY):
        return float("nan")
    return float(n)
