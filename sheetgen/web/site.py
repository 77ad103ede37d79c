"""Write the self-check site: a static folder any web server (or GitHub Pages) serves as it is.

    DIR/index.html, app.js, page.css      the page
    DIR/options.json                      the page's options object (see `check.py`), and
                                          how to install numpy.tar.gz (`numpy`)
    DIR/sheetgen-web.zip                  sheetgen, openpyxl and et_xmlfile (`bundle.py`)
    DIR/pyodide/                          Pyodide 0.27.7's core (`assets.py`)
    DIR/numpy.tar.gz                      the files of its numpy wheel (`numpy_files.py`)
    DIR/LICENSES.txt                      what is shipped, its version and licence
    DIR/.sheetgen-web                     marks the folder as one this command wrote

The site is written into a fresh folder beside DIR and renamed into place, so DIR is never left
half-written; an existing DIR is replaced only when it is empty or a site this command wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from . import assets, bundle, bytecode, numpy_files

MARKER = ".sheetgen-web"
PAGE_FILES = ("index.html", "app.js", "page.css")


class SiteError(ValueError):
    """The site cannot be written where asked: one sentence."""


def write_site(folder: Path, cache: Path, options: dict | None = None) -> tuple[dict, str]:
    """Write the site into `folder` from the checked assets in `cache`: the files written and
    their sizes in bytes, and a note on how its Python is shipped ("" when as bytecode). Raises
    AssetError, BytecodeError or SiteError before anything is written."""
    folder = Path(folder)
    _check_target(folder)
    core = assets.check(cache)
    static = resources.files(__package__) / "static"
    files = {name: (static / name).read_bytes() for name in PAGE_FILES}
    zips, note = bytecode.compile_site(cache, core, bundle.python_zip())
    files |= {f"pyodide/{name}": data for name, data in core.items()
              if name not in (assets.NUMPY_WHEEL, bytecode.STDLIB)}
    files[f"pyodide/{bytecode.STDLIB}"] = zips[bytecode.STDLIB]
    files[bytecode.BUNDLE] = zips[bytecode.BUNDLE]
    files[numpy_files.ARCHIVE], numpy = numpy_files.archive(zips[bytecode.NUMPY])
    options = options or {"verify": {}, "report": {}}
    files["options.json"] = json.dumps({**options, "numpy": numpy}, indent=1).encode()
    files["LICENSES.txt"] = licences_text(files["pyodide/package.json"], not note).encode("utf-8")
    files[MARKER] = b"written by sheetgen web; the whole folder is replaced when it runs again\n"
    _replace(folder, files)
    return {name: len(data) for name, data in files.items()}, note


def _check_target(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise SiteError(f"sheetgen web: {folder} exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise SiteError(f"sheetgen web: {folder} holds files that sheetgen web did not write; "
                        "name an empty or new folder")
    if not folder.parent.is_dir():
        raise SiteError(f"sheetgen web: the folder {folder.parent} does not exist")
    if not os.access(folder.parent, os.W_OK | os.X_OK):
        raise SiteError(f"sheetgen web: the folder {folder.parent} is not writable")


def _replace(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a new folder beside `folder`, then swap it in."""
    new = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in files.items():
            (new / name).parent.mkdir(parents=True, exist_ok=True)
            (new / name).write_bytes(data)
        os.chmod(new, 0o755)
        old = None
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / "site")
        os.replace(new, folder)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if old:
        shutil.rmtree(old, ignore_errors=True)


def licences_text(pyodide_package_json: bytes, compiled: bool = False) -> str:
    """LICENSES.txt: every shipped component, its version, where it comes from, its licence."""
    pyodide = json.loads(pyodide_package_json)
    parts = [
        "This site runs sheetgen's verifier in the browser. It ships the following software.",
        (f"Pyodide {pyodide['version']} (pyodide/: the loader, the WebAssembly CPython 3.12 and "
         f"its standard library), npm package pyodide@{pyodide['version']}, licence "
         f"{pyodide['license']} (Mozilla Public License 2.0, https://mozilla.org/MPL/2.0/); "
         "CPython and its standard library are under the Python Software Foundation License "
         "(https://docs.python.org/3/license.html). Source: https://github.com/pyodide/pyodide"),
        (f"numpy (numpy.tar.gz: the files of {assets.NUMPY_WHEEL}), built by the Pyodide "
         f"project for Pyodide {pyodide['version']}, sha256 as in its pyodide-lock.json; "
         "BSD-3-Clause, its licence text and the licences of what it bundles are among those "
         "files (numpy-2.0.2.dist-info/LICENSE.txt)."),
    ]
    if compiled:
        parts.append("Python's standard library, numpy and the packages below are shipped as "
                     "bytecode (.pyc) that Pyodide itself compiled from their sources when this "
                     "site was written (python_stdlib.zip, numpy.tar.gz, sheetgen-web.zip);"
                     " it is under the licence of the source it was compiled from.")
    for name, version, text in bundle.licences():
        parts.append(f"{name} {version} (sheetgen-web.zip):\n\n{text.strip()}")
    return "\n\n" + ("\n\n" + "-" * 78 + "\n\n").join(parts) + "\n"
