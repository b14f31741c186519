// js2python: JS values to Python objects. Scalars, arrays and plain objects are converted;
// TypedArrays/ArrayBuffers share memory through tspy.JsBuffer; functions and other objects are
// wrapped as tspy.JsFunction / tspy.JsObject. PyProxies give back their own PyObject.
#include <cmath>
#include <vector>

#include "bridge.h"

namespace tspy {

PyObject* JsStringToPython(Napi::String s) {
  // Fast path: V8's UTF-8 writes a lone surrogate as U+FFFD (EF BF BD); without that sequence the
  // UTF-8 text is exact.
  std::string utf8 = s.Utf8Value();
  if (utf8.find("\xEF\xBF\xBD") == std::string::npos) {
    return Check(PyUnicode_FromStringAndSize(utf8.data(), static_cast<Py_ssize_t>(utf8.size())));
  }
  // A real U+FFFD or a lone surrogate: decode the UTF-16 code units with `surrogatepass`.
  napi_env env = s.Env();
  size_t n = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf16(env, s, nullptr, 0, &n), nullptr);
  std::vector<char16_t> units(n + 1);
  NAPI_THROW_IF_FAILED(env, napi_get_value_string_utf16(env, s, units.data(), units.size(), &n), nullptr);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  int byteorder = 1;
#else
  int byteorder = -1;  // explicit little-endian: a leading U+FEFF is text, not a byte order mark
#endif
  return Check(PyUnicode_DecodeUTF16(reinterpret_cast<const char*>(units.data()), static_cast<Py_ssize_t>(n * 2),
                                     "surrogatepass", &byteorder));
}

PyObject* ProxyObj(Napi::Env env, EnvState* st, Napi::Value v) {
  if (!v.IsFunction()) return nullptr;
  Napi::Value h = v.As<Napi::Object>().Get(st->handleKey.Value());
  if (!h.IsExternal()) return nullptr;
  return HandleObj(h);
}

static bool InstanceOfHook(Napi::Object o, const Napi::FunctionReference& cls) {
  return !cls.IsEmpty() && o.InstanceOf(cls.Value());
}

// New reference: slice(start, stop, step) of a PySlice marker (undefined/null -> None).
static PyObject* SliceOf(Napi::Env env, EnvState* st, Napi::Object m) {
  PyRef start(Js2Python(env, st, m.Get("start")));
  PyRef stop(Js2Python(env, st, m.Get("stop")));
  PyRef step(Js2Python(env, st, m.Get("step")));
  return Check(PySlice_New(start.get(), stop.get(), step.get()));
}

PyObject* Js2Python(Napi::Env env, EnvState* st, Napi::Value v, Napi::Value self, int level) {
  if (level > 1000) Raise(PyExc_RecursionError, "tspy: JS value nested deeper than 1000 levels (a cycle?)");
  switch (v.Type()) {
    case napi_undefined:
    case napi_null: Py_RETURN_NONE;
    case napi_boolean: return PyBool_FromLong(v.As<Napi::Boolean>().Value());
    case napi_number: {
      double d = v.As<Napi::Number>().DoubleValue();
      // Pyodide's rule: an integral, safe number becomes int, anything else float.
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740991.0) {
        return Check(PyLong_FromLongLong(static_cast<long long>(d)));
      }
      return Check(PyFloat_FromDouble(d));
    }
    case napi_bigint: {
      std::string digits = v.ToString().Utf8Value();
      return Check(PyLong_FromString(digits.c_str(), nullptr, 10));
    }
    case napi_string: return JsStringToPython(v.As<Napi::String>());
    case napi_symbol: Raise(PyExc_TypeError, "tspy: a JS symbol has no Python equivalent");
    case napi_external: Raise(PyExc_TypeError, "tspy: a JS external (native handle) has no Python equivalent");
    case napi_function: {
      PyObject* o = ProxyObj(env, st, v);
      if (o != nullptr) return Py_NewRef(o);
      return NewJsObject(st, v, self);
    }
    case napi_object: break;
    default: Raise(PyExc_TypeError, "tspy: unsupported JS value type");
  }
  Napi::Object obj = v.As<Napi::Object>();
  if (v.IsTypedArray() || v.IsArrayBuffer() || v.IsDataView()) return NewJsBuffer(st, v);
  if (InstanceOfHook(obj, st->pyFloatClass)) {
    return Check(PyFloat_FromDouble(obj.Get("value").As<Napi::Number>().DoubleValue()));
  }
  if (InstanceOfHook(obj, st->pySliceClass)) return SliceOf(env, st, obj);
  if (InstanceOfHook(obj, st->pyKwargsClass)) {
    Raise(PyExc_TypeError, "tspy: py.kwargs(...) is only valid as the last argument of a call");
  }
  if (v.IsArray()) {
    Napi::Array arr = v.As<Napi::Array>();
    uint32_t n = arr.Length();
    PyRef list(Check(PyList_New(n)));
    for (uint32_t i = 0; i < n; i++) {
      PyList_SET_ITEM(list.get(), i, Js2Python(env, st, arr.Get(i), Napi::Value(), level + 1));
    }
    return list.release();
  }
  napi_value proto;
  NAPI_THROW_IF_FAILED(env, napi_get_prototype(env, obj, &proto), nullptr);
  Napi::Value protoV(env, proto);
  if (protoV.IsNull()) {
    // napi_get_prototype gives null for a JS Proxy, such as the instance of a TS class over a
    // Python class (lib/ts-classes.ts): that one answers the handle of its Python instance.
    Napi::Value h = obj.Get(st->handleKey.Value());
    if (h.IsExternal()) return Py_NewRef(HandleObj(h));
  }
  if (protoV.IsNull() || protoV.StrictEquals(st->objectPrototype.Value())) {
    // A plain object -> dict of its own enumerable string keys.
    napi_value names;
    NAPI_THROW_IF_FAILED(
        env,
        napi_get_all_property_names(env, obj, napi_key_own_only,
                                    static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                    napi_key_numbers_to_strings, &names),
        nullptr);
    Napi::Array keys(env, names);
    PyRef dict(Check(PyDict_New()));
    for (uint32_t i = 0; i < keys.Length(); i++) {
      Napi::Value k = keys.Get(i);
      PyRef pk(JsStringToPython(k.As<Napi::String>()));
      PyRef pv(Js2Python(env, st, obj.Get(k), Napi::Value(), level + 1));
      CheckInt(PyDict_SetItem(dict.get(), pk.get(), pv.get()));
    }
    return dict.release();
  }
  // An instance of a TS class over a Python class answers the handle of its Python instance
  // (through the prototype chain, lib/ts-classes.ts): Python gets that instance itself.
  Napi::Value h = obj.Get(st->handleKey.Value());
  if (h.IsExternal()) return Py_NewRef(HandleObj(h));
  return NewJsObject(st, v, Napi::Value());
}

}  // namespace tspy
