// Where the bridge's sources and built addons live. Knows the folder layout, nothing else.
import * as fs from "node:fs";
import * as path from "node:path";

function findBridgeDir(): string {
  // Compiled: dist/bridge/lib -> ../../../bridge; run from source: bridge/lib -> ..
  const candidates = [path.resolve(__dirname, "..", "..", "..", "bridge"), path.resolve(__dirname, "..")];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, "binding.gyp"))) return dir;
  }
  return candidates[0];
}

/** Absolute path of the source folder `bridge/` (holds binding.gyp). */
export const BRIDGE_DIR: string = findBridgeDir();
/** The bridge's Python half, run once when CPython starts (`bridge/src/tspy_bootstrap.py`). */
export const BOOTSTRAP_PY: string = path.join(BRIDGE_DIR, "src", "tspy_bootstrap.py");
/** Absolute path of the folder holding one build per Python minor version (`bridge/build`). */
export const BUILD_DIR: string = path.join(BRIDGE_DIR, "build");

/** The files of the addon build for one Python minor version (see {@link addonPaths}). */
export interface AddonPaths {
  /** The node-gyp project folder of this version, e.g. `bridge/build/py3.12` (holds a generated binding.gyp). */
  projectDir: string;
  /** The loader addon: `dlopen(libpython, RTLD_NOW | RTLD_GLOBAL)` (knows no Python). */
  loader: string;
  /** The bridge addon, compiled against this version's headers (its Py* symbols resolve against the loaded libpython). */
  bridge: string;
  /** Written by build.ts: the Python include folder the bridge addon was compiled against. */
  stamp: string;
}

/**
 * Where the addons for CPython `major.minor` are built: `bridge/build/py<major>.<minor>/`, so that
 * builds for several Pythons live side by side and the one matching the configured Python is
 * loaded at run time without rebuilding.
 * @param versionInfo [major, minor] of the Python (PythonConfig.versionInfo).
 */
export function addonPaths(versionInfo: readonly [number, number]): AddonPaths {
  const projectDir = path.join(BUILD_DIR, `py${versionInfo[0]}.${versionInfo[1]}`);
  const release = path.join(projectDir, "build", "Release");
  return {
    projectDir,
    loader: path.join(release, "tspy_loader.node"),
    bridge: path.join(release, "tspy_bridge.node"),
    stamp: path.join(projectDir, "tspy-python-include.txt"),
  };
}
