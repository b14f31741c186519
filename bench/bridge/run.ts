// Bridge benchmark: tspy against node-calls-python and pythonia (each in its own child process,
// since two embedded CPythons cannot share one process) and a plain Float64Array copy baseline.
// Prints medians per operation and each peer's ratio to tspy; then a soak of 1,000,000 proxies.
// Usage: `npm run bench` (or `node dist/bench/bridge/run.js [peer]` to run one peer and print JSON).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { median } from "../stats";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const HELPERS = path.join(ROOT, "bench", "bridge", "helpers.py");
/** Loads a peer from bench/node_modules (bench/package.json, installed by `npm run bench:deps`), not the project's. */
const requirePeer = createRequire(path.join(ROOT, "bench", "package.json"));
const MB = 1024 * 1024;
const SIZES_MB = [8, 80, 800];

/** One measured operation: median seconds per op, or why it was not measured. */
interface Result {
  op: string;
  median?: number;
  note?: string;
}

/** Median seconds per op of `fn` run `inner` times per sample, over `samples` samples. */
function timeSync(fn: () => void, inner: number, samples: number): number {
  for (let i = 0; i < Math.min(inner, 1000); i++) fn(); // warm-up
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    per.push(Number(process.hrtime.bigint() - t0) / 1e9 / inner);
  }
  return median(per);
}

async function timeAsync(fn: () => Promise<void>, inner: number, samples: number): Promise<number> {
  await fn();
  const per: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) await fn();
    per.push(Number(process.hrtime.bigint() - t0) / 1e9 / inner);
  }
  return median(per);
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function samplesFor(mb: number): number {
  return mb >= 800 ? 3 : mb >= 80 ? 7 : 15;
}

// ---- peers (each runs in its own process) -----------------------------------------------------

function baseline(): Result[] {
  const out: Result[] = [];
  for (const mb of SIZES_MB) {
    const a = new Float64Array((mb * MB) / 8);
    let sink: Float64Array | undefined;
    out.push({ op: `copy ${mb} MB`, median: timeSync(() => void (sink = a.slice()), 1, samplesFor(mb)) });
    void sink;
    gc();
  }
  return out;
}

function tspy(): Result[] {
  const b = require(path.join(ROOT, "dist", "bridge", "lib", "index.js")) as typeof import("../../bridge/lib/index.js");
  b.initialize();
  b.tspy.import("sys").path.insert(0, path.dirname(HELPERS));
  const h = b.tspy.import("helpers");
  const np = b.tspy.import("numpy");
  const out: Result[] = [];
  const sqrt = h.sqrt;
  out.push({ op: "call math.sqrt(2.0)", median: timeSync(() => void sqrt(2.0), 200_000, 15) });
  const sqrtFn = b.tspy.fn(sqrt);
  out.push({ op: "call math.sqrt(2.0) via py.fn(sqrt) (tspy only)", median: timeSync(() => void sqrtFn(2.0), 200_000, 15) });
  const thing = h.thing;
  out.push({ op: "attribute read", median: timeSync(() => void thing.x, 200_000, 15) });
  const callN = h.call_n;
  let count = 0;
  const cb = (): void => void count++;
  out.push({ op: "Python -> TS callback", median: timeSync(() => void callN(cb, 10_000), 1, 15) / 10_000 });
  const callNInThread = h.call_n_in_thread;
  out.push({ op: "Python thread -> TS callback (caller joins)", median: timeSync(() => void callNInThread(cb, 1_000), 1, 7) / 1_000 });
  const asarray = np.asarray;
  for (const mb of SIZES_MB) {
    const n = (mb * MB) / 8;
    const x = new Float64Array(n);
    out.push({ op: `TS -> Python ${mb} MB`, median: timeSync(() => b.tspy.destroy(asarray(x)), 1, samplesFor(mb)) });
    h.make_array(n);
    const getArray = h.get_array;
    out.push({
      op: `Python -> TS ${mb} MB`,
      median: timeSync(
        () => {
          const a = getArray(n);
          const buf = b.tspy.getBuffer(a);
          if (buf.data.length !== n) throw new Error("wrong length");
          buf.release();
          b.tspy.destroy(a);
        },
        1,
        samplesFor(mb),
      ),
    });
    h._arrays.clear();
    gc();
  }
  return out;
}

function nodeCallsPython(): Result[] {
  const ncp = requirePeer("node-calls-python") as { interpreter: any };
  const py = ncp.interpreter;
  const cfg = require(path.join(ROOT, "python-env", "config.json")) as { sysPath: string[] };
  for (const p of cfg.sysPath) if (p.endsWith("site-packages")) py.addImportPath(p);
  const mod = py.importSync(HELPERS, false);
  const out: Result[] = [];
  out.push({ op: "call math.sqrt(2.0)", median: timeSync(() => void py.callSync(mod, "sqrt", 2.0), 200_000, 15) });
  const thing = py.createSync(mod, "Thing"); // a PyObject handle (callSync would convert the instance to a plain object)
  out.push({
    op: "attribute read",
    median: timeSync(() => void py.callSync(thing, "__getattribute__", "x"), 200_000, 15),
    note: "no attribute API: callSync(obj, '__getattribute__', 'x')",
  });
  let count = 0;
  const cb = (): void => void count++;
  out.push({ op: "Python -> TS callback", median: timeSync(() => void py.callSync(mod, "call_n", cb, 10_000), 1, 7) / 10_000 });
  for (const mb of SIZES_MB) {
    const n = (mb * MB) / 8;
    const x = new Float64Array(n);
    out.push({
      op: `TS -> Python ${mb} MB`,
      median: timeSync(() => void py.callSync(mod, "from_buffer", x), 1, samplesFor(mb)),
      note: "TypedArray -> bytes (copy), np.frombuffer",
    });
    py.callSync(mod, "make_array", n);
    out.push({
      op: `Python -> TS ${mb} MB`,
      median: timeSync(
        () => {
          const ab = py.callSync(mod, "get_bytes", n) as ArrayBuffer;
          if (new Float64Array(ab).length !== n) throw new Error("wrong length");
        },
        1,
        samplesFor(mb),
      ),
      note: "ndarray.tobytes() -> ArrayBuffer (two copies)",
    });
    py.execSync(mod, "_arrays.clear()");
    gc();
  }
  return out;
}

async function pythonia(): Promise<Result[]> {
  process.env.PYTHON_BIN ??= require(path.join(ROOT, "python-env", "config.json")).executable;
  const { python } = requirePeer("pythonia") as { python: any };
  const out: Result[] = [];
  try {
    const sys = await python("sys");
    await sys.path.insert(0, path.dirname(HELPERS));
    const h = await python("helpers");
    out.push({ op: "call math.sqrt(2.0)", median: await timeAsync(async () => void (await h.sqrt(2.0)), 200, 9) });
    const thing = await h.thing;
    out.push({ op: "attribute read", median: await timeAsync(async () => void (await thing.x), 200, 9) });
    let count = 0;
    const cb = (): void => void count++;
    out.push({ op: "Python -> TS callback", median: (await timeAsync(async () => void (await h.call_n(cb, 100)), 1, 5)) / 100 });
    for (const mb of SIZES_MB) {
      if (mb > 80) {
        const why = "not run: pythonia sends arrays as JSON over a pipe; 100M floats are ~2 GB of JSON, past V8's maximum string length (~512 MB)";
        out.push({ op: `TS -> Python ${mb} MB`, note: why });
        out.push({ op: `Python -> TS ${mb} MB`, note: why });
        continue;
      }
      const n = (mb * MB) / 8;
      const x = new Float64Array(n);
      out.push({
        op: `TS -> Python ${mb} MB`,
        median: await timeAsync(async () => void (await h.from_list(Array.from(x))), 1, mb > 8 ? 1 : 3),
        note: "Array.from(x) -> JSON -> list -> np.asarray",
      });
      await h.make_array(n);
      out.push({
        op: `Python -> TS ${mb} MB`,
        median: await timeAsync(
          async () => {
            const arr = await h.get_array(n);
            const list = (await (await arr.tolist()).valueOf()) as number[];
            if (list.length !== n) throw new Error("wrong length");
          },
          1,
          mb > 8 ? 1 : 3,
        ),
        note: "ndarray.tolist() -> JSON -> Array",
      });
    }
  } finally {
    python.exit();
  }
  return out;
}

async function soak(): Promise<Result[]> {
  const b = require(path.join(ROOT, "dist", "bridge", "lib", "index.js")) as typeof import("../../bridge/lib/index.js");
  b.initialize();
  const object = b.tspy.import("builtins").object;
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
      b.tspy.exec("pass");
    }
  };
  await settle();
  const rss0 = process.memoryUsage().rss;
  const live0 = b.liveProxyCount();
  const round = async (): Promise<{ secs: number; peak: number }> => {
    let peak = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1_000_000; i++) {
      const o = object();
      if (i % 2 === 0) b.tspy.destroy(o); // half destroyed, half left to the GC backstop
      if (i % 100_000 === 0) {
        peak = Math.max(peak, b.liveProxyCount() - live0);
        await new Promise((r) => setImmediate(r));
      }
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    await settle();
    return { secs, peak };
  };
  const first = await round();
  const rss1 = process.memoryUsage().rss;
  const live1 = b.liveProxyCount();
  const second = await round();
  const rss2 = process.memoryUsage().rss;
  const live2 = b.liveProxyCount();
  return [
    { op: "soak: 1,000,000 proxies created and dropped", median: first.secs / 1e6 },
    { op: "soak: live proxies before / peak / after 1st / after 2nd million", note: `${live0} / +${Math.max(first.peak, second.peak)} / ${live1} / ${live2}` },
    { op: "soak: RSS before / after 1st / after 2nd million (MB)", note: `${(rss0 / MB).toFixed(1)} / ${(rss1 / MB).toFixed(1)} / ${(rss2 / MB).toFixed(1)}` },
  ];
}

// ---- the parent: runs each peer in a child, prints the table ---------------------------------

const PEERS: Record<string, () => Result[] | Promise<Result[]>> = {
  baseline,
  tspy,
  "node-calls-python": nodeCallsPython,
  pythonia,
  soak,
};

function fmt(s: number | undefined): string {
  if (s === undefined) return "-";
  if (s < 1e-6) return `${(s * 1e9).toFixed(0)} ns`;
  if (s < 1e-3) return `${(s * 1e6).toFixed(2)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(2)} s`;
}

function runChild(peer: string): Result[] | string {
  const r = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", __filename, peer], {
    encoding: "utf8",
    maxBuffer: 64 * MB,
    timeout: 15 * 60 * 1000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" },
  });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  if (r.status === 0 && line) return JSON.parse(line.slice(7)) as Result[];
  return `failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only) {
    const fn = PEERS[only];
    if (!fn) throw new Error(`unknown peer ${only}; one of ${Object.keys(PEERS).join(", ")}`);
    process.stdout.write(`RESULT ${JSON.stringify(await fn())}\n`);
    return;
  }
  const results: Record<string, Result[] | string> = {};
  for (const peer of Object.keys(PEERS)) {
    process.stderr.write(`running ${peer}...\n`);
    results[peer] = runChild(peer);
  }
  const tspyResults = results.tspy;
  const tspyOf = (op: string): number | undefined => (Array.isArray(tspyResults) ? tspyResults.find((r) => r.op === op)?.median : undefined);
  const ops = Array.isArray(tspyResults) ? tspyResults.map((r) => r.op) : [];
  console.log(`tspy bridge benchmark — node ${process.version}, ${new Date().toISOString()}`);
  console.log("medians per operation; ratio = peer / tspy (higher: tspy faster)\n");
  const header = ["operation", "tspy", "node-calls-python", "ratio", "pythonia", "ratio"];
  const rows: string[][] = [header];
  const notes: string[] = [];
  for (const op of ops) {
    const t = tspyOf(op);
    const row = [op, fmt(t)];
    for (const peer of ["node-calls-python", "pythonia"]) {
      const pr = results[peer];
      if (!Array.isArray(pr)) {
        row.push("n/a", "-");
        continue;
      }
      const r = pr.find((x) => x.op === op);
      row.push(fmt(r?.median), r?.median !== undefined && t ? `${(r.median / t).toFixed(1)}x` : "-");
      if (r?.note) notes.push(`${peer}, ${op}: ${r.note}`);
    }
    rows.push(row);
  }
  const base = results.baseline;
  if (Array.isArray(base)) {
    for (const r of base) rows.push([`baseline Float64Array.slice ${r.op.replace("copy ", "")}`, fmt(r.median), "", "", "", ""]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) console.log(r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  "));
  for (const peer of Object.keys(PEERS)) if (typeof results[peer] === "string") console.log(`\n${peer}: ${results[peer]}`);
  if (notes.length) console.log(`\nnotes:\n  ${notes.join("\n  ")}`);
  const s = results.soak;
  if (Array.isArray(s)) {
    console.log("\nsoak:");
    for (const r of s) console.log(`  ${r.op}: ${r.median !== undefined ? `${fmt(r.median)} per proxy` : r.note}`);
  } else {
    console.log(`\nsoak: ${s}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
