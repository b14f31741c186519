"""TypeScript declarations for Python modules, by introspection of the live module: functions and
classes with their parameter names, optional markers and types (from annotations, docstrings and
defaults), their keyword arguments as a checked `PyKwargs<{...}>` type, docstrings as TSDoc,
submodules as nested interfaces, class instances as closed interfaces of their members. The
kernel's language service (kernel/executor/language-service.ts; its prelude, python-prelude.ts,
defines the `__tspy_py.Arg`, `Obj`, `Kw`, `Closed` and `Open` types used here) adds them so a
module is typed in TS (`tspy.import("keras")`). Declarations are cached on disk, keyed by module
version and the generator's code. This module walks modules and classes, caches, and generates on
background threads; the type text is tspy_stubs_types.py's, the signatures tspy_stubs_signatures.py's.
Knows Python's inspect module and TypeScript syntax; nothing of sockets."""
import functools
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import os
import re
import sys
import threading
import time
import types

import tspy_stubs_signatures
import tspy_stubs_types
from tspy_stubs_signatures import _params
from tspy_stubs_types import NAMESPACE, _aliases, _doc, _prop, interface_name

MAX_MEMBERS = 800  # per namespace: keeps huge modules' declarations bounded
MAX_CLASSES = 150  # instance interfaces per module
MAX_CHARS = 400_000  # per module: beyond this, submodules are left as PyProxy
# Types whose instances the bridge converts to JS values (or that are values in Python's sense): a
# class among these, or derived from one, is not typed as a proxy of its instances.
VALUE_TYPES = (int, float, complex, str, bytes, bytearray, bool, list, tuple, dict, set, frozenset, type(None))
_GENERATOR_FILES = (__file__, tspy_stubs_types.__file__, tspy_stubs_signatures.__file__)  # the generator's code
_CACHE_VERSION = hashlib.sha1(b"".join(open(f, "rb").read() for f in _GENERATOR_FILES)).hexdigest()[:12]  # its version


# ---- members, modules, classes -------------------------------------------------------------------

def _member(name, value, indent, known_modules, classes, depth):
    prop = _prop(name)
    doc = _doc(value, indent)
    if isinstance(value, types.ModuleType):
        if depth <= 0:
            return f"{indent}{prop}: PyProxy;\n"
        known_modules.append(value)
        return f"{doc}{indent}{prop}: {NAMESPACE}.{interface_name(value.__name__)};\n"
    if inspect.isclass(value):
        instance = "any"
        if _typed_instances(value) and len(classes) < MAX_CLASSES:
            classes.append(value)
            instance = f"{NAMESPACE}.{_class_name(value)}"
        return f"{doc}{indent}{prop}: {{ ({_params(value)}): {instance} }} & {NAMESPACE}.Open;\n"
    if callable(value):
        return f"{doc}{indent}{prop}({_params(value)}): any;\n"
    if isinstance(value, bool):
        return f"{indent}{prop}: boolean;\n"
    if isinstance(value, (int, float)):
        return f"{indent}{prop}: number;\n"
    if isinstance(value, str):
        return f"{indent}{prop}: string;\n"
    return f"{indent}{prop}: PyProxy;\n"


def _typed_instances(cls):
    """Whether calling `cls` gives a proxy worth a closed interface: not a value the bridge converts
    (int, str, list, a numpy scalar...), not a builtin."""
    if cls.__module__ == "builtins" or issubclass(cls, VALUE_TYPES) or issubclass(cls, BaseException):
        return False
    np = sys.modules.get("numpy")
    return not (np is not None and issubclass(cls, np.generic))


def _class_name(cls):
    return "PyInstance$" + re.sub(r"\W", "$", f"{cls.__module__}.{cls.__qualname__}")


def _public(namespace):
    names = [n for n in dir(namespace) if not n.startswith("_")]
    return names[:MAX_MEMBERS]


@functools.lru_cache(maxsize=512)
def _assigned_attributes(file):
    """Names assigned as attributes anywhere in a source file (`self.units = ...`, `x.history = ...`)."""
    try:
        with open(file, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return frozenset()
    return frozenset(re.findall(r"\.([A-Za-z]\w*)\s*(?::[^=\n]*)?=(?!=)", text))


def _instance_attributes(cls):
    """Attribute names instances of `cls` may have beyond the class's own members (assigned in the
    source of any class of its MRO), or None when they cannot be known: a class that defines
    `__getattr__`/`__getattribute__`, or one of whose classes has no Python source (C types)."""
    names = set()
    for c in cls.__mro__:
        if c is object:
            continue
        if "__getattr__" in c.__dict__ or "__getattribute__" in c.__dict__:
            return None
        try:
            file = inspect.getsourcefile(c)
        except TypeError:
            file = None
        if not file:
            return None
        names |= _assigned_attributes(file)
        slots = c.__dict__.get("__slots__", ())
        names |= {slots} if isinstance(slots, str) else set(slots)
    return names


def _class_chunk(cls):
    """The closed interface of `cls`'s instances: methods with typed parameters, properties and
    class attributes as `any`, attributes assigned in its source as `any`, `__call__` as the call
    signature. Open (any attribute) when its attributes cannot be enumerated."""
    name = _class_name(cls)
    body = ""
    members = set()
    for attr in _public(cls):
        try:
            value = inspect.getattr_static(cls, attr)
        except AttributeError:
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        key = attr
        members.add(key)
        if inspect.isfunction(value) or inspect.ismethoddescriptor(value):
            body += f"{_doc(value, '  ')}  {_prop(key)}({_params(value, cls)}): any;\n"
        else:
            body += f"{_doc(value, '  ') if isinstance(value, property) else ''}  {_prop(key)}: any;\n"
    extra = _instance_attributes(cls)
    base = "PyProxyBase" if extra is None else f"{NAMESPACE}.Closed"
    for attr in sorted(extra or ()):
        key = attr
        if key not in members and not attr.startswith("_"):
            body += f"  {_prop(key)}: any;\n"
    if extra is not None and callable(getattr(cls, "__call__", None)) and "__call__" in {k for c in cls.__mro__[:-1] for k in c.__dict__}:
        body += f"  ({_params(getattr(cls, '__call__'), cls)}): any;\n"
    return name, f"{_doc(cls, '')}interface {name} extends {base} {{\n{body}}}\n"


def _module_open(module):
    """Whether a module's attributes cannot all be enumerated (a module `__getattr__`)."""
    return "__getattr__" in vars(module) or len([n for n in dir(module) if not n.startswith("_")]) > MAX_MEMBERS


def chunks(module_name, depth=2):
    """TypeScript declarations for module `module_name` (imported if needed) and, down to `depth`
    levels, its submodules, as [[key, text], ...]: one chunk per module interface, per class
    instance interface and per `PyModules` entry (typing `tspy.import("<name>")`). Each text is
    complete on its own (wrapped in `declare namespace __tspy_py`); the language service keeps one
    chunk per key, so modules that share classes can be added in any order. Members that fail to
    introspect are left out."""
    root = importlib.import_module(module_name)
    _aliases.table = {}
    try:
        return _chunks(root, depth)
    finally:
        _aliases.table = None


def _chunks(root, depth):
    out = []
    done = set()
    classes = []
    size = 0
    queue = [(root, depth)]
    while queue:
        module, d = queue.pop()
        if module.__name__ in done:
            continue
        done.add(module.__name__)
        submodules = []
        body = ""
        for name in _public(module):
            try:
                value = getattr(module, name)
                body += _member(name, value, "  ", submodules, classes, d - 1)
            except Exception:  # noqa: BLE001 - one odd member must not lose the module
                continue
        iname = interface_name(module.__name__)
        base = "PyProxyBase" if _module_open(module) else f"{NAMESPACE}.Closed"
        text = f"{_doc(module, '')}interface {iname} extends {base} {{\n{body}}}\n"
        out.append((iname, text))
        out.append((f"PyModules:{module.__name__}", f'interface PyModules {{\n  {json.dumps(module.__name__)}: {NAMESPACE}.{iname};\n}}\n'))
        size += len(text)
        if size < MAX_CHARS:
            queue.extend((m, d - 1) for m in submodules)
        else:
            for m in submodules:  # referenced but not generated: an open interface keeps the text valid
                if m.__name__ not in done:
                    done.add(m.__name__)
                    out.append((interface_name(m.__name__), f"interface {interface_name(m.__name__)} extends PyProxyBase {{}}\n"))
    seen = set()
    for cls in classes:
        if cls in seen:
            continue
        seen.add(cls)
        try:
            out.append(_class_chunk(cls))
        except Exception:  # noqa: BLE001 - a class that cannot be introspected is an open proxy
            out.append((_class_name(cls), f"interface {_class_name(cls)} extends PyProxyBase {{}}\n"))
    out += [(alias, f"/** Keyword arguments of `{alias.split('$')[1]}`. */\ntype {alias} = {fields};\n") for alias, fields in _aliases.table.items()]
    return [[key, text if key.startswith("PyModules:") else f"declare namespace {NAMESPACE} {{\n{text}}}\n"] for key, text in out]


def declarations(module_name, depth=2):
    """All of {@link chunks}' texts joined: the declarations of `module_name` as one text."""
    return "".join(text for _, text in chunks(module_name, depth))


# ---- cache and background generation ------------------------------------------------------------

def cache_dir():
    """Folder of cached declarations: $TSPY_STUBS_CACHE, else $XDG_CACHE_HOME/tspy/stubs, else
    ~/.cache/tspy/stubs."""
    if os.environ.get("TSPY_STUBS_CACHE"):
        return os.environ["TSPY_STUBS_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tspy", "stubs")


def _module_version(module_name):
    """What identifies the code of a module: its distribution's version, `__version__`, Python's
    version for the standard library, else its file's mtime; None when nothing does."""
    top = module_name.split(".")[0]
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    version = getattr(sys.modules.get(top), "__version__", None)
    if version is None:
        try:
            version = importlib.metadata.version(top)
        except Exception:  # noqa: BLE001 - no distribution
            version = None
    if version is None and top in sys.stdlib_module_names:
        version = "python-" + sys.version.split()[0]
    if version is None:
        file = getattr(module, "__file__", None)
        version = f"mtime-{os.stat(file).st_mtime_ns}" if file and os.path.exists(file) else None
    return None if version is None else str(version)


def _cache_file(module_name):
    version = _module_version(module_name)
    if version is None:
        return None
    key = hashlib.sha1(f"{module_name}\0{version}\0{_CACHE_VERSION}\0{sys.version}".encode()).hexdigest()[:20]
    return os.path.join(cache_dir(), f"{re.sub(r'[^A-Za-z0-9_.-]', '_', module_name)}-{key}.json")


def cached_chunks(module_name):
    """{@link chunks} of a module through the disk cache: read when present, else generated and
    written (atomically; a cache that cannot be written is skipped)."""
    file = _cache_file(module_name)
    if file and os.path.exists(file):
        try:
            with open(file, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            pass
    result = chunks(module_name)
    if file:
        try:
            os.makedirs(os.path.dirname(file), exist_ok=True)
            tmp = f"{file}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(result, f)
            os.replace(tmp, file)
        except OSError:
            pass
    return result


_started = set()
_ready = []
_pending = {}
_lock = threading.Lock()
_changed = threading.Condition(_lock)
timings = {}  # module name -> seconds its declarations took (cache hit or generation)


def request(module_name):
    """Starts getting `module_name`'s declarations (from the cache, or generated) on a background
    thread, once per module; the executor stays free. Collect them with take_ready(); wait(timeout)
    waits for those still pending."""
    if module_name in _started:
        return
    _started.add(module_name)

    def work():
        started = time.perf_counter()
        try:
            result = cached_chunks(module_name)
        except Exception:  # noqa: BLE001 - a module that cannot be introspected stays a PyProxy
            result = []
        with _changed:
            timings[module_name] = time.perf_counter() - started
            _ready.append([module_name, result])
            _pending.pop(module_name, None)
            _changed.notify_all()

    thread = threading.Thread(target=work, name=f"tspy-stubs-{module_name}", daemon=True)
    with _lock:
        _pending[module_name] = thread
    thread.start()


def wait(timeout):
    """Waits up to `timeout` seconds (GIL released) until no requested module is pending.
    Returns True when none is pending."""
    deadline = time.monotonic() + float(timeout)
    with _changed:
        while _pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _changed.wait(left)
    return True


def take_ready():
    """[[module_name, [[key, text], ...]], ...] finished since the last call."""
    with _lock:
        out = list(_ready)
        _ready.clear()
    return out
