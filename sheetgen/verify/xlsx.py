"""Read the cells of an xlsx package in one streaming pass, within fixed budgets.

openpyxl builds an object for every `<c>` element, empty or not, and a file of 2 MB can hold
tens of millions of them; a teacher's CI must not spend minutes and gigabytes on such a file. This
reader inflates each part in chunks, counts cells and bytes as it goes, and stops with one
sentence (`CannotCheck`) as soon as a budget is exceeded. It yields plain values:

    number -> float      text -> str      TRUE/FALSE -> bool      #DIV/0! etc. -> XLError

and formulas as text with a leading `=` (shared formulas expanded to each cell, as Excel shows
them), with the value the last spreadsheet program stored beside each formula.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from .formula import _column, translate
from .values import XLError, parse_number

MAX_CELLS = 1_000_000  # a 10,000-row table has 310,000 cells
MAX_XML = 256 << 20  # bytes of XML inflated from one package
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's grid
ROW_SLACK = 1000  # rows a sheet may hold beyond the table limit (titles, notes, a summary)
CHUNK = 1 << 16
ERROR_CODES = {"#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#NUM!", "#N/A", "#NULL!"}
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class CannotCheck(Exception):
    """The file cannot be checked at all: one sentence saying why (exit code 2)."""


@dataclass
class Budget:
    """Bytes of XML and cells read so far, against their limits."""

    max_cells: int = MAX_CELLS
    max_xml: int = MAX_XML
    max_rows: int = 10_000 + 1_000  # per sheet
    cells: int = 0
    xml: int = 0

    def add_xml(self, n: int) -> None:
        self.xml += n
        if self.xml > self.max_xml:
            raise CannotCheck(
                f"over {self.max_xml >> 20} MB of XML inside the package; refusing to read it all"
            )

    def add_row(self, sheet: Sheet) -> None:
        sheet.rows += 1
        if sheet.rows > self.max_rows:
            raise CannotCheck(
                f"a sheet with over {self.max_rows:,} rows; the verifier checks tables of at "
                f"most {self.max_rows - ROW_SLACK:,} rows (see --max-rows)"
            )

    def add_cell(self) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise CannotCheck(
                f"over {self.max_cells:,} cells (the largest table checked has 10,000 rows "
                "of 31 cells); refusing to read them all"
            )


@dataclass
class Sheet:
    name: str
    constants: dict[tuple[int, int], object] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    cached: dict[tuple[int, int], object] = field(default_factory=dict)
    rows: int = 0  # <row> elements, counted whether or not they say which row they are


@dataclass
class Package:
    sheets: list[Sheet]
    names: dict[str, str]  # lower-case defined name -> its text (`Sheet1!$B$3`, `0.5`)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _chunks(z: zipfile.ZipFile, name: str, budget: Budget):
    with z.open(name) as f:
        first = True
        while chunk := f.read(CHUNK):
            budget.add_xml(len(chunk))
            if first and b"<!DOCTYPE" in chunk[:4096].upper():
                raise CannotCheck(f"{name} declares a DTD, which no spreadsheet program writes")
            first = False
            yield chunk


def _count(z: zipfile.ZipFile, name: str, budget: Budget) -> None:
    """Count a sheet's `<c>` and `<row>` tags in its raw bytes, at C speed, before parsing it:
    a sheet of millions of empty cells is refused without building one element of it."""
    cells = rows = 0
    with z.open(name) as f:
        tail = b""
        while chunk := f.read(CHUNK):
            text = tail + chunk
            cells += len(_CELL_TAG.findall(text, 0, len(text) - 8))
            rows += len(_ROW_TAG.findall(text, 0, len(text) - 8))
            tail = text[-8:]
            if budget.cells + cells > budget.max_cells or rows > budget.max_rows:
                break
            if f.tell() > budget.max_xml:
                break
        cells += len(_CELL_TAG.findall(tail))
        rows += len(_ROW_TAG.findall(tail))
    if budget.cells + cells > budget.max_cells:
        budget.cells = budget.max_cells
        budget.add_cell()  # raises
    if rows > budget.max_rows:
        budget.add_row(Sheet("", rows=budget.max_rows))  # raises


def _parse(z: zipfile.ZipFile, name: str, budget: Budget, events=("end",)):
    """(event, element) pairs of one part, parsed as it is inflated."""
    parser = ET.XMLPullParser(events)
    try:
        for chunk in _chunks(z, name, budget):
            parser.feed(chunk)
            yield from parser.read_events()
        parser.close()
        yield from parser.read_events()
    except ET.ParseError as e:
        raise CannotCheck(f"damaged XML in {name} ({e})") from None


def _read_xml(z: zipfile.ZipFile, name: str, budget: Budget) -> ET.Element:
    root = None
    for _, el in _parse(z, name, budget, events=("start",)):
        root = root if root is not None else el
    if root is None:
        raise CannotCheck(f"{name} is empty")
    return root


def _text(el: ET.Element, skip: str = "rPh") -> str:
    """The text of the `t` elements of a string item, without phonetic runs."""
    out = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            out.append(child.text or "")
        elif tag == "r":
            out.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(out)


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


def read_package(z: zipfile.ZipFile, budget: Budget | None = None) -> Package:
    """Every worksheet's cells and the workbook's defined names."""
    budget = budget or Budget()
    workbook = next(
        (t for kind, t in _rels(z, "", budget).values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    if workbook not in z.NameToInfo:
        raise CannotCheck("a zip archive without a workbook inside (not an xlsx file)")
    rels = _rels(z, workbook, budget)
    root = _read_xml(z, workbook, budget)
    strings_part = next((t for kind, t in rels.values() if kind.endswith("/sharedStrings")), None)
    strings = _shared_strings(z, strings_part if strings_part in z.NameToInfo else None, budget)
    sheets, local_ids = [], {}
    for el in root.iter():
        if _local(el.tag) != "sheet":
            continue
        kind, target = rels.get(el.get(f"{{{_RELS}}}id", ""), ("", ""))
        local_ids[len(local_ids)] = len(sheets) if kind.endswith("/worksheet") else None
        if kind.endswith("/worksheet") and target in z.NameToInfo:
            sheet = Sheet(el.get("name", f"Sheet{len(sheets) + 1}"))
            _read_sheet(z, target, sheet, strings, budget)
            sheets.append(sheet)
    names = {}
    for el in root.iter():
        if _local(el.tag) == "definedName" and el.get("name"):
            names[el.get("name").lower()] = (el.text or "").strip()
    return Package(sheets, names)


def _number_or_text(text: str):
    value = parse_number(text)
    return text if value is None else value


def _value(kind: str, v: ET.Element | None, inline: ET.Element | None, strings: list[str]):
    """The value of a cell of type `kind` from its `<v>` or `<is>` element, or None."""
    if kind == "inlineStr":
        return None if inline is None else _text(inline)
    if v is None:
        return None
    text = v.text or ""
    if not text and kind != "str":
        return None
    if kind == "s":
        k = parse_number(text)
        if k is None or not 0 <= k < len(strings) or k != int(k):
            raise CannotCheck(f"a damaged workbook: a cell refers to shared string {text[:20]!r}")
        return strings[int(k)]
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        code = text.strip().upper()
        return XLError(code if code in ERROR_CODES else "#VALUE!", f"the cell holds {text[:20]}")
    return _number_or_text(text)


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """The (row, column) a cell element names, or the next one in its row when it names none."""
    if ref:
        m = _CELL_REF.match(ref)
        if not m:
            raise CannotCheck(f"a damaged worksheet: a cell named {ref[:20]!r}")
        row, col = int(m.group(2)), _column(m.group(1))
    else:
        col += 1
    if not (1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLUMNS):  # _column gives 0 past XFD
        raise CannotCheck(f"a damaged worksheet: a cell outside Excel's grid (row {row})")
    return row, col


def _read_sheet(z, part: str, sheet: Sheet, strings: list[str], budget: Budget) -> None:
    shared: dict[str, tuple[str, tuple[int, int]]] = {}  # si -> (formula text, its cell)
    pending: list[tuple[tuple[int, int], str]] = []  # shared formulas met before their master
    row = 0
    row_tag = cell_tag = None
    _count(z, part, budget)
    for _, el in _parse(z, part, budget):
        tag = el.tag
        if tag == cell_tag:
            budget.add_cell()  # counted as they end, so one huge row is stopped too
            continue
        if tag != row_tag:
            if cell_tag is None and _local(tag) in ("c", "row"):  # learn the namespace
                row_tag = tag[: len(tag) - len(_local(tag))] + "row"
                cell_tag = row_tag[:-3] + "c"
                if tag == cell_tag:
                    budget.add_cell()
            continue
        budget.add_row(sheet)
        r = el.get("r")
        row, col = (int(r) if r and r.isdigit() else row + 1), 0
        for c in el:
            if c.tag == cell_tag:
                row, col = _position(c.get("r"), row, col)
                _cell(c, (row, col), sheet, strings, shared, pending)
        el.clear()
    for key, si in pending:
        if si in shared:
            sheet.formulas[key] = _translate(*shared[si], key)


def _cell(el, key, sheet: Sheet, strings, shared, pending) -> None:
    f = v = inline = None
    for child in el:
        tag = child.tag[-2:]
        if tag in ("}f", ":f") or child.tag == "f":
            f = child
        elif tag in ("}v", ":v") or child.tag == "v":
            v = child
        elif tag == "is":
            inline = child
    value = _value(el.get("t", "n"), v, inline, strings)
    text = f.text if f is not None and (f.text or "").strip() else ""
    if f is not None and f.get("t") == "shared" and f.get("si") is not None:
        si = f.get("si")
        if text:
            shared[si] = (text, key)
        elif si in shared:
            text = _translate(*shared[si], key)[1:]
        else:
            pending.append((key, si))
            return
    if text and f.get("t") != "dataTable":
        sheet.formulas[key] = "=" + text
        if value is not None:
            sheet.cached[key] = value
    elif value is not None and value != "":
        sheet.constants[key] = value


def _translate(text: str, origin: tuple[int, int], key: tuple[int, int]) -> str:
    """A shared formula moved from its master cell to `key`, as Excel shows it there."""
    return "=" + translate(text, key[0] - origin[0], key[1] - origin[1])
