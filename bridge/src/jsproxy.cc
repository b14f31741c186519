// The `tspy` Python module: types that wrap JS values for Python (JsObject, JsFunction,
// JsBuffer), the JSError exception, and the functions behind the `ts` module.
// Every JS value a Python object holds is a strong napi_ref, deleted on its own JS thread only.
#include <cstring>

#include "bridge.h"
// T_PYSSIZET, READONLY (PyMemberDef) for Python 3.10/3.11, where Python.h does not define them.
#include <structmember.h>

namespace tspy {

struct JsObjectPy {
  PyObject_HEAD EnvState* env;
  napi_ref ref;        // the wrapped JS value (strong)
  napi_ref self;       // `this` for a function read as a property, or nullptr
  PyObject* weakrefs;  // weak references to this object (tf.function keeps one to its function)
};

struct JsBufferPy {
  PyObject_HEAD EnvState* env;
  napi_ref ref;  // the TypedArray / ArrayBuffer / DataView (strong): keeps the memory alive
  char* data;
  Py_ssize_t nbytes;
  Py_ssize_t itemsize;
  Py_ssize_t shape;  // elements
  const char* format;
  const char* kind;  // JS class name, for repr
};

static char g_emptyBuffer[16];

// Throws RuntimeError unless called on the live JS thread that owns `st` (OnJs guarantees it).
static void CheckJsThread(EnvState* st) {
  if (!st->alive) Raise(PyExc_RuntimeError, "tspy: the JavaScript environment of this value has shut down");
  if (std::this_thread::get_id() != st->thread) {
    Raise(PyExc_RuntimeError, "tspy: internal error: JavaScript touched outside its thread");
  }
}

// Runs a Python slot body that touches JS: on the JS thread of `st` (from another Python thread
// the call is queued there and this thread waits, GIL released; see RunOnJsThread), inside
// PySlot. Returns body()'s result, or `err` with a Python error set in the calling thread.
template <typename R, typename F>
static R OnJs(EnvState* st, R err, F body) {
  R r = err;
  bool ok = RunOnJsThread(st, [&]() -> bool {
    r = PySlot<R>(st, err, [&]() -> R {
      CheckJsThread(st);
      return body();
    });
    return r != err;
  });
  return ok ? r : err;
}

static Napi::Value Deref(EnvState* st, napi_ref ref) {
  napi_value v;
  napi_get_reference_value(st->env, ref, &v);
  return Napi::Value(st->env, v);
}

static napi_ref NewRef(EnvState* st, Napi::Value v) {
  napi_ref ref;
  NAPI_THROW_IF_FAILED(st->env, napi_create_reference(st->env, v, 1, &ref), nullptr);
  return ref;
}

bool UnwrapJs(EnvState* st, PyObject* o, Napi::Value* out) {
  PyTypeObject* t = Py_TYPE(o);
  if (t == reinterpret_cast<PyTypeObject*>(g_JsObjectType) || t == reinterpret_cast<PyTypeObject*>(g_JsFunctionType)) {
    auto* j = reinterpret_cast<JsObjectPy*>(o);
    if (j->env != st || !st->alive) return false;
    *out = Deref(st, j->ref);
    return true;
  }
  if (t == reinterpret_cast<PyTypeObject*>(g_JsBufferType)) {
    auto* j = reinterpret_cast<JsBufferPy*>(o);
    if (j->env != st || !st->alive) return false;
    *out = Deref(st, j->ref);
    return true;
  }
  return false;
}

// New reference.
PyObject* NewJsObject(EnvState* st, Napi::Value v, Napi::Value self) {
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(v.IsFunction() ? g_JsFunctionType : g_JsObjectType);
  auto* o = reinterpret_cast<JsObjectPy*>(Check(type->tp_alloc(type, 0)));
  o->env = st;
  o->ref = nullptr;
  o->self = nullptr;
  g_liveJsRefs++;
  o->ref = NewRef(st, v);
  if (!self.IsEmpty() && self.IsObject()) o->self = NewRef(st, self);
  return reinterpret_cast<PyObject*>(o);
}

static void JsObject_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  if (o->weakrefs != nullptr) PyObject_ClearWeakRefs(self);
  ReleaseJsRef(o->env, o->ref);
  ReleaseJsRef(o->env, o->self);
  g_liveJsRefs--;
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static std::string Utf8(PyObject* str) {
  Py_ssize_t n;
  const char* s = PyUnicode_AsUTF8AndSize(str, &n);
  if (s == nullptr) throw PyErrOccurred();
  return std::string(s, static_cast<size_t>(n));
}

static bool IsDunder(const std::string& s) {
  return s.size() > 4 && s.compare(0, 2, "__") == 0 && s.compare(s.size() - 2, 2, "__") == 0;
}

// tp_getattro: dunders are Python's; other names read the JS property (missing -> AttributeError).
// New reference.
static PyObject* JsObject_getattro(PyObject* self, PyObject* name) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  if (!PyUnicode_Check(name)) return PyObject_GenericGetAttr(self, name);
  Py_ssize_t keyLen;
  const char* utf8 = PyUnicode_AsUTF8AndSize(name, &keyLen);
  if (utf8 == nullptr) return nullptr;
  std::string key(utf8, static_cast<size_t>(keyLen));
  if (IsDunder(key)) return PyObject_GenericGetAttr(self, name);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Object obj = Deref(o->env, o->ref).ToObject();
    Napi::Value val;
    bool has = true;
    {
      GilRelease nogil;
      val = obj.Get(key);
      if (val.IsUndefined()) has = obj.Has(key);
    }
    if (!has) {
      PyErr_Format(PyExc_AttributeError, "JS object has no property '%s'", key.c_str());
      throw PyErrOccurred();
    }
    return Js2Python(env, o->env, val, obj);
  });
}

// obj[key] = value, or delete obj[key] when value is nullptr (Python's setattr/delattr and
// __setitem__/__delitem__ contract: 0 or -1 with an exception). `toKey(env)` makes the JS key.
// Any thread; runs on the JS thread.
template <typename ToKey>
static int SetOrDelete(JsObjectPy* o, ToKey toKey, PyObject* value) {
  return OnJs<int>(o->env, -1, [&]() -> int {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Object obj = Deref(o->env, o->ref).ToObject();
    Napi::Value k = toKey(env);
    if (value == nullptr) {
      GilRelease nogil;
      obj.Delete(k);
      return 0;
    }
    Napi::Value jv = Python2Js(env, o->env, value);
    GilRelease nogil;
    obj.Set(k, jv);
    return 0;
  });
}

static int JsObject_setattro(PyObject* self, PyObject* name, PyObject* value) {
  // An attribute name is a str (or a str subclass): its text is the property key.
  return SetOrDelete(
      reinterpret_cast<JsObjectPy*>(self),
      [&](Napi::Env env) -> Napi::Value { return Napi::String::New(env, Utf8(name)); }, value);
}

static PyObject* JsObject_subscript(PyObject* self, PyObject* key) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Object obj = Deref(o->env, o->ref).ToObject();
    Napi::Value k = Python2Js(env, o->env, key);
    Napi::Value val;
    bool has = true;
    {
      GilRelease nogil;
      val = obj.Get(k);
      if (val.IsUndefined()) has = obj.Has(k);
    }
    if (!has) {
      PyErr_SetObject(PyExc_KeyError, key);
      throw PyErrOccurred();
    }
    return Js2Python(env, o->env, val);
  });
}

static int JsObject_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  return SetOrDelete(
      o, [&](Napi::Env env) { return Python2Js(env, o->env, key); }, value);
}

// String(value), or nullptr on failure (JS error swallowed). JS thread, GIL released by caller.
static std::string JsString(Napi::Value v) {
  napi_value s;
  if (napi_coerce_to_string(v.Env(), v, &s) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(v.Env(), &ignored);
    return "[object]";
  }
  return Napi::String(v.Env(), s).Utf8Value();
}

static PyObject* JsObject_str(PyObject* self) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::HandleScope scope(o->env->env);
    std::string s;
    {
      GilRelease nogil;
      s = JsString(Deref(o->env, o->ref));
    }
    return Check(PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size())));
  });
}

static PyObject* JsObject_repr(PyObject* self) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  bool fn = Py_TYPE(self) == reinterpret_cast<PyTypeObject*>(g_JsFunctionType);
  if (!o->env->alive || std::this_thread::get_id() != o->env->thread) {
    return PyUnicode_FromString(fn ? "<JsFunction>" : "<JsObject>");
  }
  return PySlot<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Value v = Deref(o->env, o->ref);
    std::string s;
    {
      GilRelease nogil;
      if (fn) {
        s = "<JsFunction " + JsString(v.As<Napi::Object>().Get("name")) + ">";
      } else {
        s = "<JsObject " + JsString(v) + ">";
      }
    }
    return Check(PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size())));
  });
}

// tp_call of JsFunction: positional args converted Python->JS; keyword arguments, if any, are
// passed as one extra trailing plain object. Returns a new reference to the converted result.
static PyObject* JsFunction_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Function fn = Deref(o->env, o->ref).As<Napi::Function>();
    Napi::Value thisv = o->self ? Deref(o->env, o->self) : env.Undefined();
    // Keyword arguments that name the function's parameters (its signature, tspy._bind_js_kwargs)
    // take those positions; the others travel as one trailing plain object.
    PyRef bound;
    if (kwargs != nullptr && PyDict_GET_SIZE(kwargs) > 0) {
      PyObject* mod = Check(PyImport_AddModule("tspy"));  // borrowed
      PyRef bind(Check(PyObject_GetAttrString(mod, "_bind_js_kwargs")));
      bound = PyRef(Check(PyObject_CallFunctionObjArgs(bind.get(), self, args, kwargs, nullptr)));
      if (!PyTuple_Check(bound.get()) || PyTuple_GET_SIZE(bound.get()) != 2) {
        Raise(PyExc_RuntimeError, "tspy._bind_js_kwargs must return (args, kwargs)");
      }
      args = PyTuple_GET_ITEM(bound.get(), 0);
      kwargs = PyTuple_GET_ITEM(bound.get(), 1);
    }
    std::vector<napi_value> jsArgs;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    for (Py_ssize_t i = 0; i < n; i++) jsArgs.push_back(Python2Js(env, o->env, PyTuple_GET_ITEM(args, i)));
    if (kwargs != nullptr && PyDict_GET_SIZE(kwargs) > 0) {
      Napi::Object kw = Napi::Object::New(env);
      PyObject *k, *v;
      Py_ssize_t pos = 0;
      while (PyDict_Next(kwargs, &pos, &k, &v)) kw.Set(Utf8(k), Python2Js(env, o->env, v));
      jsArgs.push_back(kw);
    }
    napi_value result = nullptr;
    bool terminated = false;
    {
      GilRelease nogil;       // Python threads run while the TS function does
      g_jsTerminable = true;  // an interrupt may terminate the TS function: taken just below
      napi_status status = napi_call_function(env, thisv, fn, jsArgs.size(), jsArgs.data(), &result);
      if (status != napi_ok) {
        terminated = TakeTermination(env);
        if (!terminated) throw Napi::Error::New(env);  // the function's exception
      }
    }
    if (terminated) {
      // The kernel's interrupt stopped the TS function: Python's KeyboardInterrupt, which takes it.
      ConsumeInterrupt();
      PyErr_SetNone(PyExc_KeyboardInterrupt);
      throw PyErrOccurred();
    }
    return Js2Python(env, o->env, Napi::Value(env, result));
  });
}

// __dir__: every string key of the object and its prototype chain. New reference.
static PyObject* JsObject_dir(PyObject* self, PyObject*) {
  auto* o = reinterpret_cast<JsObjectPy*>(self);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    napi_value names;
    NAPI_THROW_IF_FAILED(env,
                         napi_get_all_property_names(env, Deref(o->env, o->ref).ToObject(), napi_key_include_prototypes,
                                                     napi_key_skip_symbols, napi_key_numbers_to_strings, &names),
                         nullptr);
    Napi::Array keys(env, names);
    PyRef list(Check(PyList_New(0)));
    for (uint32_t i = 0; i < keys.Length(); i++) {
      PyRef s(JsStringToPython(keys.Get(i).As<Napi::String>()));
      CheckInt(PyList_Append(list.get(), s.get()));
    }
    return list.release();
  });
}

static PyMethodDef JsObject_methods[] = {
    {"__dir__", JsObject_dir, METH_NOARGS, "Property names of the JS object (own and inherited)."},
    {nullptr, nullptr, 0, nullptr}};

// Weak references to JsObject/JsFunction (the offset of JsObjectPy::weakrefs).
static PyMemberDef JsObject_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(JsObjectPy, weakrefs), READONLY, nullptr}, {nullptr, 0, 0, 0, nullptr}};

static PyType_Slot JsObject_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(JsObject_dealloc)},
    {Py_tp_members, reinterpret_cast<void*>(JsObject_members)},
    {Py_tp_getattro, reinterpret_cast<void*>(JsObject_getattro)},
    {Py_tp_setattro, reinterpret_cast<void*>(JsObject_setattro)},
    {Py_mp_subscript, reinterpret_cast<void*>(JsObject_subscript)},
    {Py_mp_ass_subscript, reinterpret_cast<void*>(JsObject_ass_subscript)},
    {Py_tp_str, reinterpret_cast<void*>(JsObject_str)},
    {Py_tp_repr, reinterpret_cast<void*>(JsObject_repr)},
    {Py_tp_methods, reinterpret_cast<void*>(JsObject_methods)},
    {Py_tp_doc, const_cast<char*>(
                    "A TypeScript/JavaScript object seen from Python: attribute and item access reach the JS object.")},
    {0, nullptr}};

static PyType_Spec JsObject_spec = {"tspy.JsObject", sizeof(JsObjectPy), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
                                    JsObject_slots};

// Getter of JsFunction.__signature__ / __name__ / __qualname__ / __doc__ (`which` is "signature",
// "name", "qualname" or "doc"): tspy._js_function_attr(self, which), computed from the JS
// function's source (bridge/lib/signature.ts). New reference.
static PyObject* JsFunction_info(PyObject* self, void* which) {
  PyObject* mod = PyImport_AddModule("tspy");  // borrowed
  if (mod == nullptr) return nullptr;
  PyRef helper(PyObject_GetAttrString(mod, "_js_function_attr"));
  if (!helper) return nullptr;
  return PyObject_CallFunction(helper.get(), "Os", self, static_cast<const char*>(which));
}

static PyGetSetDef JsFunction_getset[] = {
    {"__signature__", JsFunction_info, nullptr,
     "inspect.Signature from the JS parameter list (defaults that are not literals show as ...).",
     const_cast<char*>("signature")},
    {"__name__", JsFunction_info, nullptr, "The JS function's name ('<lambda>' when it has none).",
     const_cast<char*>("name")},
    {"__qualname__", JsFunction_info, nullptr, "Class.method for a method read from an object, else the name.",
     const_cast<char*>("qualname")},
    {"__doc__", JsFunction_info, nullptr, "The function's doc comment, or None.", const_cast<char*>("doc")},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

// A TypeScript/JavaScript function seen from Python; calling it runs the JS function on the
// executor thread. Its __doc__ is the instance's (a getset), so the type sets no tp_doc.
static PyType_Slot JsFunction_slots[] = {{Py_tp_call, reinterpret_cast<void*>(JsFunction_call)},
                                         {Py_tp_getset, reinterpret_cast<void*>(JsFunction_getset)},
                                         {0, nullptr}};

static PyType_Spec JsFunction_spec = {"tspy.JsFunction", sizeof(JsObjectPy), 0, Py_TPFLAGS_DEFAULT, JsFunction_slots};

// ---- JsBuffer -------------------------------------------------------------------------------

static const char* FormatOf(napi_typedarray_type t, Py_ssize_t* itemsize) {
  switch (t) {
    case napi_int8_array: *itemsize = 1; return "b";
    case napi_uint8_array: *itemsize = 1; return "B";
    case napi_uint8_clamped_array: *itemsize = 1; return "B";
    case napi_int16_array: *itemsize = 2; return "h";
    case napi_uint16_array: *itemsize = 2; return "H";
    case napi_int32_array: *itemsize = 4; return "i";
    case napi_uint32_array: *itemsize = 4; return "I";
    case napi_float32_array: *itemsize = 4; return "f";
    case napi_float64_array: *itemsize = 8; return "d";
    case napi_bigint64_array: *itemsize = 8; return "q";
    case napi_biguint64_array: *itemsize = 8; return "Q";
    default: *itemsize = 1; return "B";
  }
}

static const char* KindOf(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

// New reference to a JsBuffer sharing the memory of v (TypedArray, ArrayBuffer or DataView).
PyObject* NewJsBuffer(EnvState* st, Napi::Value v) {
  napi_env env = st->env;
  void* data = nullptr;
  size_t nbytes = 0;
  Py_ssize_t itemsize = 1;
  const char* format = "B";
  const char* kind = "ArrayBuffer";
  if (v.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length;
    napi_value ab;
    size_t offset;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset), nullptr);
    format = FormatOf(type, &itemsize);
    kind = KindOf(type);
    nbytes = length * static_cast<size_t>(itemsize);
  } else if (v.IsDataView()) {
    napi_value ab;
    size_t offset;
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, v, &nbytes, &data, &ab, &offset), nullptr);
    kind = "DataView";
  } else {
    NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, v, &data, &nbytes), nullptr);
  }
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(g_JsBufferType);
  auto* o = reinterpret_cast<JsBufferPy*>(Check(type->tp_alloc(type, 0)));
  o->env = st;
  o->ref = nullptr;
  g_liveJsRefs++;
  o->data = data && nbytes ? static_cast<char*>(data) : g_emptyBuffer;
  o->nbytes = static_cast<Py_ssize_t>(nbytes);
  o->itemsize = itemsize;
  o->shape = o->nbytes / itemsize;
  o->format = format;
  o->kind = kind;
  o->ref = NewRef(st, v);
  return reinterpret_cast<PyObject*>(o);
}

static void JsBuffer_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<JsBufferPy*>(self);
  ReleaseJsRef(o->env, o->ref);
  g_liveJsRefs--;
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

// bf_getbuffer: one-dimensional, writable, C-contiguous view of the JS memory.
static int JsBuffer_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  auto* o = reinterpret_cast<JsBufferPy*>(self);
  view->obj = Py_NewRef(self);
  view->buf = o->data;
  view->len = o->nbytes;
  view->readonly = 0;
  view->itemsize = o->itemsize;
  view->format = (flags & PyBUF_FORMAT) ? const_cast<char*>(o->format) : nullptr;
  view->ndim = 1;
  view->shape = (flags & PyBUF_ND) ? &o->shape : nullptr;
  view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &o->itemsize : nullptr;
  view->suboffsets = nullptr;
  view->internal = nullptr;
  return 0;
}

static PyObject* JsBuffer_repr(PyObject* self) {
  auto* o = reinterpret_cast<JsBufferPy*>(self);
  return PyUnicode_FromFormat("<JsBuffer %s format='%s' length=%zd>", o->kind, o->format, o->shape);
}

static PyType_Slot JsBuffer_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(JsBuffer_dealloc)},
    {Py_bf_getbuffer, reinterpret_cast<void*>(JsBuffer_getbuffer)},
    {Py_tp_repr, reinterpret_cast<void*>(JsBuffer_repr)},
    {Py_tp_doc, const_cast<char*>("The memory of a JS TypedArray/ArrayBuffer/DataView, shared through the buffer "
                                  "protocol (np.asarray copies nothing).")},
    {0, nullptr}};

static PyType_Spec JsBuffer_spec = {"tspy.JsBuffer", sizeof(JsBufferPy), 0, Py_TPFLAGS_DEFAULT, JsBuffer_slots};

// ---- JSError --------------------------------------------------------------------------------

void SetJsErrorAsPython(EnvState* st, Napi::Value err) {
  try {
    Napi::Env env(st->env);
    // A PythonError carrying its Python exception (one that crossed into JS and is thrown back):
    // raise that same exception object again, its traceback kept.
    if (err.IsObject() && !st->errorKey.IsEmpty()) {
      PyObject* exc = ProxyObj(env, st, err.As<Napi::Object>().Get(st->errorKey.Value()));  // borrowed
      if (exc != nullptr && PyExceptionInstance_Check(exc)) {
        PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
        return;
      }
    }
    // The TS KeyboardInterrupt (name "KeyboardInterrupt", the kernel's interrupt of TS code) is
    // Python's KeyboardInterrupt, carrying the JS error back (js_error) if it reaches JS again;
    // it is the interrupt itself, so the SIGINT trip pending for Python is taken.
    if (err.IsObject()) {
      Napi::Value name = err.As<Napi::Object>().Get("name");
      if (name.IsString() && name.As<Napi::String>().Utf8Value() == "KeyboardInterrupt") {
        PyRef exc(Check(PyObject_CallNoArgs(PyExc_KeyboardInterrupt)));
        PyRef js(Js2Python(env, st, err));
        CheckInt(PyObject_SetAttrString(exc.get(), "js_error", js.get()));
        ConsumeInterrupt();
        PyErr_SetObject(PyExc_KeyboardInterrupt, exc.get());
        return;
      }
    }
    std::string msg = "JavaScript error";
    std::string stack;
    if (err.IsObject()) {
      Napi::Object eo = err.As<Napi::Object>();
      Napi::Value name = eo.Get("name"), message = eo.Get("message"), st2 = eo.Get("stack");
      msg = (name.IsString() ? name.As<Napi::String>().Utf8Value() : std::string("Error")) + ": " +
            (message.IsString() ? message.As<Napi::String>().Utf8Value() : JsString(err));
      if (st2.IsString()) stack = st2.As<Napi::String>().Utf8Value();
    } else {
      msg = JsString(err);
    }
    std::string full = stack.empty() ? msg : msg + "\nJavaScript stack:\n" + stack;
    PyRef exc(Check(PyObject_CallFunction(g_JSError, "s", full.c_str())));
    PyRef js(Js2Python(env, st, err));  // objects stay wrapped, primitives convert
    CheckInt(PyObject_SetAttrString(exc.get(), "js_error", js.get()));
    PyRef pmsg(Check(PyUnicode_FromString(msg.c_str())));
    CheckInt(PyObject_SetAttrString(exc.get(), "message", pmsg.get()));
    PyRef pstack(Check(PyUnicode_FromString(stack.c_str())));
    CheckInt(PyObject_SetAttrString(exc.get(), "stack", pstack.get()));
    PyErr_SetObject(g_JSError, exc.get());
  } catch (PyErrOccurred&) {
    // keep the Python error that happened while building the JSError
  } catch (...) {
    PyErr_SetString(g_JSError ? g_JSError : PyExc_RuntimeError, "JavaScript error (could not be described)");
  }
}

// ---- the `ts` namespace -------------------------------------------------------------------

static EnvState* NsEnv() {
  EnvState* st = g_pyEnv;
  if (st->nsGet.IsEmpty())
    Raise(PyExc_AttributeError, "tspy: no TypeScript namespace is set (setTsNamespace was not called)");
  return st;
}

// tspy._ns_get(name) -> the converted TS value; AttributeError when the name is unknown. New ref.
static PyObject* NsGet(PyObject*, PyObject* name) {
  EnvState* st = g_pyEnv;
  return OnJs<PyObject*>(st, nullptr, [&]() -> PyObject* {
    if (!PyUnicode_Check(name)) Raise(PyExc_TypeError, "name must be str");
    NsEnv();
    Napi::Env env(st->env);
    Napi::HandleScope scope(env);
    std::string key = Utf8(name);
    Napi::Value v;
    {
      GilRelease nogil;
      v = st->nsGet.Call({Napi::String::New(env, key)});
    }
    if (v.StrictEquals(st->absent.Value())) {
      PyErr_Format(PyExc_AttributeError, "TypeScript has no global '%s'", key.c_str());
      throw PyErrOccurred();
    }
    return Js2Python(env, st, v);
  });
}

// tspy._ns_set(name, value). New reference to None.
static PyObject* NsSet(PyObject*, PyObject* args) {
  EnvState* st = g_pyEnv;
  PyObject *name, *value;
  if (!PyArg_ParseTuple(args, "UO", &name, &value)) return nullptr;
  return OnJs<PyObject*>(st, nullptr, [&]() -> PyObject* {
    NsEnv();
    Napi::Env env(st->env);
    Napi::HandleScope scope(env);
    Napi::Value jv = Python2Js(env, st, value);
    std::string key = Utf8(name);
    {
      GilRelease nogil;
      st->nsSet.Call({Napi::String::New(env, key), jv});
    }
    Py_RETURN_NONE;
  });
}

// tspy._ns_keys() -> list of str. New reference.
static PyObject* NsKeys(PyObject*, PyObject*) {
  EnvState* st = g_pyEnv;
  return OnJs<PyObject*>(st, nullptr, [&]() -> PyObject* {
    NsEnv();
    Napi::Env env(st->env);
    Napi::HandleScope scope(env);
    Napi::Value keys;
    {
      GilRelease nogil;
      keys = st->nsKeys.Call({});
    }
    return Js2Python(env, st, keys);
  });
}

// tspy._js_error(value) -> the exception a JS throw of `value` raises in Python (a tspy.JSError,
// or the original exception of a PythonError). New reference.
static PyObject* JsErrorOf(PyObject*, PyObject* value) {
  EnvState* st = g_pyEnv;
  return OnJs<PyObject*>(st, nullptr, [&]() -> PyObject* {
    Napi::Env env(st->env);
    Napi::HandleScope scope(env);
    Napi::Value js = Python2Js(env, st, value);
    SetJsErrorAsPython(st, js);
    PyObject *t = nullptr, *v = nullptr, *tb = nullptr;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v != nullptr && tb != nullptr) PyException_SetTraceback(v, tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return Check(v);
  });
}

// tspy._describe_js_function(f) -> str: JSON from the describeFunction hook (bridge/lib/signature.ts)
// about the JS function of the JsFunction `f`: its name, qualified name, parameters (null when it
// has no readable source) and doc. New reference.
static PyObject* DescribeJsFunction(PyObject*, PyObject* f) {
  if (Py_TYPE(f) != reinterpret_cast<PyTypeObject*>(g_JsFunctionType)) {
    PyErr_SetString(PyExc_TypeError, "tspy._describe_js_function: expected a tspy.JsFunction");
    return nullptr;
  }
  auto* o = reinterpret_cast<JsObjectPy*>(f);
  return OnJs<PyObject*>(o->env, nullptr, [&]() -> PyObject* {
    Napi::Env env(o->env->env);
    Napi::HandleScope scope(env);
    Napi::Value describe = o->env->hooks.Value().Get("describeFunction");
    if (!describe.IsFunction()) Raise(PyExc_RuntimeError, "tspy: no describeFunction hook is set");
    Napi::Value fn = Deref(o->env, o->ref);
    Napi::Value thisv = o->self ? Deref(o->env, o->self) : env.Undefined();
    Napi::Value json;
    {
      GilRelease nogil;
      json = describe.As<Napi::Function>().Call({fn, thisv});
    }
    if (!json.IsString()) Raise(PyExc_RuntimeError, "tspy: describeFunction did not return a string");
    return JsStringToPython(json.As<Napi::String>());
  });
}

static PyMethodDef tspy_methods[] = {
    {"_describe_js_function", DescribeJsFunction, METH_O,
     "JSON describing a JsFunction's JS function (name, parameters, doc); used for __signature__."},
    {"_js_error", JsErrorOf, METH_O, "The exception that throwing this JS value raises in Python."},
    {"_ns_get", NsGet, METH_O, "Read a TypeScript global (used by the ts module)."},
    {"_ns_set", NsSet, METH_VARARGS, "Set a TypeScript global (used by the ts module)."},
    {"_ns_keys", NsKeys, METH_NOARGS, "Names of the TypeScript globals (used by the ts module)."},
    {nullptr, nullptr, 0, nullptr}};

static PyModuleDef tspy_module = {PyModuleDef_HEAD_INIT, "tspy",
                                  "tspy's bridge to TypeScript: JSError and the types wrapping JS values.", -1,
                                  tspy_methods};

PyObject* CreateTspyModule() {
  PyRef mod(PyModule_Create(&tspy_module));
  if (!mod) return nullptr;
  g_JsObjectType = PyType_FromSpec(&JsObject_spec);
  if (!g_JsObjectType) return nullptr;
  PyRef bases(PyTuple_Pack(1, g_JsObjectType));
  if (!bases) return nullptr;
  g_JsFunctionType = PyType_FromSpecWithBases(&JsFunction_spec, bases.get());
  g_JsBufferType = PyType_FromSpec(&JsBuffer_spec);
  g_JSError = PyErr_NewExceptionWithDoc(
      "tspy.JSError",
      "An exception thrown by TypeScript/JavaScript code called from Python. Attributes: message, stack "
      "(the JS stack), js_error (the original JS value, rethrown as itself if this reaches TypeScript).",
      PyExc_Exception, nullptr);
  if (!g_JsFunctionType || !g_JsBufferType || !g_JSError) return nullptr;
  // PyModule_AddObjectRef keeps our own strong references in the globals.
  if (PyModule_AddObjectRef(mod.get(), "JsObject", g_JsObjectType) < 0 ||
      PyModule_AddObjectRef(mod.get(), "JsFunction", g_JsFunctionType) < 0 ||
      PyModule_AddObjectRef(mod.get(), "JsBuffer", g_JsBufferType) < 0 ||
      PyModule_AddObjectRef(mod.get(), "JSError", g_JSError) < 0) {
    return nullptr;
  }
  return mod.release();
}

}  // namespace tspy
