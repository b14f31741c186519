// Where the browser tests find Chromium, and how `npm test` makes sure there is one. playwright-core
// drives it through `executablePath`; no browser is ever downloaded by the tests.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Executable names of Chromium builds, in the order they are looked up on PATH. */
const NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

/**
 * The Chromium (or Chrome) the browser tests use: `TSPY_CHROMIUM` when set (it must exist), else
 * the first of {@link NAMES} on PATH; null when there is none.
 * @throws Error when TSPY_CHROMIUM names a file that does not exist.
 */
export function findChromium(): string | null {
  const chosen = process.env.TSPY_CHROMIUM;
  if (chosen) {
    if (!fs.existsSync(chosen)) throw new Error(`TSPY_CHROMIUM=${chosen} does not exist`);
    return chosen;
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not in this folder
      }
    }
  }
  return null;
}

/** Whether this machine can install Debian's chromium package itself: Debian/Ubuntu's apt-get, as root. */
function canAptInstall(): boolean {
  return process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Run by `npm test` before the browser tests: prints the Chromium found, or installs Debian's
 * `chromium` package (apt-get update, apt-get install -y chromium) when none is found and this is a
 * Debian-like machine run as root; otherwise exits 1 with one message naming what to install.
 */
function main(): void {
  let found = findChromium();
  if (!found && canAptInstall()) {
    console.log("tspy test: no Chromium found; installing Debian's chromium package for the browser tests");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    for (const args of [["update"], ["install", "-y", "chromium"]]) {
      const r = spawnSync("apt-get", args, { stdio: "inherit", env });
      if (r.status !== 0) {
        console.error(`tspy test: apt-get ${args.join(" ")} failed (exit ${r.status})`);
        process.exit(1);
      }
    }
    found = findChromium();
  }
  if (!found) {
    console.error(
      "tspy test: the browser tests need Chromium or Chrome and none was found on PATH.\n" +
        "Install it (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: Google Chrome), or set " +
        "TSPY_CHROMIUM to its executable, then run `npm test` again.",
    );
    process.exit(1);
  }
  console.log(`tspy test: browser tests use ${found}`);
}

if (require.main === module) main();
