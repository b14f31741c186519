// Python's `ts` module reads and writes the TypeScript namespace given to setTsNamespace.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isPyProxy, PythonError, setTsNamespace, type PyProxy } from "../../bridge/lib/index.js";
import { useBridge } from "./helpers.js";

const py = useBridge();

test("ts_module_reads_and_writes_the_namespace", () => {
  const vars = new Map<string, unknown>([
    ["x", 41],
    ["name", "tspy"],
    ["nothing", undefined],
  ]);
  setTsNamespace({ get: (n) => vars.get(n), set: (n, v) => void vars.set(n, v), keys: () => [...vars.keys()] });
  py.exec("import ts; y = ts.x + 1");
  assert.equal(py.y, 42);
  py.exec("ts.z = [y, 'back']");
  const z = vars.get("z") as PyProxy;
  assert.ok(isPyProxy(z), "a Python list reaches TS as a PyProxy");
  assert.deepEqual(z.toJS(), [42, "back"]);
  z.destroy();
  py.exec("ts.w = 'plain'");
  assert.equal(vars.get("w"), "plain");
  assert.equal(py.eval("ts.nothing"), null, "a known name whose value is undefined reads as None");
  assert.deepEqual(py.eval("sorted(n for n in dir(ts))").toJS(), ["name", "nothing", "w", "x", "z"]);
  assert.equal(py.eval("ts.name"), "tspy", "ts is injected into __main__");
  assert.throws(
    () => py.eval("ts.unknown"),
    (e: unknown) => e instanceof PythonError && e.type === "AttributeError",
  );
  assert.equal(py.eval("__import__('ts') is ts"), true);
  py.exec("from ts import x as xx");
  assert.equal(py.xx, 41);
  py.exec("del y, xx");
});

test("ts_functions_from_the_namespace_are_callable", () => {
  const vars = new Map<string, unknown>([["double", (v: number) => v * 2]]);
  setTsNamespace({ get: (n) => vars.get(n), set: (n, v) => void vars.set(n, v), keys: () => [...vars.keys()] });
  assert.equal(py.eval("ts.double(21)"), 42);
});
