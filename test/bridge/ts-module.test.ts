// Python's `ts` module reads and writes the TypeScript namespace given to setTsNamespace.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isPyProxy, PythonError, setTsNamespace, type PyProxy, tspy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("ts_module_reads_and_writes_the_namespace", () => {
  const vars = new Map<string, unknown>([
    ["x", 41],
    ["name", "tspy"],
    ["nothing", undefined],
  ]);
  setTsNamespace({ get: (n) => vars.get(n), set: (n, v) => void vars.set(n, v), keys: () => [...vars.keys()] });
  tspy.exec("import ts; y = ts.x + 1");
  assert.equal(py.y, 42);
  tspy.exec("ts.z = [y, 'back']");
  const z = vars.get("z") as PyProxy;
  assert.ok(isPyProxy(z), "a Python list reaches TS as a PyProxy");
  assert.deepEqual(tspy.toJS(z), [42, "back"]);
  tspy.destroy(z);
  tspy.exec("ts.w = 'plain'");
  assert.equal(vars.get("w"), "plain");
  assert.equal(tspy.eval("ts.nothing"), null, "a known name whose value is undefined reads as None");
  assert.deepEqual(tspy.toJS(tspy.eval("sorted(n for n in dir(ts))")), ["name", "nothing", "w", "x", "z"]);
  assert.equal(tspy.eval("ts.name"), "tspy", "ts is injected into __main__");
  assert.throws(
    () => tspy.eval("ts.unknown"),
    (e: unknown) => e instanceof PythonError && e.type === "AttributeError",
  );
  assert.equal(tspy.eval("__import__('ts') is ts"), true);
  tspy.exec("from ts import x as xx");
  assert.equal(py.xx, 41);
  tspy.exec("del y, xx");
});

test("ts_functions_from_the_namespace_are_callable", () => {
  const vars = new Map<string, unknown>([["double", (v: number) => v * 2]]);
  setTsNamespace({ get: (n) => vars.get(n), set: (n, v) => void vars.set(n, v), keys: () => [...vars.keys()] });
  assert.equal(tspy.eval("ts.double(21)"), 42);
});
