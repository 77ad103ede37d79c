"""The Python the page runs besides Pyodide and numpy, as one zip made at `sheetgen web` time:
this sheetgen and the pure-Python openpyxl and et_xmlfile installed beside it.

The zip is byte-for-byte the same for the same sources (sorted entries, one fixed time), so a
rebuilt site differs only where the code does.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import zipfile
from pathlib import Path

from .. import DISTRIBUTION
from ..files import FIXED_TIME

# Import name -> distribution name of each package shipped from this Python's own environment.
PACKAGES = {"sheetgen": DISTRIBUTION, "openpyxl": "openpyxl", "et_xmlfile": "et_xmlfile"}


def package_folder(name: str) -> Path:
    return Path(next(iter(importlib.util.find_spec(name).submodule_search_locations)))


def python_zip() -> bytes:
    """Every .py file of the shipped packages, under its import path."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in PACKAGES:
            folder = package_folder(name)
            for path in sorted(folder.rglob("*.py")):
                entry = zipfile.ZipInfo(f"{name}/{path.relative_to(folder).as_posix()}",
                                        FIXED_TIME.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def licences() -> list[tuple[str, str, str]]:
    """(distribution, version, licence text) of each shipped package, from its metadata."""
    out = []
    for dist_name in PACKAGES.values():
        dist = importlib.metadata.distribution(dist_name)
        texts = [f.read_text() for f in dist.files or ()
                 if "LICEN" in f.name.upper() and f.name.upper() != "RECORD"]
        summary = dist.metadata.get("License") or ""
        out.append((dist_name, dist.version, "\n\n".join(texts) or summary))
    return out
