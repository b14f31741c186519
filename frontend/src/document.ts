// The notebook as a file on the server: creating, loading, saving (with the on-disk conflict check)
// and renaming through the Contents API of @jupyterlab/services. Knows nothing of React or kernels.
import type { Contents } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import { newCellId, TSPY_KERNELSPEC, TSPY_LANGUAGE_INFO, type NotebookState } from "./model";
import { readNotebook } from "./nbformat-io";

/**
 * How often (ms) the app saves a dirty notebook. JupyterLab's default is 120 s; tspy saves every
 * 30 s, because a notebook that trains a model for minutes should not lose its outputs to a closed
 * tab, and a save is one small PUT. Autosave never overwrites a file changed on disk.
 */
export const AUTOSAVE_INTERVAL_MS = 30_000;

/**
 * The autosave interval for the page at `href`: its `autosave` query parameter (ms, a whole number
 * of at least 100, for tests that cannot wait 30 s), else {@link AUTOSAVE_INTERVAL_MS}.
 * @param href the page's URL (location.href); an unparsable URL or an invalid value gives the default.
 * @returns the interval in ms.
 */
export function autosaveIntervalMs(href: string): number {
  let given: string | null;
  try {
    given = new URL(href).searchParams.get("autosave");
  } catch {
    return AUTOSAVE_INTERVAL_MS;
  }
  if (given === null || !/^\d+$/.test(given.trim())) return AUTOSAVE_INTERVAL_MS;
  const ms = Number(given.trim());
  return Number.isSafeInteger(ms) && ms >= 100 ? ms : AUTOSAVE_INTERVAL_MS;
}

/** What the document functions need of a ContentsManager (so tests can hand in a fake). */
export type ContentsApi = Pick<Contents.IManager, "get" | "save" | "rename" | "newUntitled">;

/** A notebook read from the server and the `last_modified` time (ISO 8601) its file had then. */
export interface LoadedNotebook {
  notebook: NotebookState;
  lastModified: string;
}

/**
 * The result of {@link saveNotebook}: `saved` with the file's new `last_modified`, or `conflict`
 * when the file changed on disk since `known` (nothing was written).
 */
export type SaveResult = { status: "saved"; lastModified: string } | { status: "conflict"; diskModified: string };

/**
 * A new notebook's content: nbformat 4.5, tspy's kernelspec and language_info, one empty
 * TypeScript code cell (as Jupyter starts one).
 */
export function newNotebookContent(): nbformat.INotebookContent {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: TSPY_KERNELSPEC, language_info: TSPY_LANGUAGE_INFO },
    cells: [{ id: newCellId(), cell_type: "code", metadata: {}, source: [], execution_count: null, outputs: [] }],
  };
}

/**
 * Creates `Untitled.ipynb` (or `Untitled1.ipynb`, ...: the server picks the name) in `dir` and
 * writes a proper nbformat 4.5 tspy notebook into it.
 * @param contents the Contents API.
 * @param dir the folder, relative to the server's root ("" for the root).
 * @returns the new notebook's path.
 * @throws the Contents API's ResponseError when the server refuses.
 */
export async function createNotebook(contents: ContentsApi, dir = ""): Promise<string> {
  const made = await contents.newUntitled({ path: dir, type: "notebook" });
  await contents.save(made.path, { type: "notebook", format: "json", content: newNotebookContent() });
  return made.path;
}

/**
 * Reads a notebook and remembers when its file was last modified.
 * @param contents the Contents API.
 * @param path the notebook's path.
 * @throws the Contents API's ResponseError (404 when there is no such file).
 */
export async function loadNotebook(contents: ContentsApi, path: string): Promise<LoadedNotebook> {
  const model = await contents.get(path, { type: "notebook", content: true });
  return { notebook: readNotebook(model.path, model.content as nbformat.INotebookContent), lastModified: model.last_modified };
}

/**
 * Saves a notebook unless its file changed on disk since `known`. The check asks the server for the
 * file's model without content first; a `last_modified` other than `known` is a conflict, and then
 * nothing is written (JupyterLab's rule, without its 0.5 s tolerance: both times come from the same
 * server's stat of the file). A file that is gone is written again.
 * @param contents the Contents API.
 * @param path the notebook's path.
 * @param content the nbformat JSON to write (see writeNotebook).
 * @param known the `last_modified` from the load or the last save; null to skip the check.
 * @param overwrite true to write even when the file changed on disk (the user chose "Overwrite").
 * @throws the Contents API's ResponseError when the check or the save fails for another reason.
 */
export async function saveNotebook(
  contents: ContentsApi,
  path: string,
  content: nbformat.INotebookContent,
  known: string | null,
  overwrite = false,
): Promise<SaveResult> {
  if (known !== null && !overwrite) {
    let disk: string | null = null;
    try {
      disk = (await contents.get(path, { content: false })).last_modified;
    } catch (e) {
      if ((e as { response?: { status?: number } }).response?.status !== 404) throw e;
    }
    if (disk !== null && disk !== known) return { status: "conflict", diskModified: disk };
  }
  const saved = await contents.save(path, { type: "notebook", format: "json", content });
  return { status: "saved", lastModified: saved.last_modified };
}

/**
 * The path a notebook gets when renamed to `name` in its own folder (".ipynb" added when missing).
 * @param path the current path.
 * @param name the new file name (no folder).
 * @throws Error when the name is empty or holds a "/".
 */
export function renamedPath(path: string, name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.includes("/")) throw new Error(`not a file name: ${JSON.stringify(name)}`);
  const file = trimmed.endsWith(".ipynb") ? trimmed : `${trimmed}.ipynb`;
  const slash = path.lastIndexOf("/");
  return slash < 0 ? file : `${path.slice(0, slash + 1)}${file}`;
}

/**
 * Renames a notebook in its folder.
 * @param contents the Contents API.
 * @param path the current path.
 * @param name the new file name (see {@link renamedPath}).
 * @returns the new path and its `last_modified`.
 * @throws Error for a bad name; the Contents API's ResponseError when the target exists (409) or the server refuses.
 */
export async function renameNotebook(contents: ContentsApi, path: string, name: string): Promise<{ path: string; lastModified: string }> {
  const model = await contents.rename(path, renamedPath(path, name));
  return { path: model.path, lastModified: model.last_modified };
}

/** The page URL's query parameter that names the open notebook (a path relative to the server's root). */
export const NOTEBOOK_PARAM = "path";

/**
 * The notebook the page URL names (its `path` query parameter), so that a reload reopens it.
 * @param href the page's URL (location.href).
 * @returns the path, or null when the URL names none or cannot be parsed.
 */
export function notebookFromUrl(href: string): string | null {
  try {
    return new URL(href).searchParams.get(NOTEBOOK_PARAM) || null;
  } catch {
    return null;
  }
}

/**
 * The page URL naming `path` as the open notebook (other parameters, the token among them, kept).
 * @param href the page's URL (location.href).
 * @param path the notebook's path.
 * @throws TypeError when `href` is not a URL.
 */
export function urlWithNotebook(href: string, path: string): string {
  const url = new URL(href);
  url.searchParams.set(NOTEBOOK_PARAM, path);
  return url.toString();
}

/** What the app keeps in the browser of a notebook's unsaved edits (see {@link writeBackup}). */
export interface NotebookBackup {
  /** The notebook as it was edited, nbformat 4.5 JSON. */
  content: nbformat.INotebookContent;
  /** When the backup was written, ms since the epoch. */
  savedAt: number;
}

/** The storage the backups live in (window.localStorage in the app; a Map-backed fake in tests). */
export type BackupStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * The storage key of a notebook's backup: one per server (the page's origin and base path are the
 * storage's own scope) and notebook path.
 * @param path the notebook's path.
 */
export function backupKey(path: string): string {
  return `tspy.backup:${path}`;
}

/**
 * Keeps a notebook's unsaved edits in the browser, as JupyterLab's document manager and VS Code's
 * hot exit do, so that a reload, a closed tab or a server restart loses nothing. A notebook too big
 * for the storage (its quota, about 5 MB for localStorage) is kept without its outputs.
 * @param storage where to keep it.
 * @param path the notebook's path.
 * @param content the notebook to keep (see writeNotebook).
 * @returns false when even the notebook without outputs did not fit.
 */
export function writeBackup(storage: BackupStorage, path: string, content: nbformat.INotebookContent): boolean {
  const withoutOutputs = (): nbformat.INotebookContent => ({
    ...content,
    cells: content.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null } : c)),
  });
  for (const candidate of [content, withoutOutputs()]) {
    try {
      storage.setItem(backupKey(path), JSON.stringify({ content: candidate, savedAt: Date.now() } satisfies NotebookBackup));
      return true;
    } catch {
      // over the quota: try without outputs, then give up
    }
  }
  return false;
}

/**
 * The backup of a notebook's unsaved edits, if one was kept and is readable.
 * @param storage where backups live.
 * @param path the notebook's path.
 * @returns null when there is none (an unreadable one is removed).
 */
export function readBackup(storage: BackupStorage, path: string): NotebookBackup | null {
  const text = storage.getItem(backupKey(path));
  if (text === null) return null;
  try {
    const backup = JSON.parse(text) as NotebookBackup;
    if (backup && typeof backup.savedAt === "number" && Array.isArray(backup.content?.cells)) return backup;
  } catch {
    // not JSON: dropped below
  }
  storage.removeItem(backupKey(path));
  return null;
}

/**
 * Removes a notebook's backup (after a save, or when the user discards it).
 * @param storage where backups live.
 * @param path the notebook's path.
 */
export function clearBackup(storage: BackupStorage, path: string): void {
  storage.removeItem(backupKey(path));
}

/**
 * Whether a backup holds something the file does not: any cell source or cell type differs (outputs
 * alone do not count, as they come back by running the cells).
 * @param backup the kept notebook.
 * @param disk the notebook as read from the server.
 */
export function backupDiffers(backup: nbformat.INotebookContent, disk: nbformat.INotebookContent): boolean {
  const cells = (nb: nbformat.INotebookContent) => nb.cells.map((c) => [c.cell_type, Array.isArray(c.source) ? c.source.join("") : c.source]);
  return JSON.stringify(cells(backup)) !== JSON.stringify(cells(disk));
}
