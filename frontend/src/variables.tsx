// The variables panel: the variables of both languages (name, language, type, shape, dtype, size)
// from the kernel's `tspy.notebook` comm, grouped by language and sortable, refreshed after every
// execution; and the hook that keeps one such comm per kernel process. Knows React and the comm's
// rows, not the comm's messages (notebook-comm.ts) or the cells.
import { useEffect, useMemo, useState } from "react";
import type { Kernel } from "@jupyterlab/services";
import { NotebookComm, type VariableRow } from "./notebook-comm";

/** The languages in the order the panel groups them. */
export const LANGUAGES = ["TypeScript", "Python"] as const;

/** A column the panel can sort by. */
export type VariableColumn = "name" | "type" | "shape" | "dtype" | "size";

/** The panel's columns: key and header text (Language is the grouping, also shown per row). */
const COLUMNS: { key: VariableColumn | "language"; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "language", label: "Language" },
  { key: "type", label: "Type" },
  { key: "shape", label: "Shape" },
  { key: "dtype", label: "Dtype" },
  { key: "size", label: "Size" },
];

/**
 * A size in bytes as people read it, in binary units: `40 B`, `1.5 KiB`, `12.3 MiB`, `1.20 GiB`.
 * @param bytes a size in bytes, or null when unknown.
 * @returns the text, "" for null.
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** How the panel orders rows within a language: a column and a direction. */
export interface VariableSort {
  column: VariableColumn;
  descending: boolean;
}

/**
 * The rows of each language, in {@link LANGUAGES} order, each group sorted by `sort` (names
 * compare case-insensitively; unknown sizes sort last; ties keep name order).
 * @param rows rows of both languages as the kernel sent them.
 * @returns one entry per language that has rows.
 */
export function groupVariables(
  rows: VariableRow[],
  sort: VariableSort = { column: "name", descending: false },
): { language: VariableRow["language"]; rows: VariableRow[] }[] {
  const byName = (a: VariableRow, b: VariableRow) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }) || a.name.localeCompare(b.name);
  const compare = (a: VariableRow, b: VariableRow): number => {
    if (sort.column === "size") {
      if (a.size === null || b.size === null) return a.size === b.size ? 0 : a.size === null ? 1 : -1;
      return (a.size - b.size) * (sort.descending ? -1 : 1);
    }
    const c = sort.column === "name" ? byName(a, b) : a[sort.column].localeCompare(b[sort.column], undefined, { numeric: true });
    return sort.descending ? -c : c;
  };
  return LANGUAGES.map((language) => ({
    language,
    rows: rows.filter((r) => r.language === language).sort((a, b) => compare(a, b) || byName(a, b)),
  })).filter((g) => g.rows.length > 0);
}

/**
 * One `tspy.notebook` comm for the kernel's current process: opened when there is a kernel, made
 * again when `generation` changes (a restart disposes the old comm inside @jupyterlab/services),
 * disposed when the kernel goes or the component unmounts.
 * @param kernel the session's kernel connection, or null.
 * @param generation grows with each kernel process (kernel-session.ts KernelSessionState.generation).
 * @returns the comm, or null without a kernel.
 */
export function useNotebookComm(kernel: Kernel.IKernelConnection | null, generation: number): NotebookComm | null {
  const [comm, setComm] = useState<NotebookComm | null>(null);
  useEffect(() => {
    if (!kernel || kernel.isDisposed) {
      setComm(null);
      return;
    }
    let made: NotebookComm;
    try {
      made = new NotebookComm(kernel);
    } catch {
      // A dead kernel connection cannot open comms; the next generation tries again.
      setComm(null);
      return;
    }
    setComm(made);
    return () => made.dispose();
  }, [kernel, generation]);
  return comm;
}

/** What the panel knows of the kernel's variables. */
export interface VariablesState {
  /** The rows, or null before the first answer. */
  rows: VariableRow[] | null;
  /** Why the last request failed, or null. */
  error: string | null;
}

/**
 * The variables of `comm`'s kernel: asked for once the comm is there, then replaced by the
 * kernel's `variables` event after each execution.
 * @param comm the kernel's comm, or null (no rows).
 */
export function useVariables(comm: NotebookComm | null): VariablesState {
  const [state, setState] = useState<VariablesState>({ rows: null, error: null });
  useEffect(() => {
    setState({ rows: null, error: null });
    if (!comm) return;
    let live = true;
    const off = comm.onVariables((rows) => live && setState({ rows, error: null }));
    comm.variables().then(
      (rows) => live && setState((s) => (s.rows === null ? { rows, error: null } : s)),
      (e: unknown) => live && setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      live = false;
      off();
    };
  }, [comm]);
  return state;
}

/**
 * The variables panel at the right of the notebook: a table grouped by language whose column
 * headers sort (a second click reverses), collapsible to a narrow bar.
 * @param props.rows the variables, or null while unknown.
 * @param props.error a failure to show, or null.
 */
export function VariablesPanel(props: { rows: VariableRow[] | null; error?: string | null; defaultCollapsed?: boolean }) {
  const [collapsed, setCollapsed] = useState(props.defaultCollapsed ?? false);
  const [sort, setSort] = useState<VariableSort>({ column: "name", descending: false });
  const groups = useMemo(() => groupVariables(props.rows ?? [], sort), [props.rows, sort]);
  const toggle = (
    <button
      className="tspy-variables-toggle"
      aria-expanded={!collapsed}
      title={collapsed ? "Show variables" : "Hide variables"}
      onClick={() => setCollapsed(!collapsed)}
    >
      {collapsed ? "◀" : "▶"}
    </button>
  );
  if (collapsed) {
    return (
      <aside className="tspy-variables" data-collapsed="true" aria-label="Variables">
        {toggle}
        <span className="tspy-variables-vertical">Variables</span>
      </aside>
    );
  }
  return (
    <aside className="tspy-variables" data-collapsed="false" aria-label="Variables">
      <header className="tspy-variables-header">
        <h2>Variables</h2>
        {toggle}
      </header>
      {props.error && <div className="tspy-variables-error">{props.error}</div>}
      {props.rows === null ? (
        <p className="tspy-hint">Waiting for the kernel…</p>
      ) : groups.length === 0 ? (
        <p className="tspy-hint">No variables defined yet.</p>
      ) : (
        <table className="tspy-variables-table">
          <thead>
            <tr>
              {COLUMNS.map(({ key, label }) => {
                if (key === "language") return <th key={key}>{label}</th>;
                const active = sort.column === key;
                return (
                  <th key={key} aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}>
                    <button
                      className="tspy-variables-sort"
                      data-column={key}
                      onClick={() => setSort({ column: key, descending: active ? !sort.descending : false })}
                    >
                      {label}
                      {active ? (sort.descending ? " ▼" : " ▲") : ""}
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          {groups.map((g) => (
            <tbody key={g.language} data-language={g.language}>
              <tr className="tspy-variables-group">
                <th colSpan={COLUMNS.length}>
                  {g.language} ({g.rows.length})
                </th>
              </tr>
              {g.rows.map((r) => (
                <tr key={r.name} className="tspy-variable" data-name={r.name} data-language={r.language}>
                  <td className="tspy-var-name">{r.name}</td>
                  <td className="tspy-var-language">{r.language}</td>
                  <td className="tspy-var-type">{r.type}</td>
                  <td className="tspy-var-shape">{r.shape}</td>
                  <td className="tspy-var-dtype">{r.dtype}</td>
                  <td className="tspy-var-size" title={r.size === null ? "" : `${r.size} bytes`}>
                    {formatBytes(r.size)}
                  </td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      )}
    </aside>
  );
}
