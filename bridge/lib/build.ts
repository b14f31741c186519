// Builds the two addons (tspy_loader, tspy_bridge) with node-gyp against one Python's headers,
// into a folder per Python minor version (bridge/build/py3.X). Run by the root postinstall:
// `node dist/bridge/lib/build.js` (the configured Python; `TSPY_PYTHON=<python>` for another).
// Knows nothing of Jupyter.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPythonConfig, type PythonConfig } from "../../python-env/config.js";
import { addonPaths, BRIDGE_DIR } from "./paths.js";

/** True when `cmd --version` runs. */
function runs(cmd: string): boolean {
  const r = spawnSync(cmd, ["--version"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/**
 * The node headers folder to give node-gyp (`--nodedir`), so that nothing is downloaded.
 * @returns the prefix of the running node when it ships `include/node/node_api.h`, else undefined.
 */
export function localNodeDir(): string | undefined {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

/** bridge/binding.gyp with its source paths made relative to `projectDir`. */
function versionGyp(projectDir: string): string {
  const rel = path.relative(projectDir, path.join(BRIDGE_DIR, "src")).split(path.sep).join("/");
  return fs.readFileSync(path.join(BRIDGE_DIR, "binding.gyp"), "utf8").replace(/"src\//g, `"${rel}/`);
}

/** Options of {@link buildBridge}. */
export interface BuildOptions {
  /** Where node-gyp's output goes (`stdio` of the node-gyp processes); default "inherit". */
  stdio?: "inherit" | "ignore" | "pipe";
}

/**
 * Configures (only when the version's folder is new, binding.gyp changed, or the Python include
 * folder changed) and builds `bridge/build/py<major>.<minor>/build/Release/tspy_loader.node` and
 * `tspy_bridge.node` for `config`'s Python (see {@link addonPaths}); builds for other versions are
 * left alone.
 * @param config the Python whose headers to compile against; default {@link loadPythonConfig}().
 * @returns the process exit code: 0 on success, 1 with one line on stderr when no C++ compiler is
 *   installed, node-gyp's exit code when it fails.
 */
export function buildBridge(config: PythonConfig = loadPythonConfig(), options: BuildOptions = {}): number {
  const compiler = process.env.CXX ?? (runs("c++") ? "c++" : runs("g++") ? "g++" : undefined);
  if (!compiler || !runs("make")) {
    process.stderr.write(
      "tspy: no C++ compiler (c++/g++) or make found; install them (e.g. `apt-get install g++ make`) and run `node dist/bridge/lib/build.js` again\n",
    );
    return 1;
  }
  const paths = addonPaths(config.versionInfo);
  const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
  fs.mkdirSync(paths.projectDir, { recursive: true });
  const gypFile = path.join(paths.projectDir, "binding.gyp");
  const gyp = versionGyp(paths.projectDir);
  if (!fs.existsSync(gypFile) || fs.readFileSync(gypFile, "utf8") !== gyp) fs.writeFileSync(gypFile, gyp);
  const common: string[] = [];
  const nodeDir = localNodeDir();
  if (nodeDir) common.push(`--nodedir=${nodeDir}`);
  common.push(`--python=${config.executable}`);

  const makefile = path.join(paths.projectDir, "build", "Makefile");
  const configured =
    fs.existsSync(makefile) &&
    fs.statSync(makefile).mtimeMs >= fs.statSync(gypFile).mtimeMs &&
    fs.existsSync(paths.stamp) &&
    fs.readFileSync(paths.stamp, "utf8") === config.include;
  const run = (args: string[]): number => {
    const r = spawnSync(process.execPath, [nodeGyp, ...args], { cwd: paths.projectDir, stdio: options.stdio ?? "inherit" });
    return r.status ?? 1;
  };
  if (!configured) {
    const rc = run(["configure", ...common, "--", `-Dpython_include=${config.include}`]);
    if (rc !== 0) return rc;
    fs.writeFileSync(paths.stamp, config.include);
  }
  const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  const rc = run(["build", ...common, "-j", jobs]);
  if (rc !== 0) return rc;
  for (const f of [paths.loader, paths.bridge]) {
    if (!fs.existsSync(f)) {
      process.stderr.write(`tspy: node-gyp finished but ${f} is missing\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = buildBridge();
}
