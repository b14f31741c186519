"""TypeScript declarations for Python modules, by introspection of the live module: functions
and classes with their parameter names (and types, where Python annotates them), docstrings as
TSDoc, submodules as nested interfaces, class instances as interfaces of their public methods.
The kernel's language service adds them so `py.import("keras").layers.Dense(` is typed in TS.
Knows Python's inspect module and TypeScript syntax; nothing of sockets."""
import importlib
import inspect
import json
import re
import threading
import types

MAX_MEMBERS = 800  # per namespace: keeps huge modules' declarations bounded
MAX_CLASSES = 150  # instance interfaces per module
MAX_CHARS = 400_000  # per module: beyond this, submodules are left as PyProxy
NAMESPACE = "__tspy_py"  # generated interfaces live here, so the global scope stays small
RESERVED = {"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
            "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
            "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
            "var", "void", "while", "with", "yield", "let", "static", "implements", "interface", "package",
            "private", "protected", "public", "await", "arguments", "eval"}
# Members of a PyProxy itself (bridge/lib/index.ts): a Python attribute of the same name is reached as `$name`.
PROXY_MEMBERS = {"type", "toString", "repr", "get", "set", "has", "delete", "len", "isCallable", "dir", "toJS",
                 "getBuffer", "destroy", "then"}
ANNOTATIONS = {int: "number", float: "number", complex: "PyProxy", str: "string", bool: "boolean",
               bytes: "PyProxy", type(None): "null", list: "any[]", tuple: "any[]", dict: "Record<string, any>"}


def interface_name(module_name):
    """The interface naming a module's namespace, e.g. numpy.linalg -> PyModule$numpy$linalg."""
    return "PyModule$" + re.sub(r"\W", "$", module_name)


def _doc(obj, indent):
    text = inspect.getdoc(obj) or ""
    text = text.strip().split("\n\n")[0][:600].replace("*/", "*\\/")
    if not text:
        return ""
    lines = text.split("\n")
    return indent + "/**\n" + "".join(f"{indent} * {line}\n" for line in lines) + indent + " */\n"


def _ts_type(annotation):
    if annotation is inspect.Parameter.empty:
        return "any"
    return ANNOTATIONS.get(annotation, "any")


def _params(obj):
    """TS parameter list for a callable: named positional parameters (optional when they have a
    default), *args as a rest parameter; keyword-only ones are passed with py.kwargs, so a final
    `...rest` accepts the kwargs marker."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "...args: any[]"
    out = []
    has_rest = False
    for p in sig.parameters.values():
        name = p.name + "_" if p.name in RESERVED else p.name
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
            return "...args: any[]"
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if name in ("self", "cls") and not out:
                continue
            t = _ts_type(p.annotation)
            optional = "?" if p.default is not p.empty else ""
            out.append(f"{name}{optional}: {t if t == 'any' else t + ' | PyKwargs'}")
        elif p.kind == p.VAR_POSITIONAL:
            out.append(f"...{name}: any[]")
            has_rest = True
    # Parameters after an optional one must be optional too.
    seen_optional = False
    for i, item in enumerate(out):
        if "?:" in item:
            seen_optional = True
        elif seen_optional and not item.startswith("..."):
            out[i] = item.replace(":", "?:", 1)
    if not has_rest:
        out.append("...rest: any[]")
    return ", ".join(out)


def _member(name, value, indent, known_modules, classes, depth):
    if name in PROXY_MEMBERS:
        name = "$" + name
    prop = json.dumps(name) if not re.fullmatch(r"[A-Za-z_$][\w$]*", name) else name
    doc = _doc(value, indent)
    if isinstance(value, types.ModuleType):
        if depth <= 0:
            return f"{indent}{prop}: PyProxy;\n"
        known_modules.append(value)
        return f"{doc}{indent}{prop}: {NAMESPACE}.{interface_name(value.__name__)};\n"
    if inspect.isclass(value):
        instance = "PyProxy"
        if len(classes) < MAX_CLASSES:
            classes.append(value)
            instance = f"{NAMESPACE}.{_class_name(value)}"
        return f"{doc}{indent}{prop}: {{ ({_params(value)}): {instance} }} & PyProxy;\n"
    if callable(value):
        return f"{doc}{indent}{prop}({_params(value)}): any;\n"
    if isinstance(value, bool):
        return f"{indent}{prop}: boolean;\n"
    if isinstance(value, (int, float)):
        return f"{indent}{prop}: number;\n"
    if isinstance(value, str):
        return f"{indent}{prop}: string;\n"
    return f"{indent}{prop}: PyProxy;\n"


def _class_name(cls):
    return "PyInstance$" + re.sub(r"\W", "$", f"{cls.__module__}.{cls.__qualname__}")


def _public(namespace):
    names = [n for n in dir(namespace) if not n.startswith("_")]
    return names[:MAX_MEMBERS]


def declarations(module_name, depth=2):
    """TypeScript declarations (text) for module `module_name` (imported if needed) and, down to
    `depth` levels, its submodules; plus `interface PyModules { "<name>": ... }` entries that type
    `py.import("<name>")`. Members that fail to introspect are left out."""
    root = importlib.import_module(module_name)
    out = []
    modules = []
    done = set()
    classes = []
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
        out.append(f"{_doc(module, '')}interface {interface_name(module.__name__)} extends PyProxyBase {{\n{body}}}\n")
        modules.append(module.__name__)
        if sum(map(len, out)) < MAX_CHARS:
            queue.extend((m, d - 1) for m in submodules)
        else:
            for m in submodules:  # referenced but not generated: an empty interface keeps the text valid
                if m.__name__ not in done:
                    done.add(m.__name__)
                    out.append(f"interface {interface_name(m.__name__)} extends PyProxyBase {{}}\n")
    for cls in classes:
        name = _class_name(cls)
        if name in _emitted_classes:
            continue
        _emitted_classes.add(name)
        body = ""
        for attr in _public(cls):
            try:
                value = inspect.getattr_static(cls, attr)
            except AttributeError:
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if inspect.isfunction(value) or inspect.ismethoddescriptor(value):
                key = "$" + attr if attr in PROXY_MEMBERS else attr
                body += f"{_doc(value, '  ')}  {key}({_params(value)}): any;\n"
        out.append(f"{_doc(cls, '')}interface {name} extends PyProxyBase {{\n{body}}}\n")
    entries = "".join(f"  {json.dumps(m)}: {NAMESPACE}.{interface_name(m)};\n" for m in modules)
    return f"declare namespace {NAMESPACE} {{\n{''.join(out)}}}\ninterface PyModules {{\n{entries}}}\n"


_emitted_classes = set()
_started = set()
_ready = []
_lock = threading.Lock()


def request(module_name):
    """Starts generating `module_name`'s declarations on a background thread (once per module);
    the executor stays free. Collect the results with take_ready()."""
    if module_name in _started:
        return
    _started.add(module_name)

    def work():
        try:
            text = declarations(module_name)
        except Exception:  # noqa: BLE001 - a module that cannot be introspected stays a PyProxy
            text = ""
        with _lock:
            _ready.append([module_name, text])

    threading.Thread(target=work, name=f"tspy-stubs-{module_name}", daemon=True).start()


def take_ready():
    """[[module_name, declarations], ...] finished since the last call."""
    with _lock:
        out = list(_ready)
        _ready.clear()
    return out
