"""Generates bridge/tf/layer-options.generated.ts: one tfjs-style options interface and one
camelCase factory per class of `keras.layers`, from Keras's own `__init__` signatures and
docstrings (the "Args:" section becomes each option's TSDoc). Run it with the project's Python
after upgrading Keras, then `npx prettier --write bridge/tf/layer-options.generated.ts`:

    python-env/.venv/bin/python bridge/tf/gen_layer_options.py

Knows Keras's signatures and docstring layout; nothing of the bridge."""
import inspect
import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layer-options.generated.ts")

# Classes that need another framework (JAX, Flax, torch, a SavedModel) or are not layers to build.
SKIP = {"Layer", "InputLayer", "InputSpec", "Input", "Wrapper", "JaxLayer", "FlaxLayer", "TorchModuleWrapper", "TFSMLayer", "Pipeline"}
# Base-layer keyword arguments that LayerArgs (hand-written in layers.ts) already declares.
BASE = {"name", "dtype", "trainable", "input_shape", "batch_size", "batch_input_shape"}
# tfjs's names where the camelCase rule gives another (tf.layers.prelu, tf.layers.cropping2D).
TFJS_NAMES = {"PReLU": "prelu", "ConvLSTM1D": "convLstm1d", "ConvLSTM2D": "convLstm2d", "ConvLSTM3D": "convLstm3d"}
# Keras layers that merge a list of inputs: their factory also takes the inputs (tfjs's concatenate([a, b])).
MERGE = {"Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract"}


def factory_name(cls_name):
    """Keras class name -> tfjs factory name: Dense -> dense, Conv2D -> conv2d, LSTM -> lstm, SimpleRNN -> simpleRNN."""
    if cls_name in TFJS_NAMES:
        return TFJS_NAMES[cls_name]
    name = re.sub(r"(\d)D", r"\1d", cls_name)
    m = re.match(r"^[A-Z]+", name)
    run = m.group(0)
    if len(run) == len(name) or not name[len(run)].islower() or len(run) == 1:
        return run.lower() + name[len(run):]
    return run[:-1].lower() + name[len(run) - 1:]


def snake_case(name):
    """The rule of runtime.ts's snakeCase, to check that a camelCase key maps back to its Keras name."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def camel_case(name):
    out = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)
    return out if snake_case(out) == name else name


def arg_docs(doc):
    """The "Args:" section of a Google-style docstring as {name: text}."""
    docs = {}
    if not doc:
        return docs
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() in ("Args:", "Arguments:"))
    except StopIteration:
        return docs
    base = None
    current = None
    for line in lines[start + 1:]:
        if not line.strip():
            current = None if base is None else current
            continue
        indent = len(line) - len(line.lstrip())
        if base is None:
            base = indent
        if indent < base:
            break
        m = re.match(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?:\s*(.*)$", line.strip())
        if indent == base and m:
            current = m.group(1).lstrip("*")
            docs[current] = m.group(2)
        elif current and indent > base:
            docs[current] += " " + line.strip()
        elif indent == base:
            break
    return {k: re.sub(r"\s+", " ", v).strip() for k, v in docs.items()}


def kind_of(name, default, doc):
    """What the option must be: int, float, bool, string, ints (an int or a list of ints) or any."""
    text = (doc or "").lower()
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    if isinstance(default, str):
        return "string"
    if isinstance(default, (tuple, list)) and default and all(isinstance(v, int) for v in default):
        return "ints"
    text = re.sub(r"^(optional|an optional)\s+", "", text)
    if re.match(r"^(an? )?(int|integer|positive integer|non-negative integer|strictly positive integer)s?( or| ,|,|\.|$| tuple| list)", text):
        return "ints" if re.search(r"tuple|list", text.split(".")[0]) else "int"
    if re.match(r"^(a )?(float|floating|positive float|float between)", text):
        return "float"
    if re.match(r"^(a )?(bool|boolean)", text):
        return "bool"
    return "any"


TS_TYPES = {"int": "number", "float": "number", "bool": "boolean", "string": "string", "ints": "number | number[]"}


def ts_type(name, kind):
    if name.endswith("activation"):
        return "ActivationIdentifier | PyProxy"
    if name.endswith("initializer"):
        return "InitializerIdentifier | Initializer | PyProxy"
    if name.endswith("regularizer"):
        return "string | Regularizer | PyProxy"
    if kind == "string":
        return "string"
    if kind == "any":
        return "unknown"
    return TS_TYPES[kind]


def tsdoc(text, indent="  "):
    text = text.replace("*/", "*\\/")
    return f"{indent}/** {text} */\n"


def main():
    classes = []
    for attr in sorted(dir(keras.layers)):
        obj = getattr(keras.layers, attr)
        if attr in SKIP or not inspect.isclass(obj) or not issubclass(obj, keras.layers.Layer):
            continue
        classes.append((attr, obj))
    out = [
        "// GENERATED by bridge/tf/gen_layer_options.py from Keras " + keras.__version__ + "'s signatures and docstrings;",
        "// do not edit by hand (run the generator). One options interface and one factory per keras.layers class.",
        'import type { PyProxy } from "../lib/index.js";',
        'import type { ActivationIdentifier, InitializerIdentifier, Layer, LayerArgs, SymbolicTensor } from "./layers.js";',
        'import type { Tensor } from "./tensor.js";',
        'import type { Initializer, Regularizer } from "./initializers.js";',
        'import type { OptionKind } from "./runtime.js";',
        "",
    ]
    table = []
    factories = []
    for attr, cls in classes:
        try:
            sig = inspect.signature(cls.__init__)
        except (TypeError, ValueError):
            continue
        docs = arg_docs(cls.__doc__)
        fname = factory_name(attr)
        iface = f"{attr}LayerArgs"
        fields = []
        kinds = {}
        required = False
        for p in list(sig.parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in BASE:
                continue
            default = None if p.default is inspect.Parameter.empty else p.default
            kind = kind_of(p.name, default, docs.get(p.name))
            key = camel_case(p.name)
            kinds[key] = kind
            doc = docs.get(p.name) or f"Keras's `{p.name}` argument."
            if p.default is not inspect.Parameter.empty:
                doc += f" Keras default: `{p.default!r}`."
            opt = "?" if p.default is not inspect.Parameter.empty else ""
            required = required or not opt
            fields.append(tsdoc(f"{doc} (Keras: `{p.name}`)") + f"  {key}{opt}: {ts_type(p.name, kind)};\n")
        summary = (inspect.getdoc(cls) or attr).split("\n\n")[0].replace("\n", " ").replace("*/", "*\\/")
        out.append(f"/** Options of `tf.layers.{fname}` (Keras `keras.layers.{attr}`): {summary} */")
        if fields:
            out.append(f"export interface {iface} extends LayerArgs {{\n" + "".join(fields) + "}")
        else:
            out.append(f"export type {iface} = LayerArgs;")
        table.append(f"  {fname}: {{ className: {attr!r}, kinds: {kinds!r} }},".replace("'", '"'))
        arg = f"args{'' if required else '?'}: {iface}"
        doc = tsdoc(f"`keras.layers.{attr}` with tfjs-style options: {summary} @throws TypeError when an integer option is not an integer; PythonError when Keras rejects the options.")
        if attr in MERGE:
            factories.append(doc + f"  {fname}(inputs: SymbolicTensor[]): SymbolicTensor;\n" + doc + f"  {fname}(inputs: Tensor[]): Tensor;\n" + doc + f"  {fname}({arg}): Layer;\n")
        else:
            factories.append(doc + f"  {fname}({arg}): Layer;\n")
    out.append("")
    out.append("/** Each factory's Keras class and the kind of each option (integer checks, floats as floats). */")
    out.append("export const LAYER_TABLE: Readonly<Record<string, { className: string; kinds: Readonly<Record<string, OptionKind>> }>> = {")
    out.extend(table)
    out.append("};")
    out.append("")
    out.append("/** `tf.layers`: a factory per `keras.layers` class, camelCase as tfjs names them (`dense`, `conv2d`, `lstm`, `simpleRNN`). */")
    out.append("export interface LayerFactories {\n" + "".join(factories) + "}")
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {OUT}: {len(table)} layers", file=sys.stderr)


if __name__ == "__main__":
    main()
