// Magics at the top of a cell (IPython's syntax): cell magics %%python, %%ts, %%time and line
// magics %who, %env, %pip. Parses a cell into a plan and runs the line magics; knows nothing of sockets.
import { spawn } from "node:child_process";
import * as util from "node:util";
import { DTYPES } from "../display/display";
import type { TypecheckProfile } from "./language-service";
import { cellLanguage } from "../contracts/cell-language";
import type { VariableRow } from "../contracts/notebook-comm";

/** Cell magics this kernel knows (IPython's `%%name` syntax, first lines of a cell). */
export const CELL_MAGICS = ["python", "ts", "time"] as const;
/** Line magics this kernel knows (`%name args`, lines at the top of a cell). */
export const LINE_MAGICS = ["who", "env", "pip", "typecheck"] as const;

/**
 * How TypeScript type errors are treated: not checked, reported before the cell runs with the
 * notebook profile (default), or reported instead of running it with the strict profile.
 */
export type TypecheckMode = "off" | "warn" | "strict";

/** The compiler-options profile a %typecheck mode checks with (see language-service.ts's TYPECHECK_PROFILES). */
export function typecheckProfile(mode: TypecheckMode): TypecheckProfile {
  return mode === "strict" ? "strict" : "notebook";
}

/**
 * %typecheck [off|warn|strict]: sets the mode (no argument: reports it).
 * @returns the new mode. @throws UsageError for another argument.
 */
export function typecheckMagic(args: string, current: TypecheckMode): TypecheckMode {
  if (args === "") return current;
  if (args === "off" || args === "warn" || args === "strict") return args;
  throw new UsageError(`%typecheck takes off, warn or strict; got \`${args}\``);
}

/** A line magic to run before the cell's code: its name, its argument text and its 1-based line. */
export interface LineMagic {
  name: (typeof LINE_MAGICS)[number];
  args: string;
  line: number;
}

/** What a cell asks for once its magics are read. */
export interface CellPlan {
  language: "typescript" | "python";
  /** The code to run: magic lines are replaced by empty lines, so line numbers stay the cell's. */
  code: string;
  /** %%time: report the wall time of the code. */
  time: boolean;
  lineMagics: LineMagic[];
}

/** Raised for an unknown magic; ename "UsageError" as IPython names it. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Reads the magics at the top of a cell.
 * @returns the plan (an empty `code` when the cell held only magics).
 * @throws UsageError for an unknown cell or line magic, naming the known ones.
 */
export function parseCell(source: string): CellPlan {
  const lines = source.split("\n");
  const plan: CellPlan = { language: cellLanguage(source), code: source, time: false, lineMagics: [] };
  // Leading blank lines are skipped before the magics, as IPython's leading_empty_lines does.
  let i = 0;
  while (i < lines.length - 1 && /^\s*$/.test(lines[i])) i++;
  for (; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    const cell = /^\s*%%(\w+)\s*$/.exec(line);
    if (cell) {
      const name = cell[1];
      if (name === "time") {
        plan.time = true;
        continue;
      }
      if (name === "python" || name === "ts") {
        i++; // the language itself is cellLanguage's rule (kernel/contracts), read above
        break;
      }
      throw new UsageError(`Cell magic \`%%${name}\` not found. Known cell magics: ${CELL_MAGICS.map((m) => `%%${m}`).join(", ")}.`);
    }
    const lineMagic = /^\s*%(\w+)(?:\s+(.*))?$/.exec(line);
    if (lineMagic && !line.trimStart().startsWith("%%")) {
      const name = lineMagic[1] as LineMagic["name"];
      if (!LINE_MAGICS.includes(name)) {
        throw new UsageError(`Line magic function \`%${lineMagic[1]}\` not found. Known line magics: ${LINE_MAGICS.map((m) => `%${m}`).join(", ")}.`);
      }
      plan.lineMagics.push({ name, args: (lineMagic[2] ?? "").trim(), line: i + 1 });
      continue;
    }
    if (line.trimStart().startsWith("%")) throw new UsageError(`Cannot read the magic \`${line}\`.`);
    break;
  }
  plan.code = [...lines.slice(0, i).map(() => ""), ...lines.slice(i)].join("\n");
  return plan;
}

/**
 * One row of %who: a variable of either language (the variables panel's row; %who writes a
 * Python shape as `3x4`, the comm as `(3, 4)`). Size in bytes, or null when unknown.
 */
export type VariableInfo = VariableRow;

/**
 * Describes a TypeScript value for %who: TypedArrays with shape/dtype/size, Python proxies
 * through `describePython` (type, shape, dtype, nbytes), others by constructor name.
 */
export function describeTsValue(
  name: string,
  value: unknown,
  describePython: ((v: unknown) => [string, string, string, number | null]) | null,
  isPython: (v: unknown) => boolean,
): VariableInfo {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const kind = value.constructor.name;
    return {
      name,
      language: "TypeScript",
      type: kind,
      shape: String((value as unknown as { length: number }).length),
      dtype: DTYPES[kind] ?? "",
      size: value.byteLength,
    };
  }
  if (describePython && isPython(value)) {
    const [type, shape, dtype, size] = describePython(value);
    return { name, language: "TypeScript", type: `PyProxy<${type}>`, shape, dtype, size };
  }
  const type = value === null ? "null" : typeof value === "object" ? (value.constructor?.name ?? "Object") : typeof value;
  const shape = Array.isArray(value) ? String(value.length) : "";
  return { name, language: "TypeScript", type, shape, dtype: "", size: typeof value === "string" ? Buffer.byteLength(value) : null };
}

/** Formats %who's rows as a plain-text table. */
export function formatVariables(rows: VariableInfo[]): string {
  if (rows.length === 0) return "No variables defined yet.\n";
  const header = ["Variable", "Language", "Type", "Shape", "Dtype", "Size"];
  const table = rows.map((r) => [r.name, r.language, r.type, r.shape, r.dtype, r.size === null ? "" : formatBytes(r.size)]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
  const fmt = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...table.map(fmt)].join("\n") + "\n";
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * %env: no argument lists the environment; `NAME` prints one variable; `NAME=value` or
 * `NAME value` sets it for this process (TypeScript and Python alike: `setPython` updates os.environ).
 * @returns the text to print.
 */
export function envMagic(args: string, setPython: (name: string, value: string) => void): string {
  if (args === "") {
    return (
      Object.keys(process.env)
        .sort()
        .map((k) => `${k}=${process.env[k]}`)
        .join("\n") + "\n"
    );
  }
  const set = /^([A-Za-z_]\w*)\s*(?:=\s*|\s+)(.*)$/.exec(args);
  if (set) {
    const [, name, value] = set;
    process.env[name] = value;
    setPython(name, value);
    return `env: ${name}=${value}\n`;
  }
  if (/^[A-Za-z_]\w*$/.test(args)) {
    return process.env[args] === undefined ? `env: ${args} is not set\n` : `${process.env[args]}\n`;
  }
  throw new UsageError(`%env takes nothing, NAME, or NAME=value; got \`${args}\``);
}

/**
 * %pip: runs `python -m pip <args>` of the embedded interpreter (its own environment, pip's own
 * configuration), streaming pip's output live.
 * @param python the embedded interpreter's executable (sys.executable).
 * @param stream receives pip's stdout/stderr as it comes.
 * @returns pip's exit status.
 */
export function pipMagic(args: string, python: string, stream: (name: "stdout" | "stderr", text: string) => void): Promise<number> {
  const argv = ["-m", "pip", ...splitArgs(args)];
  if (argv[2] === "install" && !argv.includes("--retries")) argv.push("--retries", "0");
  return new Promise((resolve) => {
    const child = spawn(python, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PIP_PROGRESS_BAR: "off" } });
    child.stdout.on("data", (b: Buffer) => stream("stdout", b.toString()));
    child.stderr.on("data", (b: Buffer) => stream("stderr", b.toString()));
    child.on("error", (e) => {
      stream("stderr", `cannot run ${python}: ${util.inspect(e)}\n`);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** Splits a command line on spaces, honouring single and double quotes. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
