// getBuffer(): the Python buffer protocol exported to JS as a TypedArray over the same memory;
// objects without it but with DLPack (`__dlpack__`: TensorFlow and torch tensors) go through
// numpy.from_dlpack first, which shares the tensor's memory. The Py_buffer lives until release()
// or until the ArrayBuffer is collected (then its release is queued for the next bridge entry,
// which holds the GIL).
//
// Why V8's API here and not napi_create_external_arraybuffer: V8 counts the bytes of an external
// ArrayBuffer with a real deleter as external memory it owns (ArrayBufferSweeper::Append ->
// AdjustAmountOfExternalAllocatedMemory), so every handoff of a large array looked like a large
// allocation and started or finished a GC (0.1-10 ms at 80-800 MB, growing with the size). The
// memory is Python's, so the backing store is made with BackingStore::EmptyDeleter, which V8 does
// not account (PerIsolateAccountingLength() is 0), and the Py_buffer is released by a finalizer
// on the ArrayBuffer object (or release()) instead of the deleter. The holder keeps a reference to
// the backing store: while anything else still holds it (V8 has not swept the collected
// ArrayBuffer yet, or the buffer was transferred to another thread with postMessage), the
// release waits in the queue (DrainQueuesNow retries it), so Python's memory outlives every view.
#include <v8.h>

#include <cstring>

#include "bridge.h"

namespace tspy {

struct DtypeInfo {
  const char* dtype;
  napi_typedarray_type type;
  int parts;  // TypedArray elements per buffer item: 2 for complex (interleaved re, im), else 1
};

// Maps a struct-module format (with an optional native/little-endian prefix) and itemsize to
// a numpy dtype name and TypedArray kind: the rows of DTYPE_TABLE (kernel/contracts/dtypes.ts,
// dtypeRowOfFormat), which test/bridge/dtypes.test.ts checks this against. Returns false when
// unsupported.
static bool LookupFormat(const char* fmt, Py_ssize_t itemsize, DtypeInfo* out) {
  if (fmt == nullptr) fmt = "B";
  if (*fmt == '@' || *fmt == '=' || *fmt == '<') fmt++;
  if (std::strcmp(fmt, "Zf") == 0 && itemsize == 8) {
    *out = {"complex64", napi_float32_array, 2};
    return true;
  }
  if (std::strcmp(fmt, "Zd") == 0 && itemsize == 16) {
    *out = {"complex128", napi_float64_array, 2};
    return true;
  }
  if (std::strlen(fmt) != 1) return false;
  char c = fmt[0];
  auto intOf = [&](bool isSigned) -> bool {
    switch (itemsize) {
      case 1: *out = {isSigned ? "int8" : "uint8", isSigned ? napi_int8_array : napi_uint8_array, 1}; return true;
      case 2: *out = {isSigned ? "int16" : "uint16", isSigned ? napi_int16_array : napi_uint16_array, 1}; return true;
      case 4: *out = {isSigned ? "int32" : "uint32", isSigned ? napi_int32_array : napi_uint32_array, 1}; return true;
      case 8:
        *out = {isSigned ? "int64" : "uint64", isSigned ? napi_bigint64_array : napi_biguint64_array, 1};
        return true;
      default: return false;
    }
  };
  switch (c) {
    case 'b':
    case 'h':
    case 'i':
    case 'l':
    case 'q':
    case 'n': return intOf(true);
    case 'B':
    case 'H':
    case 'I':
    case 'L':
    case 'Q':
    case 'N': return intOf(false);
    case '?':
      if (itemsize != 1) return false;
      *out = {"bool", napi_uint8_array, 1};
      return true;
    case 'e':
      if (itemsize != 2) return false;
      *out = {"float16", napi_uint16_array, 1};  // raw IEEE half bits: Node 20 has no Float16Array
      return true;
    case 'f':
      if (itemsize != 4) return false;
      *out = {"float32", napi_float32_array, 1};
      return true;
    case 'd':
      if (itemsize != 8) return false;
      *out = {"float64", napi_float64_array, 1};
      return true;
    default: return false;
  }
}

// napi_value <-> v8::Local, as Node's own N-API implementation converts them (same bits).
static v8::Local<v8::Value> V8Local(napi_value v) {
  v8::Local<v8::Value> local;
  static_assert(sizeof(local) == sizeof(v), "napi_value is a v8::Local");
  std::memcpy(static_cast<void*>(&local), &v, sizeof(v));
  return local;
}
static napi_value NapiValue(v8::Local<v8::Value> local) {
  napi_value v;
  std::memcpy(static_cast<void*>(&v), &local, sizeof(v));
  return v;
}

static void BufferFinalize(Napi::Env, void*, BufferHolder* h) {
  // JS GC (on the JS thread): never touch Python here.
  h->jsGone = true;
  if (!h->released) {
    h->released = true;
    g_liveProxies--;
    QueueBufferRelease(h);  // DrainQueuesNow releases it and deletes h
  } else if (h->pyDone) {
    delete h;
  }  // else: release() queued it; DrainQueuesNow deletes h
}

// Finalizer of the ArrayBuffer object (JS thread, after GC): as BufferFinalize.
static void BufferCollected(napi_env env, void* data, void*) {
  BufferFinalize(Napi::Env(env), nullptr, static_cast<BufferHolder*>(data));
}

// An ArrayBuffer over `nbytes` at `start` that V8 does not count as its memory (see the file's
// comment); `h` is released when the ArrayBuffer object is collected. Throws Napi::Error.
static Napi::ArrayBuffer UnaccountedArrayBuffer(Napi::Env env, void* start, size_t nbytes, BufferHolder* h) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(start, nbytes, v8::BackingStore::EmptyDeleter, nullptr);
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, std::move(store));
  h->store = ab->GetBackingStore();
  napi_value v = NapiValue(ab);
  NAPI_THROW_IF_FAILED(env, napi_add_finalizer(env, v, h, BufferCollected, nullptr, nullptr), Napi::ArrayBuffer());
  return Napi::ArrayBuffer(env, v);
}

Napi::Value GetBuffer(Napi::Env env, PyObject* o) {
  // A DLPack producer without the buffer protocol: numpy.from_dlpack(o) is an ndarray over the
  // producer's memory (it owns the DLPack capsule, which keeps the tensor alive); the Py_buffer
  // below then holds that ndarray. New reference, or empty.
  PyRef viaDlpack;
  if (!PyObject_CheckBuffer(o)) {
    int has = CheckInt(PyObject_HasAttrString(o, "__dlpack__"));
    if (has) {
      PyRef np(Check(PyImport_ImportModule("numpy")));
      viaDlpack = PyRef(Check(PyObject_CallMethod(np.get(), "from_dlpack", "O", o)));
      o = viaDlpack.get();
    }
  }
  auto* h = new BufferHolder();
  if (PyObject_GetBuffer(o, &h->view, PyBUF_RECORDS_RO) < 0) {
    delete h;
    throw PyErrOccurred();
  }
  Py_buffer& v = h->view;
  const std::string format = v.format ? v.format : "B";
  const Py_ssize_t itemsize = v.itemsize;
  const bool readonly = v.readonly != 0;
  auto fail = [&](const std::string& msg) {
    PyBuffer_Release(&v);
    delete h;
    throw Napi::TypeError::New(env, "tspy: getBuffer(): " + msg);
  };
  DtypeInfo info;
  if (!LookupFormat(v.format, v.itemsize, &info)) {
    fail(std::string("unsupported buffer format '") + (v.format ? v.format : "B") + "' (itemsize " +
         std::to_string(v.itemsize) + ")");
  }
  int ndim = v.ndim;
  std::vector<Py_ssize_t> shape, strides;
  if (ndim == 0) {
    // A scalar buffer: one element.
  } else {
    for (int i = 0; i < ndim; i++) shape.push_back(v.shape ? v.shape[i] : v.len / v.itemsize);
    if (v.strides) {
      for (int i = 0; i < ndim; i++) strides.push_back(v.strides[i]);
    } else {
      strides.assign(ndim, 0);
      Py_ssize_t s = v.itemsize;
      for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
      }
    }
  }
  Py_ssize_t count = 1, minOff = 0, maxOff = 0;
  for (int i = 0; i < ndim; i++) {
    count *= shape[i];
    if (strides[i] % v.itemsize != 0) fail("strides are not a multiple of the itemsize");
    if (shape[i] > 0) {
      Py_ssize_t last = strides[i] * (shape[i] - 1);
      if (last < 0) minOff += last;
      else maxOff += last;
    }
  }
  Napi::ArrayBuffer ab;
  Py_ssize_t offset = 0;
  size_t nbytes = 0;
  if (count == 0) {
    PyBuffer_Release(&v);
    h->released = true;
    ab = Napi::ArrayBuffer::New(env, 0);
    delete h;
    h = nullptr;
  } else {
    nbytes = static_cast<size_t>(maxOff - minOff + v.itemsize);
    offset = -minOff;
    char* start = static_cast<char*>(v.buf) + minOff;
    ab = UnaccountedArrayBuffer(env, start, nbytes, h);
    g_liveProxies++;
  }
  size_t elements = nbytes / static_cast<size_t>(itemsize / info.parts);
  Napi::TypedArray data;
  switch (info.type) {
    case napi_int8_array: data = Napi::Int8Array::New(env, elements, ab, 0); break;
    case napi_uint8_array: data = Napi::Uint8Array::New(env, elements, ab, 0); break;
    case napi_int16_array: data = Napi::Int16Array::New(env, elements, ab, 0); break;
    case napi_uint16_array: data = Napi::Uint16Array::New(env, elements, ab, 0); break;
    case napi_int32_array: data = Napi::Int32Array::New(env, elements, ab, 0); break;
    case napi_uint32_array: data = Napi::Uint32Array::New(env, elements, ab, 0); break;
    case napi_float32_array: data = Napi::Float32Array::New(env, elements, ab, 0); break;
    case napi_float64_array: data = Napi::Float64Array::New(env, elements, ab, 0); break;
    case napi_bigint64_array: data = Napi::BigInt64Array::New(env, elements, ab, 0); break;
    case napi_biguint64_array: data = Napi::BigUint64Array::New(env, elements, ab, 0); break;
    default: break;
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("data", data);
  Napi::Array jshape = Napi::Array::New(env, shape.size()), jstrides = Napi::Array::New(env, strides.size());
  for (size_t i = 0; i < shape.size(); i++) {
    jshape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(shape[i])));
    jstrides.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(strides[i])));
  }
  r.Set("shape", jshape);
  r.Set("strides", jstrides);
  r.Set("offset", Napi::Number::New(env, static_cast<double>(offset)));
  r.Set("dtype", Napi::String::New(env, info.dtype));
  r.Set("format", Napi::String::New(env, format));
  r.Set("itemsize", Napi::Number::New(env, static_cast<double>(itemsize)));
  r.Set("readonly", Napi::Boolean::New(env, readonly));
  r.Set("dlpack", Napi::Boolean::New(env, static_cast<bool>(viaDlpack)));
  if (h != nullptr) r.Set("token", Napi::External<BufferHolder>::New(env, h));
  return r;
}

// address(view): the address of the first byte of a TypedArray / DataView / ArrayBuffer's
// memory, as a BigInt. Needs neither Python nor the GIL.
Napi::Value Address(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value v = info[0];
  void* data = nullptr;
  if (v.IsTypedArray()) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value ab;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset), Napi::Value());
  } else if (v.IsDataView()) {
    size_t length, offset;
    napi_value ab;
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, v, &length, &data, &ab, &offset), Napi::Value());
  } else {
    size_t length;
    NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, v, &data, &length), Napi::Value());
  }
  return Napi::BigInt::New(env, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(data)));
}

void ReleaseBuffer(Napi::Env env, BufferHolder* h, Napi::ArrayBuffer ab) {
  if (h->released) return;
  napi_detach_arraybuffer(env, ab);  // this isolate can no longer reach the memory
  h->released = true;
  g_liveProxies--;
  if (h->store.use_count() > 1) {
    QueueBufferRelease(h);  // transferred elsewhere: released once that holder lets go
  } else {
    h->store.reset();
    PyBuffer_Release(&h->view);
    h->pyDone = true;  // h itself is deleted by the ArrayBuffer's finalizer
  }
}

}  // namespace tspy
