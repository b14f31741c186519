// Runs the Python-driven tests (test/protocol and test/display: the real kernel through jupyter_client and nbclient)
// with the default environment's pytest; `npm test` calls it after node's own test runner. First adds the
// test-only packages (python-env/requirements-dev.txt) when they are missing (python-env/dev-setup.ts).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { DEFAULT_VENV } from "../python-env/config";
import { devSetup } from "../python-env/dev-setup";
import { runMain } from "../python-env/venv";

const root = path.resolve(__dirname, "..", "..");
const python = path.join(DEFAULT_VENV, "bin", "python");

runMain(() => {
  devSetup();
  const r = spawnSync(
    python,
    ["-m", "pytest", "-q", "-p", "no:cacheprovider", path.join(root, "test", "protocol"), path.join(root, "test", "display"), ...process.argv.slice(2)],
    { cwd: root, stdio: "inherit" },
  );
  if (r.error) {
    process.stderr.write(`tspy: cannot run pytest with ${python}: ${r.error.message}; run \`npm install\` first\n`);
    return 1;
  }
  return r.status ?? 1;
});
