// Which `value` props a cell editor must apply: React renders the notebook a little after each
// keystroke, so a render can carry a source the editor itself reported a few keystrokes ago.
// Applying that stale echo would undo the newer keystrokes (and close Monaco's suggest list).
// Knows nothing of Monaco or React.

/**
 * Remembers the values an editor reported (onChange) since its text was last set from outside, so
 * that a `value` prop equal to one of them is recognised as an echo of the editor's own edits.
 * A value never reported (a kind switch adding `%%python`, a reload) is an outside change.
 */
export class EditorEchoes {
  private readonly reported = new Set<string>();

  /**
   * @param limit how many reported values to remember (the oldest are forgotten first); a render
   *   is never more than a few keystrokes behind.
   */
  constructor(private readonly limit = 64) {}

  /** Records a value the editor reported through onChange. */
  reportedByEditor(value: string): void {
    this.reported.delete(value);
    this.reported.add(value);
    if (this.reported.size > this.limit) this.reported.delete(this.reported.values().next().value as string);
  }

  /**
   * Whether the editor must replace its text with `value`.
   * @param value the `value` prop of this render.
   * @param current the editor's text now.
   * @returns false when the text is already `value` or `value` is an echo of the editor's own
   *   edits; true for an outside change (and then the remembered values are forgotten: from now
   *   on the outside value is the base).
   */
  shouldApply(value: string, current: string): boolean {
    if (value === current || this.reported.has(value)) return false;
    this.reported.clear();
    return true;
  }
}
