// The variables panel: byte sizes as people read them, rows grouped by language and sorted, the
// table's cells, sorting and collapsing, and the refresh from the comm's request and events.
// @vitest-environment jsdom
import { afterEach, describe, expect, test } from "vitest";
import { act, cleanup, fireEvent, render } from "@testing-library/react";
import type { NotebookComm, VariableRow } from "./notebook-comm";
import { formatBytes, groupVariables, useVariables, VariablesPanel } from "./variables";

afterEach(cleanup);

const ROWS: VariableRow[] = [
  { name: "xs", language: "TypeScript", type: "Float32Array", shape: "10", dtype: "float32", size: 40 },
  { name: "a", language: "Python", type: "ndarray", shape: "(3, 4)", dtype: "float64", size: 96 },
  { name: "n", language: "TypeScript", type: "number", shape: "", dtype: "", size: null },
  { name: "big", language: "Python", type: "ndarray", shape: "(1797, 64)", dtype: "float64", size: 920_064 },
  { name: "Label", language: "TypeScript", type: "string", shape: "", dtype: "", size: 6 },
];

/** The table's rows as [name, language, type, shape, dtype, size] texts, group headers as [header]. */
function tableRows(container: HTMLElement): string[][] {
  return [...container.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent ?? ""));
}

describe("formatBytes", () => {
  test("bytes_below_a_kibibyte_are_whole_bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(40)).toBe("40 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  test("larger_sizes_use_binary_units", () => {
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(920_064)).toBe("898.5 KiB");
    expect(formatBytes(5 * 1024 ** 2)).toBe("5.0 MiB");
    expect(formatBytes(1.2 * 1024 ** 3)).toBe("1.20 GiB");
  });

  test("unknown_size_is_empty", () => {
    expect(formatBytes(null)).toBe("");
  });
});

describe("groupVariables", () => {
  test("typescript_group_comes_before_python_and_names_sort_case_insensitively", () => {
    const groups = groupVariables(ROWS);
    expect(groups.map((g) => g.language)).toEqual(["TypeScript", "Python"]);
    expect(groups[0].rows.map((r) => r.name)).toEqual(["Label", "n", "xs"]);
    expect(groups[1].rows.map((r) => r.name)).toEqual(["a", "big"]);
  });

  test("sorting_by_size_descending_puts_unknown_sizes_last", () => {
    const groups = groupVariables(ROWS, { column: "size", descending: true });
    expect(groups[0].rows.map((r) => r.name)).toEqual(["xs", "Label", "n"]);
    expect(groups[1].rows.map((r) => r.name)).toEqual(["big", "a"]);
  });

  test("a_language_without_rows_has_no_group", () => {
    expect(groupVariables(ROWS.filter((r) => r.language === "Python")).map((g) => g.language)).toEqual(["Python"]);
    expect(groupVariables([])).toEqual([]);
  });
});

describe("VariablesPanel", () => {
  test("rows_show_name_language_type_shape_dtype_and_readable_size_under_their_language", () => {
    const { container } = render(<VariablesPanel rows={ROWS} />);
    expect(tableRows(container)).toEqual([
      ["TypeScript (3)"],
      ["Label", "TypeScript", "string", "", "", "6 B"],
      ["n", "TypeScript", "number", "", "", ""],
      ["xs", "TypeScript", "Float32Array", "10", "float32", "40 B"],
      ["Python (2)"],
      ["a", "Python", "ndarray", "(3, 4)", "float64", "96 B"],
      ["big", "Python", "ndarray", "(1797, 64)", "float64", "898.5 KiB"],
    ]);
    expect(container.querySelector("tr[data-name='big'] .tspy-var-size")?.getAttribute("title")).toBe("920064 bytes");
  });

  test("clicking_a_header_sorts_by_it_and_clicking_again_reverses", () => {
    const { container } = render(<VariablesPanel rows={ROWS} />);
    const sizeHeader = container.querySelector<HTMLButtonElement>("button[data-column='size']")!;
    fireEvent.click(sizeHeader);
    expect([...container.querySelectorAll("tr.tspy-variable")].map((r) => r.getAttribute("data-name"))).toEqual(["Label", "xs", "n", "a", "big"]);
    expect(sizeHeader.closest("th")?.getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(sizeHeader);
    expect([...container.querySelectorAll("tr.tspy-variable")].map((r) => r.getAttribute("data-name"))).toEqual(["xs", "Label", "n", "big", "a"]);
    expect(sizeHeader.closest("th")?.getAttribute("aria-sort")).toBe("descending");
  });

  test("the_panel_collapses_to_a_bar_and_opens_again", () => {
    const { container } = render(<VariablesPanel rows={ROWS} />);
    fireEvent.click(container.querySelector(".tspy-variables-toggle")!);
    expect(container.querySelector(".tspy-variables")?.getAttribute("data-collapsed")).toBe("true");
    expect(container.querySelector("table")).toBeNull();
    fireEvent.click(container.querySelector(".tspy-variables-toggle")!);
    expect(container.querySelectorAll("tr.tspy-variable")).toHaveLength(5);
  });

  test("no_rows_and_unknown_rows_say_so", () => {
    expect(render(<VariablesPanel rows={[]} />).container.textContent).toContain("No variables defined yet.");
    cleanup();
    expect(render(<VariablesPanel rows={null} error="the kernel did not answer" />).container.textContent).toContain("the kernel did not answer");
  });
});

/** A stand-in for NotebookComm: `variables()` resolves when the test says, events are fired by the test. */
class FakeComm {
  listeners = new Set<(rows: VariableRow[]) => void>();
  answer: (rows: VariableRow[]) => void = () => undefined;
  fail: (e: Error) => void = () => undefined;
  variables(): Promise<VariableRow[]> {
    return new Promise((resolve, reject) => {
      this.answer = resolve;
      this.fail = reject;
    });
  }
  onVariables(listener: (rows: VariableRow[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(rows: VariableRow[]): void {
    for (const l of this.listeners) l(rows);
  }
}

function Harness({ comm }: { comm: FakeComm | null }) {
  const { rows, error } = useVariables(comm as unknown as NotebookComm | null);
  return <VariablesPanel rows={rows} error={error} />;
}

describe("useVariables", () => {
  test("the_panel_fills_from_the_request_on_open_then_from_each_variables_event", async () => {
    const comm = new FakeComm();
    const { container } = render(<Harness comm={comm} />);
    expect(container.textContent).toContain("Waiting for the kernel");
    await act(async () => comm.answer([ROWS[0]]));
    expect([...container.querySelectorAll("tr.tspy-variable")].map((r) => r.getAttribute("data-name"))).toEqual(["xs"]);
    act(() => comm.emit(ROWS.slice(0, 2)));
    expect([...container.querySelectorAll("tr.tspy-variable")].map((r) => r.getAttribute("data-name"))).toEqual(["xs", "a"]);
  });

  test("a_failed_request_is_shown_and_a_new_comm_starts_empty", async () => {
    const comm = new FakeComm();
    const { container, rerender } = render(<Harness comm={comm} />);
    await act(async () => comm.fail(new Error("the kernel did not answer variables in 30000 ms")));
    expect(container.querySelector(".tspy-variables-error")?.textContent).toContain("did not answer");
    act(() => comm.emit(ROWS));
    expect(container.querySelector(".tspy-variables-error")).toBeNull();
    rerender(<Harness comm={new FakeComm()} />);
    expect(container.querySelectorAll("tr.tspy-variable")).toHaveLength(0);
    expect(comm.listeners.size).toBe(0);
  });
});
