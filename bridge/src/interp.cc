// Interpreter lifetime and process-wide state: initialisation (no signal handlers), the GIL
// entry helpers' queues, interrupts through pending calls, and the Python->JS error path.
// Knows nothing of Jupyter or of the TS proxy shapes (those come in through `hooks`).
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>
#include <v8.h>

#include <chrono>
#include <condition_variable>
#include <cstring>

#include "bridge.h"

namespace tspy {

std::atomic<bool> g_initialized{false};
EnvState* g_pyEnv = nullptr;
std::atomic<long> g_liveProxies{0};
std::atomic<long> g_liveJsRefs{0};
PyObject* g_JSError = nullptr;
PyObject* g_JsObjectType = nullptr;
PyObject* g_JsFunctionType = nullptr;
PyObject* g_JsBufferType = nullptr;
PyThreadState* g_execTstate = nullptr;
bool g_gilHeld = false;
std::atomic<bool> g_gilLazy{false};
std::atomic<unsigned> g_gilEpoch{0};
unsigned g_gilLazyEntries = 0;

static std::atomic<bool> g_interrupt{false};
// The kernel asked to terminate the running TS (requestTermination); no frame has taken it yet.
static std::atomic<bool> g_terminateWanted{false};
static std::atomic<bool> g_pendingQueued{false};
static std::atomic<bool> g_nudging{false};

static std::mutex g_queueMutex;
// True while any queue may be non-empty: lets DrainQueues skip the mutex on the hot path.
std::atomic<bool> g_queued{false};
static std::vector<PyObject*> g_decrefs;
static std::vector<BufferHolder*> g_bufferReleases;
static std::vector<std::pair<EnvState*, napi_ref>> g_refDeletes;

EnvState* State(Napi::Env env) { return env.GetInstanceData<EnvState>(); }

void QueueDecref(PyObject* obj) {
  std::lock_guard<std::mutex> lock(g_queueMutex);
  g_decrefs.push_back(obj);
  g_queued = true;
}

void QueueBufferRelease(BufferHolder* h) {
  std::lock_guard<std::mutex> lock(g_queueMutex);
  g_bufferReleases.push_back(h);
  g_queued = true;
}

void ReleaseJsRef(EnvState* st, napi_ref ref) {
  if (ref == nullptr || st == nullptr || !st->alive) return;
  if (std::this_thread::get_id() == st->thread) {
    napi_delete_reference(st->env, ref);
  } else {
    std::lock_guard<std::mutex> lock(g_queueMutex);
    g_refDeletes.emplace_back(st, ref);
    g_queued = true;
  }
}

void DrainQueuesNow(EnvState* st) {
  // Buffer views whose backing store someone else still holds (see buffer.cc): queued again.
  std::vector<BufferHolder*> waiting;
  // Loop: a decref may run __del__ code that queues more work.
  for (int round = 0; round < 8; round++) {
    std::vector<PyObject*> decrefs;
    std::vector<BufferHolder*> buffers;
    std::vector<std::pair<EnvState*, napi_ref>> refs;
    {
      std::lock_guard<std::mutex> lock(g_queueMutex);
      if (g_decrefs.empty() && g_bufferReleases.empty() && g_refDeletes.empty()) {
        g_queued = false;
        break;
      }
      decrefs.swap(g_decrefs);
      buffers.swap(g_bufferReleases);
      for (auto& r : g_refDeletes) {
        if (r.first == st || !r.first->alive) {
          if (r.first->alive) napi_delete_reference(st->env, r.second);
        } else {
          refs.push_back(r);
        }
      }
      g_refDeletes.swap(refs);
      g_queued = !g_refDeletes.empty();
      if (decrefs.empty() && buffers.empty()) break;
    }
    for (BufferHolder* h : buffers) {
      if (h->store.use_count() > 1) {
        waiting.push_back(h);
        continue;
      }
      h->store.reset();
      PyBuffer_Release(&h->view);
      h->pyDone = true;
      if (h->jsGone) delete h;  // else the ArrayBuffer's finalizer deletes it
    }
    for (PyObject* o : decrefs) Py_DECREF(o);
  }
  if (!waiting.empty()) {
    std::lock_guard<std::mutex> lock(g_queueMutex);
    g_bufferReleases.insert(g_bufferReleases.end(), waiting.begin(), waiting.end());
    g_queued = true;
  }
}

EnvState* RequirePyEnv(Napi::Env env) {
  EnvState* st = State(env);
  if (!g_initialized || g_pyEnv != st) {
    throw Napi::Error::New(env, g_initialized
                                    ? "tspy: Python was initialised on another thread; only that thread may use py"
                                    : "tspy: Python is not initialised; call initialize() first");
  }
  return st;
}

// ---- Python error -> JS -----------------------------------------------------------------------

// Returns a new reference to str(o), or nullptr (error cleared).
static std::string SafeStr(PyObject* o) {
  PyRef s(PyObject_Str(o));
  if (!s) {
    PyErr_Clear();
    return "<unprintable>";
  }
  const char* c = PyUnicode_AsUTF8(s.get());
  if (c == nullptr) {
    PyErr_Clear();
    return "<unprintable>";
  }
  return c;
}

void ThrowPythonError(Napi::Env env) {
  EnvState* st = State(env);
  PyObject *t = nullptr, *v = nullptr, *tb = nullptr;
  PyErr_Fetch(&t, &v, &tb);
  if (t == nullptr) throw Napi::Error::New(env, "tspy: a Python call failed without an exception");
  PyErr_NormalizeException(&t, &v, &tb);
  if (tb != nullptr && v != nullptr) PyException_SetTraceback(v, tb);
  PyRef type(t), value(v), trace(tb);

  // A JSError that Python did not catch, or a KeyboardInterrupt made from the TS one
  // (SetJsErrorAsPython): rethrow the original JS value.
  if (value && (PyObject_IsInstance(value.get(), g_JSError) == 1 ||
                (PyErr_GivenExceptionMatches(value.get(), PyExc_KeyboardInterrupt) &&
                 PyObject_HasAttrString(value.get(), "js_error")))) {
    PyRef js(PyObject_GetAttrString(value.get(), "js_error"));
    if (js) {
      Napi::Value orig;
      try {
        orig = Python2Js(env, st, js.get());
      } catch (PyErrOccurred&) {
      }
      if (!orig.IsEmpty()) throw Napi::Error(env, orig);
    }
    PyErr_Clear();
  }

  std::string typeName = "Exception";
  {
    PyRef n(PyObject_GetAttrString(type.get(), "__name__"));
    if (n && PyUnicode_Check(n.get())) typeName = PyUnicode_AsUTF8(n.get());
    else PyErr_Clear();
  }
  std::string valueStr = value ? SafeStr(value.get()) : "";

  Napi::Array lines = Napi::Array::New(env);
  {
    PyRef tbmod(PyImport_ImportModule("traceback"));
    PyRef list;
    if (tbmod) {
      list = PyRef(PyObject_CallMethod(tbmod.get(), "format_exception", "OOO", type.get(),
                                       value ? value.get() : Py_None, trace ? trace.get() : Py_None));
    }
    if (list && PyList_Check(list.get())) {
      for (Py_ssize_t i = 0; i < PyList_GET_SIZE(list.get()); i++) {
        const char* s = PyUnicode_AsUTF8(PyList_GET_ITEM(list.get(), i));
        if (s == nullptr) {
          PyErr_Clear();
          continue;
        }
        lines.Set(lines.Length(), Napi::String::New(env, s));
      }
    } else {
      PyErr_Clear();
      lines.Set(0u, Napi::String::New(env, typeName + ": " + valueStr + "\n"));
    }
  }
  Napi::Function makeError = st->hooks.Value().Get("makeError").As<Napi::Function>();
  Napi::Value exc = env.Null();
  if (value) {
    try {
      exc = Python2Js(env, st, value.get());
    } catch (PyErrOccurred&) {
      PyErr_Clear();
    }
  }
  Napi::Value err = makeError.Call({Napi::String::New(env, typeName), Napi::String::New(env, valueStr), lines, exc});
  throw Napi::Error(env, err);
}

// ---- interrupt ------------------------------------------------------------------------------
// An interrupt trips SIGINT in Python's signal module (PyErr_SetInterruptEx: no OS signal, the
// kernel keeps SIGINT), whose Python-level handler is SigintHandler (set at initialisation):
// bytecode sees it at its next eval-breaker check, and a C call blocked in a syscall (time.sleep,
// select, socket recv, a lock acquire in Event.wait/Queue.get) is woken by the executor's wake
// signal (threads.cc, no SA_RESTART): the call returns EINTR, runs PyErr_CheckSignals(), which
// calls the handler, which raises KeyboardInterrupt. Without that handler (it could not be set),
// a pending call raises KeyboardInterrupt at the next bytecode boundary instead.

// The Python-level SIGINT handler is SigintHandler (so a trip raises KeyboardInterrupt).
static std::atomic<bool> g_sigintHandler{false};
// A thread is sending the wake signal to the executor until the interrupt is taken.
static std::atomic<bool> g_waking{false};

// SigintHandler(signum, frame): signal.default_int_handler's behaviour (raise KeyboardInterrupt),
// and the interrupt counts as taken. Python main thread (the executor), GIL held.
static PyObject* SigintHandler(PyObject*, PyObject*) {
  g_interrupt = false;
  PyErr_SetNone(PyExc_KeyboardInterrupt);
  return nullptr;
}
static PyMethodDef kSigintHandlerDef = {"interrupt_handler", SigintHandler, METH_VARARGS,
                                        "tspy's SIGINT handler: raises KeyboardInterrupt (the kernel's interrupt)."};

// Sets the Python-level SIGINT handler to SigintHandler without taking the OS-level handler from
// the kernel (Node's): signal.signal() installs Python's C handler with sigaction, which is put
// back at once. Returns whether the handler is set; never leaves a Python error. Python main
// thread, GIL held.
static bool InstallSigintHandler() {
  struct sigaction saved;
  if (sigaction(SIGINT, nullptr, &saved) != 0) return false;
  PyRef signalMod(PyImport_ImportModule("signal"));
  PyRef handler(PyCFunction_NewEx(&kSigintHandlerDef, nullptr, nullptr));
  PyRef r(signalMod && handler ? PyObject_CallMethod(signalMod.get(), "signal", "iO", SIGINT, handler.get()) : nullptr);
  sigaction(SIGINT, &saved, nullptr);
  if (!r) {
    PyErr_Clear();
    return false;
  }
  return true;
}

void ConsumeInterrupt() {
  g_interrupt = false;
  PyOS_InterruptOccurred();  // clears a SIGINT trip (only on the Python main thread)
}

// Sends the wake signal to the executor while it is inside Python, until the interrupt is taken
// (the handler ran, or clearInterrupt) or 5 s pass: a signal that lands just before the executor
// enters its blocking call is lost, so it is repeated (1 ms, doubling to 50 ms).
static void StartWaker() {
  if (g_waking.exchange(true)) return;
  std::thread([] {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto step = std::chrono::milliseconds(1);
    while (g_interrupt && std::chrono::steady_clock::now() < until) {
      if (g_execInPython.load(std::memory_order_acquire)) WakeExecutor();
      std::this_thread::sleep_for(step);
      if (step < std::chrono::milliseconds(50)) step *= 2;
    }
    g_waking = false;
  }).detach();
}

// Pending call run by the Python main thread (the executor) at a bytecode boundary; used only
// when the SIGINT handler could not be set.
static int InterruptPending(void*) {
  g_pendingQueued = false;
  if (g_interrupt.exchange(false)) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    return -1;
  }
  return 0;
}

// interrupt(): any thread, GIL not needed. No-op before initialisation.
static Napi::Value Interrupt(const Napi::CallbackInfo& info) {
  if (!g_initialized) return info.Env().Undefined();
  g_interrupt = true;
  if (g_sigintHandler) {
    PyErr_SetInterruptEx(SIGINT);  // async-signal-safe, no GIL needed
    StartWaker();
  } else if (!g_pendingQueued.exchange(true)) {
    if (Py_AddPendingCall(InterruptPending, nullptr) != 0) g_pendingQueued = false;
  }
  // CPython <= 3.11 only sets the eval breaker for a tripped signal or a pending call when the
  // *calling* thread is Python's main thread; the executor notices it when it next takes the GIL.
  // So make it do so: a short-lived helper thread takes and drops the GIL (forcing a switch), so
  // that this thread (the kernel's socket thread) never blocks on the GIL itself.
  if (!g_nudging.exchange(true)) {
    std::thread([] {
      PyGILState_STATE s = PyGILState_Ensure();
      PyGILState_Release(s);
      g_nudging = false;
    }).detach();
  }
  return info.Env().Undefined();
}

// clearInterrupt(): any thread; on the thread that initialised Python it also clears a SIGINT
// trip that no Python code has taken yet (so a stale interrupt never hits the next cell).
static Napi::Value ClearInterrupt(const Napi::CallbackInfo& info) {
  g_interrupt = false;
  g_terminateWanted = false;
  EnvState* st = State(info.Env());
  if (g_initialized && g_pyEnv == st && std::this_thread::get_id() == st->thread) {
    GilScope gil(st);
    ConsumeInterrupt();
  }
  return info.Env().Undefined();
}

// ---- process exit ----------------------------------------------------------------------------

// exitProcess(code): any thread, GIL not needed. Ends the process at once with `code` through
// _exit(2): no atexit handlers, no static destructors, no addon finalizers, which would run
// while other threads (the executor, TensorFlow's) still use the interpreter. Callers do their
// orderly work (Python's atexit, flushing files and sockets) before. C stdio is flushed.
static Napi::Value ExitProcess(const Napi::CallbackInfo& info) {
  int code = info[0].As<Napi::Number>().Int32Value();
  fflush(nullptr);
  _exit(code);
}

// ---- initialisation -------------------------------------------------------------------------

static const char* kBootstrap = R"PY(
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

# A TS class over a Python class (lib/index.ts, "TS classes over Python classes"): the Python
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
)PY";

// uv_prepare callback: the executor's event loop is about to wait for I/O; a GIL that bridge
// entries left lazily held goes back now, so Python threads run while JS is idle.
static void GilPrepare(uv_prepare_t*) { ReleaseLazyGil(); }

// The GIL watchdog: a thread that checks every 2 ms (20 ms while the GIL is not lazily held)
// whether the executor has kept a lazily held GIL across a whole interval without a bridge entry,
// i.e. JS is busy with something else; then it asks V8 to interrupt that JS (RequestInterrupt,
// served at the next stack check, on the executor) and release the GIL there.
static std::mutex g_watchMutex;                // guards g_watchIsolate against env teardown
static v8::Isolate* g_watchIsolate = nullptr;  // the executor's isolate; nullptr after teardown
static std::atomic<bool> g_releaseAsked{false};

static void ReleaseOnInterrupt(v8::Isolate*, void*) {
  g_releaseAsked = false;
  if (g_pyEnv != nullptr && g_pyEnv->alive && std::this_thread::get_id() == g_pyEnv->thread) ReleaseLazyGil();
}

static void GilWatchdog() {
  unsigned lastEpoch = 0;
  bool sawLazy = false;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(sawLazy ? 2 : 20));
    bool lazy = g_gilLazy.load(std::memory_order_relaxed);
    unsigned epoch = g_gilEpoch.load(std::memory_order_relaxed);
    if (lazy && sawLazy && epoch == lastEpoch && !g_releaseAsked.exchange(true)) {
      std::lock_guard<std::mutex> lock(g_watchMutex);
      if (g_watchIsolate != nullptr) {
        g_watchIsolate->RequestInterrupt(ReleaseOnInterrupt, nullptr);
      } else {
        g_releaseAsked = false;
      }
    }
    sawLazy = lazy;
    lastEpoch = epoch;
  }
}

// Starts the uv_prepare handle of `st`'s loop (unreferenced: it keeps no loop alive).
static void InitGilRelease(Napi::Env env, EnvState* st) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return;
  auto* h = new uv_prepare_t();
  if (uv_prepare_init(loop, h) != 0) {
    delete h;
    return;
  }
  uv_prepare_start(h, GilPrepare);
  uv_unref(reinterpret_cast<uv_handle_t*>(h));
  st->gilPrepare = h;
  {
    std::lock_guard<std::mutex> lock(g_watchMutex);
    g_watchIsolate = v8::Isolate::GetCurrent();
  }
  std::thread(GilWatchdog).detach();  // lives for the process (one interpreter per process)
}

// ---- terminating TypeScript ------------------------------------------------------------------
// An interrupt stops TS code that has no loop check (a callback in forEach/map/sort, a regular
// expression backtracking, a recursion) through V8's TerminateExecution on the executor isolate.
// It is only ever started on the executor itself, from a V8 interrupt callback (served at a JS
// stack check, so never inside C++ or Python), and only when the innermost native frame below the
// running JS handles it (g_jsTerminable): RunTerminable, or a TS function called from Python
// (JsFunction_call). That frame cancels it (CancelTerminateExecution) and turns it into the cell's
// KeyboardInterrupt; every C++ frame in between returns normally, so the GIL state stays exact.

bool g_jsTerminable = false;
// TerminateOnInterrupt terminated the running JS; the handling frame has not cancelled it yet.
// Executor thread only.
static bool g_terminating = false;

// V8 interrupt callback, on the executor at a JS stack check: terminates the running JS when a
// termination is wanted and the JS runs under a frame that handles it (else the kernel asks again).
static void TerminateOnInterrupt(v8::Isolate* isolate, void*) {
  if (!g_terminateWanted.load() || !g_jsTerminable || g_execInPython.load(std::memory_order_acquire)) return;
  if (g_pyEnv == nullptr || std::this_thread::get_id() != g_pyEnv->thread) return;
  g_terminating = true;
  isolate->TerminateExecution();
}

bool TakeTermination(napi_env env) {
  if (!g_terminating) return false;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr || !isolate->IsExecutionTerminating()) return false;
  napi_value ignored;
  napi_get_and_clear_last_exception(env, &ignored);  // napi keeps the termination as its pending exception
  isolate->CancelTerminateExecution();
  g_terminating = false;
  g_terminateWanted = false;
  return true;
}

// requestTermination(): any thread, GIL not needed. Asks the executor to terminate the TS code it
// runs now (see above); returns false when there is no executor isolate (Python not initialised).
static Napi::Value RequestTermination(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(g_watchMutex);
  if (g_watchIsolate == nullptr) return Napi::Boolean::New(info.Env(), false);
  g_terminateWanted = true;
  g_watchIsolate->RequestInterrupt(TerminateOnInterrupt, nullptr);
  return Napi::Boolean::New(info.Env(), true);
}

// runTerminable(fn, onTerminated): executor thread. Returns fn(); a JS exception from fn
// propagates; when an interrupt terminated fn's JS, the termination is cancelled and the result
// of onTerminated() (which normally throws the KeyboardInterrupt) is returned instead.
static Napi::Value RunTerminable(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  napi_value undefined, result = nullptr;
  napi_get_undefined(env, &undefined);
  bool was = g_jsTerminable;
  g_jsTerminable = g_pyEnv != nullptr && std::this_thread::get_id() == g_pyEnv->thread;
  napi_status status = napi_call_function(env, undefined, info[0], 0, nullptr, &result);
  g_jsTerminable = was;
  if (status == napi_ok) return Napi::Value(env, result);
  if (TakeTermination(env)) return info[1].As<Napi::Function>().Call({});
  return Napi::Value();  // fn's exception is pending: it propagates to the caller
}

// initialize(executable: string): initialises CPython on the calling thread; idempotent on that
// thread; throws a JS Error from another thread or when CPython fails to start.
static Napi::Value Initialize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* st = State(env);
  if (g_initialized) {
    if (g_pyEnv == st) return env.Undefined();
    throw Napi::Error::New(env,
                           "tspy: Python is already initialised on another thread; a process has one interpreter, used "
                           "from the thread that initialised it");
  }
  std::string exe = info[0].As<Napi::String>().Utf8Value();

  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  config.install_signal_handlers = 0;
  config.parse_argv = 0;
  PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, exe.c_str());
  if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) {
    std::string msg = "tspy: CPython failed to initialise";
    if (status.func) msg += std::string(" in ") + status.func;
    if (status.err_msg) msg += std::string(": ") + status.err_msg;
    throw Napi::Error::New(env, msg);
  }
  // We hold the GIL now.
  g_pyEnv = st;
  g_initialized = true;
  bool ok = true;
  {
    PyRef mod(CreateTspyModule());
    if (!mod || PyDict_SetItemString(PyImport_GetModuleDict(), "tspy", mod.get()) < 0) ok = false;
    if (ok) {
      PyRef globals(PyDict_New());
      PyRef r(globals ? PyRun_String(kBootstrap, Py_file_input, globals.get(), globals.get()) : nullptr);
      if (!r) ok = false;
    }
  }
  if (!ok) {
    std::string msg = "tspy: bootstrap of the ts module failed";
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    if (v) msg += ": " + SafeStr(v);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    g_execTstate = PyEval_SaveThread();
    throw Napi::Error::New(env, msg);
  }
  InitJsTasks(st);
  g_sigintHandler = InstallSigintHandler();
  InitGilRelease(env, st);
  g_execTstate = PyEval_SaveThread();  // from now on every entry takes it back (GilScope)
  g_gilHeld = false;
  g_gilLazy = false;
  return env.Undefined();
}

static Napi::Value IsInitialized(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), g_initialized.load());
}

static Napi::Value InitializedHere(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), g_initialized && g_pyEnv == State(info.Env()));
}

static Napi::Value LiveProxyCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_liveProxies.load()));
}

static Napi::Value LiveJsRefCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_liveJsRefs.load()));
}

// setup(hooks): stores the TS hooks for this env (see native.d.ts).
static Napi::Value Setup(const Napi::CallbackInfo& info) {
  EnvState* st = State(info.Env());
  Napi::Object hooks = info[0].As<Napi::Object>();
  st->hooks = Napi::Persistent(hooks);
  st->makeProxy = Napi::Persistent(hooks.Get("makeProxy").As<Napi::Function>());
  st->pyFloatClass = Napi::Persistent(hooks.Get("PyFloat").As<Napi::Function>());
  st->pyKwargsClass = Napi::Persistent(hooks.Get("PyKwargs").As<Napi::Function>());
  st->pySliceClass = Napi::Persistent(hooks.Get("PySlice").As<Napi::Function>());
  st->handleKey = Napi::Persistent(hooks.Get("handleKey"));
  st->errorKey = Napi::Persistent(hooks.Get("errorKey"));
  st->absent = Napi::Persistent(hooks.Get("absent").As<Napi::Object>());
  st->objectPrototype = Napi::Persistent(hooks.Get("objectPrototype").As<Napi::Object>());
  return info.Env().Undefined();
}

// setNamespace(get, set, keys): the functions behind Python's `ts` module.
static Napi::Value SetNamespace(const Napi::CallbackInfo& info) {
  EnvState* st = State(info.Env());
  st->nsGet = Napi::Persistent(info[0].As<Napi::Function>());
  st->nsSet = Napi::Persistent(info[1].As<Napi::Function>());
  st->nsKeys = Napi::Persistent(info[2].As<Napi::Function>());
  return info.Env().Undefined();
}

// Instance-data finalizer at env teardown (worker exit): marks the state dead, keeps it allocated.
static void EnvTeardown(Napi::Env, EnvState* s) {
  if (s == g_pyEnv) {
    ReleaseLazyGil();  // the thread ends: never leave the GIL with it
    std::lock_guard<std::mutex> lock(g_watchMutex);
    g_watchIsolate = nullptr;
  }
  if (s->gilPrepare != nullptr) {
    // No close callback and the handle is never freed (one per process): the callback would run
    // after a worker's env unloaded this addon's code.
    uv_close(reinterpret_cast<uv_handle_t*>(s->gilPrepare), nullptr);
    s->gilPrepare = nullptr;
  }
  CancelJsTasks(s);  // marks the state dead and fails the calls Python threads queued for it
  s->hooks.Reset();
  s->makeProxy.Reset();
  s->pyFloatClass.Reset();
  s->pyKwargsClass.Reset();
  s->pySliceClass.Reset();
  s->handleKey.Reset();
  s->errorKey.Reset();
  s->absent.Reset();
  s->objectPrototype.Reset();
  s->bigIntCtor.Reset();
  s->mapCtor.Reset();
  for (auto& e : s->ids) napi_delete_reference(s->env, e.second.proxy);
  s->ids.clear();
  s->nsGet.Reset();
  s->nsSet.Reset();
  s->nsKeys.Reset();
}

// Node unloads (dlclose) an addon that a worker loaded when that worker's env is torn down, for
// instance when V8 ends the executor for running out of heap. This addon's code must outlive
// it: the GIL watchdog and Python threads (TensorFlow's) keep calling into it, and running
// unmapped code is a SIGSEGV. So the addon pins itself (RTLD_NODELETE) for the process's life.
static void PinAddonCode() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&PinAddonCode), &info) != 0 && info.dli_fname != nullptr) {
    dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);  // a reference never closed
  }
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinAddonCode();
  auto* st = new EnvState();
  st->env = env;
  st->thread = std::this_thread::get_id();
  // The EnvState outlives the env (Python objects may point at it): only mark it dead.
  env.SetInstanceData<EnvState, EnvTeardown>(st);
  st->bigIntCtor = Napi::Persistent(env.Global().Get("BigInt").As<Napi::Function>());
  st->mapCtor = Napi::Persistent(env.Global().Get("Map").As<Napi::Function>());
  exports.Set("setup", Napi::Function::New(env, Setup, "setup"));
  exports.Set("initialize", Napi::Function::New(env, Initialize, "initialize"));
  exports.Set("isInitialized", Napi::Function::New(env, IsInitialized, "isInitialized"));
  exports.Set("initializedHere", Napi::Function::New(env, InitializedHere, "initializedHere"));
  exports.Set("interrupt", Napi::Function::New(env, Interrupt, "interrupt"));
  exports.Set("clearInterrupt", Napi::Function::New(env, ClearInterrupt, "clearInterrupt"));
  exports.Set("requestTermination", Napi::Function::New(env, RequestTermination, "requestTermination"));
  exports.Set("runTerminable", Napi::Function::New(env, RunTerminable, "runTerminable"));
  exports.Set("exitProcess", Napi::Function::New(env, ExitProcess, "exitProcess"));
  exports.Set("liveProxyCount", Napi::Function::New(env, LiveProxyCount, "liveProxyCount"));
  exports.Set("liveJsRefCount", Napi::Function::New(env, LiveJsRefCount, "liveJsRefCount"));
  exports.Set("setNamespace", Napi::Function::New(env, SetNamespace, "setNamespace"));
  return InitOps(env, exports);
}

}  // namespace tspy

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tspy::Init(env, exports); }

NODE_API_MODULE(tspy_bridge, InitModule)
