// The notebook input history for history_request (messaging spec: tail, range, search), kept in a
// JSON Lines file so it survives kernel restarts. Knows history semantics; nothing of sockets.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { errorReply, namedError } from "./error-content";

/** One history entry: [session, line, input], as history_reply's `history` lists them. */
export type HistoryEntry = [number, number, string];

/** A history entry with its output (history_request with `output: true`): [session, line, [input, output or null]]. */
export type HistoryEntryWithOutput = [number, number, [string, string | null]];

/** How an output is kept in the history file: a line `{"output": [session, line, text]}` after its input's line. */
interface OutputRecord {
  output: [number, number, string];
}

/**
 * The default history file: `$TSPY_HISTORY_FILE`, else `<Jupyter data dir>/tspy/history.jsonl`
 * (`$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else ~/.local/share/jupyter, as jupyter_core).
 */
export function defaultHistoryFile(): string {
  if (process.env.TSPY_HISTORY_FILE) return process.env.TSPY_HISTORY_FILE;
  // An empty variable counts as unset, as in jupyter_core (a relative "" would put the file in the cwd).
  const data = process.env.JUPYTER_DATA_DIR || path.join(process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter");
  return path.join(data, "tspy", "history.jsonl");
}

/** Turns a glob (`*`, `?`) into a RegExp over the whole input, as IPython's history search does. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${escaped}$`);
}

/**
 * The history of every kernel session that wrote to one file. Each kernel process is a new
 * session, numbered after the last one in the file. Write failures are reported once on stderr
 * and never stop execution.
 */
export class History {
  private entries: HistoryEntry[] = [];
  /** The text/plain of execute_results, by `${session}:${line}`. */
  private readonly outputs = new Map<string, string>();
  /** This kernel process's session number (1-based). */
  readonly session: number;
  private warned = false;

  constructor(private readonly file: string = defaultHistoryFile()) {
    try {
      for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as HistoryEntry | OutputRecord;
          if (Array.isArray(e) && e.length === 3) this.entries.push(e);
          else if (!Array.isArray(e) && Array.isArray(e?.output) && e.output.length === 3)
            this.outputs.set(`${e.output[0]}:${e.output[1]}`, String(e.output[2]));
        } catch {
          // a torn last line (a kernel killed mid-write) is skipped
        }
      }
    } catch {
      // no history yet
    }
    this.session = this.entries.reduce((max, e) => Math.max(max, e[0]), 0) + 1;
  }

  /** Records a cell run with store_history (line = its execution count). */
  add(line: number, input: string): void {
    const entry: HistoryEntry = [this.session, line, input];
    this.entries.push(entry);
    this.append(entry);
  }

  /** Records the output of the cell run as `line` of this session: its execute_result's text/plain. */
  addOutput(line: number, text: string): void {
    this.outputs.set(`${this.session}:${line}`, text);
    const record: OutputRecord = { output: [this.session, line, text] };
    this.append(record);
  }

  private append(record: HistoryEntry | OutputRecord): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, JSON.stringify(record) + "\n");
    } catch (e) {
      if (!this.warned) process.stderr.write(`tspy: cannot write the history file ${this.file}: ${(e as Error).message}\n`);
      this.warned = true;
    }
  }

  /**
   * history_request's reply content: entries [session, line, input], or with `output: true`
   * [session, line, [input, output]] (output: the execute_result's text/plain, null when the cell had none), as IPython's history.
   * @param content the request: hist_access_type "tail" (n), "range" (session: 0 this one, <0 relative; start, stop), "search" (pattern, n, unique); output.
   */
  query(content: Record<string, unknown>): Record<string, unknown> {
    const type = content.hist_access_type;
    const n = typeof content.n === "number" ? content.n : undefined;
    let result: HistoryEntry[];
    if (type === "range") {
      const raw = Number(content.session ?? 0);
      const session = raw <= 0 ? this.session + raw : raw;
      const start = Number(content.start ?? 0);
      const stop = content.stop === undefined || content.stop === null ? Infinity : Number(content.stop);
      result = this.entries.filter((e) => e[0] === session && e[1] >= start && e[1] < stop);
    } else if (type === "search") {
      const re = globToRegExp(String(content.pattern ?? "*"));
      result = this.entries.filter((e) => re.test(e[2]));
      if (content.unique) {
        const seen = new Set<string>();
        result = result
          .reverse()
          .filter((e) => !seen.has(e[2]) && seen.add(e[2]))
          .reverse();
      }
      if (n !== undefined) result = result.slice(-n);
    } else if (type === "tail") {
      result = n === undefined ? this.entries.slice() : this.entries.slice(-n);
    } else {
      return { ...errorReply(namedError("ValueError", `unknown hist_access_type ${String(type)}`, [])), history: [] };
    }
    if (!content.output) return { status: "ok", history: result };
    const withOutput: HistoryEntryWithOutput[] = result.map(([s, l, input]) => [s, l, [input, this.outputs.get(`${s}:${l}`) ?? null]]);
    return { status: "ok", history: withOutput };
  }
}
