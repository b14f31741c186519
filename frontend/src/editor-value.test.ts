// A cell editor applies outside changes of its source but never a stale echo of its own edits.
import { expect, test } from "vitest";
import { EditorEchoes } from "./editor-value";

test("stale_render_of_an_earlier_keystroke_is_not_applied", () => {
  const echoes = new EditorEchoes();
  for (const v of ["n", "np", "np."]) echoes.reportedByEditor(v);
  // A render made after "np" arrives once the editor already holds "np.".
  expect(echoes.shouldApply("np", "np.")).toBe(false);
  expect(echoes.shouldApply("np.", "np.")).toBe(false);
});

test("outside_change_is_applied_and_then_a_return_to_an_old_value_is_applied_too", () => {
  const echoes = new EditorEchoes();
  echoes.reportedByEditor("x");
  // Switching the cell to Python adds the magic line: an outside change.
  expect(echoes.shouldApply("%%python\nx", "x")).toBe(true);
  // Switching back gives "x" again, which the editor once reported: still an outside change now.
  expect(echoes.shouldApply("x", "%%python\nx")).toBe(true);
});

test("only_the_last_reported_values_are_remembered", () => {
  const echoes = new EditorEchoes(2);
  for (const v of ["a", "ab", "abc"]) echoes.reportedByEditor(v);
  expect(echoes.shouldApply("ab", "abc")).toBe(false);
  expect(echoes.shouldApply("a", "abc")).toBe(true);
});
