"""`import` and `require` of npm packages from the notebook's folder: CommonJS and ESM-only."""
import json
import pathlib
import tempfile

from jupyter_client.manager import start_new_kernel

from conftest import TIMEOUT, execute


def _package(root, name, files, **package):
    d = root / "node_modules" / name
    d.mkdir(parents=True)
    (d / "package.json").write_text(json.dumps({"name": name, "version": "1.0.0", **package}))
    for file, text in files.items():
        (d / file).write_text(text)


def test_packages_resolve_from_the_notebook_folder_commonjs_and_esm_only():
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        _package(root, "cjs-greeter", {"index.js": "module.exports = { greet: (n) => `hello ${n}` };"}, main="index.js")
        _package(root, "esm-only-greeter", {"index.js": "export const shout = (n) => n.toUpperCase();\nexport default 'esm default';"},
                 type="module", exports={".": "./index.js"})
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            assert execute(kc, "import { greet } from 'cjs-greeter';\ngreet('ts')").result == "'hello ts'"
            assert execute(kc, "import esmDefault, { shout } from 'esm-only-greeter';\nesmDefault + ' ' + shout('loud')").result == "'esm default LOUD'"
            assert execute(kc, "require('cjs-greeter').greet('require')").result == "'hello require'"
            # The kernel's own packages are found too.
            assert execute(kc, "import ts from 'typescript';\ntypeof ts.transpileModule").result == "'function'"
            err = execute(kc, "import missing from 'not-installed-anywhere';").error
            assert "not-installed-anywhere" in err["evalue"] and "npm install not-installed-anywhere" in err["evalue"]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def test_type_checking_ships_its_own_typings_and_reads_the_notebooks_tsconfig():
    with tempfile.TemporaryDirectory() as tmp:
        # No node_modules and no tsconfig here: Node's typings come with the kernel.
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            run = execute(kc, "const b: Buffer = Buffer.from('x');\nconst n: number = process.pid;\nfunction loose(a) { return a }")
            assert run.reply["content"]["status"] == "ok"
            assert "TS2304" not in run.stderr and "Buffer" not in run.stderr  # Node's globals are known
            assert "TS7006" in run.stderr  # strict by default: implicit any is reported
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        pathlib.Path(tmp, "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": False}}))
        km, kc = start_new_kernel(kernel_name="tspy", startup_timeout=TIMEOUT, cwd=tmp)
        try:
            run = execute(kc, "function loose(a) { return a }")
            assert run.reply["content"]["status"] == "ok" and run.stderr == ""
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
