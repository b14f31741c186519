// The public types type-check a small usage file (and reject a wrong one), so the .d.ts face
// the kernel codes against stays honest.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const INDEX_TS = path.join(ROOT, "bridge", "lib", "index.ts").replace(/\\/g, "/");

function diagnosticsOf(source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-types-"));
  const file = path.join(dir, "usage.ts");
  fs.writeFileSync(file, source);
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [path.join(ROOT, "node_modules", "@types")],
  });
  const diags = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file.replace(/\\/g, "/") || d.file === undefined);
  fs.rmSync(dir, { recursive: true, force: true });
  return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const IMPORT = `import { initialize, py, interrupt, clearInterrupt, loadBridge, setTsNamespace, liveProxyCount, liveJsRefCount, isPyProxy, PythonError, awaitPython, PySlice, alignedArray, bufferAddress, addonPaths, tspy, type Py, type Tspy, type PyProxy, type PyBuffer, type PyContext, type PyRuntimeConfig, type AddonPaths } from ${JSON.stringify(INDEX_TS.replace(/\.ts$/, ".js"))};\n`;

test("public_api_usage_type_checks", () => {
  const diags = diagnosticsOf(
    IMPORT +
      `
loadBridge();
const p: Py = initialize();
const np: PyProxy = tspy.import("numpy");
const a = np.array([1, 2, 3], tspy.kwargs({ dtype: "float64" }));
const shape: number[] = tspy.toJS(a.shape);
const buf: PyBuffer = tspy.getBuffer(a);
const first: number | bigint = buf.data[0];
buf.release();
const s: string = String(a) + tspy.repr(a) + tspy.type(a).__name__;
for (const x of a) void x;
tspy.setItem(a, tspy.tuple(0), tspy.float(2));
const has: boolean = tspy.hasItem(a, 1) && tspy.hasAttr(a, "shape") && tspy.isCallable(a.sum);
const n: number = tspy.len(a) + liveProxyCount() + liveJsRefCount();
const names: string[] = tspy.dir(a);
p.x = 1;
tspy.exec("y = x + 1", tspy.globals);
const y: number = tspy.eval("y");
setTsNamespace({ get: (k) => k, set: () => undefined, keys: () => [] });
interrupt(); clearInterrupt();
try { tspy.exec("1/0"); } catch (e) { if (e instanceof PythonError) { const t: string = e.type; const tb: string[] = e.traceback; void t; void tb; } }
if (isPyProxy(a) && tspy.isProxy(a)) tspy.destroy(a);
{ using q = np.zeros(3); void q; }
const sl: PySlice = tspy.slice(0, null, 2);
const upTo: PySlice = tspy.slice(3);
const part: PyProxy = tspy.getItem(a, tspy.tuple(sl, upTo));
tspy.delItem(a, 0);
const m: Map<unknown, unknown> = tspy.toJS(tspy.eval("{}"), { dict: "map", depth: 2 });
const ro: boolean = tspy.getBuffer(a, { readOnly: "share" }).copied;
const d: PyProxy = tspy.toPy(new Map([[1, 2]]), { depth: 1 });
const isArr: boolean = tspy.isinstance(a, np.ndarray);
const t: PyProxy = tspy.type(a);
{ using ctx: PyContext = tspy.with(tspy.eval("open('/dev/null')")); void ctx.value; }
const r: number | undefined = tspy.with(tspy.eval("open('/dev/null')"), () => 1);
const Sub: PyProxy = tspy.subclass(np.ndarray, { mean: (self: PyProxy) => self.sum() }, { name: "Sub", attrs: { k: 1 } });
const later: Promise<any> = awaitPython(tspy.eval("__import__('asyncio').sleep(0)"));
try { tspy.exec("1/0"); } catch (e) { if (e instanceof PythonError) void e.exception; }
const cfg: PyRuntimeConfig = tspy.config();
const ver: string = cfg.version; const np2: string | null = cfg.numpy; const sp: string[] = cfg.sysPath;
const al: Float32Array = alignedArray(Float32Array, 16);
const addr: bigint = bufferAddress(al);
const cap: PyProxy = tspy.toDLPack(al, { shape: [4, 4] });
const viaDl: boolean = tspy.getBuffer(a).dlpack;
const ap: AddonPaths = addonPaths([3, 12]);
const sq: (...args: any[]) => any = tspy.fn(np.sqrt);
void ver; void np2; void sp; void addr; void cap; void viaDl; void ap.bridge; void names; void sq;
void part; void m; void ro; void d; void isArr; void t; void r; void Sub; void later;
void shape; void first; void s; void has; void n; void y;
`,
  );
  assert.deepEqual(diags, []);
});

test("wrong_usage_is_rejected_by_the_type_checker", () => {
  const diags = diagnosticsOf(
    IMPORT +
      `const p = initialize();\nvoid p;\ntspy.import(42);\nconst e = new PythonError("T", "v", []);\nconst n: number = e.type;\nconst v: number = tspy.config().version;\nconst a: bigint = bufferAddress([1]);\nconst k: Tspy = tspy;\nk.slice();\n`,
  );
  assert.equal(diags.length, 5, diags.join("\n"));
});
