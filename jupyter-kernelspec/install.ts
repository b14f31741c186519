// Installs the `tspy` kernelspec (kernel.json from the template here, plus the logos) into
// python-env/.venv/share/jupyter/kernels/tspy, the venv's --sys-prefix location; rewrites a file only
// when its content differs. Knows the kernel only by its entry point, dist/kernel/main.js.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_VENV } from "../python-env/config";
import { KERNEL_MAIN, KERNEL_NAME, kernelspecDir, REPO_ROOT, runMain, ScriptError, writeIfChanged } from "../python-env/venv";

/** Source folder of the kernelspec template and logos (this file compiles to dist/jupyter-kernelspec/install.js). */
export const KERNELSPEC_SRC = path.join(REPO_ROOT, "jupyter-kernelspec");
/** Files copied verbatim next to kernel.json. */
export const LOGOS = ["logo-32x32.png", "logo-64x64.png"];

/**
 * The kernel.json that is installed: the template with `@NODE@` replaced by the absolute path of
 * the node running this script and `@KERNEL_MAIN@` by the absolute path of dist/kernel/main.js.
 * @param node absolute path of the node executable (default: `process.execPath`).
 * @param kernelMain absolute path of the kernel's entry point (default: {@link KERNEL_MAIN}).
 * @returns the JSON text (2-space indent, trailing newline).
 * @throws Error when the template is missing or not JSON.
 */
export function renderKernelJson(node: string = process.execPath, kernelMain: string = KERNEL_MAIN): string {
  const template = JSON.parse(fs.readFileSync(path.join(KERNELSPEC_SRC, "kernel.json"), "utf8")) as { argv: string[] };
  template.argv = template.argv.map((a) => (a === "@NODE@" ? node : a === "@KERNEL_MAIN@" ? kernelMain : a));
  return JSON.stringify(template, null, 2) + "\n";
}

/**
 * Writes kernel.json and the logos into `dest`, each only when its bytes differ.
 * @param dest the kernelspec folder (default: {@link kernelspecDir} of python-env/.venv).
 * @returns the names of the files that were (re)written; empty when all were up to date.
 * @throws Error from the file system.
 */
export function installKernelspec(dest: string = kernelspecDir()): string[] {
  const written: string[] = [];
  if (writeIfChanged(path.join(dest, "kernel.json"), renderKernelJson())) written.push("kernel.json");
  for (const logo of LOGOS) {
    if (writeIfChanged(path.join(dest, logo), fs.readFileSync(path.join(KERNELSPEC_SRC, logo)))) written.push(logo);
  }
  return written;
}

/**
 * Makes `npx tspy` in this clone run the project's own CLI (cli.ts): npm links the bins of
 * dependencies into node_modules/.bin but not the root package's own `bin`, and without the link
 * npx would look for a package named tspy elsewhere. A symlink to dist/jupyter-kernelspec/cli.js,
 * replaced when it points anywhere else; the CLI file is made executable.
 * @returns true when the link was (re)made.
 * @throws Error from the file system.
 */
export function linkOwnBin(): boolean {
  const bin = path.join(REPO_ROOT, "node_modules", ".bin", "tspy");
  const cli = path.join(REPO_ROOT, "dist", "jupyter-kernelspec", "cli.js");
  const target = path.relative(path.dirname(bin), cli);
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755); // tsc writes it 0644; a bin must be executable
  try {
    if (fs.readlinkSync(bin) === target) return false;
  } catch {
    // missing, or not a link: (re)made below
  }
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.rmSync(bin, { force: true });
  fs.symlinkSync(target, bin);
  return true;
}

function main(): void {
  if (!fs.existsSync(path.join(DEFAULT_VENV, "bin", "python"))) {
    throw new ScriptError(`${path.relative(REPO_ROOT, DEFAULT_VENV)} does not exist; run \`npm install\` (python-env/setup.js creates it first)`);
  }
  const dest = kernelspecDir();
  const written = installKernelspec(dest);
  linkOwnBin();
  const where = path.relative(REPO_ROOT, dest);
  process.stdout.write(
    written.length > 0
      ? `tspy: kernelspec "${KERNEL_NAME}" installed in ${where} (${written.join(", ")})\n`
      : `tspy: kernelspec "${KERNEL_NAME}" in ${where} is up to date\n`,
  );
  if (!fs.existsSync(KERNEL_MAIN)) {
    process.stdout.write(
      `tspy: warning: ${path.relative(REPO_ROOT, KERNEL_MAIN)} does not exist yet; the kernel cannot start until it is built (npm run build)\n`,
    );
  }
}

if (require.main === module) runMain(main);
