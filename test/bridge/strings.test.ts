// Issue 19: strings and integers cross between TS and Python unaltered. Lone surrogates keep
// their code unit (UTF-16 with `surrogatepass`), and one integer rule holds both ways: a Python
// int is a JS number only when it is a safe integer (Number.isSafeInteger), else a bigint.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

useBridge();

test("lone_surrogates_round_trip_ts_python_ts_issue_19", () => {
  const identity = tspy.eval("lambda s: s");
  const codePoints = tspy.eval("lambda s: [ord(c) for c in s]");
  try {
    for (const s of ["\ud800", "a\udc00b", "\udfff\ud800", "😀", "a😀\ud83d", "\ufffd", "\ufeffx", "plain ascii", "héllo ✓"]) {
      assert.equal(identity(s), s, `round trip of ${JSON.stringify(s)}`);
      const cps = codePoints(s);
      assert.deepEqual(
        tspy.toJS(cps),
        Array.from(s, (c) => c.codePointAt(0)),
        `Python's code points of ${JSON.stringify(s)}`,
      );
      tspy.destroy(cps);
    }
    assert.equal(tspy.eval("ord")("\ud800"), 0xd800, "Python sees U+D800, not U+FFFD");
    assert.equal(tspy.eval("'\\ud800' + 'x'"), "\ud800x", "a lone surrogate made in Python reaches TS");
    assert.equal(tspy.eval("'\\U0001F600'"), "😀", "a non-BMP character is a surrogate pair in TS");
    assert.equal(tspy.eval("lambda s: len(s)")("😀"), 1, "a surrogate pair is one Python character");
  } finally {
    tspy.destroy(identity);
    tspy.destroy(codePoints);
  }
});

test("lone_surrogates_kept_in_dict_keys_and_refused_in_python_source_issue_19", () => {
  const keys = tspy.eval("lambda d: [hex(ord(k)) for k in d]");
  const list = keys({ "\udc00": 1 });
  assert.deepEqual(tspy.toJS(list), ["0xdc00"]);
  tspy.destroy(list);
  const d = tspy.eval("{'\\ud800': 1, '__proto__': 2}");
  const obj = tspy.toJS(d) as Record<string, number>;
  assert.deepEqual(Object.keys(obj), ["\ud800", "__proto__"], "keys are own properties, `__proto__` included");
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  tspy.destroy(d);
  tspy.exec("_lone = '\\ud800'");
  assert.equal(tspy.eval("hex(ord(_lone))"), "0xd800", "an escape in Python source makes a lone surrogate");
  assert.equal(tspy.eval("_lone"), "\ud800");
  tspy.exec("del _lone");
  // Python source cannot hold a lone surrogate (CPython's compile() refuses it): refused with the reason, not altered.
  assert.throws(
    () => tspy.exec("_lone = '\ud800'"),
    (e: Error & { type?: string }) => e.type === "UnicodeEncodeError" && /surrogates not allowed/.test(e.message),
  );
});

test("integers_follow_one_safe_integer_rule_both_ways_issue_19", () => {
  const typeAndValue = tspy.eval("lambda x: (type(x).__name__, repr(x))");
  try {
    for (const [expr, js] of [
      ["2**53", 2n ** 53n],
      ["-(2**53)", -(2n ** 53n)],
      ["2**53 - 1", 2 ** 53 - 1],
      ["-(2**53 - 1)", -(2 ** 53 - 1)],
      ["2**70", 2n ** 70n],
      ["0", 0],
    ] as const) {
      const v = tspy.eval(expr) as number | bigint;
      assert.equal(v, js, `${expr} reaches TS as ${typeof js}`);
      assert.equal(typeof v === "number", Number.isSafeInteger(Number(v)) && typeof js === "number");
      const back = typeAndValue(v);
      assert.deepEqual(tspy.toJS(back), ["int", String(js)], `${expr} goes back to Python as the same int`);
      tspy.destroy(back);
    }
    const unsafe = typeAndValue(2 ** 53);
    assert.deepEqual(tspy.toJS(unsafe), ["float", "9007199254740992.0"], "a JS number past the safe range is a float");
    tspy.destroy(unsafe);
  } finally {
    tspy.destroy(typeAndValue);
  }
});
