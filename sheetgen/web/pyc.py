"""Byte-compile the page's Python ahead of time. Runs inside the pinned Pyodide under Node
(`compile.cjs`, started by `bytecode.py`), so the bytecode is made by the very CPython the page
runs; it needs nothing but the standard library.

    (inside Pyodide) python pyc.py JOB.json

JOB.json: {"tasks": [{"source": ZIP, "target": ZIP, "root": PATH}, ...]}.
Each task reads the zip `source` and writes the zip `target`, where each `.py` of `source` becomes
an unchecked-hash `.pyc` (PEP 552: used as it is, with no timestamp to compare, which means nothing
in a zip or in a browser's memory) compiled as if it sat at `root` + its name, in the .py's place
(Python imports such a sourceless module from a zip and from a folder alike); every other entry
is copied.

A module that does not compile (none in what the page ships) stays source.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

STAMP = (1980, 1, 1, 0, 0, 0)  # one fixed time: the same sources give the same zip


def pyc(source: bytes, path: str) -> bytes:
    """The .pyc of one module's source, as the import system would cache it."""
    code = compile(source, path, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def compile_zip(source: str, target: str, root: str) -> int:
    """Write `target` from `source` (see above); the number of modules compiled."""
    done = 0
    with zipfile.ZipFile(source) as zin, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            code = None
            if info.filename.endswith(".py"):
                try:
                    code = pyc(data, root + info.filename)
                except (SyntaxError, ValueError):
                    code = None
            if code is None:
                zout.writestr(info, data)
                continue
            entry = zipfile.ZipInfo(info.filename + "c", STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(entry, code)
            done += 1
    return done


def main(job: str) -> None:
    with open(job) as f:
        tasks = json.load(f)["tasks"]
    for task in tasks:
        compile_zip(task["source"], task["target"], task["root"])


if __name__ == "__main__":
    main(sys.argv[1])
