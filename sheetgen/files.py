"""Safe file writing: every output goes to a temporary file first and is renamed over the target.

A crash or a bad option can then never leave a half-written workbook behind. Workbooks are also
written reproducibly: the same content gives the same bytes (fixed document and zip timestamps).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

from openpyxl import Workbook

# Every document property and zip entry carries this time, so rebuilds are byte-identical.
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


class OutputError(ValueError):
    """The output path cannot be written (missing folder, not a file, ...)."""


def check_output_path(path: str | os.PathLike) -> Path:
    """Return `path` as a Path if its folder exists and it is not a folder itself."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"output path {path} is a folder, not a file")
    if not path.parent.is_dir():
        raise OutputError(f"output folder {path.parent} does not exist")
    return path


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[io.IOBase]:
    """Open a temporary file beside `path`; on success rename it over `path`, else delete it."""
    path = check_output_path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            yield f
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise `wb` to xlsx bytes that depend only on its content, not on the clock."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                # openpyxl stamps `modified` with the current time whatever we set.
                data = _fix_core_times(data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


def _fix_core_times(xml: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms)", rb"\g<1>" + stamp + rb"\g<2>", xml)


def save_workbook(wb: Workbook, path: str | os.PathLike) -> Path:
    """Write `wb` to `path` atomically and reproducibly; return the path."""
    data = workbook_bytes(wb)
    with atomic_write(path) as f:
        f.write(data)
    return Path(path)
