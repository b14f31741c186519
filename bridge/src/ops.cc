// The operations behind a PyProxy and `py`: import, exec/eval, attributes, items, calls,
// iteration, str/repr, deep conversion, buffers and handle release. Each is a bridge entry
// (Entry(): GIL taken, queues drained, Python errors become PythonError). Arguments were
// validated in TypeScript; handles are napi Externals of PyHandle.
#include <cmath>

#include "bridge.h"

namespace tspy {

static std::atomic<long> g_inputCounter{0};

static PyRef Str(const Napi::Value& v) { return PyRef(JsStringToPython(v.As<Napi::String>())); }

// The UTF-8 text of Python source given as a JS string. Source with a lone surrogate has no
// UTF-8 form and is refused (UnicodeEncodeError naming the position, as CPython's compile()
// refuses it), never altered. GIL held.
static std::string SourceText(const Napi::Value& v) {
  PyRef str(JsStringToPython(v.As<Napi::String>()));
  Py_ssize_t n = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(str.get(), &n);
  if (utf8 == nullptr) throw PyErrOccurred();
  return std::string(utf8, static_cast<size_t>(n));
}

static Napi::Value Absent(EnvState* st) { return st->absent.Value(); }

// Borrowed: __main__.__dict__.
static PyObject* MainDict() {
  PyObject* main = Check(PyImport_AddModule("__main__"));  // borrowed
  return PyModule_GetDict(main);                           // borrowed
}

// Borrowed: the globals dict given as a handle, or __main__.__dict__ when undefined/null.
static PyObject* GlobalsArg(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return MainDict();
  return HandleObj(v);
}

// release(handle): drops the proxy's reference now (destroy()). Idempotent.
static Napi::Value Release(const Napi::CallbackInfo& info) {
  PyHandle* h = info[0].As<Napi::External<PyHandle>>().Data();
  if (h->obj == nullptr) return info.Env().Undefined();
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyObject* o = h->obj;
    ForgetIdentity(env, h);
    h->obj = nullptr;
    g_liveProxies--;
    Py_DECREF(o);
    return env.Undefined();
  });
}

// importModule(name) -> PyProxy of the module (importlib.import_module).
static Napi::Value ImportModule(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef name = Str(info[0]);
    PyRef mod(Check(PyImport_Import(name.get())));
    // PyImport_Import returns the top package for dotted names in old versions; use sys.modules.
    PyObject* m = PyDict_GetItemWithError(PyImport_GetModuleDict(), name.get());  // borrowed
    if (m == nullptr && PyErr_Occurred()) throw PyErrOccurred();
    return Python2Js(env, st, m ? m : mod.get());
  });
}

// Compiles `code` under a fresh "<python-input-N>" name registered in linecache, so tracebacks
// show source lines. New reference to the code object.
static PyObject* Compile(const std::string& code, int start) {
  std::string filename = "<python-input-" + std::to_string(++g_inputCounter) + ">";
  PyRef lc(PyImport_ImportModule("linecache"));
  if (lc) {
    PyRef cache(PyObject_GetAttrString(lc.get(), "cache"));
    PyRef src(PyUnicode_FromStringAndSize(code.data(), static_cast<Py_ssize_t>(code.size())));
    PyRef lines(src ? PyObject_CallMethod(src.get(), "splitlines", "O", Py_True) : nullptr);
    PyRef entry(
        lines ? Py_BuildValue("(nOOs)", static_cast<Py_ssize_t>(code.size()), Py_None, lines.get(), filename.c_str())
              : nullptr);
    if (!cache || !entry || PyDict_SetItemString(cache.get(), filename.c_str(), entry.get()) < 0) PyErr_Clear();
  } else {
    PyErr_Clear();
  }
  return Check(Py_CompileString(code.c_str(), filename.c_str(), start));
}

// exec(code, globals?) -> undefined.
static Napi::Value Exec(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    std::string code = SourceText(info[0]);
    PyObject* g = GlobalsArg(info[1]);
    PyRef co(Compile(code, Py_file_input));
    PyRef r(Check(PyEval_EvalCode(co.get(), g, g)));
    return env.Undefined();
  });
}

// eval(code, globals?) -> the converted value of the expression.
static Napi::Value Eval(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    std::string code = SourceText(info[0]);
    PyObject* g = GlobalsArg(info[1]);
    PyRef co(Compile(code, Py_eval_input));
    PyRef r(Check(PyEval_EvalCode(co.get(), g, g)));
    return Python2Js(env, st, r.get());
  });
}

// mainDict() -> PyProxy of __main__.__dict__.
static Napi::Value MainDictOp(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value { return Python2Js(env, st, MainDict()); });
}

// getGlobal(name, loud) -> value of __main__'s global; when missing, NameError naming it if
// `loud`, else hooks.absent.
static Napi::Value GetGlobal(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef name = Str(info[0]);
    PyObject* v = PyDict_GetItemWithError(MainDict(), name.get());  // borrowed
    if (v == nullptr) {
      if (PyErr_Occurred()) throw PyErrOccurred();
      if (info[1].ToBoolean()) {
        PyErr_Format(PyExc_NameError, "name '%U' is not defined", name.get());
        throw PyErrOccurred();
      }
      return Absent(st);
    }
    Py_INCREF(v);  // keep it alive while converting
    PyRef keep(v);
    return Python2Js(env, st, v);
  });
}

// setGlobal(name, value): __main__.name = value.
static Napi::Value SetGlobal(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef name = Str(info[0]);
    PyRef v(Js2Python(env, st, info[1]));
    CheckInt(PyDict_SetItem(MainDict(), name.get(), v.get()));
    return env.Undefined();
  });
}

// delGlobal(name) -> whether it existed.
static Napi::Value DelGlobal(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyRef name = Str(info[0]);
    int has = CheckInt(PyDict_Contains(MainDict(), name.get()));
    if (has) CheckInt(PyDict_DelItem(MainDict(), name.get()));
    return Napi::Boolean::New(env, has != 0);
  });
}

// hasGlobal(name) -> boolean.
static Napi::Value HasGlobal(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyRef name = Str(info[0]);
    return Napi::Boolean::New(env, CheckInt(PyDict_Contains(MainDict(), name.get())) != 0);
  });
}

// getAttr(h, name, loud) -> value; on AttributeError, raises it if `loud`, else hooks.absent.
static Napi::Value GetAttr(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef name = Str(info[1]);
    PyRef v(PyObject_GetAttr(o, name.get()));
    if (!v) {
      if (!info[2].ToBoolean() && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return Absent(st);
      }
      throw PyErrOccurred();
    }
    return Python2Js(env, st, v.get());
  });
}

// setAttr(h, name, value).
static Napi::Value SetAttr(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef name = Str(info[1]);
    PyRef v(Js2Python(env, st, info[2]));
    CheckInt(PyObject_SetAttr(o, name.get(), v.get()));
    return env.Undefined();
  });
}

// delAttr(h, name).
static Napi::Value DelAttr(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef name = Str(info[1]);
    CheckInt(PyObject_DelAttr(o, name.get()));
    return env.Undefined();
  });
}

// hasAttr(h, name) -> boolean.
static Napi::Value HasAttr(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef name = Str(info[1]);
    return Napi::Boolean::New(env, PyObject_HasAttr(o, name.get()) != 0);
  });
}

// call(h, args: unknown[], kwargs: object | null) -> converted result.
static Napi::Value Call(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* f = HandleObj(info[0]);
    Napi::Array args = info[1].As<Napi::Array>();
    uint32_t n = args.Length();
    PyRef tuple(Check(PyTuple_New(n)));
    for (uint32_t i = 0; i < n; i++) PyTuple_SET_ITEM(tuple.get(), i, Js2Python(env, st, args.Get(i)));
    PyRef kwargs;
    if (info[2].IsObject()) {
      kwargs = PyRef(Js2Python(env, st, info[2]));
      if (!PyDict_Check(kwargs.get())) Raise(PyExc_TypeError, "tspy: py.kwargs() needs a plain object");
    }
    PyRef r(Check(PyObject_Call(f, tuple.get(), kwargs.get())));
    return Python2Js(env, st, r.get());
  });
}

// callDirect.call(handle, ...args): the call path of a callable PyProxy, bound to its handle
// (lib/pyproxy.ts makes the proxy's target `callDirect.bind(handle)` and installs no apply trap, so
// `f(x)` comes here with no JS in between). A PyKwargs marker as the last argument gives keyword
// arguments. Arguments are converted on the stack (up to kDirectArgs without allocating) and
// passed with PyObject_Vectorcall; the result is converted like any other.
static constexpr size_t kDirectArgs = 8;

static napi_value CallDirect(napi_env rawEnv, napi_callback_info cbinfo) {
  Napi::Env env(rawEnv);
  try {
    size_t argc = kDirectArgs;
    napi_value stackArgv[kDirectArgs];
    napi_value self = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_cb_info(rawEnv, cbinfo, &argc, stackArgv, &self, nullptr), nullptr);
    std::vector<napi_value> heapArgv;
    napi_value* argv = stackArgv;
    if (argc > kDirectArgs) {
      heapArgv.resize(argc);
      NAPI_THROW_IF_FAILED(env, napi_get_cb_info(rawEnv, cbinfo, &argc, heapArgv.data(), nullptr, nullptr), nullptr);
      argv = heapArgv.data();
    }
    void* data = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_get_value_external(rawEnv, self, &data), nullptr);
    auto* h = static_cast<PyHandle*>(data);
    EnvState* st = RequirePyEnv(env);
    if (h->obj == nullptr) throw Napi::Error::New(env, "tspy: this PyProxy was destroyed");
    GilScope gil(st);
    try {
      // A trailing PyKwargs marker: its `kwargs` object becomes the keyword dict.
      PyRef kwargs;
      if (argc > 0) {
        napi_valuetype t;
        napi_typeof(rawEnv, argv[argc - 1], &t);
        if (t == napi_object) {
          Napi::Object last(env, argv[argc - 1]);
          if (last.InstanceOf(st->pyKwargsClass.Value())) {
            kwargs = PyRef(Js2Python(env, st, last.Get("kwargs")));
            if (!PyDict_Check(kwargs.get())) Raise(PyExc_TypeError, "tspy: py.kwargs() needs a plain object");
            argc--;
          }
        }
      }
      // args[0] is scratch space for PY_VECTORCALL_ARGUMENTS_OFFSET; args[1..] own new references.
      PyObject* stackPy[kDirectArgs + 1];
      std::vector<PyObject*> heapPy;
      PyObject** args = stackPy;
      if (argc > kDirectArgs) {
        heapPy.resize(argc + 1);
        args = heapPy.data();
      }
      size_t made = 0;
      struct Decref {
        PyObject** a;
        size_t* n;
        ~Decref() {
          for (size_t i = 1; i <= *n; i++) Py_DECREF(a[i]);
        }
      } cleanup{args, &made};
      for (; made < argc; made++) args[made + 1] = Js2Python(env, st, Napi::Value(env, argv[made]));
      const size_t nargsf = argc | PY_VECTORCALL_ARGUMENTS_OFFSET;
      PyRef r(Check(kwargs ? PyObject_VectorcallDict(h->obj, args + 1, nargsf, kwargs.get())
                           : PyObject_Vectorcall(h->obj, args + 1, nargsf, nullptr)));
      return Python2Js(env, st, r.get());
    } catch (PyErrOccurred&) {
      ThrowPythonError(env);
    }
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

// getItem(h, key, loud) -> obj[key]; on KeyError, raises it if `loud`, else hooks.absent.
static Napi::Value GetItem(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef key(Js2Python(env, st, info[1]));
    PyRef v(PyObject_GetItem(o, key.get()));
    if (!v) {
      if (!info[2].ToBoolean() && PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
        return Absent(st);
      }
      throw PyErrOccurred();
    }
    return Python2Js(env, st, v.get());
  });
}

// setItem(h, key, value).
static Napi::Value SetItem(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef key(Js2Python(env, st, info[1]));
    PyRef v(Js2Python(env, st, info[2]));
    CheckInt(PyObject_SetItem(o, key.get(), v.get()));
    return env.Undefined();
  });
}

// delItem(h, key).
static Napi::Value DelItem(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef key(Js2Python(env, st, info[1]));
    CheckInt(PyObject_DelItem(o, key.get()));
    return env.Undefined();
  });
}

// contains(h, key) -> `key in obj`.
static Napi::Value Contains(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* o = HandleObj(info[0]);
    PyRef key(Js2Python(env, st, info[1]));
    return Napi::Boolean::New(env, CheckInt(PySequence_Contains(o, key.get())) != 0);
  });
}

static Napi::Value StrOf(Napi::Env env, PyObject* s) {
  Py_ssize_t n;
  const char* c = PyUnicode_AsUTF8AndSize(s, &n);
  if (c == nullptr) throw PyErrOccurred();
  return Napi::String::New(env, c, static_cast<size_t>(n));
}

// str(h) -> string.
static Napi::Value StrOp(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyRef s(Check(PyObject_Str(HandleObj(info[0]))));
    return StrOf(env, s.get());
  });
}

// repr(h) -> string.
static Napi::Value ReprOp(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyRef s(Check(PyObject_Repr(HandleObj(info[0]))));
    return StrOf(env, s.get());
  });
}

// typeName(h) -> type(obj).__name__.
static Napi::Value TypeName(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyRef n(Check(PyObject_GetAttrString(reinterpret_cast<PyObject*>(Py_TYPE(HandleObj(info[0]))), "__name__")));
    return StrOf(env, n.get());
  });
}

// len(h) -> len(obj).
static Napi::Value Len(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    Py_ssize_t n = PyObject_Length(HandleObj(info[0]));
    if (n < 0) throw PyErrOccurred();
    return Napi::Number::New(env, static_cast<double>(n));
  });
}

// isCallable(h) -> callable(obj).
static Napi::Value IsCallable(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    return Napi::Boolean::New(env, PyCallable_Check(HandleObj(info[0])) != 0);
  });
}

// iter(h) -> PyProxy of iter(obj).
static Napi::Value Iter(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    // Unshared: the iteration helper releases it, and iter(x) may be x itself (a generator).
    return MakeProxy(env, st, Check(PyObject_GetIter(HandleObj(info[0]))), false);
  });
}

// next(h) -> next(iterator) converted, or hooks.absent when exhausted.
static Napi::Value Next(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* it = HandleObj(info[0]);
    if (!PyIter_Check(it)) Raise(PyExc_TypeError, "tspy: next() needs an iterator");
    PyRef v(PyIter_Next(it));
    if (!v) {
      if (PyErr_Occurred()) throw PyErrOccurred();
      return Absent(st);
    }
    return Python2Js(env, st, v.get());
  });
}

// toJS(h, depth, dictAsMap) -> deep conversion.
static Napi::Value ToJs(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    ToJsOptions opt{info[1].As<Napi::Number>().DoubleValue(), info[2].As<Napi::Boolean>().Value()};
    return ToJsDeep(env, st, HandleObj(info[0]), opt);
  });
}

// isInstance(h, cls) -> isinstance(obj, cls); cls is any value converting to a class or tuple.
static Napi::Value IsInstance(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef cls(Js2Python(env, st, info[1]));
    return Napi::Boolean::New(env, CheckInt(PyObject_IsInstance(HandleObj(info[0]), cls.get())) != 0);
  });
}

// typeOf(value) -> PyProxy of type(value converted to Python).
static Napi::Value TypeOf(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef o(Js2Python(env, st, info[0]));
    return MakeProxy(env, st, Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(o.get()))));
  });
}

// isAwaitable(h) -> whether type(obj) implements __await__ (coroutine, Future, Task, ...).
static Napi::Value IsAwaitable(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    PyTypeObject* t = Py_TYPE(HandleObj(info[0]));
    return Napi::Boolean::New(env, t->tp_as_async != nullptr && t->tp_as_async->am_await != nullptr);
  });
}

// tuple(items: unknown[]) -> PyProxy of a tuple.
static Napi::Value Tuple(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    Napi::Array items = info[0].As<Napi::Array>();
    PyRef t(Check(PyTuple_New(items.Length())));
    for (uint32_t i = 0; i < items.Length(); i++) PyTuple_SET_ITEM(t.get(), i, Js2Python(env, st, items.Get(i)));
    return MakeProxy(env, st, t.release());
  });
}

// toPython(value) -> PyProxy of the Python object the value converts to (always a proxy).
static Napi::Value ToPython(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    return MakeProxy(env, st, Js2Python(env, st, info[0]));
  });
}

// dir(h) -> string[] (dir(obj)).
static Napi::Value Dir(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyRef d(Check(PyObject_Dir(HandleObj(info[0]))));
    return ToJsDeep(env, st, d.get(), ToJsOptions{1, false});
  });
}

// getBuffer(h) -> raw buffer record (see native.d.ts).
static Napi::Value GetBufferOp(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value { return GetBuffer(env, HandleObj(info[0])); });
}

// releaseBuffer(token, arrayBuffer).
static Napi::Value ReleaseBufferOp(const Napi::CallbackInfo& info) {
  BufferHolder* h = info[0].As<Napi::External<BufferHolder>>().Data();
  if (h->released) return info.Env().Undefined();
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value {
    ReleaseBuffer(env, h, info[1].As<Napi::ArrayBuffer>());
    return env.Undefined();
  });
}

// tspyCall(name, args, shared) -> tspy.<name>(*args): None/bool/int/float/str converted, any other
// result a PyProxy, shared (identity map) only when `shared` (internal callers destroy theirs).
static Napi::Value TspyCall(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState* st) -> Napi::Value {
    PyObject* mod = PyDict_GetItemString(PyImport_GetModuleDict(), "tspy");  // borrowed
    if (mod == nullptr) Raise(PyExc_ImportError, "tspy: the tspy module is gone from sys.modules");
    PyRef name = Str(info[0]);
    PyRef fn(Check(PyObject_GetAttr(mod, name.get())));
    Napi::Array args = info[1].As<Napi::Array>();
    PyRef tuple(Check(PyTuple_New(args.Length())));
    for (uint32_t i = 0; i < args.Length(); i++) PyTuple_SET_ITEM(tuple.get(), i, Js2Python(env, st, args.Get(i)));
    PyRef r(Check(PyObject_Call(fn.get(), tuple.get(), nullptr)));
    PyObject* o = r.get();
    if (o == Py_None || PyBool_Check(o) || PyLong_Check(o) || PyFloat_Check(o) || PyUnicode_Check(o)) {
      return Python2Js(env, st, o);
    }
    return MakeProxy(env, st, r.release(), info[2].As<Napi::Boolean>().Value());
  });
}

// drain(): runs queued decrefs / releases now (a bridge entry that does nothing else).
static Napi::Value Drain(const Napi::CallbackInfo& info) {
  return Entry(info, [&](Napi::Env env, EnvState*) -> Napi::Value { return env.Undefined(); });
}

Napi::Object InitOps(Napi::Env env, Napi::Object exports) {
  struct Op {
    const char* name;
    Napi::Function::Callback fn;
  };
  const Op ops[] = {{"release", Release},
                    {"importModule", ImportModule},
                    {"exec", Exec},
                    {"eval", Eval},
                    {"mainDict", MainDictOp},
                    {"getGlobal", GetGlobal},
                    {"setGlobal", SetGlobal},
                    {"delGlobal", DelGlobal},
                    {"hasGlobal", HasGlobal},
                    {"getAttr", GetAttr},
                    {"setAttr", SetAttr},
                    {"delAttr", DelAttr},
                    {"hasAttr", HasAttr},
                    {"call", Call},
                    {"getItem", GetItem},
                    {"setItem", SetItem},
                    {"delItem", DelItem},
                    {"contains", Contains},
                    {"str", StrOp},
                    {"repr", ReprOp},
                    {"typeName", TypeName},
                    {"len", Len},
                    {"isCallable", IsCallable},
                    {"iter", Iter},
                    {"next", Next},
                    {"toJS", ToJs},
                    {"tuple", Tuple},
                    {"toPython", ToPython},
                    {"dir", Dir},
                    {"getBuffer", GetBufferOp},
                    {"releaseBuffer", ReleaseBufferOp},
                    {"drain", Drain},
                    {"isInstance", IsInstance},
                    {"typeOf", TypeOf},
                    {"isAwaitable", IsAwaitable},
                    {"tspyCall", TspyCall},
                    {"address", Address}};
  for (const Op& op : ops) exports.Set(op.name, Napi::Function::New(env, op.fn, op.name));
  napi_value direct;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, "callDirect", NAPI_AUTO_LENGTH, CallDirect, nullptr, &direct),
                       exports);
  exports.Set("callDirect", Napi::Value(env, direct));
  return exports;
}

}  // namespace tspy
