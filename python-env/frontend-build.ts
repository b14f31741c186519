// The `npm install` step for the notebook app: `npm run build --workspace frontend` (type check and
// vite build into frontend/dist), skipped when none of its inputs changed since the last successful
// build (a stamp in frontend/dist/tspy), so that a second `npm install` does not rebuild the app. Knows
// nothing of what the app does.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { filesStamp, REPO_ROOT, runMain, ScriptError } from "./venv";

/** The app's workspace folder. */
const FRONTEND_DIR = path.join(REPO_ROOT, "frontend");
/** vite's output (frontend/vite.config.ts `outDir`); `vite build` empties it, so a stamp there never outlives the build it describes. */
const FRONTEND_DIST = path.join(FRONTEND_DIR, "dist", "tspy");
/** Stamp: the {@link frontendInputs} digest of the last successful build. */
const STAMP_FILE = path.join(FRONTEND_DIST, ".tspy-inputs.sha256");

/**
 * Every file the app's build reads from the repository: frontend/src (all files), the page, the vite
 * and TypeScript configurations, the workspace's package.json and the root lock (dependency versions).
 * @returns absolute paths in a stable (sorted) order.
 */
export function frontendInputs(): string[] {
  const src = path.join(FRONTEND_DIR, "src");
  const files = (fs.readdirSync(src, { recursive: true }) as string[])
    .map((f) => path.join(src, f))
    .filter((f) => fs.statSync(f).isFile())
    .sort();
  const fixed = ["index.html", "vite.config.ts", "tsconfig.json", "package.json"].map((f) => path.join(FRONTEND_DIR, f));
  return [...fixed, path.join(REPO_ROOT, "package-lock.json"), ...files];
}

/**
 * Builds the app unless frontend/dist/tspy holds a build of the same inputs.
 * @returns true when the build ran.
 * @throws ScriptError when the build fails.
 */
export function buildFrontend(): boolean {
  const stamp = filesStamp(frontendInputs());
  let built = "";
  try {
    built = fs.readFileSync(STAMP_FILE, "utf8").trim();
  } catch {
    // never built, or dist was removed
  }
  if (built === stamp && fs.existsSync(path.join(FRONTEND_DIST, "index.html"))) {
    process.stdout.write("tspy: the notebook app (frontend/dist/tspy) is up to date; not rebuilt\n");
    return false;
  }
  const r = spawnSync("npm", ["run", "build", "--workspace", "frontend"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (r.error || r.status !== 0) {
    throw new ScriptError(
      `building the notebook app failed (\`npm run build --workspace frontend\`: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}; see above)`,
    );
  }
  fs.writeFileSync(STAMP_FILE, stamp + "\n");
  return true;
}

if (require.main === module) runMain(() => void buildFrontend());
