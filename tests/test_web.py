"""`sheetgen web DIR` without a browser: the pinned assets are checked, the folder is written whole
or not at all, and what the page calls gives the command's report and marked copy."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from browser.serve import parts, require_assets, untimed

from sheetgen.cli import main
from sheetgen.verify import hints, report
from sheetgen.verify.annotate import annotate
from sheetgen.verify.command import check_one
from sheetgen.web import assets, bundle
from sheetgen.web.check import check

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"


def one_line_refusal(argv, capsys) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, (code, out, err)
    assert "Traceback" not in err
    return err


def test_missing_assets_are_refused_in_one_line_and_nothing_is_written(tmp_path, capsys):
    err = one_line_refusal(["web", str(tmp_path / "site"), "--assets", str(tmp_path / "none")],
                           capsys)
    assert "Pyodide assets are missing" in err and "--fetch" in err
    assert list(tmp_path.iterdir()) == []


def test_an_altered_pyodide_is_refused(tmp_path, capsys):
    cache = tmp_path / "cache"
    cache.mkdir()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("package/pyodide.js")
        tar.addfile(info, io.BytesIO(b""))
    (cache / assets.PYODIDE_TGZ).write_bytes(buffer.getvalue())
    (cache / assets.NUMPY_WHEEL).write_bytes(b"not numpy")
    err = one_line_refusal(["web", str(tmp_path / "site"), "--assets", str(cache)], capsys)
    assert "sha256 differs from the pinned one" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


@pytest.fixture(scope="session")
def asset_cache() -> Path:
    return require_assets()


def test_a_numpy_wheel_not_in_the_official_lock_is_refused(tmp_path, capsys, asset_cache):
    cache = tmp_path / "cache"
    shutil.copytree(asset_cache, cache)
    wheel = cache / assets.NUMPY_WHEEL
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    err = one_line_refusal(["web", str(tmp_path / "site"), "--assets", str(cache)], capsys)
    assert "not the numpy of Pyodide 0.27.7" in err and "official pyodide-lock.json" in err


def test_the_site_holds_the_checked_assets_and_is_replaced_whole(tmp_path, capsys, asset_cache):
    site = tmp_path / "site"
    assert main(["web", str(site), "--assets", str(asset_cache)]) == 0
    options = json.loads((site / "options.json").read_text())
    numpy = options.pop("numpy")
    assert options == {"verify": {}, "report": {}, "hints": "why", "rubric": None}
    archive = (site / "numpy.tar.gz").read_bytes()  # the page fetches it with this integrity
    assert numpy["integrity"] == "sha256-" + base64.b64encode(hashlib.sha256(archive).digest()).decode()
    lock = json.loads((site / "pyodide" / "pyodide-lock.json").read_bytes())
    wheel = asset_cache / assets.NUMPY_WHEEL
    assert assets.sha256(wheel.read_bytes()) == lock["packages"]["numpy"]["sha256"]
    with zipfile.ZipFile(wheel) as z, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        shipped = {m.name: tar.extractfile(m).read() for m in tar}
        for name in z.namelist():  # the wheel's files, each module as its source or bytecode
            assert shipped.pop(name, None) == z.read(name) or name.endswith(".py") and \
                shipped.pop(name + "c").startswith(b"\xcb\r\r\n"), name
        assert shipped == {}
        assert numpy["libs"] == [numpy["root"] + n for n in z.namelist() if n.endswith(".so")]
    assert not (site / "pyodide" / assets.NUMPY_WHEEL).exists()
    licences = (site / "LICENSES.txt").read_text()
    for name in ("Pyodide 0.27.7", "MPL-2.0", "numpy", "openpyxl", "et_xmlfile", "sheetgen"):
        assert name in licences
    (site / "stale.txt").write_text("from an older site")
    assert main(["web", str(site), "--assets", str(asset_cache)]) == 0
    assert not (site / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left


def test_a_folder_of_other_files_is_not_replaced(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "homework.xlsx").write_bytes(b"mine")
    err = one_line_refusal(["web", str(site), "--assets", str(tmp_path)], capsys)
    assert "did not write" in err and (site / "homework.xlsx").read_bytes() == b"mine"


def test_the_python_zip_is_reproducible_and_holds_what_the_page_imports():
    data = bundle.python_zip()
    assert data == bundle.python_zip()
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    for module in ("sheetgen/web/check.py", "sheetgen/verify/command.py", "openpyxl/__init__.py",
                   "et_xmlfile/__init__.py"):
        assert module in names


@pytest.mark.parametrize("name", ["student03.xlsx", "student01.xlsx"])
def test_the_page_call_gives_the_commands_report_and_marked_copy(tmp_path, name):
    source = STUDENTS / name
    if not source.exists():
        pytest.skip(f"no {source}")
    got = check(source.read_bytes(), f"C:\\fakepath\\{name}", {"verify": {}, "report": {}})
    native = check_one(source, {"engine": "builtin"})
    native.path = name
    native = hints.apply(native, hints.DEFAULT)  # the page's level unless the teacher sets one
    assert untimed(got["text"]) == untimed(report.text(native))
    (tmp_path / "page.xlsx").write_bytes(got["mark"]()[0])
    assert parts(tmp_path / "page.xlsx") == parts(annotate(native, source, tmp_path / name))
    assert got["marked_name"] == name.replace(".xlsx", "-marked.xlsx")



def test_the_report_does_not_depend_on_pythons_hash_seed():
    """The page's Python and the command's hash strings differently: the words must not care."""
    source = STUDENTS / "student09.xlsx"  # a swap of two cells, found in a set's order once
    if not source.exists():
        pytest.skip(f"no {source}")
    runs = [subprocess.run([sys.executable, "-m", "sheetgen.cli", "verify", str(source)],
                           capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                           check=False).stdout for seed in ("1", "2")]
    assert runs[0] and untimed(runs[0]) == untimed(runs[1])


DEFERRED_CHECK = """
import json, sys
from sheetgen.web.lazy import defer_unused
defer_unused()
from sheetgen.web.check import check
got = check(open(sys.argv[1], "rb").read(), sys.argv[2], {"verify": {}, "report": {}})
loaded = sorted(m for m in sys.modules if m.startswith(("openpyxl", "http")))
loaded += ["pickle"] if type(sys.modules["pickle"]).__name__ == "module" else []
import pickle
assert pickle.loads(pickle.dumps({"a": [1.5]})) == {"a": [1.5]}
import openpyxl
open(sys.argv[3], "wb").write(got["mark"]()[0])
print(json.dumps({"text": got["text"], "loaded": loaded, "version": openpyxl.__version__,
                  "workbook": openpyxl.Workbook.__module__,
                  "urlopen": sys.modules["xml.sax.saxutils"].urllib.request.urlopen.__name__}))
"""


def test_what_the_page_defers_is_not_needed_and_still_loads_whole(tmp_path):
    """The page defers openpyxl's __init__, urllib.request and pickle (sheetgen/web/lazy.py): the check
    must not need them, must say the same, and they must be whole when something asks."""
    source = STUDENTS / "student03.xlsx"  # findings, formulas and a marked copy
    if not source.exists():
        pytest.skip(f"no {source}")
    marked = tmp_path / "deferred.xlsx"
    run = subprocess.run([sys.executable, "-c", DEFERRED_CHECK, str(source), source.name,
                          str(marked)], capture_output=True, text=True, check=True)
    deferred = json.loads(run.stdout)
    eager = check(source.read_bytes(), source.name, {"verify": {}, "report": {}})
    assert untimed(deferred["text"]) == untimed(eager["text"])
    (tmp_path / "eager.xlsx").write_bytes(eager["mark"]()[0])
    assert parts(marked) == parts(tmp_path / "eager.xlsx")
    assert "openpyxl.workbook" not in deferred["loaded"]  # its whole model never ran
    assert "http.client" not in deferred["loaded"]  # nor urllib.request
    assert "pickle" not in deferred["loaded"]  # nor pickle (then loaded whole by the script)
    assert "openpyxl.utils" in deferred["loaded"] and "openpyxl.formula" in deferred["loaded"]
    import openpyxl

    assert deferred["version"] == openpyxl.__version__
    assert deferred["workbook"] == "openpyxl.workbook.workbook"
    assert deferred["urlopen"] == "urlopen"
