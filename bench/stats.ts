// Small statistics shared by the benchmark runners (bridge, tf, language service). Knows nothing of
// what is measured.

/**
 * The median of `xs` (the mean of the two middle values for an even count).
 * @param xs samples, any unit; not modified.
 * @throws RangeError when `xs` is empty (a median of nothing would read as 0 or NaN in a table).
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no samples");
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
