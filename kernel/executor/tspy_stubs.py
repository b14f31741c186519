"""TypeScript declarations for Python modules, by introspection of the live module: functions and
classes with their parameter names, optional markers and types (from annotations, docstrings and
defaults), their keyword arguments as a checked `PyKwargs<{...}>` type, docstrings as TSDoc,
submodules as nested interfaces, class instances as closed interfaces of their members. The
kernel's language service (kernel/executor/language-service.ts, whose prelude defines the
`__tspy_py.Arg`, `Obj`, `Kw`, `Closed` and `Open` types used here) adds them so a module is
typed in TS (`tspy.import("keras")`). Declarations are cached on disk, keyed by module version and this file's content.
Knows Python's inspect module and TypeScript syntax; nothing of sockets."""
import ast
import functools
import hashlib
import importlib
import importlib.metadata
import inspect
import json
import os
import re
import sys
import textwrap
import threading
import time
import types

MAX_MEMBERS = 800  # per namespace: keeps huge modules' declarations bounded
MAX_CLASSES = 150  # instance interfaces per module
MAX_CHARS = 400_000  # per module: beyond this, submodules are left as PyProxy
MAX_KEYWORDS = 120  # keyword names per callable: beyond this its keywords stay open
NAMESPACE = "__tspy_py"  # generated interfaces live here, so the global scope stays small
RESERVED = {"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
            "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
            "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
            "var", "void", "while", "with", "yield", "let", "static", "implements", "interface", "package",
            "private", "protected", "public", "await", "arguments", "eval"}
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# Types whose instances the bridge converts to JS values (or that are values in Python's sense): a
# class among these, or derived from one, is not typed as a proxy of its instances.
VALUE_TYPES = (int, float, complex, str, bytes, bytearray, bool, list, tuple, dict, set, frozenset, type(None))
ANNOTATIONS = {int: "number", float: "number", str: "string", bool: "boolean", type(None): "null",
               list: "readonly unknown[]", tuple: "readonly unknown[]"}
# Leading words of a docstring type phrase and the TS type they name (see _phrase_type).
TYPE_WORDS = {"int": "number", "integer": "number", "ints": "number", "integers": "number", "long": "number",
              "float": "number", "floats": "number", "number": "number", "numbers": "number",
              "bool": "boolean", "boolean": "boolean", "booleans": "boolean",
              "str": "string", "string": "string", "strings": "string", "none": "null"}
SEQUENCE_WORDS = {"tuple", "tuples", "list", "lists", "sequence", "sequences", "shape"}
_CACHE_VERSION = hashlib.sha1(open(__file__, "rb").read()).hexdigest()[:12]  # this generator's version


def interface_name(module_name):
    """The interface naming a module's namespace, e.g. numpy.linalg -> PyModule$numpy$linalg."""
    return "PyModule$" + re.sub(r"\W", "$", module_name)


def _unwrapped(obj):
    """The function a decorator wraps (`__wrapped__`, as functools.wraps sets), else `obj`."""
    try:
        return inspect.unwrap(obj) if callable(obj) and not inspect.isclass(obj) else obj
    except ValueError:
        return obj


def _doc(obj, indent):
    text = inspect.getdoc(_unwrapped(obj)) or ""
    text = text.strip().split("\n\n")[0][:600].replace("*/", "*\\/")
    if not text:
        return ""
    lines = text.split("\n")
    return indent + "/**\n" + "".join(f"{indent} * {line}\n" for line in lines) + indent + " */\n"


# ---- types from annotations, docstrings and defaults ---------------------------------------------------

def _annotation_type(annotation):
    """TS type of a Python annotation, or None when it says nothing we can check."""
    if annotation is inspect.Parameter.empty or isinstance(annotation, str):
        return None
    if annotation in ANNOTATIONS:
        return ANNOTATIONS[annotation]
    args = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) in (types.UnionType, __import__("typing").Union) and args:
        parts = [_annotation_type(a) for a in args]
        return None if None in parts else " | ".join(dict.fromkeys(parts))
    return None


def _component_type(text):
    """TS type of one alternative of a type phrase ("int", "tuple of ints", '"auto"', "None"), or None."""
    text = text.strip().strip("`").strip().rstrip(".").strip()
    if not re.fullmatch(r"""(["'])[^"']*\1""", text):
        text = text.lower()
    text = re.sub(r"^(an?|the|positive|non-negative|negative|strictly positive|python|single|optional)\s+", "", text)
    text = re.sub(r"^(an?|positive|non-negative)\s+", "", text)
    if re.fullmatch(r"-?\d+(\.\d*)?(e-?\d+)?", text):
        return "number"
    if re.fullmatch(r"""(["'])[^"']*\1""", text):
        return "string"
    if re.fullmatch(r"\{\s*(?:[\"'][^\"']*[\"']\s*,?\s*)+\}", text):  # numpydoc's choices: {'C', 'F'}
        return "string"
    words = text.lower().split()
    if not words:
        return None
    if words[0] in TYPE_WORDS:
        rest = " ".join(words[1:])
        if not rest or re.match(r"(between|in\b|in the range|greater|less|>|<|value|scalar)", rest):
            return TYPE_WORDS[words[0]]
        return None
    first = words[0].split("/")
    if all(w in SEQUENCE_WORDS for w in first):
        m = re.fullmatch(r"(?:of\s+)?(?:\d+\s+|two\s+|three\s+)?(\w+)", " ".join(words[1:])) if len(words) > 1 else None
        if len(words) == 1 or (len(words) == 2 and words[1] == "tuple"):
            return "readonly unknown[]"
        if m and m.group(1) in TYPE_WORDS and TYPE_WORDS[m.group(1)] != "null":
            return f"readonly {TYPE_WORDS[m.group(1)]}[]"
    return None


def _phrase_type(phrase):
    """TS type of a docstring's type phrase ("int or tuple of ints, optional", "Positive integer,
    dimensionality of the output space", '`"auto"`, 0, 1, or 2'), or None when any alternative of
    it is not understood (so the parameter stays `any`: never a false error)."""
    phrase = phrase.replace("`", "").strip()
    phrase = re.split(r"\.(\s|$)|;|:", phrase, maxsplit=1)[0]
    phrase = re.sub(r",?\s*(optional|default(s)?(\s+(is|to|:|=))?\s+.*)$", "", phrase, flags=re.I)
    pieces = re.split(r"(\s*,\s*or\s+|\s+or\s+|\s*\|\s*|\s*,\s*)", phrase)
    found = []
    for i in range(0, len(pieces), 2):
        t = _component_type(pieces[i])
        if t is None:
            before = pieces[i - 1] if i else ""
            rest = "".join(pieces[i:])
            # "Positive integer, dimensionality of ..." ends the type at a plain comma; an "or"
            # anywhere after it means more alternatives we did not understand.
            if not found or "or" in before or "|" in before or re.search(r"\bor\b", rest):
                return None
            break
        found.append(t)
    return " | ".join(dict.fromkeys(found)) if found else None


@functools.lru_cache(maxsize=8192)
def _doc_params(obj):
    """{parameter name: type phrase} from a Google-style ("Args:\\n    name: Integer, ...") or
    numpydoc ("Parameters\\n----------\\nname : int or None") docstring."""
    doc = inspect.getdoc(_unwrapped(obj)) or ""
    out = {}
    lines = doc.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"\s*(Args|Arguments|Parameters|Keyword Args|Keyword Arguments|Other Parameters):\s*", line):
            indent = None
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > 0):
                m = re.match(r"(\s+)\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)", lines[i])
                if m and (indent is None or len(m.group(1)) == indent):
                    indent = len(m.group(1))
                    out.setdefault(m.group(2), m.group(3) or m.group(4))
                i += 1
            continue
        if line.strip() in ("Parameters", "Other Parameters") and i + 1 < len(lines) and re.fullmatch(r"\s*-{3,}\s*", lines[i + 1]):
            i += 2
            while i < len(lines) and not re.fullmatch(r"\s*-{3,}\s*", lines[i + 1] if i + 1 < len(lines) else ""):
                m = re.match(r"\*{0,2}(\w+(?:\s*,\s*\w+)*)\s*:\s*(.*)", lines[i])
                if m and not lines[i].startswith(" "):
                    for name in re.split(r"\s*,\s*", m.group(1)):
                        out.setdefault(name, m.group(2))
                i += 1
            continue
        i += 1
    return out


def _default_type(default):
    """TS type suggested by a default value: a bool or a number. A string default says nothing:
    it is often one name among objects the parameter also takes (`kernel_initializer="zeros"`,
    `verbose="auto"` next to 0, 1, 2), so typing it `string` would be a false error."""
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, (int, float)):
        return "number"
    return None


def _param_type(p, documented):
    """TS type of parameter `p`: its annotation, else its docstring phrase (a documented parameter
    whose phrase is not understood stays `any`), else its default's type; each widened with
    `Obj` (any Python object may stand for a value) and `null` where None is allowed."""
    t = _annotation_type(p.annotation)
    if t is None and p.name in documented:
        t = _phrase_type(documented[p.name])
        if t is None:
            return "any"
    if t is None and p.default is not p.empty and p.default is not None:
        t = _default_type(p.default)
    if t is None:
        return "any"
    parts = t.split(" | ")
    if p.default is None and "null" not in parts:
        parts.append("null")
    return " | ".join(parts + [f"{NAMESPACE}.Obj"])


# ---- keyword arguments ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _source(fn):
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return None


def _signature(obj):
    """inspect.signature of a callable; for a class whose `__new__` hides its `__init__`
    (`(*args, **kwargs)`, as keras.Sequential's), the `__init__`'s. None when there is none."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kinds = [p.kind for p in sig.parameters.values()]
    if inspect.isclass(obj) and kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]:
        try:
            init = inspect.signature(obj.__init__)
        except (TypeError, ValueError):
            return sig
        params = list(init.parameters.values())[1:]
        if params and [p.kind for p in params] != kinds:
            return init.replace(parameters=params)
    return sig


def _init_owner(cls, start):
    """The next class after index `start` of cls's MRO that defines `__init__` (None: object's)."""
    for base in cls.__mro__[start:]:
        if "__init__" in base.__dict__:
            return None if base is object else base
    return None


def _forwarded_keywords(fn, cls, var_kw):
    """Keyword names that a callable with `**var_kw` accepts beyond its own parameters, or None when
    they cannot be determined (the callable stays open to every name). Names it reads from the dict
    (`kwargs.pop("name")`, `kwargs["name"]`, `"name" in kwargs`) count; when it passes the dict on to
    `super().__init__(**kwargs)` the base class's keywords are merged; when it passes it anywhere
    else, or keeps what is left without rejecting it (`if kwargs: raise ...`), it is open."""
    found = _dict_uses(fn, var_kw)
    if found is None:
        return None
    names, forwards, rejects = found
    if not forwards:
        return set(names) if rejects else None
    if cls is None or forwards != ("__init__",):
        return None
    owner = next((i for i, c in enumerate(cls.__mro__) if c.__dict__.get("__init__") is fn), None)
    base = _init_owner(cls, owner + 1) if owner is not None else None
    if base is None:
        return set(names)
    more = _keywords(base.__init__, base)
    return None if more is None else set(names) | more


@functools.lru_cache(maxsize=4096)
def _dict_uses(fn, var_kw):
    """How a function's source uses its `**var_kw` dict: (names read from it, the attribute names
    of the calls it is passed on to with `**` ("" for a plain function), whether it raises when
    the dict is not empty), or None without source."""
    src = _source(fn)
    if src is None:
        return None
    try:
        tree = ast.parse(textwrap.dedent(src))
    except SyntaxError:
        return None
    names = set()
    forwards = []
    rejects = False

    def is_dict(node):
        return isinstance(node, ast.Name) and node.id == var_kw

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and is_dict(f.value) and f.attr in ("pop", "get", "setdefault") and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    names.add(node.args[0].value)
            if any(k.arg is None and is_dict(k.value) for k in node.keywords):
                forwards.append(f)
        elif isinstance(node, ast.Subscript) and is_dict(node.value):
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                names.add(node.slice.value)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if is_dict(node.comparators[0]) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
                names.add(node.left.value)
        elif isinstance(node, ast.If) and is_dict(node.test) and any(isinstance(n, ast.Raise) for n in node.body):
            rejects = True
    return frozenset(names), tuple(f.attr if isinstance(f, ast.Attribute) else "" for f in forwards), rejects


@functools.lru_cache(maxsize=4096)
def _keywords(fn, cls=None):
    """All keyword names a callable accepts (set), or None when it accepts any name."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    names = set()
    var_kw = None
    for p in sig.parameters.values():
        if p.kind == p.VAR_KEYWORD:
            var_kw = p.name
        elif p.kind != p.VAR_POSITIONAL and p.kind != p.POSITIONAL_ONLY:
            names.add(p.name)
    names.discard("self")
    if var_kw is None:
        return names
    more = _forwarded_keywords(fn, cls, var_kw)
    return None if more is None else names | more


def _kw_type(sig, fn, cls, documented):
    """`{name?: type; ...}` of a callable's keyword arguments (with `[name: string]: any` when it
    accepts any name)."""
    declared = {}
    var_kw = None
    for p in sig.parameters.values():
        if p.kind == p.VAR_KEYWORD:
            var_kw = p.name
        elif p.kind not in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY) and p.name not in ("self", "cls"):
            declared[p.name] = _param_type(p, documented)
    extra = set()
    if var_kw is not None:
        more = _forwarded_keywords(fn, cls, var_kw) if fn is not None else None
        if more is None or len(more) + len(declared) > MAX_KEYWORDS:
            extra = None
        else:
            extra = more - set(declared)
    fields = [f"{_prop(n)}?: {t}" for n, t in declared.items()]
    if extra is None:
        fields.append("[name: string]: any")
    else:
        fields += [f"{_prop(n)}?: any" for n in sorted(extra)]
    return "{ " + "; ".join(fields) + " }" if fields else "{}"


_aliases = threading.local()


def _kw_alias(name, fields):
    """Name of a type alias `KwOf$<name>$<hash>` for a keyword-argument object type, recorded in
    the running generation's aliases (so every signature names it once instead of repeating it)."""
    alias = f"KwOf${re.sub(r'[^A-Za-z0-9_]', '_', name)}${hashlib.sha1(fields.encode()).hexdigest()[:8]}"
    table = getattr(_aliases, "table", None)
    if table is not None:
        table.setdefault(alias, fields)
    return alias


def _prop(name):
    return name if IDENTIFIER.fullmatch(name) else json.dumps(name)


def _params(obj, cls=None):
    """TS parameter list for a callable: its positional parameters by name (optional when they have
    a default), each also accepting the keyword-arguments marker typed with the callable's keyword
    names, *args as a rest parameter, then a rest of markers. `...args: any[]` when there is no
    signature."""
    sig = _signature(obj)
    if sig is None:
        return "...args: any[]"
    fn = _unwrapped(obj)
    if inspect.isclass(obj):
        fn = obj.__init__ if "__init__" in {k for c in obj.__mro__[:-1] for k in c.__dict__} else None
        cls = obj
    try:
        documented = _doc_params(obj)
        if inspect.isclass(obj) and not documented and fn is not None:
            documented = _doc_params(fn)
    except Exception:  # noqa: BLE001 - an odd docstring only loses the types
        documented = {}
    kw = f"{NAMESPACE}.Kw<{NAMESPACE}.{_kw_alias(getattr(obj, '__name__', 'call'), _kw_type(sig, fn, cls, documented))}>"
    out = []
    rest = None
    optional = False
    for p in sig.parameters.values():
        name = p.name + "_" if p.name in RESERVED else p.name
        if not IDENTIFIER.fullmatch(name):
            return "...args: any[]"
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if name in ("self", "cls") and not out:
                continue
            t = _param_type(p, documented)
            optional = optional or p.default is not p.empty
            arg = f"{NAMESPACE}.Arg" if t == "any" else t
            out.append(f"{name}{'?' if optional else ''}: {arg} | {kw}")
        elif p.kind == p.VAR_POSITIONAL:
            rest = f"...{name}: ({NAMESPACE}.Arg | {kw})[]"
    out.append(rest or f"...kwargs: {kw}[]")
    return ", ".join(out)


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
