// The executed cells of a notebook as files of the language service's program: the newest cells
// each in a slot file of their own, older ones frozen into chunk files of declarations, and the
// renaming that lets a later declaration of a name replace an earlier one. Knows file names,
// versions and texts; the program and checker are language-service.ts's.
import * as path from "node:path";
import { globalScript, isModuleText, namespaceAliases, renameIdentifiers, topLevelNames, unrenamed } from "./cell-scripts";

/**
 * Executed cells are the files `__tspy_cell_<n>.ts`, listed in the program in blocks of this many
 * (a file not yet run is empty): running a cell then changes one file's text but not the
 * program's root files, so TypeScript reuses the program's structure (resolved modules and type
 * references, parsed and bound lib files) and only parses the new cell; the root files change
 * once per block, when the oldest block of live cells is also frozen (see {@link NotebookCells}).
 */
export const CELL_SLOTS = 32;

/**
 * Declarations that may change type later: a plain `PyProxy` is what `tspy.import("m")` gives
 * until m's generated declarations arrive (kernel/executor/tspy_stubs.py, on a background
 * thread), so a cell declared with it keeps its source and is typed again when they do.
 */
const UNSETTLED = /\bPyProxy\b/;

/** An executed cell. */
interface ExecutedCell {
  /** The cell as run, imports made ambient (globalScript); once frozen, its declarations. */
  text: string;
  /** Its top-level value names. */
  declares: Set<string>;
  /** Those of {@link declares} that a later executed cell declares again. */
  superseded: Set<string>;
  /** The text the program sees: `text` with declarations that later cells declare again renamed away. */
  shown: string;
  /** The renamed names of `shown`, joined by spaces; null when `shown` must be made again. */
  hiddenKey: string | null;
  /** Whether `text` is a global script (not a module: those keep a file of their own). */
  script: boolean;
  /** The file it is in. */
  file: CellFile;
}

/** A file of executed cells: a slot (one live cell) or a chunk (frozen cells). */
interface CellFile {
  name: string;
  cells: ExecutedCell[];
  /** Version of the text, from 1 (an empty slot is version 0). */
  version: number;
  /** The text, null until asked for after a change. */
  text: string | null;
}

/**
 * The executed cells of a notebook. A checker builds the type of a name from its declaration, so
 * with every cell a source file, a cell's check follows the chain of the names it uses back
 * through every earlier cell (`const v7 = v6 + 1`), and a fresh program's checker does so again
 * for every cell: the cost grows with the notebook (and a long chain overflows the stack). So
 * cells are frozen in blocks of {@link CELL_SLOTS}: when a block of slots fills up, the oldest
 * live block's script cells are replaced by the declarations TypeScript emits for them
 * (`declare const v6: number;`) and moved into one chunk file that later cells rarely change; a
 * cell whose declarations cannot be emitted cleanly, or may change type later
 * ({@link UNSETTLED}), keeps its source there. A chain then stops at most two blocks back, and
 * the program has one file per block. Module cells (the global aliases of namespace imports)
 * keep their own file.
 */
export class NotebookCells {
  private readonly cells: ExecutedCell[] = [];
  /** Cell files by name: slots of live cells, chunks and module cells' files. */
  private readonly files = new Map<string, CellFile>();
  /** Cells `[0, frozen)` are frozen (a multiple of {@link CELL_SLOTS}). */
  private frozen = 0;
  /** Whether a freeze or a new block of slots changed the program's files since {@link settle} last ran. */
  private filesChanged = false;
  /** The root file names, null when they must be listed again. */
  private roots: string[] | null = null;
  /** {@link roots} as a set, with the empty slots among them. */
  private listed = new Set<string>();
  /** The cells that declare each top-level name, oldest first. */
  private readonly declaredBy = new Map<string, ExecutedCell[]>();
  /** Cells whose `shown` hides a name of the cell being edited, or must be made again. */
  private touched = new Set<ExecutedCell>();

  /** @param cwd the notebook's folder, where the cell files are (virtually). */
  constructor(private readonly cwd: string) {}

  /**
   * Adds a TS cell that ran: its text made a global script (imports become ambient
   * `declare const`), and, for `import * as tf from "m"`, a module aliasing the namespace
   * globally, so later cells also see tf's type names (`tf.Tensor`), which a `declare const`
   * cannot give (after the cell, so it wins).
   * @param source the cell's TypeScript (parsed without error).
   * @param declarationsOf the declarations TypeScript emits for a cell file of the current
   *   program, or null when they cannot be emitted cleanly; called when a block is frozen.
   */
  add(source: string, declarationsOf: (file: string) => string | null): void {
    const text = globalScript(source);
    this.push(text, topLevelNames(text), declarationsOf);
    const aliases = namespaceAliases(source);
    if (aliases) this.push(aliases.text, aliases.names, declarationsOf);
  }

  /** The cell files the program lists, in the order the cells ran, then empty slots up to a multiple of {@link CELL_SLOTS}. */
  rootNames(): readonly string[] {
    if (this.roots) return this.roots;
    const names = new Set<string>();
    for (const cell of this.cells) names.add(cell.file.name);
    const wanted = Math.ceil((this.cells.length + 1) / CELL_SLOTS) * CELL_SLOTS;
    for (let n = this.cells.length + 1; n <= wanted; n++) names.add(this.slotName(n));
    this.listed = names;
    this.roots = [...names];
    return this.roots;
  }

  /** Whether `file` is a cell file the program lists (a virtual file, nothing on disk). */
  has(file: string): boolean {
    return this.listed.has(file) || this.files.has(file);
  }

  /** The version of a cell file's text ("0" for an empty slot). */
  version(file: string): string {
    return String(this.files.get(file)?.version ?? 0);
  }

  /** A cell file's text ("" for an empty slot). */
  text(file: string): string {
    const f = this.files.get(file);
    if (!f) return "";
    // `;` on a line of its own: a cell ending in an expression cannot run into the next one.
    f.text ??= f.cells.map((c) => c.shown).join("\n;\n");
    return f.text;
  }

  /**
   * A later declaration of a top-level name replaces the earlier one, as at run time: an
   * executed cell's declarations of names that a later cell or the cell being edited declares
   * again are renamed (with their uses in that cell), so the checker types the name by its
   * newest declaration (`let x = 1`, then `let x = true`: x is boolean, no TS2322).
   * @param current the text of the cell being edited.
   */
  hideRedeclared(current: string): void {
    const names = topLevelNames(current);
    const touched = new Set<ExecutedCell>();
    for (const n of names) for (const cell of this.declaredBy.get(n) ?? []) touched.add(cell);
    // Only cells that declare a name of this or the previous current cell, or changed, can change.
    for (const cell of new Set([...this.touched, ...touched])) {
      const hidden = [...cell.declares].filter((n) => cell.superseded.has(n) || names.has(n));
      const key = hidden.join(" ");
      if (key === cell.hiddenKey) continue;
      cell.hiddenKey = key;
      cell.shown = hidden.length > 0 ? renameIdentifiers(cell.text, new Set(hidden)) : cell.text;
      cell.file.version++;
      cell.file.text = null;
    }
    this.touched = touched;
  }

  private slotName(n: number): string {
    return path.join(this.cwd, `__tspy_cell_${n}.ts`);
  }

  /**
   * Does now, while the kernel is idle, the freeze the next {@link add} would otherwise do before its
   * cell's reply (once per {@link CELL_SLOTS} cells: TypeScript emits 32 cells' declarations).
   * @param declarationsOf as for {@link add}.
   * @returns whether the program's files changed since the last call (a block frozen, or a new
   *   block of slots listed): the next check then builds a new program, which the caller may do now.
   */
  settle(declarationsOf: (file: string) => string | null): boolean {
    if (this.freezeDue(this.cells.length + 1)) this.freeze(declarationsOf);
    const changed = this.filesChanged;
    this.filesChanged = false;
    return changed;
  }

  /** Whether the oldest live block must be frozen before cell `n` (1-based) takes its slot: a new block of slots is about to be listed. */
  private freezeDue(n: number): boolean {
    return n % CELL_SLOTS === 0 && n - 1 - this.frozen >= CELL_SLOTS;
  }

  /** Appends a cell in the next slot; first freezes the oldest live block when a new block of slots is about to be listed (unless {@link settle} did). */
  private push(text: string, declares: Set<string>, declarationsOf: (file: string) => string | null): void {
    const n = this.cells.length + 1;
    if (this.freezeDue(n)) this.freeze(declarationsOf);
    const file: CellFile = { name: this.slotName(n), cells: [], version: 1, text: null };
    const cell: ExecutedCell = { text, declares, superseded: new Set(), shown: text, hiddenKey: "", script: !isModuleText(text), file };
    for (const n of declares) {
      let earlier = this.declaredBy.get(n);
      if (!earlier) this.declaredBy.set(n, (earlier = []));
      for (const c of earlier) {
        c.superseded.add(n);
        this.touched.add(c);
      }
      earlier.push(cell);
    }
    file.cells.push(cell);
    this.files.set(file.name, file);
    this.cells.push(cell);
    if (n % CELL_SLOTS === 0) {
      this.roots = null;
      this.filesChanged = true;
    }
  }

  /** Moves the oldest live block's script cells, as their declarations, into a chunk file. */
  private freeze(declarationsOf: (file: string) => string | null): void {
    const block = this.cells.slice(this.frozen, this.frozen + CELL_SLOTS).filter((c) => c.script);
    // All emitted from the same program before any file changes.
    const declared = block.map((c) => declarationsOf(c.file.name));
    const chunk: CellFile = { name: path.join(this.cwd, `__tspy_cells_${this.frozen / CELL_SLOTS + 1}.ts`), cells: block, version: 1, text: null };
    block.forEach((cell, i) => {
      const d = declared[i];
      if (d !== null && !UNSETTLED.test(d)) {
        cell.text = unrenamed(d);
        cell.shown = cell.text;
        // Renamed again from the declarations by the next hideRedeclared.
        cell.hiddenKey = null;
        this.touched.add(cell);
      }
      this.files.delete(cell.file.name);
      cell.file = chunk;
    });
    this.files.set(chunk.name, chunk);
    this.frozen += CELL_SLOTS;
    this.roots = null;
    this.filesChanged = true;
  }
}
