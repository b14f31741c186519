// tspy/tf benchmark: (1) the same digits classifier trained from `tspy/tf` and from plain Python
// Keras, (2) a loop of 10,000 `a.add(b)` against the raw bridge call and Python's own loop. Both
// peers run in this one process (the embedded CPython: same TensorFlow, same threads), alternating,
// and the table gives medians and each ratio to the Python peer. Usage: `npm run bench:tf`
// (or `node --expose-gc dist/bench/tf/run.js [--reps N]`).
import * as os from "node:os";
import * as path from "node:path";
import { initialize, type PyProxy, tspy } from "../../bridge/lib/index.js";
import * as tf from "../../bridge/tf/index.js";
import { median } from "../stats";

const ROOT = path.resolve(__dirname, "..", "..", "..");
/** Ops per loop sample. */
const OPS = 10_000;
/** The digits model's training settings, the same for both peers. */
const FIT = { epochs: 20, batchSize: 32, seed: 0, learningRate: 0.01 };

/** One sample: wall-clock and process CPU seconds (CPU of every thread: on a shared machine it moves less than wall time). */
interface Sample {
  wall: number;
  cpu: number;
}

/** Wall and process CPU seconds `fn` takes. */
function measure(fn: () => void): Sample {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  fn();
  const d = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (d.user + d.system) / 1e6 };
}

/** A Python `(wall, cpu, ...)` tuple as a Sample and the rest; the tuple's proxy is released. */
function pySample(r: PyProxy): [Sample, unknown[]] {
  try {
    const items = tspy.toJS(r) as number[];
    return [{ wall: items[0], cpu: items[1] }, items.slice(2)];
  } finally {
    tspy.destroy(r);
  }
}

/** Runs the JS garbage collector (with --expose-gc) so one peer's garbage is not collected in the next peer's sample. */
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Samples (seconds per op) of each loop peer, one per repetition, in an order that alternates. */
function opLoop(h: PyProxy, reps: number): Record<string, Sample[]> {
  const a = tf.tensor1d([1, 2, 3, 4]);
  const b = tf.tensor1d([5, 6, 7, 8]);
  const rawAdd = tf.py.math.add as PyProxy;
  const peers: Record<string, () => Sample> = {
    "tspy/tf a.add(b)": () =>
      measure(() => {
        for (let i = 0; i < OPS; i++) a.add(b);
      }),
    "tspy/tf a.add(b).dispose()": () =>
      measure(() => {
        for (let i = 0; i < OPS; i++) a.add(b).dispose();
      }),
    "raw proxy tf.py.math.add(a.py, b.py)": () =>
      measure(() => {
        for (let i = 0; i < OPS; i++) rawAdd(a.py, b.py);
      }),
    [PY_LOOP]: () => pySample(h.add_loop(a.py, b.py, OPS))[0],
    "Python loop tf.add(a, b)": () => pySample(h.tf_add_loop(a.py, b.py, OPS))[0],
  };
  const names = Object.keys(peers);
  const out: Record<string, Sample[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) peers[n](); // warm-up
  for (let r = 0; r < reps; r++) {
    for (const n of r % 2 === 0 ? names : [...names].reverse()) {
      gc();
      const s = peers[n]();
      out[n].push({ wall: s.wall / OPS, cpu: s.cpu / OPS });
    }
  }
  return out;
}
const PY_LOOP = "Python loop a + b";

/** The benchmark's model from tspy/tf, seeded like the Python peer (Keras's global seed, through the escape hatch): the fit's sample and last loss. */
async function trainTspy(x: tf.Tensor2D, y: tf.Tensor2D): Promise<[Sample, number]> {
  tf.keras.utils.set_random_seed(FIT.seed);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 64, activation: "relu", inputShape: [64] }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(FIT.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const history = await model.fit(x, y, { epochs: FIT.epochs, batchSize: FIT.batchSize, verbose: 0 });
  const d = process.cpuUsage(cpu);
  const sample = { wall: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (d.user + d.system) / 1e6 };
  return [sample, history.history.loss[history.history.loss.length - 1]];
}
const TS_FIT = "tspy/tf model.fit";
const PY_FIT = "Python Keras model.fit";

/** Fit samples and last losses of both peers, alternating which goes first. */
async function digits(h: PyProxy, reps: number): Promise<Record<string, { samples: Sample[]; loss: number[] }>> {
  const pair = h.digits();
  const x = tf.tensor2d(tspy.getItem(pair, 0) as PyProxy);
  const y = tf.tensor2d(tspy.getItem(pair, 1) as PyProxy);
  tspy.destroy(pair);
  const out: Record<string, { samples: Sample[]; loss: number[] }> = { [TS_FIT]: { samples: [], loss: [] }, [PY_FIT]: { samples: [], loss: [] } };
  const python = async (): Promise<[Sample, number]> => {
    const [sample, rest] = pySample(h.train_python(x.py, y.py, FIT.epochs, FIT.batchSize, FIT.seed, tspy.float(FIT.learningRate)));
    return [sample, rest[0] as number];
  };
  const runs: Record<string, () => Promise<[Sample, number]>> = { [TS_FIT]: () => trainTspy(x, y), [PY_FIT]: python };
  for (const run of Object.values(runs)) await run(); // warm-up: each first fit traces Keras's train step
  for (let r = 0; r < reps; r++) {
    const names = Object.keys(runs);
    for (const name of r % 2 === 0 ? names : names.reverse()) {
      gc();
      const [sample, loss] = await runs[name]();
      out[name].samples.push(sample);
      out[name].loss.push(loss);
    }
  }
  return out;
}

function fmt(s: number): string {
  return s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : s < 1 ? `${(s * 1e3).toFixed(1)} ms` : `${s.toFixed(2)} s`;
}

/** One table row: the medians of wall and CPU time and their ratios to the reference peer's. */
function row(name: string, xs: Sample[], ref: Sample[], extra = ""): string {
  const w = median(xs.map((s) => s.wall));
  const c = median(xs.map((s) => s.cpu));
  const rw = w / median(ref.map((s) => s.wall));
  const rc = c / median(ref.map((s) => s.cpu));
  return `  ${name.padEnd(38)} ${fmt(w).padStart(10)} ${rw.toFixed(3).padStart(7)}x ${fmt(c).padStart(10)} ${rc.toFixed(3).padStart(7)}x${extra}`;
}

async function main(): Promise<void> {
  const repsArg = process.argv.indexOf("--reps");
  const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 7;
  initialize();
  await tf.ready();
  const sys = tspy.import("sys");
  sys.path.insert(0, path.join(ROOT, "bench", "tf"));
  const h = tspy.import("helpers");
  const cpus = os.cpus();
  console.log(
    `tspy/tf benchmark — node ${process.version}, CPython ${String(sys.version).split(" ")[0]}, TensorFlow ${tf.py.__version__}, Keras ${tf.keras.__version__}`,
  );
  console.log(
    `${cpus.length} CPUs (${cpus[0]?.model ?? "?"}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}, ${new Date().toISOString()}`,
  );
  console.log(`medians of ${reps} alternated samples; wall-clock and process CPU time; ratio = peer / the Python peer (below 1: faster than Python)\n`);

  const head = `  ${"".padEnd(38)} ${"wall".padStart(10)} ${"ratio".padStart(8)} ${"CPU".padStart(10)} ${"ratio".padStart(8)}`;
  const loop = opLoop(h, reps);
  console.log(`op loop: ${OPS.toLocaleString("en")} adds of two float32 [4] tensors, per op`);
  console.log(head);
  for (const [name, xs] of Object.entries(loop)) console.log(row(name, xs, loop[PY_LOOP]));

  const fit = await digits(h, reps);
  console.log(
    `\ndigits: load_digits (1797 × 64), dense 64 relu -> dense 10 softmax, adam ${FIT.learningRate}, ${FIT.epochs} epochs, batch ${FIT.batchSize}, seed ${FIT.seed}; per fit`,
  );
  console.log(head);
  for (const [name, r] of Object.entries(fit)) {
    const walls = r.samples.map((s) => s.wall.toFixed(2)).join(" ");
    console.log(row(name, r.samples, fit[PY_FIT].samples, `   last loss ${r.loss.map((l) => l.toFixed(5)).join(" ")}   (wall s: ${walls})`));
  }
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
