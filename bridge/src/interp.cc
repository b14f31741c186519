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

// initialize(executable, bootstrapSource, bootstrapPath): initialises CPython on the calling thread and
// runs the bridge's Python half (tspy_bootstrap.py, source read by the JS side); idempotent on that
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
  std::string bootstrapSource = info[1].As<Napi::String>().Utf8Value();
  std::string bootstrapPath = info[2].As<Napi::String>().Utf8Value();

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
      // The Python half of the bridge (bridge/src/tspy_bootstrap.py), compiled under its own file
      // name so that its tracebacks point at the file.
      PyRef globals(PyDict_New());
      PyRef code(Py_CompileString(bootstrapSource.c_str(), bootstrapPath.c_str(), Py_file_input));
      PyRef name(PyUnicode_FromString("tspy_bootstrap"));
      ok = globals && code && name && PyDict_SetItemString(globals.get(), "__name__", name.get()) == 0;
      PyRef r(ok ? PyEval_EvalCode(code.get(), globals.get(), globals.get()) : nullptr);
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
