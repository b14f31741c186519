"""complete_request and inspect_request: TypeScript's language service, live Python members, jedi."""
from conftest import execute


def _complete(kc, code, cursor=None):
    kc.complete(code, len(code) if cursor is None else cursor)
    return kc.get_shell_msg(timeout=60)["content"]


def _inspect(kc, code, cursor=None, detail_level=0):
    kc.inspect(code, len(code) if cursor is None else cursor, detail_level)
    return kc.get_shell_msg(timeout=60)["content"]


def test_complete_request_lists_members_of_typescript_values_and_declarations(kc):
    execute(kc, "const scores = [3, 1, 2];\nfunction normalise(v: number[]) { return v }")
    r = _complete(kc, "scores.filt")
    assert r["status"] == "ok" and r["matches"] == ["filter"]
    assert (r["cursor_start"], r["cursor_end"]) == (7, 11)
    assert "normalise" in _complete(kc, "norm")["matches"]
    kinds = {t["text"]: t["type"] for t in r["metadata"]["_jupyter_types_experimental"]}
    assert kinds["filter"] == "method"


def test_complete_request_lists_live_python_members(kc):
    r = _complete(kc, 'tspy.import("numpy").arang')
    assert "arange" in r["matches"]
    execute(kc, "const np = tspy.import('numpy');")
    r = _complete(kc, "np.linal")
    assert r["matches"] == ["linalg"]


def test_live_python_member_completions_carry_their_kind(kc):
    execute(kc, "const npKinds = tspy.import('numpy');\nconst arrKinds = npKinds.zeros(3);")
    kinds = {t["text"]: t["type"] for t in _complete(kc, "npKinds.")["metadata"]["_jupyter_types_experimental"]}
    assert (kinds["zeros"], kinds["ndarray"], kinds["linalg"], kinds["pi"]) == ("function", "class", "module", "instance")
    assert "toJS" not in kinds, "a proxy has no members of its own (issue 12): the bridge's API is tspy"
    kinds = {t["text"]: t["type"] for t in _complete(kc, "arrKinds.s")["metadata"]["_jupyter_types_experimental"]}
    assert (kinds["shape"], kinds["sum"]) == ("property", "function")


def test_complete_request_cursor_is_counted_in_code_points(kc):
    code = "const s = '😀𝒳';\nscores.fi"
    r = _complete(kc, code)
    assert "fill" in r["matches"]
    # 10 code points before the astral string, 2 astral characters, then "';\nscores." (10).
    assert r["cursor_start"] == len(code) - 2
    assert r["cursor_end"] == len(code)


def test_complete_request_in_a_python_cell_uses_live_objects(kc):
    execute(kc, "%%python\nclass Model:\n    def fit_digits(self): pass\nmodel_py = Model()")
    r = _complete(kc, "%%python\nmodel_py.fit_d")
    assert r["matches"] == ["fit_digits"]
    assert r["cursor_end"] - r["cursor_start"] == len("fit_d")


def test_inspect_request_shows_typescript_types_and_python_docs(kc):
    execute(kc, "/** Adds one. */\nfunction inc(n: number): number { return n + 1 }")
    r = _inspect(kc, "inc(2)", cursor=2)
    assert r["found"] and "function inc(n: number): number" in r["data"]["text/plain"]
    assert "Adds one." in r["data"]["text/plain"]
    r = _inspect(kc, 'tspy.import("json").dumps')
    text = r["data"]["text/plain"]
    assert r["found"] and "Signature: dumps(obj" in text and "Serialize" in text
    detailed = _inspect(kc, 'tspy.import("json").dumps', detail_level=1)["data"]["text/plain"]
    assert "Source:" in detailed and "def dumps" in detailed
    r = _inspect(kc, "%%python\nimport json\njson.loads")
    assert r["found"] and "loads(" in r["data"]["text/plain"]
    assert _inspect(kc, "   ", cursor=1)["found"] is False


def test_python_modules_imported_from_typescript_get_typed_declarations(kc):
    import time

    execute(kc, "const kerasTyped = tspy.import('keras');\nconst jsonTyped = tspy.import('json');")
    # Declarations are generated on a Python background thread; poll until the language service has them.
    deadline = time.monotonic() + 120
    matches = []
    while time.monotonic() < deadline and "fit" not in matches:
        matches = _complete(kc, "kerasTyped.Sequential().fi")["matches"]
        time.sleep(0.5)
    assert "fit" in matches
    execute(kc, "%typecheck strict")
    try:
        err = execute(kc, "const notANumber: number = kerasTyped.layers.Dense;").error
        assert err["ename"] == "TypeScriptError"
        assert "(units: number" in "\n".join(err["traceback"])  # real parameter names and types from the docstring
        ok = execute(kc, "const text: string = String(jsonTyped.dumps([1, 2], tspy.kwargs({ indent: 1 })));\ntext.length")
        assert ok.reply["content"]["status"] == "ok"
    finally:
        execute(kc, "%typecheck warn")


def test_completion_replaces_the_whole_word_and_ignores_case_issue_18(kc):
    execute(kc, "const wordy = { xyz: 1, axy: 2, other: 3 };")
    r = _complete(kc, "wordy.XY")
    assert r["matches"] == ["xyz", "axy"]  # a prefix in another case first, then the word inside a name
    code = "wordy.ot.toFixed()"
    r = _complete(kc, code, cursor=len("wordy.o"))
    assert r["matches"] == ["other"] and (r["cursor_start"], r["cursor_end"]) == (6, 8)  # `ot` is replaced


def test_live_python_member_completion_ignores_case_issue_18(kc):
    execute(kc, "const npCase = tspy.import('numpy');")
    r = _complete(kc, "npCase.LINAL")
    assert r["matches"] == ["linalg"]
    assert "_NoValue" in _complete(kc, "npCase._NoVal")["matches"] and "_NoValue" not in _complete(kc, "npCase.noval")["matches"]


NOTEBOOK_STYLE = 'const loose = {};\nloose["k"] = 1;\nclass Holder { field: string; }\n[1, 2].map(function (v) { return v });\nfunction untyped(a) { return a }'


def test_default_type_check_is_the_notebook_profile_issue_18(kc):
    noise = execute(kc, NOTEBOOK_STYLE)
    assert noise.reply["content"]["status"] == "ok" and noise.stderr == ""
    for code, error in [("const misspelt = lenght;", "TS2304"), ("Math.floor('2');", "TS2345"), ("const calledNumber = 3;\ncalledNumber();", "TS2349")]:
        assert error in execute(kc, code).stderr, code


def test_typecheck_strict_switches_to_the_strict_profile_issue_18(kc):
    assert execute(kc, "%typecheck strict").stdout == "typecheck: strict\n"
    try:
        err = execute(kc, NOTEBOOK_STYLE.replace("loose", "loose2").replace("Holder", "Holder2").replace("untyped", "untyped2")).error
        traceback = "\n".join(err["traceback"])
        assert err["ename"] == "TypeScriptError" and all(code in traceback for code in ("TS7053", "TS2564", "TS7006")), traceback
    finally:
        execute(kc, "%typecheck warn")
    assert execute(kc, "function untyped3(a) { return a }").stderr == ""
