"""TypeScript type text for Python values, for tspy_stubs: TS types from annotations, numpydoc /
Google docstring type phrases and defaults, TS property names and identifiers, TSDoc from
docstrings, and the keyword-argument type aliases of one generation. Knows TypeScript's syntax and
Python's inspect module; walks no module (tspy_stubs.py does), reads no source (tspy_stubs_signatures.py)."""
import functools
import hashlib
import inspect
import json
import re
import threading
import types

NAMESPACE = "__tspy_py"  # generated interfaces live here, so the global scope stays small
RESERVED = {"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
            "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
            "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
            "var", "void", "while", "with", "yield", "let", "static", "implements", "interface", "package",
            "private", "protected", "public", "await", "arguments", "eval"}
IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
ANNOTATIONS = {int: "number", float: "number", str: "string", bool: "boolean", type(None): "null",
               list: "readonly unknown[]", tuple: "readonly unknown[]"}
# Leading words of a docstring type phrase and the TS type they name (see _phrase_type).
TYPE_WORDS = {"int": "number", "integer": "number", "ints": "number", "integers": "number", "long": "number",
              "float": "number", "floats": "number", "number": "number", "numbers": "number",
              "bool": "boolean", "boolean": "boolean", "booleans": "boolean",
              "str": "string", "string": "string", "strings": "string", "none": "null"}
SEQUENCE_WORDS = {"tuple", "tuples", "list", "lists", "sequence", "sequences", "shape"}


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



def _prop(name):
    return name if IDENTIFIER.fullmatch(name) else json.dumps(name)



_aliases = threading.local()


def _kw_alias(name, fields):
    """Name of a type alias `KwOf$<name>$<hash>` for a keyword-argument object type, recorded in
    the running generation's aliases (so every signature names it once instead of repeating it)."""
    alias = f"KwOf${re.sub(r'[^A-Za-z0-9_]', '_', name)}${hashlib.sha1(fields.encode()).hexdigest()[:8]}"
    table = getattr(_aliases, "table", None)
    if table is not None:
        table.setdefault(alias, fields)
    return alias

