// `npm run bench:deps`: installs the benchmark peers (tslab, Deno, pythonia, node-calls-python; bench/package.json)
// into bench/node_modules, which `npm install` of the project never does, and builds node-calls-python's addon
// against the project's Python. Skipped when bench/package.json (and its lock) did not change since the last
// successful run (a stamp in bench/node_modules). Knows nothing of the benchmarks themselves.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { localNodeDir } from "../bridge/lib/build";
import { loadPythonConfig } from "../python-env/config";
import { filesStamp, REPO_ROOT, runMain, ScriptError } from "../python-env/venv";

/** The benchmark package's folder (bench/, holding package.json). */
export const BENCH_DIR = path.join(REPO_ROOT, "bench");
/** Where the peers are installed. */
export const BENCH_MODULES = path.join(BENCH_DIR, "node_modules");
/** Stamp: the {@link filesStamp} of bench/package.json and its lock at the last successful install. */
const STAMP_FILE = path.join(BENCH_MODULES, ".tspy-bench-deps.sha256");

const say = (line: string) => process.stdout.write(`tspy bench: ${line}\n`);

/** Runs a command with inherited output; throws a {@link ScriptError} naming it when it fails. */
function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...options });
  if (r.error || r.status !== 0) {
    throw new ScriptError(`\`${cmd} ${args.join(" ")}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}; see above)`);
  }
}

/**
 * Builds node-calls-python's addon (its install script, skipped by `--ignore-scripts`) with node-gyp, the
 * project's Python first on PATH (its binding.gyp asks `python3` for the headers and libpython) and the
 * running node's headers (nothing downloaded).
 * @throws ScriptError when node-gyp fails.
 */
function buildNodeCallsPython(): void {
  const dir = path.join(BENCH_MODULES, "node-calls-python");
  const base = loadPythonConfig().baseExecutable;
  const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
  const nodeDir = localNodeDir();
  say(`building node-calls-python's addon against ${base}`);
  run(process.execPath, [nodeGyp, "rebuild", ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])], {
    cwd: dir,
    env: { ...process.env, PATH: [path.dirname(base), process.env.PATH ?? ""].join(path.delimiter) },
  });
}

/**
 * The whole step (see the file comment).
 * @throws ScriptError when npm or node-gyp fails.
 */
export function installBenchDeps(): void {
  const inputs = ["package.json", "package-lock.json"].map((f) => path.join(BENCH_DIR, f));
  const stamp = filesStamp(inputs);
  let installed = "";
  try {
    installed = fs.readFileSync(STAMP_FILE, "utf8").trim();
  } catch {
    // not installed yet
  }
  if (installed === stamp) {
    say("peers are up to date (bench/node_modules)");
    return;
  }
  say("installing the peers of bench/package.json into bench/node_modules");
  fs.rmSync(STAMP_FILE, { force: true });
  // Scripts off: node-calls-python's own install script would build against whatever python3 is on PATH.
  run("npm", ["install", "--prefix", BENCH_DIR, "--ignore-scripts", "--no-audit", "--no-fund"]);
  buildNodeCallsPython();
  fs.writeFileSync(STAMP_FILE, filesStamp(inputs) + "\n");
}

if (require.main === module) runMain(installBenchDeps);
