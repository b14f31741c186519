"""Run once by the bridge addon right after CPython starts (interp.cc, Initialize), with the
`tspy` extension module already in sys.modules: builds the `ts` module (the TypeScript side seen
from Python: `ts.x` reads the TS value x) and adds the Python-level parts of tspy's types
(DLPack export of JsBuffer, ...). Runs in its own globals; what it leaves behind is reachable
only through `tspy`, `ts` and `__main__.ts`."""
import sys, types, tspy

class _TsModule(types.ModuleType):
    """The TypeScript side of tspy: `ts.x` reads the TS value x, `ts.x = v` sets it."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return tspy._ns_get(name)

    def __setattr__(self, name, value):
        if name.startswith("__") and name.endswith("__"):
            return super().__setattr__(name, value)
        tspy._ns_set(name, value)

    def __dir__(self):
        return sorted(tspy._ns_keys())

_ts = _TsModule("ts", "The TypeScript namespace of the tspy kernel.")

# ---- awaiting across the bridge --------------------------------------------------------------
# TypeScript awaits a Python awaitable by scheduling it as a task on one private asyncio loop
# that is never left running: JS steps it (one loop iteration per step, never blocking) between
# its own event-loop turns, so JS Promises awaited by those tasks can settle in between.
import asyncio as _asyncio

tspy._loop = None

def _aio_loop():
    loop = tspy._loop
    if loop is None or loop.is_closed():
        loop = tspy._loop = _asyncio.new_event_loop()
        # The thread's current loop, so futures made outside a coroutine (asyncio.gather(...),
        # loop.create_future()) belong to it and TS can await them.
        _asyncio.set_event_loop(loop)
    return loop

def _aio_start(awaitable, notify):
    """Schedules `awaitable` on the bridge loop; `notify()` (a JS function) runs when it is done."""
    fut = _asyncio.ensure_future(awaitable, loop=_aio_loop())
    fut.add_done_callback(lambda _f: notify())
    return fut

def _aio_step():
    """Runs one iteration of the bridge loop. Returns seconds until the next timer, 0.0 when
    callbacks are ready, -1.0 when nothing is scheduled."""
    loop = _aio_loop()
    if loop.is_running():
        return 0.001
    loop.call_soon(loop.stop)
    loop.run_forever()
    if loop._ready:
        return 0.0
    if loop._scheduled:
        return max(0.0, loop._scheduled[0].when() - loop.time())
    return -1.0

def _js_await(self):
    """`await promise` for a JS thenable, inside a coroutine that TypeScript awaits."""
    loop = _asyncio.get_running_loop()
    if loop is not tspy._loop:
        raise RuntimeError(
            "tspy: a JS Promise can only be awaited by a coroutine that TypeScript awaits "
            "(JS cannot run while another event loop blocks the executor thread)")
    fut = loop.create_future()
    def ok(value):
        if not fut.done():
            fut.set_result(value)
    def err(reason):
        if not fut.done():
            fut.set_exception(reason if isinstance(reason, BaseException) else tspy._js_error(reason))
    self.then(ok, err)
    return (yield from fut)

_aio_loop()
tspy._aio_start = _aio_start
tspy._aio_step = _aio_step
tspy.JsObject.__await__ = _js_await

# ---- TS subclasses of Python classes ---------------------------------------------------------
import keyword as _keyword
_UNSET = object()

def _ts_call(fn, self, named, args, kwargs):
    pos = list(named)
    while pos and pos[-1] is _UNSET:
        pos.pop()
    return fn(self, *[None if p is _UNSET else p for p in pos], *args, **kwargs)

def _ts_method(name, fn, params):
    """A Python function with the TS function's parameter names (so signature inspection, e.g.
    Keras's look for `training`/`mask` in Layer.call, sees them), calling fn(self, ...)."""
    names = []
    for i, p in enumerate(params):
        ok = isinstance(p, str) and p.isidentifier() and not _keyword.iskeyword(p)
        ok = ok and p not in ("self", "args", "kwargs") and p not in names
        names.append(p if ok else "arg%d" % i)
    sig = "".join(", %s=_UNSET" % p for p in names)
    packed = "(" + "".join("%s, " % p for p in names) + ")"
    src = ("def method(self%s, *args, **kwargs):\n"
           "    return _ts_call(fn, self, %s, args, kwargs)\n") % (sig, packed)
    scope = {"_ts_call": _ts_call, "_UNSET": _UNSET, "fn": fn}
    exec(src, scope)
    method = scope["method"]
    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = "Implemented in TypeScript."
    return method

# A TS class over a Python class (lib/ts-classes.ts): the Python
# class is type(name, bases, ns) with one method per TS method (calling it with `this` = the TS
# instance) and `__tspy_class__` set, which makes python2js hand its instances to TS as their TS
# instances. The TS fields of an instance live in one JS object held by the Python instance
# (`__tspy_fields__`), so the TS instance can be made again over them; nothing Python holds keeps
# the TS instance itself alive (no cycle across the two collectors).
import weakref as _weakref
_FIELDS = "__tspy_fields__"
_ts_classes = _weakref.WeakValueDictionary()

def _ts_fields(self):
    """The JS object of self's TS fields, or None (not made through a TS class)."""
    try:
        return object.__getattribute__(self, "__dict__").get(_FIELDS)
    except AttributeError:
        return None

def _ts_cached(cid):
    """The live Python class made for the TS class numbered cid, or None."""
    return _ts_classes.get(cid)

def _ts_class(cid, name, bases, methods, params, attrs, invoke, adopt):
    """The Python class for a TS class: methods[key] is the TS function (invoke(impl, self, ...)
    calls it with this = self); adopt(self, args, kwargs) runs the TS constructor over an
    instance Python made (cls(...) from Python)."""
    ns = dict(attrs)
    for key, impl in methods.items():
        ns[key] = _ts_method(key, _functools.partial(invoke, impl), params.get(key, []))
    root = None

    def __init__(self, *args, **kwargs):
        if _ts_fields(self) is None:
            adopt(self, args, kwargs)

    ns["__init__"] = __init__
    ns["__tspy_class__"] = True
    ns.setdefault("__module__", "__main__")
    if not any(getattr(b, "__tspy_class__", False) for b in bases):
        # The first TS class over Python bases: TS fields readable and writable from Python.
        base_getattr = next((k.__dict__["__getattr__"] for k in bases[0].__mro__ if "__getattr__" in k.__dict__), None)

        def __getattr__(self, name):
            fields = _ts_fields(self)
            if fields is not None and not (name.startswith("__") and name.endswith("__")):
                try:
                    return getattr(fields, name)
                except AttributeError:
                    pass
            if base_getattr is not None:
                return base_getattr(self, name)
            raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

        def __setattr__(self, name, value):
            fields = _ts_fields(self)
            if fields is not None and not (name.startswith("__") and name.endswith("__")) and hasattr(fields, name):
                setattr(fields, name, value)
            else:
                super(root, self).__setattr__(name, value)

        ns["__getattr__"] = __getattr__
        ns["__setattr__"] = __setattr__
    cls = type(name, tuple(bases), ns)
    root = cls
    cls.__tspy_root__ = next((k for k in reversed(cls.__mro__) if k.__dict__.get("__tspy_class__")), cls)
    _ts_classes[cid] = cls
    return cls

def _ts_new(cls, fields, args, kwargs):
    """A new instance of the TS-made class cls (cls.__new__ with the base's arguments), holding
    the JS object of its TS fields; __init__ is _ts_init's work."""
    inst = cls.__new__(cls, *args, **kwargs)
    object.__getattribute__(inst, "__dict__")[_FIELDS] = fields
    return inst

def _ts_attach(inst, fields):
    """Gives an instance that Python made (adopt) the JS object of its TS fields."""
    object.__getattribute__(inst, "__dict__")[_FIELDS] = fields

def _ts_init(inst, args, kwargs):
    """The Python base's __init__ (TS `super(...)`): the first one after the TS classes."""
    super(type(inst).__tspy_root__, inst).__init__(*args, **kwargs)

def _ts_super_get(base, inst, name):
    """`super.name` from a TS method: name looked up on the Python base class `base` and bound to
    inst, skipping the TS classes (whose methods the TS prototype chain already holds)."""
    mro = type(inst).__mro__
    i = mro.index(base)
    return getattr(super(mro[i - 1], inst), name) if i > 0 else getattr(inst, name)

def _ts_get(inst, name):
    """getattr(inst, name) (raises the AttributeError)."""
    return getattr(inst, name)

def _ts_py_has(inst, name):
    """Whether Python itself (the instance dict or the class) has `name`, TS fields not asked."""
    try:
        object.__getattribute__(inst, name)
        return True
    except AttributeError:
        return False

def _ts_is_class(x):
    return isinstance(x, type)

def _ts_ident(x):
    """x itself (TS asks for its own, unshared proxy of an object)."""
    return x

import functools as _functools
for _f in (_ts_cached, _ts_class, _ts_new, _ts_attach, _ts_init, _ts_super_get, _ts_get, _ts_py_has, _ts_is_class, _ts_ident):
    setattr(tspy, _f.__name__, _f)
del _f
tspy._make_set = set

# ---- signatures of TS functions --------------------------------------------------------------
# A JsFunction's __signature__, __name__, __qualname__ and __doc__ come from its JS source
# (tspy._describe_js_function: JSON made by bridge/lib/signature.ts, cached per function there), so
# inspect.signature, functools.wraps, keras.layers.Lambda and tf.function accept TS functions.
import inspect as _inspect
import json as _json
_Param = _inspect.Parameter

class _JsDefault:
    """Default of a TS parameter whose default is an expression JS evaluates on each call."""
    __slots__ = ()
    def __repr__(self):
        return "..."

tspy.JS_DEFAULT = _JsDefault()

def _js_signature(info):
    params = info.get("params")
    if params is None:  # no readable source (native, bound): anything goes
        return _inspect.Signature([_Param("args", _Param.VAR_POSITIONAL), _Param("kwargs", _Param.VAR_KEYWORD)])
    out, names, defaulted = [], set(), False
    for i, p in enumerate(params):
        name = p.get("name")
        if not (isinstance(name, str) and name.isidentifier() and not _keyword.iskeyword(name)) or name in names:
            name = "arg%d" % i
            while name in names:
                name += "_"
        names.add(name)
        if p.get("rest"):
            out.append(_Param(name, _Param.VAR_POSITIONAL))
            break
        if "defaultText" in p:
            default = p.get("default") if p.get("literal") else tspy.JS_DEFAULT
            defaulted = True
        else:  # JS allows a parameter without default after one with: it is undefined when left out
            default = tspy.JS_DEFAULT if defaulted else _Param.empty
        out.append(_Param(name, _Param.POSITIONAL_OR_KEYWORD, default=default))
    return _inspect.Signature(out)

def _js_function_attr(fn, which):
    """JsFunction.__signature__ ("signature"), __name__, __qualname__, __doc__."""
    info = _json.loads(tspy._describe_js_function(fn))
    return _js_signature(info) if which == "signature" else info.get(which)

def _bind_js_kwargs(fn, args, kwargs):
    """(args, kwargs) for calling the JsFunction fn: keywords naming the parameters after the
    positional ones take their positions (in order, while they follow each other); the other
    keywords stay, for the trailing options object."""
    try:
        params = list(_js_signature(_json.loads(tspy._describe_js_function(fn))).parameters.values())
    except Exception:
        return args, dict(kwargs)
    out, rest = list(args), dict(kwargs)
    for p in params[len(out):]:
        if p.kind is not _Param.POSITIONAL_OR_KEYWORD or p.name not in rest:
            break
        out.append(rest.pop(p.name))
    return tuple(out), rest

tspy._js_function_attr = _js_function_attr
tspy._bind_js_kwargs = _bind_js_kwargs

# ---- DLPack for TS memory --------------------------------------------------------------------
# A JsBuffer (TS TypedArray/ArrayBuffer/DataView) is a DLPack producer through numpy: the capsule
# owns an ndarray over the JS memory, which owns the JsBuffer, which holds the JS value.
def _jsbuffer_dlpack(self, *args, **kwargs):
    """DLPack capsule over this JS memory (1-D, the TypedArray's element type, CPU)."""
    import numpy
    return numpy.asarray(self).__dlpack__(*args, **kwargs)

def _jsbuffer_dlpack_device(self):
    """(kDLCPU, 0): JS memory is host memory."""
    return (1, 0)

def _dlpack(x, shape):
    """DLPack capsule over the memory of the JsBuffer x, reshaped (no copy) when shape is given."""
    import numpy
    a = numpy.asarray(x)
    if shape is not None:
        a = a.reshape(tuple(shape))
    return a.__dlpack__()

tspy.JsBuffer.__dlpack__ = _jsbuffer_dlpack
tspy.JsBuffer.__dlpack_device__ = _jsbuffer_dlpack_device
tspy._dlpack = _dlpack
sys.modules["ts"] = _ts
import __main__
__main__.ts = _ts
del _ts
