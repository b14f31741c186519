// The one builder of Jupyter error content (kernel/protocol/error-content.ts): what a thrown
// value, a kernel's own error and Python's exception record become, and the failed reply around it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorContent, errorReply, namedError, pythonErrorContent } from "../../kernel/protocol/error-content";

test("a_thrown_error_keeps_its_name_message_and_stack_lines", () => {
  const error = new RangeError("index 7 is out of range");
  const content = errorContent(error);
  assert.equal(content.ename, "RangeError");
  assert.equal(content.evalue, "index 7 is out of range");
  assert.deepEqual(content.traceback, error.stack!.split("\n"));
});

test("a_kernel_fault_is_renamed_and_its_evalue_keeps_the_original_name", () => {
  const content = errorContent(new TypeError("x is not a function"), "ExecutorError");
  assert.equal(content.ename, "ExecutorError");
  assert.equal(content.evalue, "TypeError: x is not a function");
});

test("a_thrown_non_error_is_an_Error_with_the_value_as_text", () => {
  assert.deepEqual(errorContent("plain string"), { ename: "Error", evalue: "plain string", traceback: ["Error: plain string"] });
});

test("a_named_error_defaults_to_the_one_line_python_prints", () => {
  assert.deepEqual(namedError("PipError", "pip exited with status 1"), {
    ename: "PipError",
    evalue: "pip exited with status 1",
    traceback: ["PipError: pip exited with status 1"],
  });
  assert.deepEqual(errorReply(namedError("ValueError", "bad", [])), { status: "error", ename: "ValueError", evalue: "bad", traceback: [] });
});

test("a_python_exception_record_is_checked_and_extra_keys_dropped", () => {
  const record = { status: "error", ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["line 1", "line 2"] };
  assert.deepEqual(pythonErrorContent(record), { ename: "ZeroDivisionError", evalue: "division by zero", traceback: ["line 1", "line 2"] });
  assert.throws(() => pythonErrorContent({ ename: "X", evalue: "y" }), /not a Python error record/);
  assert.throws(() => pythonErrorContent({ ename: "X", evalue: 3, traceback: [] }), TypeError);
  assert.throws(() => pythonErrorContent(null), TypeError);
});
