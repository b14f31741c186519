// python2js: Python objects to JS values. Immutable scalars are converted; everything else
// becomes a PyProxy (made by the TS hook `makeProxy` around a handle External).
#include <cmath>
#include <cstring>
#include <string>

#include "bridge.h"

namespace tspy {

// Number.MAX_SAFE_INTEGER, 2^53 - 1: the largest n such that n and n + 1 are exact doubles.
static constexpr long long kMaxSafe = 9007199254740991LL;

void ForgetIdentity(Napi::Env env, PyHandle* h) {
  if (!h->shared) return;
  h->shared = false;
  EnvState* st = State(env);
  auto it = st->ids.find(h->key);
  if (it != st->ids.end() && it->second.handle == h) {
    napi_delete_reference(env, it->second.proxy);
    st->ids.erase(it);
  }
}

static void HandleFinalize(Napi::Env env, PyHandle* h) {
  // Runs after JS GC on the JS thread: never touch Python here, queue the decref.
  ForgetIdentity(env, h);
  if (h->obj != nullptr) {
    QueueDecref(h->obj);
    h->obj = nullptr;
    g_liveProxies--;
  }
  delete h;
}

Napi::Value MakeProxy(Napi::Env env, EnvState* st, PyObject* stolen, bool shared) {
  if (shared) {
    auto it = st->ids.find(stolen);
    if (it != st->ids.end()) {
      napi_value live = nullptr;
      napi_get_reference_value(env, it->second.proxy, &live);
      if (live != nullptr && it->second.handle->obj == stolen) {
        Py_DECREF(stolen);  // the live proxy already owns a reference
        return Napi::Value(env, live);
      }
      // The proxy was collected (its handle's finalizer has not run yet) or destroyed.
      it->second.handle->shared = false;
      napi_delete_reference(env, it->second.proxy);
      st->ids.erase(it);
    }
  }
  auto* h = new PyHandle{stolen, stolen, false};
  g_liveProxies++;
  Napi::External<PyHandle> ext = Napi::External<PyHandle>::New(env, h, HandleFinalize);
  // Callables get the direct call path (see CallDirect in ops.cc).
  Napi::Value proxy = st->makeProxy.Call({ext, Napi::Boolean::New(env, PyCallable_Check(stolen) != 0)});
  if (shared) {
    napi_ref ref;
    if (napi_create_reference(env, proxy, 0, &ref) == napi_ok) {
      st->ids.emplace(stolen, IdEntry{h, ref});
      h->shared = true;
    }
  }
  return proxy;
}

PyObject* HandleObj(Napi::Value handle) {
  PyHandle* h = handle.As<Napi::External<PyHandle>>().Data();
  if (h->obj == nullptr) throw Napi::Error::New(handle.Env(), "tspy: this PyProxy was destroyed");
  return h->obj;
}

// Python int (any size) -> JS number when it is a safe integer (|v| <= 2^53 - 1,
// Number.isSafeInteger), else BigInt: the inverse of js2python's rule, so every int round-trips.
static Napi::Value IntToJs(Napi::Env env, PyObject* o) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) throw PyErrOccurred();
  if (overflow == 0 && v <= kMaxSafe && v >= -kMaxSafe) return Napi::Number::New(env, static_cast<double>(v));
  PyRef s(Check(PyNumber_ToBase(o, 10)));
  const char* digits = PyUnicode_AsUTF8(s.get());
  if (digits == nullptr) throw PyErrOccurred();
  Napi::Function bigint = State(env)->bigIntCtor.Value();
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

// An instance of a Python class made for a TS class (its type has `__tspy_class__`, see
// interp.cc "TS classes over Python classes") reaches JS as its TS instance: the TS hook
// `tsInstance(proxy)` (lib/ts-classes.ts) returns the live one or makes it again over the same TS
// fields (`__tspy_fields__`, a tspy.JsObject). False (nothing done) for any other object. GIL held.
static bool TsInstance(Napi::Env env, EnvState* st, PyObject* o, Napi::Value* out) {
  PyTypeObject* t = Py_TYPE(o);
  if (!PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE)) return false;
  static PyObject* marker = PyUnicode_InternFromString("__tspy_class__");  // owned, process-long
  if (marker == nullptr || _PyType_Lookup(t, marker) == nullptr) return false;
  PyRef dict(PyObject_GenericGetDict(o, nullptr));
  if (dict.get() == nullptr) {
    PyErr_Clear();
    return false;
  }
  PyObject* fieldsObj = PyDict_GetItemString(dict.get(), "__tspy_fields__");  // borrowed
  Napi::Value fields;
  if (fieldsObj == nullptr || !UnwrapJs(st, fieldsObj, &fields)) return false;
  Napi::Value hook = st->hooks.Value().Get("tsInstance");
  if (!hook.IsFunction()) return false;
  Py_INCREF(o);
  Napi::Value proxy = MakeProxy(env, st, o, false);  // unshared: the TS instance owns it
  *out = hook.As<Napi::Function>().Call({proxy, fields});
  return true;
}

Napi::Value Python2Js(Napi::Env env, EnvState* st, PyObject* o) {
  if (o == Py_None) return env.Null();
  if (PyBool_Check(o)) return Napi::Boolean::New(env, o == Py_True);
  if (PyLong_Check(o)) return IntToJs(env, o);
  if (PyFloat_Check(o)) return Napi::Number::New(env, PyFloat_AS_DOUBLE(o));
  if (PyUnicode_Check(o)) return PythonStringToJs(env, o);
  Napi::Value js;
  if (UnwrapJs(st, o, &js)) return js;
  if (TsInstance(env, st, o, &js)) return js;
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

Napi::String PythonStringToJs(Napi::Env env, PyObject* o) {
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(o, &n);  // fast path, cached in the str object
  if (s != nullptr) return Napi::String::New(env, s, static_cast<size_t>(n));
  if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) throw PyErrOccurred();
  // Lone surrogates (no UTF-8 form): their UTF-16 code units are a valid JS string.
  PyErr_Clear();
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  PyRef bytes(Check(PyUnicode_AsEncodedString(o, "utf-16-be", "surrogatepass")));
#else
  PyRef bytes(Check(PyUnicode_AsEncodedString(o, "utf-16-le", "surrogatepass")));
#endif
  std::u16string units(static_cast<size_t>(PyBytes_GET_SIZE(bytes.get())) / 2, u'\0');
  std::memcpy(units.data(), PyBytes_AS_STRING(bytes.get()), units.size() * 2);
  return Napi::String::New(env, units);
}

// A JS string for a dict key under toJS's object form: str keys as they are, others str(key).
static Napi::String KeyString(Napi::Env env, PyObject* k) {
  PyRef owned;
  if (!PyUnicode_Check(k)) {
    owned = PyRef(Check(PyObject_Str(k)));
    k = owned.get();
  }
  return PythonStringToJs(env, k);
}

// True when `o` is an instance of collections.abc.Mapping (the ABC is imported once, kept for
// the process's life).
static bool IsMapping(PyObject* o) {
  static PyObject* abc = nullptr;  // owned, never released (one interpreter per process)
  if (abc == nullptr) {
    PyRef mod(Check(PyImport_ImportModule("collections.abc")));
    abc = Check(PyObject_GetAttrString(mod.get(), "Mapping"));
  }
  return CheckInt(PyObject_IsInstance(o, abc)) != 0;
}

// True when toJS turns `o` into an Array: it has a length and items or iteration (a tuple-like
// such as TensorShape, a set, a range, a deque...) and is neither str/bytes/bytearray/memoryview
// nor a Mapping.
static bool IsArrayLike(PyObject* o) {
  if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o)) return false;
  PyTypeObject* t = Py_TYPE(o);
  bool hasLen =
      (t->tp_as_sequence && t->tp_as_sequence->sq_length) || (t->tp_as_mapping && t->tp_as_mapping->mp_length);
  bool hasItems = t->tp_iter || (t->tp_as_sequence && t->tp_as_sequence->sq_item) ||
                  (t->tp_as_mapping && t->tp_as_mapping->mp_subscript);
  return hasLen && hasItems && !IsMapping(o);
}

Napi::Value ToJsDeep(Napi::Env env, EnvState* st, PyObject* o, const ToJsOptions& opt, int level) {
  if (level >= opt.depth) return Python2Js(env, st, o);
  if (level > 1000) Raise(PyExc_RecursionError, "toJS: nesting deeper than 1000 levels (a cycle?)");
  if (!PyList_Check(o) && !PyTuple_Check(o) && !PyDict_Check(o) && !PyUnicode_Check(o) && !PyLong_Check(o) &&
      !PyFloat_Check(o) && o != Py_None) {
    Napi::Value wrapped;
    if (UnwrapJs(st, o, &wrapped)) return wrapped;         // a JS value stays that value
    if (TsInstance(env, st, o, &wrapped)) return wrapped;  // a TS class's instance stays itself
    // A numpy array (any ndim, 0-d included): ndarray.tolist() gives nested lists of Python scalars.
    if (PyObject_HasAttrString(o, "__array_interface__") && PyObject_HasAttrString(o, "tolist")) {
      PyRef list(Check(PyObject_CallMethod(o, "tolist", nullptr)));
      return ToJsDeep(env, st, list.get(), opt, level);
    }
    if (IsMapping(o)) {
      PyRef d(Check(PyDict_New()));
      CheckInt(PyDict_Merge(d.get(), o, 1));
      return ToJsDeep(env, st, d.get(), opt, level);
    }
    if (IsArrayLike(o)) {
      PyRef list(Check(PySequence_List(o)));
      return ToJsDeep(env, st, list.get(), opt, level);
    }
  }
  if (PyList_Check(o) || PyTuple_Check(o)) {
    PyRef seq(Check(PySequence_Fast(o, "")));
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.get());
    Napi::Array arr = Napi::Array::New(env, static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; i++) {
      arr.Set(static_cast<uint32_t>(i), ToJsDeep(env, st, PySequence_Fast_GET_ITEM(seq.get(), i), opt, level + 1));
    }
    return arr;
  }
  if (PyDict_Check(o)) {
    PyRef items(Check(PyDict_Items(o)));  // a snapshot: conversion may run Python code
    Py_ssize_t n = PyList_GET_SIZE(items.get());
    if (opt.dictAsMap) {
      Napi::Function mapCtor = st->mapCtor.Value();
      Napi::Object map = mapCtor.New({});
      Napi::Function set = map.Get("set").As<Napi::Function>();
      for (Py_ssize_t i = 0; i < n; i++) {
        PyObject* kv = PyList_GET_ITEM(items.get(), i);  // borrowed
        Napi::Value k = Python2Js(env, st, PyTuple_GET_ITEM(kv, 0));
        set.Call(map, {k, ToJsDeep(env, st, PyTuple_GET_ITEM(kv, 1), opt, level + 1)});
      }
      return map;
    }
    Napi::Object obj = Napi::Object::New(env);
    for (Py_ssize_t i = 0; i < n; i++) {
      PyObject* kv = PyList_GET_ITEM(items.get(), i);  // borrowed
      PyObject* key = PyTuple_GET_ITEM(kv, 0);
      Napi::Value value = ToJsDeep(env, st, PyTuple_GET_ITEM(kv, 1), opt, level + 1);
      if (PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, "__proto__") == 0) {
        // Defined, not assigned: "__proto__" becomes an own property instead of setting the prototype.
        obj.DefineProperty(Napi::PropertyDescriptor::Value(KeyString(env, key), value, napi_default_jsproperty));
      } else {
        obj.Set(KeyString(env, key), value);
      }
    }
    return obj;
  }
  return Python2Js(env, st, o);
}

}  // namespace tspy
