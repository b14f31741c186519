// The `npm install` step for the TypeScript build: runs `npm run build` (tsc) unless none of its inputs
// changed since the last build this step made. The inputs are the files tsconfig.json selects (read
// with TypeScript's own config parser, so its include/exclude rules live only in tsconfig.json), the
// config itself and package-lock.json (compiler and type versions). A plain .mjs: it must run before
// dist/ exists. The stamp is dist/.tspy-build-inputs.sha256; `rm -rf dist` forces a build.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const DIST = path.join(ROOT, "dist");
const STAMP_FILE = path.join(DIST, ".tspy-build-inputs.sha256");
/** The compiled helpers (python-env/venv.ts); present once one build has run. */
const VENV_JS = path.join(DIST, "python-env", "venv.js");

/** The files the build reads: tsconfig.json's file list, the config and the lock, in a stable order. */
function buildInputs() {
  const ts = require("typescript");
  const configFile = path.join(ROOT, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      },
    },
  );
  return [configFile, path.join(ROOT, "package-lock.json"), ...[...parsed.fileNames].sort()];
}

function stampNow() {
  return require(VENV_JS).filesStamp(buildInputs());
}

let upToDate = false;
if (fs.existsSync(VENV_JS) && fs.existsSync(STAMP_FILE)) {
  upToDate = fs.readFileSync(STAMP_FILE, "utf8").trim() === stampNow();
}
if (upToDate) {
  process.stdout.write("tspy: dist/ is up to date with the TypeScript sources; tsc not run\n");
} else {
  fs.rmSync(STAMP_FILE, { force: true });
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.error || r.status !== 0) {
    process.stderr.write(`tspy: the TypeScript build failed (\`npm run build\`: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}; see above)\n`);
    process.exit(1);
  }
  fs.writeFileSync(STAMP_FILE, stampNow() + "\n");
}
