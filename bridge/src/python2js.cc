// python2js: Python objects to JS values. Immutable scalars are converted; everything else
// becomes a PyProxy (made by the TS hook `makeProxy` around a handle External).
#include <cmath>

#include "bridge.h"

namespace tspy {

static constexpr long long kMaxSafe = 9007199254740992LL;  // 2^53

static void HandleFinalize(Napi::Env, PyHandle* h) {
  // Runs during/after JS GC on the JS thread: never touch Python here, queue the decref.
  if (h->obj != nullptr) {
    QueueDecref(h->obj);
    h->obj = nullptr;
    g_liveProxies--;
  }
  delete h;
}

Napi::Value MakeProxy(Napi::Env env, EnvState* st, PyObject* stolen) {
  auto* h = new PyHandle{stolen};
  g_liveProxies++;
  Napi::External<PyHandle> ext = Napi::External<PyHandle>::New(env, h, HandleFinalize);
  Napi::Function make = st->hooks.Value().Get("makeProxy").As<Napi::Function>();
  return make.Call({ext});
}

PyObject* HandleObj(Napi::Value handle) {
  PyHandle* h = handle.As<Napi::External<PyHandle>>().Data();
  if (h->obj == nullptr) throw Napi::Error::New(handle.Env(), "tspy: this PyProxy was destroyed");
  return h->obj;
}

// Python int (any size) -> JS number when |v| <= 2^53, else BigInt.
static Napi::Value IntToJs(Napi::Env env, PyObject* o) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) throw PyErrOccurred();
  if (overflow == 0 && v <= kMaxSafe && v >= -kMaxSafe) return Napi::Number::New(env, static_cast<double>(v));
  PyRef s(Check(PyNumber_ToBase(o, 10)));
  const char* digits = PyUnicode_AsUTF8(s.get());
  if (digits == nullptr) throw PyErrOccurred();
  Napi::Function bigint = env.Global().Get("BigInt").As<Napi::Function>();
  return bigint.Call({Napi::String::New(env, digits)});
}

// Borrowed numpy.generic once numpy has been imported (cached strong reference), else nullptr.
static PyObject* NumpyGeneric() {
  static PyObject* generic = nullptr;
  if (generic != nullptr) return generic;
  PyObject* np = PyDict_GetItemString(PyImport_GetModuleDict(), "numpy");  // borrowed
  if (np == nullptr) return nullptr;
  generic = PyObject_GetAttrString(np, "generic");  // new reference, kept for the process
  if (generic == nullptr) PyErr_Clear();
  return generic;
}

Napi::Value Python2Js(Napi::Env env, EnvState* st, PyObject* o) {
  if (o == Py_None) return env.Null();
  if (PyBool_Check(o)) return Napi::Boolean::New(env, o == Py_True);
  if (PyLong_Check(o)) return IntToJs(env, o);
  if (PyFloat_Check(o)) return Napi::Number::New(env, PyFloat_AS_DOUBLE(o));
  if (PyUnicode_Check(o)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (s == nullptr) throw PyErrOccurred();
    return Napi::String::New(env, s, static_cast<size_t>(n));
  }
  Napi::Value js;
  if (UnwrapJs(st, o, &js)) return js;
  PyObject* generic = NumpyGeneric();
  if (generic != nullptr && PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(generic))) {
    // numpy bool/integer/floating scalars convert like their Python counterparts (.item()).
    PyRef item(Check(PyObject_CallMethod(o, "item", nullptr)));
    PyObject* i = item.get();
    if (PyBool_Check(i) || PyLong_Check(i) || PyFloat_Check(i)) return Python2Js(env, st, i);
  }
  Py_INCREF(o);
  return MakeProxy(env, st, o);
}

Napi::Value ToJsDeep(Napi::Env env, EnvState* st, PyObject* o, double depth, int level) {
  if (depth <= 0) return Python2Js(env, st, o);
  if (level > 1000) Raise(PyExc_RecursionError, "toJS: nesting deeper than 1000 levels (a cycle?)");
  if (PyList_Check(o) || PyTuple_Check(o)) {
    PyRef seq(Check(PySequence_Fast(o, "")));
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
    Napi::Array arr = Napi::Array::New(env, static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; i++) {
      arr.Set(static_cast<uint32_t>(i), ToJsDeep(env, st, PySequence_Fast_GET_ITEM(seq.get(), i), depth - 1, level + 1));
    }
    return arr;
  }
  if (PyDict_Check(o)) {
    Napi::Object obj = Napi::Object::New(env);
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &k, &v)) {
      std::string key;
      if (PyUnicode_Check(k)) {
        const char* s = PyUnicode_AsUTF8(k);
        if (s == nullptr) throw PyErrOccurred();
        key = s;
      } else {
        PyRef ks(Check(PyObject_Str(k)));
        const char* s = PyUnicode_AsUTF8(ks.get());
        if (s == nullptr) throw PyErrOccurred();
        key = s;
      }
      obj.Set(key, ToJsDeep(env, st, v, depth - 1, level + 1));
    }
    return obj;
  }
  return Python2Js(env, st, o);
}

}  // namespace tspy
