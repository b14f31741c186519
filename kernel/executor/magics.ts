// Magics at the top of a cell (IPython's syntax): the tables of cell magics (%%python, %%ts,
// %%time) and line magics (%who, %env, %pip, %typecheck, %lsmagic) with their help, the parser of
// a cell into a plan, and the line magics' handlers, which act through a MagicHost the executor
// gives them. Knows nothing of sockets or of the bridge.
import { spawn } from "node:child_process";
import * as util from "node:util";
import { DTYPES } from "../display/display";
import type { TypecheckProfile } from "./language-service";
import { cellLanguage } from "../contracts/cell-language";
import { namedError, type ErrorContent } from "../protocol/error-content";
import type { VariableRow } from "../contracts/notebook-comm";

/**
 * A cell magic (`%%name`, on the first lines of a cell): its one-line help, and what it does to
 * the cell's plan. `startsBody` magics name the cell's language (cellLanguage's rule reads which):
 * the cell's code starts after their line.
 */
export interface CellMagic {
  doc: string;
  startsBody: boolean;
  apply?(plan: CellPlan): void;
}

/** Cell magics this kernel knows, by name. A Map: a wire string such as `constructor` finds nothing. */
export const CELL_MAGICS: ReadonlyMap<string, CellMagic> = new Map<string, CellMagic>([
  ["python", { doc: "Run the cell as Python (IPython) in the embedded interpreter's __main__.", startsBody: true }],
  ["ts", { doc: "Run the cell as TypeScript (the default).", startsBody: true }],
  ["time", { doc: "Print the wall time the cell took (IPython's %%time).", startsBody: false, apply: (plan) => void (plan.time = true) }],
]);

/** What line magics act on: the executor's services, given to each handler. */
export interface MagicHost {
  /** Writes to the cell's stdout or stderr. */
  write(name: "stdout" | "stderr", text: string): void;
  /** The variables of both languages (%who's rows). */
  variables(): VariableInfo[];
  /** The current %typecheck mode. */
  readonly typecheckMode: TypecheckMode;
  /** Sets the %typecheck mode (and the language service's compiler-options profile). */
  setTypecheckMode(mode: TypecheckMode): void;
  /** Sets an environment variable for Python too (os.environ); a no-op without Python. */
  setPythonEnv(name: string, value: string): void;
  /** The Python executable %pip runs ("python3" without the embedded Python). */
  pythonExecutable(): string;
  /** Called after %pip ran: imports must see what it installed. */
  packagesChanged(): void;
}

/**
 * A line magic (`%name args`, on the lines at the top of a cell): its usage, its one-line help,
 * and its handler, which runs before the cell's code.
 * @returns the handler's error content (the cell stops with it), or null.
 */
export interface LineMagicHandler {
  usage: string;
  doc: string;
  run(args: string, host: MagicHost): Promise<ErrorContent | null> | ErrorContent | null;
}

/** Line magics this kernel knows, by name (a Map, as CELL_MAGICS). %lsmagic lists this table. */
export const LINE_MAGICS: ReadonlyMap<string, LineMagicHandler> = new Map<string, LineMagicHandler>([
  [
    "who",
    {
      usage: "%who",
      doc: "List the variables of both languages with type, shape, dtype and size.",
      run: (_args, host) => (host.write("stdout", formatVariables(host.variables())), null),
    },
  ],
  [
    "env",
    {
      usage: "%env [NAME[=value]]",
      doc: "List, read or set environment variables (for TypeScript and Python alike).",
      run: (args, host) => (
        host.write(
          "stdout",
          envMagic(args, (name, value) => host.setPythonEnv(name, value)),
        ),
        null
      ),
    },
  ],
  [
    "pip",
    {
      usage: "%pip args",
      doc: "Run the embedded Python's pip (e.g. %pip install pandas), streaming its output.",
      run: async (args, host) => {
        const status = await pipMagic(args, host.pythonExecutable(), (name, text) => host.write(name, text));
        host.packagesChanged();
        return status === 0 ? null : namedError("PipError", `pip exited with status ${status}`, [`%pip ${args}`, `pip exited with status ${status}`]);
      },
    },
  ],
  [
    "typecheck",
    {
      usage: "%typecheck [off|warn|strict]",
      doc: "How type errors of TypeScript cells are treated; no argument reports the mode.",
      run: (args, host) => {
        host.setTypecheckMode(typecheckMagic(args, host.typecheckMode));
        host.write("stdout", `typecheck: ${host.typecheckMode}\n`);
        return null;
      },
    },
  ],
  ["lsmagic", { usage: "%lsmagic", doc: "List the line and cell magics with their help.", run: (_args, host) => (host.write("stdout", listMagics()), null) }],
]);

/** %lsmagic's text: every line magic and cell magic of the tables above, with its help. */
export function listMagics(): string {
  const rows = [
    ["Line magics:", ""],
    ...[...LINE_MAGICS.values()].map((m) => [m.usage, m.doc]),
    ["", ""],
    ["Cell magics:", ""],
    ...[...CELL_MAGICS].map(([name, m]) => [`%%${name}`, m.doc]),
  ];
  const width = Math.max(...rows.map(([usage, doc]) => (doc ? usage.length : 0)));
  return rows.map(([usage, doc]) => (doc ? `  ${usage.padEnd(width)}  ${doc}` : usage)).join("\n") + "\n";
}

/**
 * How TypeScript type errors are treated: not checked, reported before the cell runs with the
 * notebook profile (default), or reported instead of running it with the strict profile.
 */
export type TypecheckMode = "off" | "warn" | "strict";

/** The compiler-options profile a %typecheck mode checks with (see typecheck-options.ts's TYPECHECK_PROFILES). */
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

/** A line magic to run before the cell's code: its name (a key of LINE_MAGICS), its argument text and its 1-based line. */
export interface LineMagic {
  name: string;
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
      const magic = CELL_MAGICS.get(cell[1]);
      if (!magic) throw new UsageError(`Cell magic \`%%${cell[1]}\` not found. Known cell magics: ${[...CELL_MAGICS.keys()].map((m) => `%%${m}`).join(", ")}.`);
      magic.apply?.(plan);
      if (!magic.startsBody) continue;
      i++; // the language itself is cellLanguage's rule (kernel/contracts), read above
      break;
    }
    const lineMagic = /^\s*%(\w+)(?:\s+(.*))?$/.exec(line);
    if (lineMagic && !line.trimStart().startsWith("%%")) {
      const name = lineMagic[1];
      if (!LINE_MAGICS.has(name)) {
        throw new UsageError(`Line magic function \`%${name}\` not found. Known line magics: ${[...LINE_MAGICS.keys()].map((m) => `%${m}`).join(", ")}.`);
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
