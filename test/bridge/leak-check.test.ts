// The leak check names the line that leaked (issue 17): in debug mode (setProxyDebug, on in the
// bridge tests) each live PyProxy and shared buffer view remembers where it was made, until it is
// released or collected, and a test that forgets destroy() fails with that line in its message.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { liveProxySites, type ProxySite, setProxyDebug, tspy } from "../../bridge/lib/index.js";
import { settle, useBridge } from "./helpers.js";

useBridge();

/** The live sites made by this file (their stacks name it). */
const mine = (): ProxySite[] => liveProxySites().filter((s) => s.stack.includes("leak-check.test.js"));

test("a live PyProxy records where it was made until it is destroyed", () => {
  const list = tspy.eval("[1, 2, 3]");
  const site = mine().at(-1);
  assert.ok(site !== undefined, "a site was recorded");
  assert.equal(site.kind, "PyProxy");
  assert.match(site.stack.split("\n")[0], /leak-check\.test\.js:\d+/, "the first frame is this file, not the bridge");
  tspy.destroy(list);
  assert.ok(!mine().some((s) => s.serial === site.serial), "a destroyed proxy is no longer live");
});

test("a collected PyProxy leaves no site", async () => {
  const make = (): number => {
    tspy.eval("{'a': 1}");
    return mine().at(-1)!.serial;
  };
  const serial = make();
  await settle();
  assert.ok(!liveProxySites().some((s) => s.serial === serial));
});

test("a shared buffer view records its site until release()", () => {
  const bytes = tspy.eval("bytearray(16)");
  const view = tspy.getBuffer(bytes);
  const site = mine().find((s) => s.kind === "buffer view");
  assert.ok(site !== undefined);
  view.release();
  assert.ok(!liveProxySites().some((s) => s.serial === site.serial));
  tspy.destroy(bytes);
});

test("with debug mode off nothing is recorded", () => {
  setProxyDebug(false);
  try {
    const list = tspy.eval("[4]");
    assert.deepEqual(liveProxySites(), []);
    tspy.destroy(list);
  } finally {
    setProxyDebug(true);
  }
});

test("a bridge test that forgets destroy() fails naming the line that made the proxy", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tspy-leak-"));
  const file = path.join(dir, "forgets-destroy.test.js");
  const lines = [
    `const { test } = require("node:test");`,
    `const { tspy } = require(${JSON.stringify(path.resolve(__dirname, "..", "..", "bridge", "lib", "index.js"))});`,
    `const { useBridge } = require(${JSON.stringify(path.join(__dirname, "helpers.js"))});`,
    `useBridge();`,
    `const kept = [];`,
    `test("keeps a proxy", () => {`,
    `  kept.push(tspy.eval("[1, 2, 3]"));`,
    `});`,
  ];
  fs.writeFileSync(file, lines.join("\n") + "\n");
  try {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a subtest of this one
    const r = spawnSync(process.execPath, ["--expose-gc", "--test", file], { encoding: "utf8", env });
    const out = r.stdout + r.stderr;
    assert.notEqual(r.status, 0, out);
    assert.match(out, /1 more live at the end of the test, 1 after garbage collection/);
    assert.ok(out.includes(`forgets-destroy.test.js:7:`), out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
