"""Byte-compile the page's Python ahead of time. Runs inside the pinned Pyodide under Node
(`compile.cjs`, started by `bytecode.py`), so the bytecode is made by the very CPython the page
runs; it needs nothing but the standard library.

    (inside Pyodide) python pyc.py JOB.json

JOB.json: {"tasks": [{"source": ZIP, "target": ZIP, "root": PATH, "layout": LAYOUT}, ...]}.
Each task reads the zip `source` and writes the zip `target`, where each `.py` of `source` becomes
an unchecked-hash `.pyc` (PEP 552: used as it is, with no timestamp to compare, which means nothing
in a zip or in a browser's memory) compiled as if it sat at `root` + its name:

- layout "in-place": the .pyc takes the .py's place and every other entry is copied (the standard
  library and the bundle, which Python imports from the zip itself);
- layout "pycache": the target holds only `__pycache__/NAME.cpython-312.pyc` files, to unpack over
  the sources a package was installed with (numpy, installed by Pyodide from its checked wheel).

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


def cached_name(name: str) -> str:
    """`numpy/linalg/linalg.py` -> `numpy/linalg/__pycache__/linalg.cpython-312.pyc`."""
    folder, _, file = name.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    return f"{prefix}__pycache__/{file[:-3]}.{sys.implementation.cache_tag}.pyc"


def compile_zip(source: str, target: str, root: str, layout: str) -> int:
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
                if layout == "in-place":
                    zout.writestr(info, data)
                continue
            name = info.filename + "c" if layout == "in-place" else cached_name(info.filename)
            entry = zipfile.ZipInfo(name, STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(entry, code)
            done += 1
    return done


def main(job: str) -> None:
    with open(job) as f:
        tasks = json.load(f)["tasks"]
    for task in tasks:
        compile_zip(task["source"], task["target"], task["root"], task["layout"])


if __name__ == "__main__":
    main(sys.argv[1])
