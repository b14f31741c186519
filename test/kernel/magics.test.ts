// The magics tables (kernel/executor/magics.ts): parsing reads them, %lsmagic lists them, and each
// line magic acts through the MagicHost it is given (here an in-memory one: no Python, no kernel).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CELL_MAGICS, LINE_MAGICS, parseCell, UsageError, type MagicHost, type TypecheckMode } from "../../kernel/executor/magics";

/** A MagicHost recording what the magics did. */
function host(): MagicHost & { out: string; env: [string, string][] } {
  let mode: TypecheckMode = "warn";
  const h = {
    out: "",
    env: [] as [string, string][],
    write: (_name: "stdout" | "stderr", text: string) => void (h.out += text),
    variables: () => [{ name: "weights", language: "TypeScript" as const, type: "Float32Array", shape: "10", dtype: "float32", size: 40 }],
    get typecheckMode() {
      return mode;
    },
    setTypecheckMode: (m: TypecheckMode) => void (mode = m),
    setPythonEnv: (name: string, value: string) => void h.env.push([name, value]),
    pythonExecutable: () => "python3",
    packagesChanged: () => undefined,
  };
  return h;
}

async function run(line: string, h: MagicHost): Promise<unknown> {
  const [magic] = parseCell(line).lineMagics;
  return LINE_MAGICS.get(magic.name)!.run(magic.args, h);
}

test("lsmagic_lists_every_entry_of_both_tables_with_its_help", async () => {
  const h = host();
  assert.equal(await run("%lsmagic", h), null);
  for (const m of LINE_MAGICS.values()) assert.ok(h.out.includes(`${m.usage}  `) && h.out.includes(m.doc), m.usage);
  for (const [name, m] of CELL_MAGICS) assert.ok(h.out.includes(`%%${name}`) && h.out.includes(m.doc), name);
});

test("typecheck_and_env_act_through_the_host", async () => {
  const h = host();
  await run("%typecheck strict", h);
  assert.equal(h.typecheckMode, "strict");
  assert.equal(h.out, "typecheck: strict\n");
  await assert.rejects(async () => run("%typecheck loud", h), UsageError);
  await run("%env TSPY_MAGICS_TEST=1", h);
  assert.deepEqual(h.env, [["TSPY_MAGICS_TEST", "1"]]);
  await run("%who", h);
  assert.match(h.out, /weights\s+TypeScript\s+Float32Array\s+10\s+float32\s+40 B/);
});

test("a_magic_name_that_is_an_object_member_is_unknown_not_found_on_the_prototype", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assert.throws(
      () => parseCell(`%${name}`),
      (e: Error) => e instanceof UsageError && e.message.includes("%lsmagic"),
      name,
    );
    assert.throws(
      () => parseCell(`%%${name}\nx`),
      (e: Error) => e instanceof UsageError && e.message.includes("%%time"),
      name,
    );
  }
});
