// The test command's Python step: adds the pinned test-only packages (python-env/requirements-dev.txt:
// pytest, torch) to the default environment that `npm install` made, once (stamped; pip is not run when
// nothing changed). `npm test` runs it before the node tests, and test/run-pytest.ts before pytest.
// Knows nothing of the tests themselves.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VENV, probePython } from "./config";
import { DEV_REQUIREMENTS_FILE, DEV_STAMP_FILE, installRequirements, REPO_ROOT, runMain, ScriptError, venvBin } from "./venv";

/**
 * Installs {@link DEV_REQUIREMENTS_FILE} into python-env/.venv unless its stamp says it is there.
 * @returns true when pip ran.
 * @throws ScriptError when the default environment does not exist (run `npm install`) or pip fails.
 */
export function devSetup(): boolean {
  const python = venvBin("python");
  if (!fs.existsSync(python)) {
    throw new ScriptError(`${path.relative(REPO_ROOT, DEFAULT_VENV)} does not exist; run \`npm install\` first`);
  }
  const ran = installRequirements(DEV_REQUIREMENTS_FILE, DEV_STAMP_FILE, probePython(python).version);
  const rel = path.relative(REPO_ROOT, DEV_REQUIREMENTS_FILE);
  process.stdout.write(`tspy: ${rel} ${ran ? "installed" : "is up to date; pip not run"}\n`);
  return ran;
}

if (require.main === module) runMain(() => void devSetup());
