// The open notebook's file on the server: the server's notebook list, opening (the page URL names
// the open notebook), saving (Ctrl+S, autosave, conflicts with the file on disk), reloading,
// creating and renaming, and the unsaved edits kept in this browser (a backup offered back on open,
// a prompt before the page goes away). Talks to the server through document.ts.
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";
import type { ContentsManager, Session } from "@jupyterlab/services";
import { isDirty, type NotebookState } from "./model";
import { readNotebook, writeNotebook } from "./nbformat-io";
import type { NotebookStateHandle } from "./use-notebook-state";
import {
  autosaveIntervalMs,
  backupDiffers,
  clearBackup,
  createNotebook,
  loadNotebook,
  notebookFromUrl,
  readBackup,
  renamedPath,
  renameNotebook,
  saveNotebook,
  urlWithNotebook,
  writeBackup,
  type NotebookBackup,
} from "./document";

/** What {@link useNotebookFile} needs of the app. */
export interface NotebookFileOptions extends NotebookStateHandle {
  contents: ContentsManager;
  /** The kernel session, whose path follows a rename (null while none). */
  session: Session.ISessionConnection | null;
  /** Shows (or clears) the app's error line. */
  setError: Dispatch<SetStateAction<string | null>>;
  /** Gives the keys to the notebook (command mode). */
  focusNotebook: () => void;
  /**
   * Called once a notebook was loaded and shown (starts its kernel); a rejection is shown as
   * "cannot open". A stable function, else the URL's notebook could open twice.
   */
  onOpened: (notebook: NotebookState) => Promise<void>;
}

/** The open notebook's file: see the module comment; every function reports its failures through `setError`. */
export interface NotebookFile {
  /** The server root's notebooks, sorted. */
  files: string[];
  /** The disk's last_modified when the file changed on disk since opened or saved (the conflict banner), else null. */
  conflict: string | null;
  /** Unsaved edits of the open notebook found in this browser on opening it, offered back; else null. */
  offeredBackup: NotebookBackup | null;
  /** The title is being edited. */
  renaming: boolean;
  setRenaming: (renaming: boolean) => void;
  open: (path: string) => Promise<void>;
  save: (overwrite?: boolean, auto?: boolean) => Promise<void>;
  reload: () => Promise<void>;
  /** Restores (true) or discards (false) the offered backup. */
  takeBackup: (restore: boolean) => void;
  create: () => Promise<void>;
  rename: (name: string) => Promise<void>;
}

/** The open notebook's file on the server and its backup in this browser; see {@link NotebookFile}. */
export function useNotebookFile(options: NotebookFileOptions): NotebookFile {
  const { contents, session, notebook, notebookRef, dispatch, setError, focusNotebook, onOpened } = options;
  const [files, setFiles] = useState<string[]>([]);
  // A backup of unsaved edits found on opening a notebook, offered back to the user.
  const [offeredBackup, setOfferedBackup] = useState<NotebookBackup | null>(null);
  // The file's last_modified as of the load or the last save (another time on disk is a conflict),
  // the conflict's banner, and the title being renamed.
  const lastModified = useRef<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const saving = useRef(false);
  const [renaming, setRenaming] = useState(false);

  const refreshFiles = useCallback(
    () =>
      contents
        .get("", { content: true })
        .then((dir) =>
          setFiles(
            (dir.content as { type: string; path: string }[])
              .filter((f) => f.type === "notebook")
              .map((f) => f.path)
              .sort(),
          ),
        )
        .catch((e: unknown) => setError(`cannot list notebooks: ${String(e)}`)),
    [contents, setError],
  );
  useEffect(() => {
    void refreshFiles();
  }, [refreshFiles]);

  /**
   * Saves the open notebook unless its file changed on disk (then the conflict banner shows);
   * `overwrite` writes anyway; `auto` (the autosave) saves only a dirty notebook with no conflict.
   */
  const save = useCallback(
    async (overwrite = false, auto = false) => {
      const nb = notebookRef.current;
      if (!nb || saving.current || (auto && !isDirty(nb))) return;
      saving.current = true;
      const version = nb.version ?? 0;
      try {
        const result = await saveNotebook(contents, nb.path, writeNotebook(nb), lastModified.current, overwrite);
        if (result.status === "conflict") {
          setConflict(result.diskModified);
        } else {
          lastModified.current = result.lastModified;
          setConflict(null);
          setError((shown) => (shown?.startsWith("cannot save") ? null : shown));
          dispatch({ type: "saved", version });
          if (notebookRef.current?.version === version) clearBackup(localStorage, nb.path);
        }
      } catch (e) {
        setError(`cannot save ${nb.path}: ${String(e)}`);
      } finally {
        saving.current = false;
      }
    },
    [contents, notebookRef, dispatch, setError],
  );

  // Autosave every AUTOSAVE_INTERVAL_MS (or the page URL's `autosave` ms) while a notebook is open and not in conflict with its file.
  const openPath = notebook?.path ?? null;
  useEffect(() => {
    if (!openPath || conflict) return;
    const timer = setInterval(() => void save(false, true), autosaveIntervalMs(location.href));
    return () => clearInterval(timer);
  }, [openPath, conflict, save]);

  // Ctrl+S / Cmd+S saves, in the editors too (capture: before Monaco sees the key).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void save();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [save]);

  /** Reads the open notebook again from disk, dropping the changes made here (the conflict's "Reload"). */
  const reload = useCallback(async () => {
    const nb = notebookRef.current;
    if (!nb) return;
    try {
      const loaded = await loadNotebook(contents, nb.path);
      lastModified.current = loaded.lastModified;
      setConflict(null);
      dispatch({ type: "load", notebook: loaded.notebook });
      focusNotebook();
    } catch (e) {
      setError(`cannot reload ${nb.path}: ${String(e)}`);
    }
  }, [contents, notebookRef, dispatch, setError, focusNotebook]);

  const open = useCallback(
    async (path: string) => {
      setError(null);
      try {
        // Switching notebooks saves the one open (unless its file changed on disk).
        const current = notebookRef.current;
        if (current && current.path !== path && isDirty(current)) await save();
        const loaded = await loadNotebook(contents, path);
        lastModified.current = loaded.lastModified;
        setConflict(null);
        setRenaming(false);
        dispatch({ type: "load", notebook: loaded.notebook });
        history.replaceState(history.state, "", urlWithNotebook(location.href, path));
        // Unsaved edits kept in this browser (a reload, a closed tab, a server restart) are offered back.
        const backup = readBackup(localStorage, path);
        if (backup && !backupDiffers(backup.content, writeNotebook(loaded.notebook))) clearBackup(localStorage, path);
        setOfferedBackup(backup && backupDiffers(backup.content, writeNotebook(loaded.notebook)) ? backup : null);
        // Command mode's keys work at once, without a click into the notebook first.
        focusNotebook();
        await onOpened(loaded.notebook);
      } catch (e) {
        setError(`cannot open ${path}: ${String(e)}`);
      }
    },
    [contents, notebookRef, dispatch, save, setError, focusNotebook, onOpened],
  );

  // The notebook the page URL names opens with the page (a reload reopens it).
  const opened = useRef(false);
  useEffect(() => {
    const named = notebookFromUrl(location.href);
    if (opened.current || !named) return;
    opened.current = true;
    void open(named);
  }, [open]);

  // Unsaved edits are kept in the browser (localStorage, per notebook path) a moment after each
  // change, and at once when the page goes away; leaving the page while dirty asks first.
  useEffect(() => {
    if (!notebook || !isDirty(notebook) || offeredBackup) return;
    const timer = setTimeout(() => writeBackup(localStorage, notebook.path, writeNotebook(notebook)), 300);
    return () => clearTimeout(timer);
  }, [notebook, offeredBackup]);
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      const nb = notebookRef.current;
      if (!nb || !isDirty(nb) || offeredBackup) return;
      writeBackup(localStorage, nb.path, writeNotebook(nb));
      e.preventDefault();
      // Older browsers need returnValue set to show the prompt.
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, [notebookRef, offeredBackup]);

  /** Puts the offered backup's cells in place of the file's (the notebook is then unsaved), or drops it. */
  const takeBackup = useCallback(
    (restore: boolean) => {
      const nb = notebookRef.current;
      if (!nb || !offeredBackup) return;
      if (restore) {
        const restored = readNotebook(nb.path, offeredBackup.content);
        dispatch({ type: "load", notebook: { ...restored, version: 1, savedVersion: 0 } });
      } else clearBackup(localStorage, nb.path);
      setOfferedBackup(null);
      focusNotebook();
    },
    [notebookRef, offeredBackup, dispatch, focusNotebook],
  );

  /** Creates an untitled tspy notebook in the server's root and opens it. */
  const create = useCallback(async () => {
    try {
      const path = await createNotebook(contents);
      await refreshFiles();
      await open(path);
    } catch (e) {
      setError(`cannot create a notebook: ${String(e)}`);
    }
  }, [contents, refreshFiles, open, setError]);

  /** Renames the open notebook in its folder; the kernel session's path follows. */
  const rename = useCallback(
    async (name: string) => {
      setRenaming(false);
      const nb = notebookRef.current;
      if (!nb || !name.trim()) return;
      try {
        if (renamedPath(nb.path, name) === nb.path) return;
        const renamed = await renameNotebook(contents, nb.path, name);
        dispatch({ type: "rename", path: renamed.path });
        history.replaceState(history.state, "", urlWithNotebook(location.href, renamed.path));
        await session?.setPath(renamed.path);
        await session?.setName(renamed.path);
        await refreshFiles();
      } catch (e) {
        setError(`cannot rename ${nb.path}: ${String(e)}`);
      }
    },
    [contents, session, notebookRef, dispatch, refreshFiles, setError],
  );

  return { files, conflict, offeredBackup, renaming, setRenaming, open, save, reload, takeBackup, create, rename };
}
