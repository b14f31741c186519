// In-process benchmark of the notebook's TypeScript language service (kernel/executor/language-service.ts),
// created as the executor creates it: the first program build (all steps), then, after N executed cells,
// the per-request costs of a type-checked cell (`1+1`), completions at `Math.` and at a notebook
// variable's member, and quick info. Each request's text differs from the last (as when a user types
// or runs a new cell), so every sample builds a new program in which one file changed.
// Usage: `npm run bench:ls` (or `node dist/bench/kernel/language_service.js [--cells N] [--reps N]`).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { NotebookLanguageService } from "../../kernel/executor/language-service.js";
import { median } from "../stats";

/** The value of `--name N` on the command line, or `fallback`. */
function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Milliseconds `fn` takes: wall-clock, and CPU of the process's threads (on a shared machine it moves less than wall time). */
function measure(fn: () => void): { wall: number; cpu: number } {
  const t = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const d = process.cpuUsage(cpu);
  return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 };
}

/** Wall-clock milliseconds `fn` takes. */
function time(fn: () => void): number {
  return measure(fn).wall;
}

/** TypeScript's internal `Program.structureIsReused` (0 Not, 1 SafeModules, 2 Completely) of the service's current program. */
function structureIsReused(service: NotebookLanguageService): string {
  const program = (service as unknown as { ls: ts.LanguageService }).ls.getProgram() as (ts.Program & { structureIsReused?: number }) | undefined;
  return ["Not", "SafeModules", "Completely"][program?.structureIsReused ?? -1] ?? "?";
}

/** One request kind: its samples (ms) and the reuse of the program it ended with. */
interface Row {
  name: string;
  /** Wall-clock milliseconds. */
  samples: number[];
  /** CPU milliseconds. */
  cpu: number[];
  reuse: Set<string>;
}

function main(): void {
  const cells = intArg("cells", 40);
  const reps = intArg("reps", 200);
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-bench-ls-"));
  const service = new NotebookLanguageService(cwd);
  // The warm-up as the executor runs it when idle: steps, each of which a request may follow.
  const steps: number[] = [];
  for (let more = true; more;) steps.push(time(() => (more = service.warmUpStep())));
  const build = steps.reduce((a, b) => a + b, 0);
  const first = time(() => service.diagnostics("1+1"));
  let lastExec = 0;
  for (let i = 0; i < cells; i++) {
    const code = `const v${i} = { count: ${i}, label: "cell ${i}", scale(by: number) { return this.count * by; } };\nv${i}.scale(2)`;
    lastExec = time(() => {
      service.diagnostics(code);
      service.addExecutedCell(code);
    });
  }
  const member = `v${cells - 1}.`;
  const rows: Row[] = [
    { name: "diagnostics `1+1`", samples: [], cpu: [], reuse: new Set() },
    { name: "complete `Math.`", samples: [], cpu: [], reuse: new Set() },
    { name: `complete \`${member}\``, samples: [], cpu: [], reuse: new Set() },
    { name: "quick info `Math.max`", samples: [], cpu: [], reuse: new Set() },
  ];
  const requests: ((i: number) => unknown)[] = [
    (i) => service.diagnostics(`1+1 // ${i}`),
    (i) => service.complete(`Math. // ${i}`, 5),
    (i) => service.complete(`${member} // ${i}`, member.length),
    (i) => service.quickInfo(`Math.max(1, 2) // ${i}`, 6, 0),
  ];
  let check: unknown = null;
  // Interleaved, so that a change in the machine's load touches every row alike.
  for (let i = 0; i < reps; i++) {
    requests.forEach((request, r) => {
      const m = measure(() => (check = request(i)));
      rows[r].samples.push(m.wall);
      rows[r].cpu.push(m.cpu);
      rows[r].reuse.add(structureIsReused(service));
    });
  }
  if (!check) throw new Error("quick info of Math.max answered nothing");
  // What a type-checked cell costs the kernel: its check, then its addition to the notebook's program.
  const executeRow: Row = { name: "execute `1` (check + add)", samples: [], cpu: [], reuse: new Set() };
  for (let i = 0; i < reps; i++) {
    const m = measure(() => {
      service.diagnostics(`${i}`);
      service.addExecutedCell(`${i}`);
    });
    executeRow.samples.push(m.wall);
    executeRow.cpu.push(m.cpu);
    executeRow.reuse.add(structureIsReused(service));
  }
  rows.push(executeRow);
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(`language service, ${cells} executed cells, medians of ${reps} (ms); load average ${os.loadavg()[0].toFixed(2)}\n`);
  process.stdout.write(`${pad("first program build (all steps)", 36)}${build.toFixed(1).padStart(9)}\n`);
  process.stdout.write(
    `${pad(`longest warm-up step (of ${steps.length})`, 36)}${Math.max(...steps.slice(0, -1), 0)
      .toFixed(1)
      .padStart(9)}\n`,
  );
  process.stdout.write(`${pad("last warm-up step (program, checker)", 36)}${steps[steps.length - 1].toFixed(1).padStart(9)}\n`);
  process.stdout.write(`${pad("first `1+1` after warmUp", 36)}${first.toFixed(2).padStart(9)}\n`);
  process.stdout.write(`${pad(`check + add, cell ${cells}`, 36)}${lastExec.toFixed(2).padStart(9)}\n`);
  process.stdout.write(`${pad("request", 36)}${"median".padStart(9)}${"p90".padStart(9)}${"cpu".padStart(9)}  structureIsReused\n`);
  for (const row of rows) {
    const p90 = [...row.samples].sort((a, b) => a - b)[Math.floor(row.samples.length * 0.9)];
    process.stdout.write(
      `${pad(row.name, 36)}${median(row.samples).toFixed(2).padStart(9)}${p90.toFixed(2).padStart(9)}${median(row.cpu).toFixed(2).padStart(9)}  ${[...row.reuse].join(",")}\n`,
    );
  }
  fs.rmSync(cwd, { recursive: true, force: true });
}

main();
