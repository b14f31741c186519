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
/** Absolute path of the folder node-gyp writes the addons to (`bridge/build/Release`). */
export const BUILD_DIR: string = path.join(BRIDGE_DIR, "build", "Release");
/** The loader addon: `dlopen(libpython, RTLD_NOW | RTLD_GLOBAL)`. */
export const LOADER_ADDON: string = path.join(BUILD_DIR, "tspy_loader.node");
/** The bridge addon (CPython embedding; its Py* symbols resolve against the loaded libpython). */
export const BRIDGE_ADDON: string = path.join(BUILD_DIR, "tspy_bridge.node");
/** Written by build.ts: the Python include folder the bridge addon was compiled against (its ABI). */
export const PYTHON_INCLUDE_STAMP: string = path.join(BRIDGE_DIR, "build", "tspy-python-include.txt");
