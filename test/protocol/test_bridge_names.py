"""Issue 12 through jupyter_client, as a user writes TS cells: every Python name means what it
means in Python (`py` is `__main__`'s namespace, the bridge's API is `tspy`), a missing attribute
or global raises naming it, and conversions keep their promise."""
from conftest import execute


def test_builtins_type_and_dict_get_keep_their_python_meaning_issue_12(kc):
    run = execute(kc, 'const builtins = tspy.import("builtins");\n'
                      'const d = tspy.eval("{\'a\': 1}");\n'
                      '[String(builtins.type(3)), d.get("k", 0), tspy.import("os").environ.get("TSPY_NOPE", "dflt")]')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "[ \"<class 'int'>\", 0, 'dflt' ]"


def test_queue_get_after_put_issue_12(kc):
    run = execute(kc, 'const q = tspy.import("queue").Queue();\nq.put(5);\nq.get()')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "5"


def test_python_global_named_config_kwargs_eval_is_reachable_issue_12(kc):
    execute(kc, "%%python\nconfig = {'units': 8}\nkwargs = 'kw'\neval = 3")
    run = execute(kc, "[py.config.get('units'), py.kwargs, py.eval]")
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "[ 8, 'kw', 3 ]"
    execute(kc, "%%python\ndel config, kwargs, eval")


def test_missing_attribute_raises_attribute_error_naming_it_issue_12(kc):
    execute(kc, "%%python\nclass Dense:\n    units = 32\nlayer = Dense()")
    err = execute(kc, "py.layer.unitz").error
    assert err["ename"] == "PythonError"
    assert "AttributeError" in err["evalue"] and "unitz" in err["evalue"]


def test_missing_global_raises_name_error_naming_it_issue_12(kc):
    err = execute(kc, "py.nonexistent").error
    assert "NameError" in err["evalue"] and "nonexistent" in err["evalue"]


def test_await_and_json_stringify_of_a_proxy_do_not_throw_issue_12(kc):
    run = execute(kc, 'const o = tspy.eval("object()");\nconst same = (await o) === o;\n[same, JSON.stringify({ o, n: 1 })]')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "[ true, '{\"n\":1}' ]"


def test_slice_and_to_js_follow_python_issue_12(kc):
    run = execute(kc, 'const np = tspy.import("numpy");\n'
                      'const same = tspy.eval("lambda s: s == slice(1)")(tspy.slice(1));\n'
                      'JSON.stringify([same, tspy.toJS(np.arange(6).reshape(2, 3))])')
    assert run.reply["content"]["status"] == "ok", run.error
    assert run.result == "'[true,[[0,1,2],[3,4,5]]]'"
