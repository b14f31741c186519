"""A notebook of many cells through jupyter_client: the type check of a late cell still knows the
names, types and Python module declarations of cells run a hundred cells earlier (older cells are
frozen into declarations by the kernel's language service, kernel/executor/notebook-cells.ts)."""
from conftest import execute

EARLY_CELLS = 100


def test_a_late_cell_is_checked_against_names_and_python_modules_of_early_cells(kc):
    assert execute(kc, 'const json = tspy.import("json");\n/** Rows of the grid. */\nlet rows = 2;\nconst v0 = 0;').reply["content"]["status"] == "ok"
    for i in range(1, EARLY_CELLS + 1):
        run = execute(kc, f"const v{i} = v{i - 1} + 1;\nv{i}")
        assert run.reply["content"]["status"] == "ok", run.error
        assert run.result == str(i)

    # Warn (the default): the type error is printed before the cell runs, and the cell runs.
    run = execute(kc, f"const late: string = v{EARLY_CELLS};\nlate")
    assert "error TS2322: Type 'number' is not assignable to type 'string'." in run.stderr
    assert run.result == str(EARLY_CELLS)

    # json's generated declarations (not the plain PyProxy) still type the proxy imported in the first cell.
    run = execute(kc, "%typecheck strict\nconst j: number = json;")
    assert run.reply["content"]["status"] == "error"
    assert run.error["ename"] == "TypeScriptError"
    assert "Type 'PyModule$json' is not assignable to type 'number'." in "\n".join(run.error["traceback"])
    run = execute(kc, "rows = 3;\njson.dumps([rows], tspy.kwargs({ sort_keys: true }))")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "'[3]'"

    # A name declared again takes its newest type, also against a frozen cell.
    run = execute(kc, 'let rows = "three";\nconst n: number = rows;')
    assert run.reply["content"]["status"] == "error"
    assert "TS2322" in "\n".join(run.error["traceback"])
    execute(kc, "%typecheck warn")
