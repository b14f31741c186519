"""Python half of the tspy/tf benchmark (bench/tf/run.ts): the peers written in plain Python —
the digits classifier trained with Keras directly, and the tensor-op loops — run in the same
embedded interpreter as the TypeScript side, so both use the same TensorFlow and threads."""
import time

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits


def digits():
    """scikit-learn's digits: (x, y) as tf.Tensors, x float32 [1797, 64] scaled to [0, 1], y one-hot float32 [1797, 10]."""
    data = load_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[data.target]
    return tf.constant(x), tf.constant(y)


def train_python(x, y, epochs, batch_size, seed, learning_rate):
    """The benchmark's model in plain Keras: seeded, built, compiled, fitted.

    Returns (fit wall seconds, fit CPU seconds of the whole process, last epoch's loss)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"])
    wall, cpu = time.perf_counter(), time.process_time()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return time.perf_counter() - wall, time.process_time() - cpu, float(history.history["loss"][-1])


def add_loop(a, b, n):
    """(wall, process CPU) seconds for `a + b` n times (each result dropped at once, as Python does)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        a + b
    return time.perf_counter() - wall, time.process_time() - cpu


def tf_add_loop(a, b, n):
    """(wall, process CPU) seconds for `tf.add(a, b)` n times."""
    add = tf.add
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        add(a, b)
    return time.perf_counter() - wall, time.process_time() - cpu
