"""Open a workbook for checking: refuse what is not a readable xlsx in one clear sentence.

`open_book` reads every cell once with openpyxl into plain dictionaries keyed by
(sheet index, row, column): constants, formulas and, when the file carries them, the values the
last spreadsheet program cached (used only to report a stale file, never trusted).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import to_excel

from .functions import XLError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 1 << 30  # 1 GiB of XML is far beyond any sheet a student builds
ERROR_CODES = {"#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#NUM!", "#N/A", "#NULL!"}
ROW_SLACK = 1000  # rows a sheet may hold beyond the table limit (titles, notes, a summary)


class CannotCheck(Exception):
    """The file cannot be checked at all: one sentence saying why (exit code 2)."""


@dataclass
class Book:
    path: Path
    sheets: list[str]
    constants: dict[tuple[int, int, int], object]
    formulas: dict[tuple[int, int, int], str]
    names: dict[str, tuple]  # lower-case defined name -> (sheet or None, target) / ('const', v)
    extent: list[tuple[int, int]]  # (max row, max column) per sheet
    cached: dict[tuple[int, int, int], object] = field(default_factory=dict)

    def address(self, key: tuple[int, int, int], sheet: bool = True) -> str:
        from openpyxl.utils import get_column_letter

        s, r, c = key
        cell = f"{get_column_letter(c)}{r}"
        return f"{quote_sheet(self.sheets[s])}!{cell}" if sheet else cell


def quote_sheet(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][\w.]*", name) else "'" + name.replace("'", "''") + "'"


def sniff(path: Path) -> None:
    """Refuse files that are not an OOXML workbook, before openpyxl sees them."""
    if not path.exists():
        raise CannotCheck("no such file")
    if path.is_dir():
        raise CannotCheck("a folder, not a workbook")
    size = path.stat().st_size
    if size == 0:
        raise CannotCheck("an empty file (0 bytes), not a workbook")
    with open(path, "rb") as f:
        head = f.read(8)
        if head == OLE_MAGIC:
            # Excel wraps a password-protected xlsx in the same OLE container as an old .xls.
            body = f.read(min(size, 1 << 20))
            if "EncryptedPackage".encode("utf-16-le") in body or b"EncryptionInfo" in body:
                raise CannotCheck(
                    "a password-protected (encrypted) workbook; save a copy without a password"
                )
            raise CannotCheck("an old Excel 97-2003 .xls file; save it as .xlsx (Excel Workbook)")
    if not head.startswith(b"PK"):
        raise CannotCheck("not an xlsx file (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                kind = (
                    "an OpenDocument file (.ods); save it as .xlsx"
                    if "content.xml" in names
                    else "a zip archive without a workbook inside (not an xlsx file)"
                )
                raise CannotCheck(kind)
            if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                raise CannotCheck("over 1 GiB of uncompressed XML; refusing to open it")
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError):
        raise CannotCheck("a truncated or damaged zip archive (not a complete xlsx file)") from None


def sheet_rows(path: Path) -> dict[str, int]:
    """The number of <row> elements of every worksheet part, counted without parsing the XML."""
    counts = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                n, tail = 0, b""
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        n += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                        tail = chunk[-8:]
                counts[info.filename] = n
    return counts


def has_cached_values(path: Path) -> bool:
    """Whether any formula cell carries a value saved by a spreadsheet program."""
    pattern = re.compile(rb"</f>\s*<v>[^<]")
    with zipfile.ZipFile(path) as z:
        return any(
            pattern.search(z.read(name))
            for name in z.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _value(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and v.startswith("#") and v.upper() in ERROR_CODES:
        return XLError(v.upper(), f"the cell holds {v}")
    if isinstance(v, str) and re.fullmatch(r"Err:\d{3}", v):  # LibreOffice's own error codes
        circular = v in ("Err:522", "Err:523")
        return XLError(
            "#CIRC!" if circular else "#VALUE!",
            "a circular reference" if circular else f"LibreOffice error {v}",
        )
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return float(to_excel(v))
    return str(v)


def open_book(path: str | os.PathLike, max_rows: int = 10_000, cached: bool = True) -> Book:
    """Read `path` into a Book, or raise CannotCheck with the reason in one sentence."""
    path = Path(path)
    sniff(path)
    try:
        for n in sheet_rows(path).values():
            if n > max_rows + ROW_SLACK:
                raise CannotCheck(
                    f"a sheet with {n:,} rows; the verifier checks tables of at most "
                    f"{max_rows:,} rows (see --max-rows)"
                )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            wb = openpyxl.load_workbook(path, data_only=False)
            values = (
                openpyxl.load_workbook(path, data_only=True)
                if cached and has_cached_values(path)
                else None
            )
    except CannotCheck:
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise CannotCheck("a truncated or damaged zip archive (not a complete xlsx file)") from None
    except Exception as e:  # noqa: BLE001 - openpyxl's many ways of saying "not a workbook"
        raise CannotCheck(f"not a readable xlsx workbook ({type(e).__name__}: {e})"[:200]) from None

    sheets = [ws.title for ws in wb.worksheets]
    constants, formulas, cache, extent = {}, {}, {}, []
    for s, ws in enumerate(wb.worksheets):
        extent.append((ws.max_row, ws.max_column))
        for (r, c), cell in ws._cells.items():  # only the cells that exist; iter_rows makes more
            v = cell.value
            if v is None:
                continue
            if cell.data_type == "f":
                formulas[(s, r, c)] = v if isinstance(v, str) else str(getattr(v, "text", v))
            elif cell.data_type == "e":
                constants[(s, r, c)] = XLError(str(v), f"the cell holds {v}", origin=(s, r, c))
            else:
                constants[(s, r, c)] = _value(v)
        if values is not None:
            for (r, c), cell in values.worksheets[s]._cells.items():
                if (s, r, c) in formulas and cell.value is not None:
                    cache[(s, r, c)] = _value(cell.value)
    if not constants and not formulas:
        raise CannotCheck("an empty workbook (no cells in any sheet)")
    return Book(path, sheets, constants, formulas, defined_names(wb), extent, cache)


def defined_names(wb) -> dict[str, tuple]:
    """Workbook and sheet defined names: name -> (None, 'Sheet!$B$3') or ('const', value)."""
    out = {}
    scoped = [ws.defined_names for ws in wb.worksheets if getattr(ws, "defined_names", None)]
    for names in (wb.defined_names, *scoped):
        for name, dn in names.items():
            text = (dn.attr_text or "").lstrip("=")
            try:
                out[name.lower()] = ("const", float(text))
            except ValueError:
                out[name.lower()] = (None, text)
    return out
