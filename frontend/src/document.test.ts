// The notebook as a file: creating, loading, saving with the on-disk conflict check, and renaming,
// against an in-memory Contents API that keeps `last_modified` the way Jupyter Server does.
import { describe, expect, test } from "vitest";
import type { Contents } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import {
  AUTOSAVE_INTERVAL_MS,
  autosaveIntervalMs,
  backupDiffers,
  clearBackup,
  notebookFromUrl,
  readBackup,
  urlWithNotebook,
  writeBackup,
  createNotebook,
  loadNotebook,
  newNotebookContent,
  renamedPath,
  renameNotebook,
  saveNotebook,
  type ContentsApi,
} from "./document";
import { TSPY_KERNELSPEC } from "./model";
import { writeNotebook } from "./nbformat-io";

/** An in-memory Contents API: files by path, each write stamps a new `last_modified`. */
class FakeContents implements ContentsApi {
  files = new Map<string, { content: unknown; lastModified: string }>();
  saves = 0;
  private clock = Date.UTC(2025, 0, 1);

  /** Stamps the file as written now (a later time for every write). */
  write(path: string, content: unknown): string {
    this.clock += 1000;
    const lastModified = new Date(this.clock).toISOString();
    this.files.set(path, { content, lastModified });
    return lastModified;
  }

  private model(path: string, withContent: boolean): Contents.IModel {
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`404 ${path}`), { response: { status: 404 } });
    return {
      name: path.split("/").pop()!,
      path,
      type: "notebook",
      writable: true,
      created: f.lastModified,
      last_modified: f.lastModified,
      mimetype: "application/x-ipynb+json",
      content: withContent ? f.content : null,
      format: withContent ? "json" : null,
    };
  }

  async get(path: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    return this.model(path, options?.content !== false);
  }

  async save(path: string, options?: Partial<Contents.IModel>): Promise<Contents.IModel> {
    this.saves += 1;
    this.write(path, options?.content);
    return this.model(path, false);
  }

  async rename(path: string, newPath: string): Promise<Contents.IModel> {
    const f = this.files.get(path);
    if (!f) throw Object.assign(new Error(`404 ${path}`), { response: { status: 404 } });
    if (this.files.has(newPath)) throw Object.assign(new Error(`409 ${newPath}`), { response: { status: 409 } });
    this.files.delete(path);
    this.files.set(newPath, f);
    return this.model(newPath, false);
  }

  async newUntitled(options?: Contents.ICreateOptions): Promise<Contents.IModel> {
    let n = 0;
    const name = () => `${options?.path ? `${options.path}/` : ""}Untitled${n || ""}.ipynb`;
    while (this.files.has(name())) n += 1;
    const path = name();
    this.write(path, { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 });
    return this.model(path, false);
  }
}

describe("document", () => {
  test("autosave_interval_comes_from_the_url_and_falls_back_to_the_default", () => {
    const page = "http://127.0.0.1:8888/static/tspy/index.html?token=t";
    expect(autosaveIntervalMs(page)).toBe(AUTOSAVE_INTERVAL_MS);
    expect(autosaveIntervalMs(`${page}&autosave=1500`)).toBe(1500);
    for (const bad of ["", "abc", "-5", "1.5", "50", "1e3", "99999999999999999999"]) {
      expect(autosaveIntervalMs(`${page}&autosave=${bad}`), bad).toBe(AUTOSAVE_INTERVAL_MS);
    }
    expect(autosaveIntervalMs("not a url")).toBe(AUTOSAVE_INTERVAL_MS);
  });

  test("new_notebook_content_is_nbformat_4_5_with_tspy_kernelspec_and_one_code_cell", () => {
    const nb = newNotebookContent();
    expect(nb).toMatchObject({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: TSPY_KERNELSPEC } });
    expect(nb.cells).toHaveLength(1);
    expect(nb.cells[0]).toMatchObject({ cell_type: "code", outputs: [], execution_count: null });
    expect(nb.cells[0].id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
  });

  test("create_notebook_picks_an_untitled_name_and_writes_a_tspy_notebook", async () => {
    const contents = new FakeContents();
    expect(await createNotebook(contents)).toBe("Untitled.ipynb");
    expect(await createNotebook(contents, "sub")).toBe("sub/Untitled.ipynb");
    expect(await createNotebook(contents)).toBe("Untitled1.ipynb");
    const { notebook } = await loadNotebook(contents, "Untitled1.ipynb");
    expect(notebook.metadata?.kernelspec).toEqual(TSPY_KERNELSPEC);
    expect(notebook.cells.map((c) => c.cellType)).toEqual(["code"]);
  });

  test("save_writes_when_the_file_is_unchanged_on_disk_and_returns_its_new_time", async () => {
    const contents = new FakeContents();
    const path = await createNotebook(contents);
    const loaded = await loadNotebook(contents, path);
    const result = await saveNotebook(contents, path, writeNotebook(loaded.notebook), loaded.lastModified);
    expect(result.status).toBe("saved");
    expect(result.status === "saved" && result.lastModified).toBe(contents.files.get(path)!.lastModified);
    expect(result.status === "saved" && result.lastModified).not.toBe(loaded.lastModified);
  });

  test("save_reports_a_conflict_and_writes_nothing_when_the_file_changed_on_disk", async () => {
    const contents = new FakeContents();
    const path = await createNotebook(contents);
    const loaded = await loadNotebook(contents, path);
    const theirs = { ...newNotebookContent(), cells: [] };
    const diskTime = contents.write(path, theirs);
    const saves = contents.saves;
    const result = await saveNotebook(contents, path, writeNotebook(loaded.notebook), loaded.lastModified);
    expect(result).toEqual({ status: "conflict", diskModified: diskTime });
    expect(contents.saves).toBe(saves);
    expect(contents.files.get(path)!.content).toBe(theirs);
  });

  test("save_with_overwrite_writes_over_a_conflict", async () => {
    const contents = new FakeContents();
    const path = await createNotebook(contents);
    const loaded = await loadNotebook(contents, path);
    contents.write(path, { ...newNotebookContent(), cells: [] });
    const mine = writeNotebook(loaded.notebook);
    const result = await saveNotebook(contents, path, mine, loaded.lastModified, true);
    expect(result.status).toBe("saved");
    expect(contents.files.get(path)!.content).toBe(mine);
  });

  test("save_writes_a_file_that_was_deleted_on_disk_again", async () => {
    const contents = new FakeContents();
    const path = await createNotebook(contents);
    const loaded = await loadNotebook(contents, path);
    contents.files.delete(path);
    const result = await saveNotebook(contents, path, writeNotebook(loaded.notebook), loaded.lastModified);
    expect(result.status).toBe("saved");
    expect((contents.files.get(path)!.content as nbformat.INotebookContent).nbformat_minor).toBe(5);
  });

  test("save_passes_on_errors_other_than_not_found", async () => {
    const contents = new FakeContents();
    contents.get = async () => {
      throw Object.assign(new Error("403"), { response: { status: 403 } });
    };
    await expect(saveNotebook(contents, "x.ipynb", newNotebookContent(), "t")).rejects.toThrow("403");
  });

  test("renamed_path_stays_in_the_folder_and_adds_ipynb", () => {
    expect(renamedPath("a/b/Untitled.ipynb", "mine")).toBe("a/b/mine.ipynb");
    expect(renamedPath("Untitled.ipynb", " mine.ipynb ")).toBe("mine.ipynb");
    expect(() => renamedPath("x.ipynb", "a/b")).toThrow(/not a file name/);
    expect(() => renamedPath("x.ipynb", "  ")).toThrow(/not a file name/);
  });

  test("rename_moves_the_file_and_refuses_an_existing_name", async () => {
    const contents = new FakeContents();
    const first = await createNotebook(contents);
    const second = await createNotebook(contents);
    const renamed = await renameNotebook(contents, first, "analysis");
    expect(renamed.path).toBe("analysis.ipynb");
    expect(contents.files.has(first)).toBe(false);
    expect(renamed.lastModified).toBe(contents.files.get("analysis.ipynb")!.lastModified);
    await expect(renameNotebook(contents, second, "analysis")).rejects.toThrow("409");
  });
});

describe("issue 15: the URL names the notebook, unsaved edits are kept in the browser", () => {
  /** A Storage with a quota in characters, as localStorage has one. */
  const storage = (quota = Infinity) => {
    const items = new Map<string, string>();
    return {
      items,
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (v.length > quota) throw new DOMException("quota", "QuotaExceededError");
        items.set(k, v);
      },
      removeItem: (k: string) => void items.delete(k),
    };
  };
  const nb = (source: string, output = ""): nbformat.INotebookContent => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ id: "a", cell_type: "code", source, metadata: {}, execution_count: 1, outputs: [{ output_type: "stream", name: "stdout", text: output }] }],
  });

  test("the_url_names_the_open_notebook_and_keeps_the_token", () => {
    const href = urlWithNotebook("http://h/static/tspy/index.html?token=abc", "dir/a b.ipynb");
    expect(new URL(href).searchParams.get("token")).toBe("abc");
    expect(notebookFromUrl(href)).toBe("dir/a b.ipynb");
    expect(notebookFromUrl("http://h/index.html?token=abc")).toBeNull();
    expect(notebookFromUrl("not a url")).toBeNull();
  });

  test("a_backup_is_kept_per_path_read_back_and_cleared", () => {
    const s = storage();
    expect(writeBackup(s, "a.ipynb", nb("x = 1"))).toBe(true);
    expect(readBackup(s, "a.ipynb")!.content.cells[0].source).toBe("x = 1");
    expect(readBackup(s, "b.ipynb")).toBeNull();
    clearBackup(s, "a.ipynb");
    expect(readBackup(s, "a.ipynb")).toBeNull();
    s.items.set("tspy.backup:c.ipynb", "{not json");
    expect(readBackup(s, "c.ipynb")).toBeNull();
    expect(s.items.has("tspy.backup:c.ipynb")).toBe(false);
  });

  test("a_backup_over_the_quota_is_kept_without_outputs", () => {
    const s = storage(1000);
    expect(writeBackup(s, "a.ipynb", nb("x = 1", "y".repeat(5000)))).toBe(true);
    const kept = readBackup(s, "a.ipynb")!.content.cells[0] as nbformat.ICodeCell;
    expect(kept.source).toBe("x = 1");
    expect(kept.outputs).toEqual([]);
    expect(writeBackup(s, "b.ipynb", nb("z".repeat(5000)))).toBe(false);
  });

  test("only_a_change_of_sources_makes_a_backup_worth_offering", () => {
    expect(backupDiffers(nb("x = 1", "out"), nb("x = 1"))).toBe(false);
    expect(backupDiffers(nb("x = 2"), nb("x = 1"))).toBe(true);
  });
});
