"""What the page runs under Pyodide for one dropped workbook: the check `sheetgen verify` makes,
its text report, and then the marked copy `--annotate` writes, all in the browser's memory.

`options` is the page's options object (`options.json` in the site): `verify` holds keyword
arguments for the verifier, `report` for the text report, `hints` the hint level and `rubric`
the course's points (`sheetgen web --hints LEVEL --rubric FILE`), as `sheetgen verify` takes them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from functools import partial
from pathlib import Path, PurePath

from ..verify import check_one, hints, report
from ..verify.annotate import annotate
from ..verify.rubric import DEFAULT as DEFAULT_RUBRIC
from ..verify.rubric import Rubric
from ..xlsx.package import PackageError

ENGINE = "builtin"  # no LibreOffice in a browser
if sys.platform == "emscripten":
    os.umask(0o022)  # Pyodide starts with 0o777, which makes every file written unreadable


def check(data: bytes, name: str, options: dict) -> dict:
    """The report of the workbook `data` called `name`: its status and text, the name of its
    marked copy, and `mark`, which writes that copy (None for a workbook that could not be
    checked): the page shows the report first and writes the copy after."""
    name = PurePath(name.replace("\\", "/")).name or "workbook.xlsx"
    # In the browser `data` is the page's Uint8Array, which Pyodide hands over as a proxy.
    data = data.to_bytes() if hasattr(data, "to_bytes") else bytes(data)
    with tempfile.TemporaryDirectory(prefix="sheetgen-") as folder:
        source = Path(folder) / name
        source.write_bytes(data)
        result = check_one(source, {**options.get("verify", {}), "engine": ENGINE})
    result.path = name
    # What a student sees, in the report and in the marked copy's notes alike: the hint
    # level the teacher chose (default why: no formula the student has not written).
    result = hints.apply(result, options.get("hints", hints.DEFAULT))
    rubric = Rubric(**options["rubric"]) if options.get("rubric") else DEFAULT_RUBRIC
    return {"status": result.status,
            "text": report.text(result, rubric, **options.get("report", {})),
            "marked_name": marked_name(name),
            "mark": None if result.status == "error" else partial(mark, result, data, name)}


def mark(result, data: bytes, name: str) -> list:
    """The marked copy `sheetgen verify --annotate` writes for `result`, the check of the
    workbook `data` called `name`: [its bytes, ""], or [None, why it could not be written]."""
    with tempfile.TemporaryDirectory(prefix="sheetgen-") as folder:
        source, target = Path(folder) / name, Path(folder) / "marked" / name
        source.write_bytes(data)
        target.parent.mkdir()
        try:
            return [annotate(result, source, target).read_bytes(), ""]
        except (PackageError, OSError) as e:
            return [None, f"cannot write the marked copy: {e}"[:200]]


def marked_name(name: str) -> str:
    """`ana.xlsx` -> `ana-marked.xlsx`: the download never takes the student's own file name."""
    path = PurePath(name)
    return f"{path.stem}-marked{path.suffix or '.xlsx'}"
