# Python side of the bridge benchmark, shared by every peer (imported by file path or by name).
import math
import numpy as np

sqrt = math.sqrt


class Thing:
    def __init__(self):
        self.x = 1


thing = Thing()
_arrays = {}


def make_array(n):
    """Keeps a float64 array of n elements (n * 8 bytes) for the Python -> JS handoff."""
    _arrays[n] = np.arange(n, dtype=np.float64)
    return n


def get_array(n):
    return _arrays[n]


def get_bytes(n):
    return _arrays[n].tobytes()


def from_buffer(b):
    """JS -> Python handoff for peers that pass bytes: a float64 ndarray over them."""
    return np.frombuffer(b, dtype=np.float64).shape[0]


def from_list(xs):
    return np.asarray(xs, dtype=np.float64).shape[0]


def call_n(f, n):
    for i in range(n):
        f(i)
    return n


def get_thing():
    return thing


def call_n_in_thread(f, n):
    """call_n(f, n) on a new Python thread while this (the caller's) thread waits in join()."""
    import threading

    t = threading.Thread(target=call_n, args=(f, n))
    t.start()
    t.join()
    return n
