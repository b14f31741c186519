// Builds the two addons (tspy_loader, tspy_bridge) with node-gyp against the configured Python's
// headers. Run by the root postinstall: `node dist/bridge/lib/build.js`. Knows nothing of Jupyter.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPythonConfig } from "../../python-env/config.js";
import { BRIDGE_ADDON, BRIDGE_DIR, LOADER_ADDON, PYTHON_INCLUDE_STAMP } from "./paths.js";

/** True when `cmd --version` runs. */
function runs(cmd: string): boolean {
  const r = spawnSync(cmd, ["--version"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/** The node headers folder to give node-gyp (`--nodedir`), so that nothing is downloaded. */
function localNodeDir(): string | undefined {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

/**
 * Configures (only when bridge/build is missing or the Python include folder changed) and builds
 * bridge/build/Release/tspy_loader.node and tspy_bridge.node.
 * @returns the process exit code: 0 on success, 1 with one line on stderr when no C++ compiler is
 *   installed, node-gyp's exit code when it fails.
 */
export function buildBridge(): number {
  const compiler = process.env.CXX ?? (runs("c++") ? "c++" : runs("g++") ? "g++" : undefined);
  if (!compiler || !runs("make")) {
    process.stderr.write("tspy: no C++ compiler (c++/g++) or make found; install them (e.g. `apt-get install g++ make`) and run `node dist/bridge/lib/build.js` again\n");
    return 1;
  }
  const config = loadPythonConfig();
  const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
  const buildDir = path.join(BRIDGE_DIR, "build");
  const stamp = PYTHON_INCLUDE_STAMP;
  const common: string[] = [];
  const nodeDir = localNodeDir();
  if (nodeDir) common.push(`--nodedir=${nodeDir}`);
  common.push(`--python=${config.executable}`);

  const configured =
    fs.existsSync(path.join(buildDir, "Makefile")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === config.include;
  const run = (args: string[]): number => {
    const r = spawnSync(process.execPath, [nodeGyp, ...args], { cwd: BRIDGE_DIR, stdio: "inherit" });
    return r.status ?? 1;
  };
  if (!configured) {
    const rc = run(["configure", ...common, "--", `-Dpython_include=${config.include}`]);
    if (rc !== 0) return rc;
    fs.writeFileSync(stamp, config.include);
  }
  const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  const rc = run(["build", ...common, "-j", jobs]);
  if (rc !== 0) return rc;
  for (const f of [LOADER_ADDON, BRIDGE_ADDON]) {
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
