"""The `tspy.notebook` comm (frontend/src/notebook-comm.ts is its contract) on the real kernel through
jupyter_client: variables of both languages, a TypeScript cell's type errors, the variables event
after each execution, error replies; replies go out on iopub with the comm_msg as parent."""
import uuid

import pytest

from conftest import collect, drain, execute

TARGET = "tspy.notebook"


@pytest.fixture
def comm_id(kc):
    """Opens a tspy.notebook comm as the app does; closes it after the test."""
    cid = uuid.uuid4().hex
    msg = kc.session.msg("comm_open", {"comm_id": cid, "target_name": TARGET, "data": {}})
    kc.shell_channel.send(msg)
    opened = collect(kc, msg["header"]["msg_id"])
    assert not [m for m in opened if m["msg_type"] == "comm_close"], "the kernel refused the tspy.notebook comm"
    yield cid
    close = kc.session.msg("comm_close", {"comm_id": cid, "data": {}})
    kc.shell_channel.send(close)
    collect(kc, close["header"]["msg_id"])
    drain(kc)


def ask(kc, cid, data):
    """Sends a comm_msg on the comm; returns the data of the one comm_msg the kernel answers with on
    iopub, checking that it names the request as parent."""
    msg = kc.session.msg("comm_msg", {"comm_id": cid, "data": data})
    kc.shell_channel.send(msg)
    replies = [m for m in collect(kc, msg["header"]["msg_id"]) if m["msg_type"] == "comm_msg"]
    assert len(replies) == 1, replies
    assert replies[0]["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    assert replies[0]["content"]["comm_id"] == cid
    return replies[0]["content"]["data"]


def by_name(rows):
    return {r["name"]: r for r in rows}


def test_comm_info_lists_the_open_notebook_comm(kc, comm_id):
    kc.comm_info(target_name=TARGET)
    info = kc.get_shell_msg(timeout=30)["content"]
    assert info["comms"].get(comm_id) == {"target_name": TARGET}


def test_variables_request_lists_both_languages_with_shape_dtype_and_size(kc, comm_id):
    assert execute(kc, "const n = 3;\nconst xs = new Float32Array(10);\nconst label = 'digits';").reply["content"]["status"] == "ok"
    assert execute(kc, "%%python\nimport numpy as np\na = np.zeros((3, 4))\nv = np.arange(5, dtype=np.int32)").reply["content"]["status"] == "ok"
    reply = ask(kc, comm_id, {"request": "variables", "id": "v1"})
    assert reply["reply"] == "variables" and reply["id"] == "v1"
    rows = by_name(reply["variables"])
    assert rows["n"] == {"name": "n", "language": "TypeScript", "type": "number", "shape": "", "dtype": "", "size": None}
    assert rows["xs"] == {"name": "xs", "language": "TypeScript", "type": "Float32Array", "shape": "10", "dtype": "float32", "size": 40}
    assert rows["label"]["type"] == "string" and rows["label"]["size"] == 6
    assert rows["a"] == {"name": "a", "language": "Python", "type": "ndarray", "shape": "(3, 4)", "dtype": "float64", "size": 96}
    assert rows["v"]["shape"] == "(5,)" and rows["v"]["dtype"] == "int32" and rows["v"]["size"] == 20
    assert "np" not in rows, "modules are not variables"


def test_ts_variable_holding_a_python_array_shows_a_python_shape(kc, comm_id):
    assert execute(kc, "const grid = tspy.import('numpy').ones([2, 5], tspy.kwargs({ dtype: 'uint8' }));").reply["content"]["status"] == "ok"
    grid = by_name(ask(kc, comm_id, {"request": "variables", "id": "g"})["variables"])["grid"]
    assert grid["language"] == "TypeScript" and grid["type"] == "PyProxy<ndarray>"
    assert grid["shape"] == "(2, 5)" and grid["dtype"] == "uint8" and grid["size"] == 10


def test_diagnostics_of_a_bad_cell_have_start_end_code_and_message(kc, comm_id):
    reply = ask(kc, comm_id, {"request": "diagnostics", "id": "d1", "code": 'const x: number = "s";'})
    assert reply["reply"] == "diagnostics" and reply["id"] == "d1"
    [d] = reply["diagnostics"]
    assert (d["line"], d["column"], d["endLine"], d["endColumn"]) == (1, 7, 1, 8)
    assert d["code"] == 2322 and d["severity"] == "error"
    assert "Type 'string' is not assignable to type 'number'" in d["message"]


def test_diagnostics_see_the_executed_cells(kc, comm_id):
    execute(kc, "function half(n: number): number { return n / 2 }")
    [d] = ask(kc, comm_id, {"request": "diagnostics", "id": "d2", "code": "const ok = half(4);\nconst bad: string = half(2);"})["diagnostics"]
    assert (d["line"], d["column"], d["code"]) == (2, 7, 2322)
    assert ask(kc, comm_id, {"request": "diagnostics", "id": "d3", "code": "const fine: number = half(8);"})["diagnostics"] == []


def test_diagnostics_keep_line_numbers_under_magics(kc, comm_id):
    code = "%%time\n%who\n\nconst y: number = 'no';"
    [d] = ask(kc, comm_id, {"request": "diagnostics", "id": "m", "code": code})["diagnostics"]
    assert (d["line"], d["column"], d["endLine"], d["endColumn"]) == (4, 7, 4, 8)


def test_diagnostics_columns_are_utf16_code_units(kc, comm_id):
    # The emoji is one code point but two UTF-16 code units (Monaco's columns).
    code = 'const s = "\U0001F600"; const z: number = s;'
    [d] = ask(kc, comm_id, {"request": "diagnostics", "id": "u", "code": code})["diagnostics"]
    assert (d["line"], d["column"], d["endColumn"]) == (1, 23, 24)


def test_diagnostics_of_a_python_cell_are_empty(kc, comm_id):
    reply = ask(kc, comm_id, {"request": "diagnostics", "id": "p", "code": '%%python\nx: int = "not checked"\nundefined_name'})
    assert reply == {"reply": "diagnostics", "id": "p", "diagnostics": []}


def test_variables_event_follows_every_execution(kc, comm_id):
    run = execute(kc, "const afterEvent = 1;")
    events = [m for m in run.of("comm_msg") if m["content"]["comm_id"] == comm_id]
    assert len(events) == 1 and events[0]["content"]["data"]["event"] == "variables"
    assert by_name(events[0]["content"]["data"]["variables"])["afterEvent"]["type"] == "number"
    failed = execute(kc, "%%python\nafter_error = 2\nraise ValueError('boom')")
    assert failed.reply["content"]["status"] == "error"
    events = [m for m in failed.of("comm_msg") if m["content"]["comm_id"] == comm_id]
    assert len(events) == 1 and by_name(events[0]["content"]["data"]["variables"])["after_error"]["language"] == "Python"
    unknown_magic = execute(kc, "%nosuchmagic")
    assert unknown_magic.error["ename"] == "UsageError"
    assert [m["content"]["data"]["event"] for m in unknown_magic.of("comm_msg") if m["content"]["comm_id"] == comm_id] == ["variables"]


def test_no_event_after_the_comm_is_closed(kc):
    cid = uuid.uuid4().hex
    for msg_type, content in (("comm_open", {"target_name": TARGET}), ("comm_close", {})):
        msg = kc.session.msg(msg_type, {"comm_id": cid, "data": {}, **content})
        kc.shell_channel.send(msg)
        collect(kc, msg["header"]["msg_id"])
    run = execute(kc, "const afterClose = 1;")
    assert [m for m in run.of("comm_msg") if m["content"]["comm_id"] == cid] == []


def test_bad_requests_get_error_replies_and_the_kernel_stays_alive(kc, comm_id):
    reply = ask(kc, comm_id, {"request": "frobnicate", "id": "x"})
    assert reply["reply"] == "error" and reply["id"] == "x" and "frobnicate" in reply["message"]
    reply = ask(kc, comm_id, {"request": "diagnostics", "id": "y"})
    assert reply["reply"] == "error" and reply["id"] == "y"
    reply = ask(kc, comm_id, ["not", "an", "object"])
    assert reply["reply"] == "error"
    assert execute(kc, "1 + 1").result == "2"
    assert ask(kc, comm_id, {"request": "variables", "id": "z"})["reply"] == "variables"


def test_names_of_unrun_cells_above_are_info_and_real_errors_stay_errors(kc, comm_id):
    # A notebook opened afresh: the cells above have not run, the checked cell uses their names.
    above = [
        'const unrunPixels = new Float32Array(64);\nconst [unrunRows, unrunCols] = [8, 8];',
        "%%python\nunrun_py_only = 1",
        "function unrunScale(v: number) { return v / 16; }",
    ]
    code = 'unrunScale(unrunPixels[0]) + unrunRows * unrunCols;\nunrun_py_only;\nconst z: number = "s";'
    reply = ask(kc, comm_id, {"request": "diagnostics", "id": "u1", "code": code, "unrunCellsAbove": above})
    assert reply["reply"] == "diagnostics" and reply["id"] == "u1"
    found = sorted(((d["line"], d["column"]), d["severity"], d["code"], d["message"]) for d in reply["diagnostics"])
    info = [f for f in found if f[1] == "info"]
    names = ["unrunScale", "unrunPixels", "unrunRows", "unrunCols"]
    assert [(pos, msg) for pos, _, _, msg in info] == [
        ((1, code.index(n) + 1), f"'{n}' is defined by a cell above that has not run yet") for n in names
    ]
    errors = [f for f in found if f[1] == "error"]
    # A Python cell's name is no TypeScript name; the bad assignment is a real type error.
    assert [(pos, c) for pos, _, c, _ in errors] == [((2, 1), 2304), ((3, 7), 2322)]
    assert "unrun_py_only" in errors[0][3]


def test_once_the_cell_above_ran_its_names_are_no_diagnostic_at_all(kc, comm_id):
    above = "const ranAboveWidth = 28;"
    code = "const area: number = ranAboveWidth * ranAboveWidth;"
    [d] = ask(kc, comm_id, {"request": "diagnostics", "id": "r1", "code": code})["diagnostics"][:1]
    assert d["severity"] == "error" and d["code"] == 2304, "without the field, the request is answered as before"
    assert execute(kc, above).reply["content"]["status"] == "ok"
    assert ask(kc, comm_id, {"request": "diagnostics", "id": "r2", "code": code, "unrunCellsAbove": []})["diagnostics"] == []


def test_a_malformed_unrun_cells_field_gets_an_error_reply(kc, comm_id):
    reply = ask(kc, comm_id, {"request": "diagnostics", "id": "b", "code": "1", "unrunCellsAbove": "const a = 1;"})
    assert reply["reply"] == "error" and "unrunCellsAbove" in reply["message"]
