// `npx tspy install|uninstall` (jupyter-kernelspec/cli.ts, issue 16): a Jupyter installation other
// than the project's finds and runs the kernel after `--user` (in a temporary HOME) and `--prefix`
// installs, as after `python -m ipykernel install`. The "other Jupyter" is a second virtual
// environment (its own sys.prefix, so its own kernel folders) that borrows the project
// environment's jupyter_client through a .pth file instead of a pip install.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { environmentLabel, parseInstallArgs } from "../../jupyter-kernelspec/cli";
import { kernelspecDir, REPO_ROOT, venvBin } from "../../python-env/venv";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-kernel-install-"));
const home = path.join(scratch, "home");
const otherEnv = path.join(scratch, "other-jupyter");
const otherPython = path.join(otherEnv, "bin", "python");
/** HOME and XDG folders of a fresh user: Jupyter's per-user folder is inside `home`. */
const userEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, PYTHONNOUSERSITE: "1" };
for (const name of ["XDG_DATA_HOME", "JUPYTER_DATA_DIR", "JUPYTER_PATH", "TSPY_HISTORY_FILE"]) delete userEnv[name];

/** Runs `npx tspy ...` from the repository root as the fresh user; returns stdout, asserting exit 0. */
function tspyCli(...args: string[]): string {
  const r = spawnSync("npx", ["--offline", "tspy", ...args], { cwd: REPO_ROOT, encoding: "utf8", env: userEnv });
  assert.equal(r.status, 0, `npx tspy ${args.join(" ")} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Runs Python code in the other Jupyter's environment as the fresh user; returns stdout. */
function otherJupyter(code: string): string {
  const r = spawnSync(otherPython, ["-c", code], { encoding: "utf8", env: userEnv, timeout: 180_000 });
  assert.equal(r.status, 0, `the other Jupyter failed: ${r.stderr}`);
  return r.stdout;
}

const LIST =
  "import json; from jupyter_client.kernelspec import KernelSpecManager as K; print(json.dumps({n: s['resource_dir'] for n, s in K().get_all_specs().items()}))";
const RUN = (name: string) =>
  [
    "from jupyter_client.manager import start_new_kernel",
    `km, kc = start_new_kernel(kernel_name=${JSON.stringify(name)}, startup_timeout=120)`,
    "try:",
    "    msg_id = kc.execute('const xs: number[] = [20, 22];\\nxs.reduce((a, b) => a + b, 0)')",
    "    reply = kc.get_shell_msg(timeout=120)",
    "    result = None",
    "    while True:",
    "        m = kc.get_iopub_msg(timeout=120)",
    "        if m['parent_header'].get('msg_id') != msg_id: continue",
    "        if m['msg_type'] == 'execute_result': result = m['content']['data']['text/plain']",
    "        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle': break",
    "    print(reply['content']['status'], result)",
    "finally:",
    "    kc.stop_channels(); km.shutdown_kernel(now=True)",
  ].join("\n");

before(() => {
  fs.mkdirSync(home, { recursive: true });
  const made = spawnSync(venvBin("python"), ["-m", "venv", "--without-pip", otherEnv], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  const projectSite = spawnSync(venvBin("python"), ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: "utf8" }).stdout.trim();
  const otherSite = spawnSync(otherPython, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: "utf8" }).stdout.trim();
  fs.writeFileSync(path.join(otherSite, "borrowed-project-site.pth"), projectSite + "\n");
});

after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("other_jupyter_does_not_see_the_project_kernel_before_install", () => {
  assert.equal((JSON.parse(otherJupyter(LIST)) as Record<string, string>).tspy, undefined);
});

test("install_user_makes_a_second_jupyter_list_and_run_the_kernel_and_uninstall_removes_it", () => {
  const out = tspyCli("install", "--user");
  assert.match(out, /kernelspec "tspy" installed in /);
  const specs = JSON.parse(otherJupyter(LIST)) as Record<string, string>;
  assert.ok(specs.tspy, `tspy not listed: ${JSON.stringify(specs)}`);
  assert.ok(fs.realpathSync(specs.tspy).startsWith(fs.realpathSync(home) + path.sep), `installed outside HOME: ${specs.tspy}`);
  assert.equal(otherJupyter(RUN("tspy")).trim(), "ok 42");
  assert.match(tspyCli("uninstall"), /kernelspec "tspy" removed from /);
  assert.equal((JSON.parse(otherJupyter(LIST)) as Record<string, string>).tspy, undefined, "still listed after uninstall");
  assert.ok(fs.existsSync(path.join(kernelspecDir(), "kernel.json")), "the project environment's own kernelspec was left alone");
});

test("install_prefix_with_name_and_display_name_lands_in_that_environment", () => {
  tspyCli("install", "--prefix", otherEnv, "--name", "ts-here", "--display-name", "TS in the other env");
  const kernelJson = path.join(otherEnv, "share", "jupyter", "kernels", "ts-here", "kernel.json");
  const spec = JSON.parse(fs.readFileSync(kernelJson, "utf8")) as { display_name: string; argv: string[] };
  assert.equal(spec.display_name, "TS in the other env");
  assert.ok(fs.existsSync(spec.argv[1]), `argv names a missing kernel entry point: ${spec.argv[1]}`);
  assert.ok((JSON.parse(otherJupyter(LIST)) as Record<string, string>)["ts-here"], "the other Jupyter lists its own prefix's kernel");
});

test("install_arguments_are_checked_with_usage_errors", () => {
  assert.deepEqual(parseInstallArgs([]), { location: { kind: "user" }, name: "tspy", displayName: undefined, python: undefined });
  assert.deepEqual(parseInstallArgs(["--prefix=rel", "--name", "k1"], "/base").location, { kind: "prefix", prefix: path.resolve("/base", "rel") });
  assert.equal(parseInstallArgs(["--python", otherPython]).name, "tspy-other-jupyter");
  assert.equal(environmentLabel("/usr/bin/python3.12"), "python312");
  for (const bad of [["--user", "--sys-prefix"], ["--name"], ["--name", "a b"], ["--frobnicate"]]) {
    assert.throws(
      () => parseInstallArgs(bad),
      (err: Error & { exitCode?: number }) => err.exitCode === 2,
      `accepted ${bad.join(" ")}`,
    );
  }
  const missing = spawnSync("npx", ["--offline", "tspy", "uninstall", "--name", "never-installed"], { cwd: REPO_ROOT, encoding: "utf8", env: userEnv });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^tspy: no kernelspec "never-installed" in .*kernels\n$/);
  const r = spawnSync("npx", ["--offline", "tspy", "install", "--frobnicate"], { cwd: REPO_ROOT, encoding: "utf8", env: userEnv });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tspy: unknown option --frobnicate\nusage: npx tspy install/);
});
