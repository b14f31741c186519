"""Signatures of Python callables as TS parameter lists, for tspy_stubs: parameters by name and
kind, and the keyword names a callable accepts, including those its `**kwargs` forwards (found by
reading its source: calls that pass `**kwargs` on, `kwargs.get("name")`, `kwargs["name"]`,
`kwargs.pop("name")`). The type text comes from tspy_stubs_types.py."""
import ast
import functools
import inspect
import textwrap

from tspy_stubs_types import IDENTIFIER, NAMESPACE, RESERVED, _doc_params, _kw_alias, _param_type, _prop, _unwrapped

MAX_KEYWORDS = 120  # keyword names per callable: beyond this its keywords stay open


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

