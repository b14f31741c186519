// Which completion candidates match the word at the cursor, and in what order: the one
// rule for TypeScript names and for Python members completed in TS cells. Knows only strings.

/**
 * How well `name` matches the `word` at the cursor, as tslab ranks TypeScript's completions
 * (yunabe/tslab src/converter.ts, completionWithId): 0 an exact-case prefix, 1 a prefix in another
 * case (`XY` → `xyz`), 2 the word anywhere in the name, case-insensitively (`XY` → `axy`); null
 * when it does not match. The empty word matches everything at 0.
 */
export function matchRank(word: string, name: string): number | null {
  if (name.startsWith(word)) return 0;
  const w = word.toLowerCase();
  const n = name.toLowerCase();
  if (n.startsWith(w)) return 1;
  return n.includes(w) ? 2 : null;
}

/**
 * The candidates that match `word` (see {@link matchRank}), best rank first and otherwise in
 * their given order (TypeScript's own, or alphabetical).
 * @param name reads a candidate's name.
 */
export function rankCompletions<T>(word: string, candidates: readonly T[], name: (c: T) => string): T[] {
  const ranked: { c: T; rank: number; i: number }[] = [];
  candidates.forEach((c, i) => {
    const rank = matchRank(word, name(c));
    if (rank !== null) ranked.push({ c, rank, i });
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.i - b.i).map((r) => r.c);
}

/**
 * The identifier around a cursor, text after the cursor included (`v.a|b` → `ab`): `start` and
 * `end` are what a chosen completion replaces (as tslab answers and JupyterLab applies), `text`
 * the word candidates are matched against. Offsets in UTF-16 code units of `source`.
 */
export function wordAround(source: string, offset: number): { start: number; end: number; text: string } {
  const start = offset - /[\w$]*$/.exec(source.slice(0, offset))![0].length;
  const end = offset + /^[\w$]*/.exec(source.slice(offset))![0].length;
  return { start, end, text: source.slice(start, end) };
}
