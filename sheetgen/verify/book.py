"""Open a workbook for checking: refuse what is not a readable xlsx in one clear sentence.

`open_book` reads every cell once (`xlsx.read_package`, streaming and within budgets) into plain
dictionaries keyed by (sheet index, row, column): constants, formulas and, when the file carries
them, the values the last spreadsheet program stored (used only to report a stale file, never
trusted).
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from openpyxl.utils import get_column_letter

from ..files import NotRegularFile, open_regular
from ..text import printable
from ..xlsx.package import PackageError, check_entries, check_not_strict
from ..xlsx.read import (
    RELS,
    Budget,
    CannotCheck,
    Package,
    Sheet,
    _local,
    _parse,
    _read_xml,
    _text,
)
from .values import parse_number
from .worksheet import read_sheet

__all__ = ["Book", "CannotCheck", "TooLarge", "open_book", "quote_sheet"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Book:
    path: Path
    sheets: list[str]
    constants: dict[tuple[int, int, int], object]
    formulas: dict[tuple[int, int, int], str]
    names: dict[str, tuple]  # lower-case defined name -> (None, 'Sheet!$B$3') or ('const', v)
    extent: list[tuple[int, int]]  # (max row, max column) per sheet
    cached: dict[tuple[int, int, int], object] = field(default_factory=dict)
    absent: frozenset[int] = frozenset()  # sheets not read with these (`groups`): no cells

    def address(self, key: tuple[int, int, int], sheet: bool = True) -> str:
        s, r, c = key
        cell = f"{get_column_letter(c)}{r}"
        return f"{quote_sheet(self.sheets[s])}!{cell}" if sheet else cell


def quote_sheet(name: str) -> str:
    """A sheet name as a formula writes it, control characters shown as escapes (`\\n`), so a
    name can never start a line of its own in a report."""
    name = printable(name)
    return name if re.fullmatch(r"[A-Za-z_][\w.]*", name) else "'" + name.replace("'", "''") + "'"


def sniff(f, path: Path) -> None:
    """Refuse files that are not an OOXML workbook, before any parser sees them (`f`: the file
    opened by `open_regular`)."""
    size = os.fstat(f.fileno()).st_size
    if size == 0:
        raise CannotCheck("an empty file (0 bytes), not a workbook")
    head = f.read(8)
    body = f.read(min(size, 1 << 20)) if head == OLE_MAGIC else b""
    f.seek(0)
    if head == OLE_MAGIC:
        # Excel wraps a password-protected xlsx in the same OLE container as an old .xls.
        if "EncryptedPackage".encode("utf-16-le") in body or b"EncryptionInfo" in body:
            raise CannotCheck(
                "a password-protected (encrypted) workbook; save a copy without a password"
            )
        raise CannotCheck("an old Excel 97-2003 .xls file; save it as .xlsx (Excel Workbook)")
    if not head.startswith(b"PK"):
        raise CannotCheck("not an xlsx file (not a zip archive)")


def _check_archive(z: zipfile.ZipFile) -> None:
    names = set(z.namelist())
    if not any(n.endswith("workbook.xml") for n in names):
        kind = (
            "an OpenDocument file (.ods); save it as .xlsx"
            if "content.xml" in names
            else "a zip archive without a workbook inside (not an xlsx file)"
        )
        raise CannotCheck(kind)
    try:
        check_entries(z.infolist())
    except PackageError as e:
        raise CannotCheck(str(e)) from None


def _open(path: Path):
    """The file at `path`, opened once (a FIFO swapped in later cannot hang it), or CannotCheck."""
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise CannotCheck("no such file") from None
    except NotRegularFile as e:
        what = str(e)
        raise CannotCheck(f"{what}, not a workbook" if what == "a folder" else
                          f"{what}, not a regular file; save the workbook to a file") from None
    except OSError as e:
        raise CannotCheck(f"cannot read it ({e.strerror or e})") from None


class TooLarge(CannotCheck):
    """More cells than are read at once, within the budget of the whole workbook: its sheets
    are to be read a few at a time (`groups`). `sizes`: each sheet's cells, counted."""

    def __init__(self, sizes: list[int], budget: Budget):
        super().__init__(f"over {budget.max_cells:,} cells in {len(sizes)} sheets; read a few "
                         "sheets at a time")
        self.sizes, self.max_cells = sizes, budget.max_cells


def open_book(path: str | os.PathLike, max_rows: int = 10_000, cached: bool = True,
              sheets: set[int] | None = None, max_cells: int | None = None) -> Book:
    """Read `path` into a Book, or raise CannotCheck with the reason in one sentence; TooLarge
    when its cells are too many to read at once but `sheets` (their indexes) may be read alone,
    within `max_cells` (default: `read.MAX_CELLS`)."""
    path = Path(path)
    budget = Budget.for_rows(max_rows)
    if max_cells is not None:
        budget.max_cells = max_cells
    try:
        with _open(path) as f:
            sniff(f, path)
            with zipfile.ZipFile(f) as z:
                _check_archive(z)
                package = read_package(z, budget, sheets)
    except CannotCheck:
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error, KeyError):
        raise CannotCheck("a truncated or damaged zip archive (not a complete xlsx file)") from None
    except NotImplementedError as e:  # an unknown compression method
        raise CannotCheck(f"a zip archive this reader cannot open ({e})"[:200]) from None
    except OSError as e:
        raise CannotCheck(f"cannot read it ({e.strerror or e})") from None
    constants, formulas, cache, extent = {}, {}, {}, []
    for s, sheet in enumerate(package.sheets):
        held = [cells for cells in (sheet.constants, sheet.formulas) if cells]
        extent.append((max((max(cells)[0] for cells in held), default=0),
                       max(map(itemgetter(1), chain(*held)), default=0)))
        for into, cells in ((constants, sheet.constants), (formulas, sheet.formulas),
                            (cache, sheet.cached if cached else {})):
            into.update(zip([(s, r, c) for r, c in cells], cells.values()))
    if not constants and not formulas and sheets is None:
        raise CannotCheck("an empty workbook (no cells in any sheet)")
    names = [sheet.name for sheet in package.sheets]
    absent = frozenset(range(len(names))) - (set(range(len(names))) if sheets is None else sheets)
    return Book(path, names, constants, formulas, defined_names(package.names), extent, cache,
                absent)


def _shared_strings(z: zipfile.ZipFile, name: str | None, budget: Budget) -> list[str]:
    if name is None:
        return []
    strings = []
    for _, el in _parse(z, name, budget):
        if _local(el.tag) == "si":
            budget.add_cell()
            strings.append(_text(el))
            el.clear()
    return strings


def _rels(z: zipfile.ZipFile, part: str, budget: Budget) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, resolved target part) of `part`."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in z.NameToInfo:
        return {}
    out = {}
    for el in _read_xml(z, rels, budget).iter():
        if _local(el.tag) == "Relationship" and el.get("TargetMode") != "External":
            target = el.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[el.get("Id", "")] = (el.get("Type", ""), posixpath.normpath(path))
    return out


def read_package(z: zipfile.ZipFile, budget: Budget | None = None,
                 only: set[int] | None = None) -> Package:
    """Every worksheet's cells (or those of the sheets `only`, by index: the others are named
    and empty) and the workbook's defined names. Raises TooLarge when `only` is None and the
    sheets hold more cells than the budget reads at once."""
    budget = budget or Budget()
    workbook = next(
        (t for kind, t in _rels(z, "", budget).values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    if workbook not in z.NameToInfo:
        raise CannotCheck("a zip archive without a workbook inside (not an xlsx file)")
    rels = _rels(z, workbook, budget)
    with z.open(workbook) as f:
        try:
            check_not_strict(f.read(4096))
        except PackageError as e:
            raise CannotCheck(str(e)) from None
    root = _read_xml(z, workbook, budget)
    strings_part = next((t for kind, t in rels.values() if kind.endswith("/sharedStrings")), None)
    strings = _shared_strings(z, strings_part if strings_part in z.NameToInfo else None, budget)
    parts = []
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        kind, target = rels.get(el.get(f"{{{RELS}}}id", ""), ("", ""))
        if kind.endswith("/worksheet") and target in z.NameToInfo:
            parts.append((el.get("name", f"Sheet{len(parts) + 1}"), target))
    sizes = budget.book_sizes(z, [t for k, (_, t) in enumerate(parts) if only is None or k in only])
    if only is None and budget.cells + sum(sizes) > budget.max_cells:
        raise TooLarge(sizes, budget)
    sheets = []
    for k, (name, target) in enumerate(parts):
        sheets.append(Sheet(name))
        if only is None or k in only:
            read_sheet(z, target, sheets[-1], strings, budget)
    names = {}
    for el in root.iter():
        if _local(el.tag) == "definedName" and el.get("name"):
            names[el.get("name").lower()] = (el.text or "").strip()
    return Package(sheets, names)




def defined_names(names: dict[str, str]) -> dict[str, tuple]:
    """Defined names: name -> (None, 'Sheet!$B$3') or ('const', value) for a plain number."""
    out = {}
    for name, text in names.items():
        text = text.lstrip("=")
        value = parse_number(text)
        out[name] = (None, text) if value is None else ("const", value)
    return out
