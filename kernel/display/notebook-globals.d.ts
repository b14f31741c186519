// Ambient declarations of the display API that every TypeScript cell finds in its global scope
// (installed by the executor from kernel/display/display.ts), for the notebook's language service.

/**
 * Shows a value's MIME bundle now (display_data): `display(value, { display_id })`, and
 * `display.html/markdown/svg/png/jpeg/json/latex/vegalite/bundle(...)` for ready data.
 * Objects may render themselves with `[Symbol.for("Jupyter.display")]()`; Python objects use
 * IPython's display protocol; TypedArrays show as tensors. `display.livePlot = false` stops the
 * live training chart of `model.fit`.
 */
declare const display: import("./display").DisplayFunction;
/** Replaces the outputs bound to `display_id` with `value`'s MIME bundle (update_display_data). */
declare function updateDisplay(display_id: string, value: unknown, options?: { metadata?: Record<string, unknown> }): void;
/** Clears the cell's output; with `wait: true` only when the next output arrives (clear_output). */
declare function clearOutput(options?: { wait?: boolean }): void;
