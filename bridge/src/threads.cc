// Calls into JS from Python threads other than the executor: a queue of tasks served by the JS
// (executor) thread, woken three ways (its event loop, Python pending calls, a signal that breaks
// its interruptible blocking waits). Knows CPython, Node-API and POSIX threads; not Jupyter.
//
// Why three wake-ups: the executor is either (a) in its JS event loop — a napi threadsafe function
// runs the queue there; (b) running Python bytecode — a pending call (Py_AddPendingCall) runs at
// the next bytecode boundary on the Python main thread, which is the executor since it
// initialised CPython (CPython <= 3.11 only flags pending calls added by other threads when the
// main thread next takes the GIL, so the waiting thread takes and drops the GIL to force that);
// or (c) blocked in C with the GIL released, e.g. `t.join()`, `Event.wait()`, `Queue.get()`,
// `future.result()`: those block in a lock acquire that returns on EINTR and then runs
// Py_MakePendingCalls(), so a no-op signal handler (installed without SA_RESTART) sent to the
// executor thread makes them serve the queue. A C wait that retries EINTR itself and never
// returns to Python (e.g. a C extension's own condition variable) cannot be broken: a call from
// a thread that such a wait waits for deadlocks, as it would for any main-thread-only callback.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>

#include "bridge.h"

namespace tspy {

std::atomic<bool> g_execInPython{false};

namespace {

/** One call queued by a Python thread for the JS thread. Lives in a shared_ptr held by the
 *  queue and by the waiting thread. */
struct JsTask {
  EnvState* st;
  const std::function<bool()>* work;  // owned by the waiting thread's frame, valid until done
  PyObject* type = nullptr;           // the error `work` raised: new references, moved to the caller
  PyObject* value = nullptr;
  PyObject* tb = nullptr;
  bool failed = false;
  bool cancelled = false;
  bool done = false;
  std::condition_variable cv;
};

std::mutex g_taskMutex;  // guards g_tasks, each task's done/cancelled, EnvState::tsfn
std::deque<std::shared_ptr<JsTask>> g_tasks;
std::atomic<bool> g_servePending{false};  // a ServePending call is queued in CPython
pthread_t g_execThread;
std::atomic<bool> g_execThreadKnown{false};
int g_wakeSignal = 0;  // 0 when no free real-time signal was found

/** Runs every queued task of `st`. JS thread, GIL held. */
void Serve(EnvState* st) {
  for (;;) {
    std::shared_ptr<JsTask> task;
    {
      std::lock_guard<std::mutex> lock(g_taskMutex);
      for (auto it = g_tasks.begin(); it != g_tasks.end(); ++it) {
        if ((*it)->st == st) {
          task = *it;
          g_tasks.erase(it);
          break;
        }
      }
    }
    if (!task) return;
    bool ok;
    {
      Napi::HandleScope scope(st->env);
      ok = (*task->work)();
    }
    PyObject *t = nullptr, *v = nullptr, *tb = nullptr;
    if (!ok) {
      PyErr_Fetch(&t, &v, &tb);  // new references, handed to the waiting thread
      if (t == nullptr) t = Py_NewRef(PyExc_SystemError);
    }
    std::lock_guard<std::mutex> lock(g_taskMutex);
    task->failed = !ok;
    task->type = t;
    task->value = v;
    task->tb = tb;
    task->done = true;
    task->cv.notify_all();
  }
}

/** Pending call: runs on the Python main thread (the executor) at a bytecode boundary. */
int ServePending(void*) {
  g_servePending = false;
  EnvState* st = g_pyEnv;
  if (st == nullptr || !st->alive || std::this_thread::get_id() != st->thread) return 0;
  bool was = g_execInPython.exchange(true);
  Serve(st);
  g_execInPython = was;
  return 0;  // errors of a task belong to its caller, never to the code that was interrupted
}

/** Threadsafe-function callback: the executor's event loop is idle. */
void ServeFromLoop(napi_env env, napi_value, void* context, void*) {
  auto* st = static_cast<EnvState*>(context);
  if (env == nullptr || !st->alive || !g_initialized || g_pyEnv != st) return;
  GilScope gil(st);
  Serve(st);
}

void TsfnFinalized(napi_env, void*, void* hint) {
  std::lock_guard<std::mutex> lock(g_taskMutex);
  static_cast<EnvState*>(hint)->tsfn = nullptr;
}

void WakeSignalHandler(int) {}

/** Wakes the executor: event loop, pending call, and — when it is inside Python, where it is most
 *  likely blocked in C with the GIL released (`join()`, `Event.wait()`) — the wake signal at once,
 *  so that a call costs a few thread switches rather than a timed wait. True when the signal was
 *  sent. Task mutex NOT held; GIL held. */
bool Wake(EnvState* st) {
  {
    std::lock_guard<std::mutex> lock(g_taskMutex);
    if (st->tsfn != nullptr) napi_call_threadsafe_function(st->tsfn, nullptr, napi_tsfn_nonblocking);
  }
  if (!g_servePending.exchange(true)) {
    if (Py_AddPendingCall(ServePending, nullptr) != 0) g_servePending = false;
  }
  return false;
}

}  // namespace

void InitJsTasks(EnvState* st) {
  napi_env env = st->env;
  napi_value name;
  napi_create_string_utf8(env, "tspy.pythonThreadCalls", NAPI_AUTO_LENGTH, &name);
  napi_threadsafe_function tsfn = nullptr;
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, st, TsfnFinalized, st, ServeFromLoop, &tsfn) ==
      napi_ok) {
    // Unreferenced: waiting Python threads do not keep the process alive on their own.
    napi_unref_threadsafe_function(env, tsfn);
    std::lock_guard<std::mutex> lock(g_taskMutex);
    st->tsfn = tsfn;
  }
  g_execThread = pthread_self();
  g_execThreadKnown = true;
  if (g_wakeSignal == 0) {
    // The first real-time signal nobody handles: a no-op handler without SA_RESTART, so the
    // executor's blocking lock waits return EINTR and run pending calls.
    for (int sig = SIGRTMIN + 4; sig <= SIGRTMAX; sig++) {
      struct sigaction old;
      if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
      struct sigaction sa;
      sa.sa_handler = WakeSignalHandler;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = 0;
      if (sigaction(sig, &sa, nullptr) == 0) {
        g_wakeSignal = sig;
        break;
      }
    }
  }
}

bool WakeExecutor() {
  if (g_wakeSignal == 0 || !g_execThreadKnown) return false;
  return pthread_kill(g_execThread, g_wakeSignal) == 0;
}

void CancelJsTasks(EnvState* st) {
  std::lock_guard<std::mutex> lock(g_taskMutex);
  st->alive = false;
  for (auto it = g_tasks.begin(); it != g_tasks.end();) {
    if ((*it)->st == st) {
      (*it)->cancelled = true;
      (*it)->done = true;
      (*it)->cv.notify_all();
      it = g_tasks.erase(it);
    } else {
      ++it;
    }
  }
}

bool RunOnJsThread(EnvState* st, const std::function<bool()>& work) {
  if (std::this_thread::get_id() == st->thread) {
    if (!st->alive) {
      PyErr_SetString(PyExc_RuntimeError, "tspy: the JavaScript environment of this value has shut down");
      return false;
    }
    return work();
  }
  auto task = std::make_shared<JsTask>();
  task->st = st;
  task->work = &work;
  {
    std::lock_guard<std::mutex> lock(g_taskMutex);
    if (!st->alive) {
      PyErr_SetString(PyExc_RuntimeError, "tspy: the JavaScript environment of this value has shut down");
      return false;
    }
    g_tasks.push_back(task);
  }
  Wake(st);
  PyThreadState* save = PyEval_SaveThread();
  {
    // Blocked in C with the GIL released (join(), Event.wait(), ...), the executor serves the
    // call once the wake signal breaks its wait. A signal that lands while it is between two waits
    // (it has just served the previous call and not yet re-entered the wait) is lost, so the
    // signal is repeated, with a growing interval, until the call is done. The GIL hand-off is
    // for an executor that runs bytecode and has not noticed the pending call (CPython <= 3.11):
    // it is tried only after kGilHandOffAfter, as it costs a GIL round trip.
    constexpr auto kGilHandOffAfter = std::chrono::milliseconds(1);
    const auto start = std::chrono::steady_clock::now();
    auto step = std::chrono::microseconds(10);
    std::unique_lock<std::mutex> lock(g_taskMutex);
    while (!task->done) {
      lock.unlock();
      if (g_wakeSignal != 0 && g_execThreadKnown && g_execInPython) pthread_kill(g_execThread, g_wakeSignal);
      lock.lock();
      if (task->cv.wait_for(lock, step, [&] { return task->done; })) break;
      if (std::chrono::steady_clock::now() - start > kGilHandOffAfter) {
        lock.unlock();
        // Take and drop the GIL: the executor, if it runs bytecode, drops it and re-takes it,
        // which recomputes its eval breaker and so notices the pending call.
        PyEval_RestoreThread(save);
        save = PyEval_SaveThread();
        lock.lock();
      }
      if (step < std::chrono::milliseconds(20)) step *= 2;
    }
  }
  PyEval_RestoreThread(save);
  if (task->cancelled) {
    PyErr_SetString(PyExc_RuntimeError, "tspy: the JavaScript environment shut down before the call ran");
    return false;
  }
  if (task->failed) {
    PyErr_Restore(task->type, task->value, task->tb);  // steals the references
    return false;
  }
  return true;
}

}  // namespace tspy
