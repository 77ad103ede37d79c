"""`sheetgen web` ships the page's Python compiled by the site's own Pyodide under Node: every
module as bytecode of Pyodide's CPython 3.12, the same bytes for the same sources, the pinned
parts kept in the asset cache only while whole; without Node the sources, said in one line. That
the compiled page gives the command's reports is tests/test_web_page.py's work."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from browser.serve import in_ci, require_assets

from sheetgen.cli import main
from sheetgen.web import assets, bundle, bytecode

# The first bytes of every .pyc of CPython 3.12 (importlib.util.MAGIC_NUMBER there, 3531), the
# Python of Pyodide 0.27; this machine's Python may be another.
MAGIC_312 = (3531).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH = (1).to_bytes(4, "little")  # PEP 552 flags: hash-based, source not checked


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def is_bytecode(data: bytes) -> bool:
    return data[:4] == MAGIC_312 and data[4:8] == UNCHECKED_HASH


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """A site written twice with bytecode (the second time from the kept standard library)."""
    if shutil.which("node") is None:
        if in_ci():
            pytest.fail("CI=true but node is missing: .ci/run must install it")
        pytest.skip("no node")
    cache = tmp_path_factory.mktemp("cache")
    for path in require_assets().glob("*.*"):
        shutil.copy(path, cache / path.name)
    root = tmp_path_factory.mktemp("sites")
    for name in ("first", "second"):
        assert main(["web", str(root / name), "--assets", str(cache)]) == 0
    return root


def test_every_module_of_the_standard_library_and_the_bundle_is_bytecode(compiled):
    site = compiled / "first"
    core = assets.check(require_assets())
    source = entries(core["python_stdlib.zip"])
    stdlib = entries((site / "pyodide" / "python_stdlib.zip").read_bytes())
    assert not [n for n in stdlib if n.endswith(".py")]
    for name in source:
        if name.endswith(".py"):
            assert is_bytecode(stdlib[name + "c"]), name
        else:
            assert stdlib[name] == source[name]
    modules = [n for n in entries(bundle.python_zip()) if n.endswith(".py")]
    code = entries((site / "sheetgen-web.zip").read_bytes())
    assert sorted(code) == sorted(n + "c" for n in modules)
    assert all(is_bytecode(data) for data in code.values())
    assert "shipped as bytecode (.pyc) that Pyodide itself compiled" in \
        (site / "LICENSES.txt").read_text()


def archived(site: Path) -> dict[str, bytes]:
    with tarfile.open(site / "numpy.tar.gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def test_numpy_ships_the_checked_wheels_files_with_its_modules_as_bytecode(compiled):
    wheel = entries(assets.check(require_assets())[assets.NUMPY_WHEEL])
    numpy = archived(compiled / "first")
    assert not [n for n in numpy if n.endswith(".py")]
    for name, data in wheel.items():
        if name.endswith(".py"):
            assert is_bytecode(numpy.pop(name + "c")), name
        else:
            assert numpy.pop(name) == data, name
    assert numpy == {}


def test_the_same_sources_give_the_same_site(compiled):
    for name in ("sheetgen-web.zip", "numpy.tar.gz", "pyodide/python_stdlib.zip"):
        assert (compiled / "first" / name).read_bytes() == (compiled / "second" / name).read_bytes()


def fake_node(folder: Path, version: str, fails: bool = False) -> None:
    """A `node` on PATH that prints `version` and, asked to run anything, fails or does nothing."""
    folder.mkdir()
    run = 'echo "Error: boom" >&2; exit 1' if fails else "exit 0"
    (folder / "node").write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo {version} && exit 0\n'
                                 f"{run}\n")
    (folder / "node").chmod(0o755)


@pytest.mark.parametrize("version", [None, "v16.20.2"])
def test_without_a_recent_node_the_sources_are_shipped_and_it_says_so(
        tmp_path, monkeypatch, capsys, version):
    cache = require_assets()
    if version:
        fake_node(tmp_path / "bin", version)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert main(["web", str(tmp_path / "site"), "--assets", str(cache)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "shipped as source" in err[0] and "Node 18 or newer" in err[0]
    site = tmp_path / "site"
    assert (site / "sheetgen-web.zip").read_bytes() == bundle.python_zip()
    assert archived(site) == entries(assets.check(cache)[assets.NUMPY_WHEEL])
    assert (site / "pyodide" / "python_stdlib.zip").read_bytes() == \
        assets.check(cache)["python_stdlib.zip"]
    assert "bytecode" not in (site / "LICENSES.txt").read_text()


def test_a_node_that_fails_is_refused_in_one_line_and_nothing_is_written(
        tmp_path, monkeypatch, capsys):
    fake_node(tmp_path / "bin", "v20.1.0", fails=True)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    code = main(["web", str(tmp_path / "site"), "--assets", str(require_assets())])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "Node could not compile the page's Python (Error: boom)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_kept_bytecode_is_used_only_while_whole(tmp_path):
    folder = tmp_path / "bytecode-0123"
    files = {bytecode.STDLIB: b"standard library", bytecode.NUMPY: b"numpy"}
    bytecode._keep(folder, files)
    assert bytecode._cached(folder) == files
    (folder / bytecode.NUMPY).write_bytes(b"numpz")
    assert bytecode._cached(folder) is None
    (folder / bytecode.NUMPY).unlink()
    assert bytecode._cached(folder) is None
    bytecode._keep(tmp_path / "bytecode-4567", files)  # a newer key replaces the older folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bytecode-4567"]
    assert json.loads((tmp_path / "bytecode-4567" / "sha256.json").read_text()) == {
        name: assets.sha256(data) for name, data in files.items()}
