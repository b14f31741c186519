// The conversion table of bridge/README.md ("The conversion table") checked row by row against the
// real bridge: the rows are read from the README, every row must have samples here, every sample's
// outcome must be a phrase of its row, and every phrase of a row must be proved by a sample. So the
// document and the code cannot disagree, and a row added to either without the other fails.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as util from "node:util";
import { isPyProxy, type PyProxy, PythonError, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();
tspy.exec("import numpy as np");

/** The rows of the README table whose header's first cell is `header`: [left cell, right cell]. */
function readmeTable(header: string): Map<string, string> {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "bridge", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### The conversion table"));
  const lines = section.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  assert.ok(start >= 0, `bridge/README.md has a "${header}" table under "The conversion table"`);
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.slice(1, -1).split("|");
    assert.equal(cells.length, 2, `a row of two cells: ${line}`);
    rows.set(cells[0].trim(), cells[1].trim());
  }
  assert.ok(rows.size > 5, `the "${header}" table has its rows`);
  return rows;
}

/** One sample of a row: the value that crosses, and the phrase of the row's right cell it proves. */
interface Sample {
  /** Python -> TS: a Python expression (numpy as `np`). */
  py?: string;
  /** TS -> Python, or a JS value that goes to Python and back: the value. */
  ts?: unknown;
  /** The phrase of the right cell that this sample proves (must appear in it). */
  gets: string;
  /** The value expected on the other side, where the phrase's check compares one. */
  value?: unknown;
}

/**
 * Checks `sample` against the bridge: `check(phrase, sample)` asserts what the phrase says; the
 * table's rows must each be in `samples`, each phrase of a row proved by one of its samples.
 */
function checkTable(rows: Map<string, string>, samples: Record<string, Sample[]>, checks: Record<string, (s: Sample) => void>): void {
  assert.deepEqual([...rows.keys()].sort(), Object.keys(samples).sort(), "the README's rows are the rows this test checks");
  for (const [left, right] of rows) {
    const phrases = Object.keys(checks).filter((p) => right.includes(p));
    assert.ok(phrases.length > 0, `row "${left}": its right cell "${right}" says something this test can check`);
    for (const s of samples[left]) {
      assert.ok(right.includes(s.gets), `row "${left}": "${s.gets}" is what the README says ("${right}")`);
      assert.ok(Object.hasOwn(checks, s.gets), `"${s.gets}" has a check`);
      checks[s.gets](s);
    }
    for (const p of phrases)
      assert.ok(
        samples[left].some((s) => s.gets === p),
        `row "${left}": "${p}" is proved by a sample`,
      );
  }
}

test("readme_conversion_table_python_to_ts_row_by_row", () => {
  const ident = tspy.eval("lambda v: v");
  const toTs = (s: Sample): unknown => (s.py !== undefined ? tspy.eval(s.py) : ident(s.ts));
  const primitive = (type: string) => (s: Sample) => {
    const v = toTs(s);
    assert.equal(typeof v, type, `${s.py} is a ${type}`);
    assert.equal(v, s.value, `${s.py} keeps its value`);
  };
  const proxy = (s: Sample, then: (p: PyProxy) => void): void => {
    const v = toTs(s);
    assert.ok(isPyProxy(v), `${s.py} is a PyProxy`);
    then(v);
    tspy.destroy(v);
  };
  const checks: Record<string, (s: Sample) => void> = {
    "`null`": (s) => assert.equal(toTs(s), null),
    boolean: primitive("boolean"),
    number: primitive("number"),
    bigint: primitive("bigint"),
    string: primitive("string"),
    "as its `.item()`": (s) => assert.deepEqual(toTs(s), tspy.eval(`(${s.py}).item()`), `${s.py} is its .item()`),
    "the original JS value": (s) => assert.equal(toTs(s), s.ts, "the same JS value comes back"),
    PyProxy: (s) => proxy(s, () => undefined),
    "deep copy: `tspy.toJS(p)`": (s) => proxy(s, (p) => assert.deepEqual(tspy.toJS(p), s.value)),
  };
  const samples: Record<string, Sample[]> = {
    "`None`": [{ py: "None", gets: "`null`" }],
    "`bool`": [
      { py: "True", gets: "boolean", value: true },
      { py: "False", gets: "boolean", value: false },
    ],
    "`int`": [
      { py: "7", gets: "number", value: 7 },
      { py: "2**53 - 1", gets: "number", value: Number.MAX_SAFE_INTEGER },
      { py: "-(2**53 - 1)", gets: "number", value: Number.MIN_SAFE_INTEGER },
      { py: "2**53", gets: "bigint", value: 2n ** 53n },
      { py: "-(2**53)", gets: "bigint", value: -(2n ** 53n) },
      { py: "2**100", gets: "bigint", value: 2n ** 100n },
    ],
    "`float` (and subclasses: `numpy.float64`)": [
      { py: "1.5", gets: "number", value: 1.5 },
      { py: "float(2**53)", gets: "number", value: 2 ** 53 },
      { py: "np.float64(2.5)", gets: "number", value: 2.5 },
    ],
    "`str`": [{ py: "'s\\u00e9'", gets: "string", value: "s\u00e9" }],
    "numpy bool / integer / floating scalar": [
      { py: "np.bool_(True)", gets: "as its `.item()`" },
      { py: "np.int32(-3)", gets: "as its `.item()`" },
      { py: "np.uint64(2**63)", gets: "as its `.item()`" },
      { py: "np.float32(0.5)", gets: "as its `.item()`" },
    ],
    "a wrapped JS value (`tspy.JsObject`, `JsFunction`, `JsBuffer`)": [
      { ts: new Map(), gets: "the original JS value" },
      { ts: () => 0, gets: "the original JS value" },
      { ts: new Float32Array(2), gets: "the original JS value" },
    ],
    "anything else (list, tuple, dict, ndarray, module, class...)": [
      { py: "[1, [2]]", gets: "deep copy: `tspy.toJS(p)`", value: [1, [2]] },
      { py: "{'a': (1, 2)}", gets: "deep copy: `tspy.toJS(p)`", value: { a: [1, 2] } },
      { py: "(1, 2)", gets: "PyProxy" },
      { py: "np.arange(2)", gets: "PyProxy" },
      { py: "np", gets: "PyProxy" },
      { py: "int", gets: "PyProxy" },
    ],
  };
  checkTable(readmeTable("Python -> TS"), samples, checks);
  tspy.destroy(ident);
});

test("readme_conversion_table_ts_to_python_row_by_row", () => {
  const typeName = tspy.eval("lambda x: f'{type(x).__module__}.{type(x).__qualname__}'");
  const reprOf = tspy.eval("repr");
  const kwargsOf = tspy.eval("lambda *a, **k: [len(a), sorted(k)]");
  const writeInto = tspy.eval("lambda x: x.append(9) if isinstance(x, list) else x.update(b=2)");
  const writeFirstByte = tspy.eval("lambda b: memoryview(b).cast('B').__setitem__(0, 7)");
  const setAttribute = tspy.eval("lambda o: (setattr(o, 'k', 1), __import__('operator').setitem(o, 'i', 2))");
  tspy.exec("_conversion_table_obj = [1]");
  const isTheObject = tspy.eval("lambda x: x is _conversion_table_obj");
  const typed =
    (name: string) =>
    (s: Sample): void => {
      const qualified = name === "None" ? "builtins.NoneType" : name.includes(".") ? name : `builtins.${name}`;
      assert.equal(typeName(s.ts), qualified, `${util.inspect(s.ts)} is a ${name} in Python`);
      if (s.value !== undefined) assert.equal(reprOf(s.ts), s.value, "with its value");
    };
  const checks: Record<string, (s: Sample) => void> = {
    ...Object.fromEntries(
      ["None", "bool", "int", "float", "str", "slice", "tuple", "list", "dict", "tspy.JsBuffer", "tspy.JsFunction", "tspy.JsObject"].map((n) => [
        `\`${n}\``,
        typed(n),
      ]),
    ),
    "its object": (s) => assert.equal(isTheObject(s.ts), true, "the PyProxy's own object, not a copy"),
    "keyword arguments": (s) => assert.deepEqual(tspy.toJS(kwargsOf(s.ts)), [0, ["kw"]]),
    "a copy": (s) => {
      const before = structuredClone(s.ts);
      writeInto(s.ts);
      assert.deepEqual(s.ts, before, "Python's writes do not reach TS");
    },
    "the same memory": (s) => {
      writeFirstByte(s.ts);
      const bytes = ArrayBuffer.isView(s.ts) ? new Uint8Array(s.ts.buffer, s.ts.byteOffset) : new Uint8Array(s.ts as ArrayBuffer);
      assert.equal(bytes[0], 7, "Python's write reaches the JS memory");
    },
    "attributes and items reach the JS object": (s) => {
      setAttribute(s.ts);
      assert.deepEqual([(s.ts as Record<string, unknown>).k, (s.ts as Record<string, unknown>).i], [1, 2]);
    },
    "PythonError TypeError": (s) =>
      assert.throws(
        () => typeName(s.ts),
        (e: unknown) => e instanceof PythonError && e.type === "TypeError",
      ),
  };
  class Box {}
  const samples: Record<string, Sample[]> = {
    "`null` / `undefined`": [
      { ts: null, gets: "`None`" },
      { ts: undefined, gets: "`None`" },
    ],
    boolean: [{ ts: false, gets: "`bool`", value: "False" }],
    number: [
      { ts: 7, gets: "`int`", value: "7" },
      { ts: Number.MAX_SAFE_INTEGER, gets: "`int`", value: "9007199254740991" },
      { ts: Number.MIN_SAFE_INTEGER, gets: "`int`", value: "-9007199254740991" },
      { ts: 2 ** 53, gets: "`float`", value: "9007199254740992.0" },
      { ts: 1.5, gets: "`float`", value: "1.5" },
    ],
    bigint: [
      { ts: 2n, gets: "`int`", value: "2" },
      { ts: 2n ** 64n, gets: "`int`", value: "18446744073709551616" },
    ],
    string: [{ ts: "s\u00e9", gets: "`str`", value: "'s\u00e9'" }],
    PyProxy: [{ ts: py._conversion_table_obj, gets: "its object" }],
    "`tspy.float(n)` / `tspy.slice(...)` / `tspy.tuple(...)`": [
      { ts: tspy.float(1), gets: "`float`", value: "1.0" },
      { ts: tspy.slice(1), gets: "`slice`", value: "slice(None, 1, None)" },
      { ts: tspy.tuple(1, 2), gets: "`tuple`", value: "(1, 2)" },
    ],
    "`tspy.kwargs({...})`": [{ ts: tspy.kwargs({ kw: 1 }), gets: "keyword arguments" }],
    Array: [
      { ts: [1, "a", [2]], gets: "`list`", value: "[1, 'a', [2]]" },
      { ts: [1], gets: "a copy" },
    ],
    "plain object (`Object.prototype` or null prototype)": [
      { ts: { a: 1 }, gets: "`dict`", value: "{'a': 1}" },
      { ts: Object.assign(Object.create(null) as object, { a: 1 }), gets: "`dict`", value: "{'a': 1}" },
      { ts: { a: 1 }, gets: "a copy" },
    ],
    "TypedArray / ArrayBuffer / DataView": [
      { ts: new Float32Array(2), gets: "`tspy.JsBuffer`" },
      { ts: new ArrayBuffer(4), gets: "`tspy.JsBuffer`" },
      { ts: new DataView(new ArrayBuffer(4)), gets: "`tspy.JsBuffer`" },
      { ts: new Int16Array(2), gets: "the same memory" },
      { ts: new ArrayBuffer(2), gets: "the same memory" },
    ],
    function: [{ ts: () => 0, gets: "`tspy.JsFunction`" }],
    "any other object (class instance, Map, Set, Promise...)": [
      { ts: new Box(), gets: "`tspy.JsObject`" },
      { ts: new Map(), gets: "`tspy.JsObject`" },
      { ts: new Set(), gets: "`tspy.JsObject`" },
      { ts: Promise.resolve(1), gets: "`tspy.JsObject`" },
      { ts: new Box(), gets: "attributes and items reach the JS object" },
    ],
    symbol: [{ ts: Symbol("s"), gets: "PythonError TypeError" }],
  };
  checkTable(readmeTable("TS -> Python"), samples, checks);
  tspy.exec("del _conversion_table_obj");
  for (const p of [typeName, reprOf, kwargsOf, writeInto, writeFirstByte, setAttribute, isTheObject, samples.PyProxy[0].ts as PyProxy]) tspy.destroy(p);
});
