// Shared declarations of tspy_bridge: per-env state, process-wide Python state, the GIL helpers
// and the one error-path pattern. Knows CPython and Node-API; knows nothing of Jupyter.
//
// Error-path pattern (used everywhere):
//  * A failing Python C-API call leaves the Python error indicator set; the caller throws
//    PyErrOccurred (through Check()/CheckInt()). Owned references live in PyRef, so unwinding
//    cleans up. Every N-API entry point runs inside Entry(), which turns PyErrOccurred into a JS
//    PythonError (or rethrows the original JS error for a JSError).
//  * A failing JS operation throws Napi::Error (node-addon-api C++ exceptions). Every Python slot
//    that touches JS runs inside PySlot(), which turns Napi::Error into tspy.JSError and returns
//    the slot's error value; C++ exceptions never cross CPython frames.
#pragma once
#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>
#include <napi.h>
#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tspy {

/** Thrown when a Python C-API call failed; the Python error indicator is set. */
struct PyErrOccurred {};

/** Returns p, or throws PyErrOccurred when p is NULL (the Python error is set). */
inline PyObject* Check(PyObject* p) {
  if (p == nullptr) throw PyErrOccurred();
  return p;
}
/** Returns r, or throws PyErrOccurred when r < 0 (the Python error is set). */
inline int CheckInt(int r) {
  if (r < 0) throw PyErrOccurred();
  return r;
}
/** Sets a Python exception of type `type` and throws PyErrOccurred. */
[[noreturn]] inline void Raise(PyObject* type, const std::string& msg) {
  PyErr_SetString(type, msg.c_str());
  throw PyErrOccurred();
}

/** Owns one strong Python reference (steals the reference it is given). Needs the GIL to die. */
class PyRef {
 public:
  PyRef() : p_(nullptr) {}
  explicit PyRef(PyObject* stolen) : p_(stolen) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  PyRef(PyRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  PyRef& operator=(PyRef&& o) noexcept {
    if (this != &o) {
      Py_XDECREF(p_);
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  ~PyRef() { Py_XDECREF(p_); }
  PyObject* get() const { return p_; }
  /** Gives up ownership: returns the new reference. */
  PyObject* release() {
    PyObject* p = p_;
    p_ = nullptr;
    return p;
  }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  PyObject* p_;
};

struct PyHandle;

/** One entry of the identity map: the live proxy (weak napi_ref) of a Python object. */
struct IdEntry {
  PyHandle* handle;  // the handle inside that proxy
  napi_ref proxy;    // weak reference (count 0) to the JS Proxy
};

/** Per-Node-environment (per thread) state, the addon's instance data. Never freed (Python
 *  objects may point at it after the env died); `alive` turns false at env teardown. */
struct EnvState {
  napi_env env = nullptr;
  std::thread::id thread;
  std::atomic<bool> alive{true};
  Napi::ObjectReference hooks;  // see native.d.ts `Hooks`
  Napi::FunctionReference nsGet, nsSet, nsKeys;
  /** Identity map: Python object address -> its live shared PyProxy. An address is a valid key
   *  only while the entry's handle owns its reference (the object cannot die, so the address
   *  cannot be reused); the entry is erased when that handle is released or finalized. */
  std::unordered_map<PyObject*, IdEntry> ids;
  // Cached hooks (set by setup): looked up on every conversion.
  Napi::FunctionReference makeProxy, pyFloatClass, pyKwargsClass, pySliceClass;
  Napi::Reference<Napi::Value> handleKey, errorKey;
  Napi::ObjectReference absent, objectPrototype;
  /** `BigInt` and `Map` as they were when the addon loaded: a notebook's `let Map = 1` rebinds the
   *  global, never these. */
  Napi::FunctionReference bigIntCtor, mapCtor;
  /** Wakes this thread's event loop to serve calls queued by other Python threads (RunOnJsThread);
   *  nullptr until initialize and after the env closed it. Guarded by the task-queue mutex. */
  napi_threadsafe_function tsfn = nullptr;
  /** Gives back a lazily held GIL before this thread's event loop polls (see GilScope); set by
   *  initialize on the env that initialised Python, closed at env teardown. */
  uv_prepare_t* gilPrepare = nullptr;
};

/** The EnvState of the calling thread's env. */
EnvState* State(Napi::Env env);

/** An owned Python reference held by a JS PyProxy (inside a napi External). */
struct PyHandle {
  PyObject* obj;  // new reference, or nullptr once released
  PyObject* key;  // the object's address (identity-map key); never dereferenced
  bool shared;    // registered in EnvState::ids
};

/** Drops `h` from the identity map if it is the registered handle of its object. JS thread. */
void ForgetIdentity(Napi::Env env, PyHandle* h);

/** A Py_buffer exported to JS as an external ArrayBuffer. */
struct BufferHolder {
  Py_buffer view;
  bool released = false;  // JS let go (release() or GC): counted out of g_liveProxies
  bool pyDone = false;    // PyBuffer_Release done (maybe later than `released`, see `store`)
  bool jsGone = false;    // the ArrayBuffer object was collected: its finalizer ran
  // Deleted once both pyDone and jsGone (each side checks the other; both run on the JS thread).
  /** The ArrayBuffer's v8::BackingStore (type-erased shared_ptr): the Py_buffer is released only
   *  when this is its last owner (see buffer.cc). */
  std::shared_ptr<void> store;
};

// ---- process-wide Python state -------------------------------------------------------------
extern std::atomic<bool> g_initialized;
extern EnvState* g_pyEnv;  // the env whose thread initialised Python
extern std::atomic<long> g_liveProxies;
extern std::atomic<long> g_liveJsRefs;
extern PyObject* g_JSError;         // tspy.JSError (strong, immortal)
extern PyObject* g_JsObjectType;    // tspy.JsObject
extern PyObject* g_JsFunctionType;  // tspy.JsFunction
extern PyObject* g_JsBufferType;    // tspy.JsBuffer

/** Queues a Py_DECREF for the next bridge entry (callable without the GIL, any thread). */
void QueueDecref(PyObject* obj);
/** Queues a PyBuffer_Release + delete of `h` for the next bridge entry (no GIL needed). */
void QueueBufferRelease(BufferHolder* h);
/** Deletes a napi_ref now when on its env's thread, else queues it (no GIL needed). */
void ReleaseJsRef(EnvState* st, napi_ref ref);
/** True while any queue may be non-empty (set by the Queue* functions). */
extern std::atomic<bool> g_queued;
/** Runs the queued decrefs / buffer releases / ref deletions. GIL held. */
void DrainQueuesNow(EnvState* st);
/** DrainQueuesNow when something is queued (one load on the hot path). GIL held. */
inline void DrainQueues(EnvState* st) {
  if (g_queued.load(std::memory_order_acquire)) DrainQueuesNow(st);
}

/** True while the executor (JS) thread is inside Python (a bridge entry), false while it runs
 *  JS. Written only by the executor thread (GilScope / GilRelease); read by Python threads that
 *  wait for it (RunOnJsThread) to decide whether to interrupt a blocking wait. */
extern std::atomic<bool> g_execInPython;

// ---- the executor's GIL -----------------------------------------------------------------------
// The executor (the JS thread that initialised Python) takes the GIL with its own thread state
// (PyEval_RestoreThread) instead of PyGILState_Ensure, and gives it back lazily: a bridge entry
// leaves it "lazily held" when it returns to JS, so the next entry costs two flag tests instead of
// a GIL handoff (~60 ns: two mutex round trips and a condition signal). A lazily held GIL is given
// back (1) before the executor's event loop waits for I/O (a uv_prepare handle, ReleaseLazyGil),
// (2) when Python calls a TS function (GilRelease), (3) when JS has run for a few ms without a
// bridge entry (a watchdog thread asks V8 to interrupt the JS and release it: a synchronous TS
// stretch never starves Python threads), (4) at env teardown; and it is yielded (released and
// retaken, letting a waiting Python thread in) every kGilYieldEvery consecutive lazy entries.
// These globals are touched only by the executor thread.

/** The executor's thread state (set by initialize). */
extern PyThreadState* g_execTstate;
/** The executor holds the GIL (inside Python, or lazily between bridge entries). */
extern bool g_gilHeld;
/** The executor holds the GIL only lazily: no Python frame of its own needs it. Written by the
 *  executor only (relaxed stores); read by the GIL watchdog thread. */
extern std::atomic<bool> g_gilLazy;
/** Counts the bridge entries that left the GIL lazily held (the watchdog sees JS calling Python). */
extern std::atomic<unsigned> g_gilEpoch;
/** Consecutive bridge entries served under a lazily held GIL since the last yield. */
extern unsigned g_gilLazyEntries;
/** Lazy entries between two yields of the GIL to waiting Python threads. */
constexpr unsigned kGilYieldEvery = 64;

/** Gives back a lazily held GIL now (no-op otherwise). Executor thread only. */
inline void ReleaseLazyGil() {
  if (g_gilHeld && g_gilLazy.load(std::memory_order_relaxed)) {
    g_gilLazy.store(false, std::memory_order_relaxed);
    g_gilHeld = false;
    PyEval_SaveThread();
  }
}

/** Takes the GIL for a bridge entry and drains the queues; on exit leaves it lazily held (see
 *  above). Nests: inside Python (GIL really held) it changes nothing. Executor thread only. */
class GilScope {
 public:
  explicit GilScope(EnvState* st)
      : wasHeld_(g_gilHeld),
        wasLazy_(g_gilLazy.load(std::memory_order_relaxed)),
        wasIn_(g_execInPython.load(std::memory_order_relaxed)) {
    if (!g_gilHeld) {
      PyEval_RestoreThread(g_execTstate);
      g_gilHeld = true;
      g_gilLazyEntries = 0;
    } else if (wasLazy_ && ++g_gilLazyEntries >= kGilYieldEvery) {
      g_gilLazyEntries = 0;
      PyEval_SaveThread();  // a thread waiting for the GIL gets it here (CPython's forced switch)
      PyEval_RestoreThread(g_execTstate);
    }
    g_gilLazy.store(false, std::memory_order_relaxed);
    g_execInPython.store(true, std::memory_order_release);
    DrainQueues(st);
  }
  ~GilScope() {
    g_execInPython.store(wasIn_, std::memory_order_release);
    if (!wasHeld_ || wasLazy_) {  // back in JS: keep the GIL until ReleaseLazyGil
      g_gilLazy.store(true, std::memory_order_relaxed);
      g_gilEpoch.store(g_gilEpoch.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }
  GilScope(const GilScope&) = delete;

 private:
  bool wasHeld_;
  bool wasLazy_;
  bool wasIn_;
};

/** The JS the executor runs now sits on a native frame that handles V8's TerminateExecution
 *  (runTerminable, or a TS function called from Python): an interrupt may terminate it (interp.cc).
 *  False in every other Python->JS call (GilRelease), whose callers cannot take a termination.
 *  Executor thread only. */
extern bool g_jsTerminable;
/** After a JS call from C++ failed: true when tspy's interrupt terminated it; the termination is
 *  then cancelled and napi's pending exception cleared, so JS can run again. Executor thread. */
bool TakeTermination(napi_env env);

/** Releases the GIL while JS runs (PyEval_SaveThread), takes it back on scope exit (unless a bridge
 *  entry inside already took it and left it lazily held). Executor thread only, GIL held. */
class GilRelease {
 public:
  GilRelease() : wasIn_(g_execInPython.load(std::memory_order_relaxed)), wasTerminable_(g_jsTerminable) {
    g_jsTerminable = false;  // a caller that handles a termination sets it again (JsFunction_call)
    g_execInPython.store(false, std::memory_order_release);
    g_gilLazy.store(false, std::memory_order_relaxed);
    g_gilHeld = false;
    ts_ = PyEval_SaveThread();
  }
  ~GilRelease() {
    if (g_gilHeld) {
      g_gilLazy.store(false, std::memory_order_relaxed);  // an entry in the JS code took it back
    } else {
      PyEval_RestoreThread(ts_);
      g_gilHeld = true;
    }
    g_execInPython.store(wasIn_, std::memory_order_release);
    g_jsTerminable = wasTerminable_;
  }
  GilRelease(const GilRelease&) = delete;

 private:
  bool wasIn_;
  bool wasTerminable_;
  PyThreadState* ts_;
};

/**
 * Runs `work` on the JS thread of `st` with the GIL held; `work` returns false with a Python
 * error set when it fails. On that thread it simply calls `work`. From any other Python thread
 * (GIL held) it queues `work`, wakes the JS thread (a threadsafe function for when it is in its
 * event loop, a Py_AddPendingCall for when it is running Python, a signal for when it is blocked
 * in an interruptible wait such as Thread.join()), waits with the GIL released until the work is
 * done, and re-raises the work's Python error in the calling thread.
 * @returns true on success; false with a Python error set (also when the JS environment died).
 */
bool RunOnJsThread(EnvState* st, const std::function<bool()>& work);
/** Creates this env's threadsafe function and the wake-up signal handler. JS thread, at initialize. */
void InitJsTasks(EnvState* st);
/** Fails the calls queued for `st` (RuntimeError in their threads); at env teardown. No GIL needed. */
void CancelJsTasks(EnvState* st);

/** Sends the wake signal to the executor thread, so that a blocking syscall there returns EINTR
 *  (a no-op handler without SA_RESTART). Any thread. @returns false when there is no such signal. */
bool WakeExecutor();
/** Marks the pending interrupt as taken: clears the flag and Python's SIGINT trip, so that no
 *  second KeyboardInterrupt follows one already raised (e.g. a TS KeyboardInterrupt crossing into
 *  Python). Python main thread (the executor), GIL held. */
void ConsumeInterrupt();

/** Throws a JS Error unless Python was initialised by this env's thread. */
EnvState* RequirePyEnv(Napi::Env env);

/** Converts the pending Python error (indicator set) into a thrown Napi::Error holding a
 *  PythonError, or the original JS value of a JSError. Clears the indicator. GIL held. */
[[noreturn]] void ThrowPythonError(Napi::Env env);

/** Sets tspy.JSError from a JS exception value. GIL held. Never throws. */
void SetJsErrorAsPython(EnvState* st, Napi::Value err);

/** Runs f() as a bridge entry: checks the env, takes the GIL, drains queues, and converts a
 *  Python error into a JS exception. */
template <typename F>
Napi::Value Entry(const Napi::CallbackInfo& info, F f) {
  Napi::Env env = info.Env();
  EnvState* st = RequirePyEnv(env);
  GilScope gil(st);
  try {
    return f(env, st);
  } catch (PyErrOccurred&) {
    ThrowPythonError(env);
  }
}

/** Runs f() inside a Python slot that touches JS; returns `err` with a Python exception set on
 *  failure. GIL held on entry and exit. */
template <typename R, typename F>
R PySlot(EnvState* st, R err, F f) {
  try {
    return f();
  } catch (PyErrOccurred&) {
    return err;
  } catch (Napi::Error& e) {
    SetJsErrorAsPython(st, e.Value());
    return err;
  } catch (std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
    return err;
  }
}

// ---- conversions ------------------------------------------------------------------------------
/** Options of a deep Python -> JS conversion (PyProxy.toJS). */
struct ToJsOptions {
  double depth;    // levels of list/tuple/dict to convert
  bool dictAsMap;  // dict -> Map (keys converted) instead of object (keys str())
};
/** Python -> JS for a borrowed `o`: None/bool/int/float/str converted, JS wrappers unwrapped,
 *  anything else a new PyProxy owning a new reference. GIL held. */
Napi::Value Python2Js(Napi::Env env, EnvState* st, PyObject* o);
/** Deep Python -> JS (list/tuple -> Array, dict -> object) down to `depth` levels. GIL held. */
Napi::Value ToJsDeep(Napi::Env env, EnvState* st, PyObject* o, const ToJsOptions& opt, int level = 0);
/** Returns a JS PyProxy owning `stolen` (a new reference, stolen). With `shared`, the live proxy
 *  already made for the same object is returned instead (the stolen reference is then dropped).
 *  GIL held. */
Napi::Value MakeProxy(Napi::Env env, EnvState* st, PyObject* stolen, bool shared = true);
/** JS -> Python: returns a new reference (throws PyErrOccurred / Napi::Error). `self` is the
 *  `this` a JS function will be called with when it came from a property read. GIL held. */
PyObject* Js2Python(Napi::Env env, EnvState* st, Napi::Value v, Napi::Value self = Napi::Value(), int level = 0);
/** JS string -> Python str, lone surrogates kept (UTF-16 with `surrogatepass`: JS "\ud800" is
 *  Python '\ud800'); ordinary strings take a UTF-8 fast path. New reference. GIL held. */
PyObject* JsStringToPython(Napi::String s);
/** Python str (borrowed) -> JS string, lone surrogates kept (the inverse of JsStringToPython);
 *  throws PyErrOccurred if `o` cannot be read. GIL held. */
Napi::String PythonStringToJs(Napi::Env env, PyObject* o);
/** Borrowed PyObject of a PyProxy's handle External; throws a JS Error if destroyed. */
PyObject* HandleObj(Napi::Value handle);
/** The PyObject behind a JS value when it is a PyProxy (borrowed), else nullptr. */
PyObject* ProxyObj(Napi::Env env, EnvState* st, Napi::Value v);

// ---- Python types wrapping JS values (jsproxy.cc) --------------------------------------------------
/** Creates the tspy types and JSError and returns the new `tspy` module (new reference). */
PyObject* CreateTspyModule();
/** New reference to a tspy.JsObject / JsFunction (when v is a function) wrapping v. */
PyObject* NewJsObject(EnvState* st, Napi::Value v, Napi::Value self);
/** New reference to a tspy.JsBuffer over the memory of a TypedArray/ArrayBuffer/DataView. */
PyObject* NewJsBuffer(EnvState* st, Napi::Value v);
/** The JS value a tspy.JsObject/JsFunction/JsBuffer wraps, if `o` is one of this env's. */
bool UnwrapJs(EnvState* st, PyObject* o, Napi::Value* out);

// ---- buffers (buffer.cc) -------------------------------------------------------------------
/** getBuffer(): the buffer-protocol view of `o` (through numpy.from_dlpack for a DLPack producer
 *  without the buffer protocol; `o` is borrowed) as a JS record over the same memory. GIL held. */
Napi::Value GetBuffer(Napi::Env env, PyObject* o);
/** address(view): BigInt address of a TypedArray/DataView/ArrayBuffer's memory. No GIL. */
Napi::Value Address(const Napi::CallbackInfo& info);
/** Releases a buffer from GetBuffer now (detaches its ArrayBuffer). GIL held. */
void ReleaseBuffer(Napi::Env env, BufferHolder* h, Napi::ArrayBuffer ab);

// ---- interrupt / init (interp.cc) ---------------------------------------------------------
Napi::Object InitOps(Napi::Env env, Napi::Object exports);

}  // namespace tspy
