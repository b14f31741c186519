// tspy_loader: dlopens a shared library with RTLD_NOW | RTLD_GLOBAL so that libpython's symbols
// serve both tspy_bridge.node and Python's C extension modules, and tells which libpython (if
// any) already serves the process. Knows one Python symbol name, nothing else of Python.
#include <dlfcn.h>
#include <napi.h>

#include <string>

// loadLibrary(path: string): void. Throws Error with dlerror()'s text when dlopen fails.
// The handle is never closed: the library stays loaded for the life of the process.
static Napi::Value LoadLibrary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char* err = dlerror();
    throw Napi::Error::New(env, std::string("tspy: cannot load ") + path + ": " + (err ? err : "unknown dlopen error"));
  }
  return env.Undefined();
}

// loadedPython(): string | null. The file of the library that provides `Py_IsInitialized` to
// the process's global symbol scope (a libpython loaded RTLD_GLOBAL, or one linked into the
// executable), or null when there is none. Any thread.
static Napi::Value LoadedPython(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  void* sym = dlsym(RTLD_DEFAULT, "Py_IsInitialized");
  Dl_info where;
  if (sym == nullptr || dladdr(sym, &where) == 0 || where.dli_fname == nullptr) return env.Null();
  return Napi::String::New(env, where.dli_fname);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("loadLibrary", Napi::Function::New(env, LoadLibrary, "loadLibrary"));
  exports.Set("loadedPython", Napi::Function::New(env, LoadedPython, "loadedPython"));
  return exports;
}

NODE_API_MODULE(tspy_loader, Init)
