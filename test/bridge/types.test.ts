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

const IMPORT = `import { initialize, py, interrupt, clearInterrupt, loadBridge, setTsNamespace, liveProxyCount, liveJsRefCount, isPyProxy, PythonError, awaitPython, PySlice, alignedArray, bufferAddress, addonPaths, type Py, type PyProxy, type PyBuffer, type PyContext, type PyRuntimeConfig, type AddonPaths } from ${JSON.stringify(INDEX_TS.replace(/\.ts$/, ".js"))};\n`;

test("public_api_usage_type_checks", () => {
  const diags = diagnosticsOf(
    IMPORT +
      `
loadBridge();
const p: Py = initialize();
const np: PyProxy = p.import("numpy");
const a = np.array([1, 2, 3], p.kwargs({ dtype: "float64" }));
const shape: number[] = a.shape.toJS();
const buf: PyBuffer = a.getBuffer();
const first: number | bigint = buf.data[0];
buf.release();
const s: string = String(a) + a.repr() + a.type;
for (const x of a) void x;
a.set(p.tuple(0), p.float(2));
const has: boolean = a.has(1);
const n: number = a.len() + liveProxyCount() + liveJsRefCount();
p.x = 1;
p.exec("y = x + 1", p.globals);
const y: number = p.eval("y");
setTsNamespace({ get: (k) => k, set: () => undefined, keys: () => [] });
interrupt(); clearInterrupt();
try { p.exec("1/0"); } catch (e) { if (e instanceof PythonError) { const t: string = e.type; const tb: string[] = e.traceback; void t; void tb; } }
if (isPyProxy(a)) a.destroy();
{ using q = np.zeros(3); void q; }
const sl: PySlice = p.slice(0, null, 2);
const part: PyProxy = a.get(p.tuple(sl));
const m: Map<unknown, unknown> = p.eval("{}").toJS({ dict: "map", depth: 2 });
const ro: boolean = a.getBuffer({ readOnly: "share" }).copied;
const d: PyProxy = p.toPy(new Map([[1, 2]]), { depth: 1 });
const isArr: boolean = p.isinstance(a, np.ndarray);
const t: PyProxy = p.type(a);
{ using ctx: PyContext = p.with(p.eval("open('/dev/null')")); void ctx.value; }
const r: number | undefined = p.with(p.eval("open('/dev/null')"), () => 1);
const Sub: PyProxy = p.subclass(np.ndarray, { mean: (self: PyProxy) => self.sum() }, { name: "Sub", attrs: { k: 1 } });
const later: Promise<any> = awaitPython(p.eval("__import__('asyncio').sleep(0)"));
try { p.exec("1/0"); } catch (e) { if (e instanceof PythonError) void e.exception; }
const cfg: PyRuntimeConfig = p.config();
const ver: string = cfg.version; const np2: string | null = cfg.numpy; const sp: string[] = cfg.sysPath;
const al: Float32Array = alignedArray(Float32Array, 16);
const addr: bigint = bufferAddress(al);
const cap: PyProxy = p.toDLPack(al, { shape: [4, 4] });
const viaDl: boolean = a.getBuffer().dlpack;
const ap: AddonPaths = addonPaths([3, 12]);
void ver; void np2; void sp; void addr; void cap; void viaDl; void ap.bridge;
void part; void m; void ro; void d; void isArr; void t; void r; void Sub; void later;
void shape; void first; void s; void has; void n; void y;
`,
  );
  assert.deepEqual(diags, []);
});

test("wrong_usage_is_rejected_by_the_type_checker", () => {
  const diags = diagnosticsOf(
    IMPORT +
      `const p = initialize();\np.import(42);\nconst e = new PythonError("T", "v", []);\nconst n: number = e.type;\nconst v: number = p.config().version;\nconst a: bigint = bufferAddress([1]);\n`,
  );
  assert.equal(diags.length, 4, diags.join("\n"));
});
