// The error boundary shows a render error with its message instead of a blank page, and "Try
// again" renders the children anew.
import { afterEach, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { ErrorBoundary } from "./error-boundary";

afterEach(cleanup);

test("render_error_shows_its_message_and_try_again_renders_the_children_anew", () => {
  const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
  let fail = true;
  function Child() {
    if (fail) throw new TypeError("cells is undefined");
    return <p>notebook</p>;
  }
  render(
    <ErrorBoundary>
      <Child />
    </ErrorBoundary>,
  );
  expect(screen.getByRole("alert").textContent).toContain("TypeError: cells is undefined");
  fail = false;
  fireEvent.click(screen.getByText("Try again"));
  expect(screen.getByText("notebook")).toBeTruthy();
  expect(screen.queryByRole("alert")).toBeNull();
  consoleError.mockRestore();
});
