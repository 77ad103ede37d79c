"""One worksheet's cells, read as its XML is inflated.

Values come out plain (number -> float, text -> str, TRUE/FALSE -> bool, #DIV/0! etc. ->
XLError), formulas as text with a leading `=`, shared formulas expanded to each cell as Excel shows
them, and the value the last spreadsheet program stored beside each formula.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from ..xlsx.read import (
    MAX_COLUMNS,
    MAX_ROWS,
    Budget,
    CannotCheck,
    Sheet,
    _local,
    _parse,
    _text,
)
from .copies import Copies
from .formula import _column
from .values import XLError, date_serial, parse_number

ERROR_CODES = {"#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#NUM!", "#N/A", "#NULL!"}
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
_LETTERS: dict[str, int] = {}  # column letters of cell names `_CELL_REF` matched -> column
# A cell name inside Excel's grid (XFD, and rows below a million): an empty cell named so needs
# no parsing (a styled blank, tens of thousands in a formatted sheet); only its place is kept.
_IN_GRID = re.compile(r"(?:[A-Z]{1,2}|[A-W][A-Z]{2}|X[A-E][A-Z]|XF[A-D])[1-9][0-9]{0,5}")
_GRID_LETTERS: set[str] = set()  # column letters of names _IN_GRID matched (16,384 at most)


def _number_or_text(text: str):
    value = parse_number(text)
    return text if value is None else value


def _value(kind: str, v: ET.Element | None, inline: ET.Element | None, strings: list[str]):
    """The value of a cell of type `kind` from its `<v>` or `<is>` element, or None."""
    if kind == "n":  # a number (or text Excel would not read as one), the usual cell
        text = None if v is None else v.text
        return (text if (value := parse_number(text)) is None else value) if text else None
    if kind == "inlineStr":
        return None if inline is None else _text(inline)
    if v is None:
        return None
    text = v.text or ""
    if not text and kind != "str":
        return None
    if kind == "s":
        k = int(text) if len(text) < 16 and text.isascii() and text.isdigit() else parse_number(text)
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
    if kind == "d":  # an ISO 8601 date: Excel holds it as its serial number
        serial = date_serial(text)
        return text if serial is None else serial
    return _number_or_text(text)


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """The (row, column) a cell element names, or the next one in its row when it names none."""
    if ref:
        # The usual name: known column letters then the row's own number, as `_CELL_REF` reads it.
        digits = str(row)
        col = _LETTERS.get(ref[:len(ref) - len(digits)], 0) if ref.endswith(digits) else 0
        if not col:
            m = _CELL_REF.match(ref)
            if not m:
                raise CannotCheck(f"a damaged worksheet: a cell named {ref[:20]!r}")
            row, col = int(m.group(2)), _column(m.group(1))
            if 1 <= col and len(_LETTERS) < 4096:
                _LETTERS[m.group(1)] = col
    else:
        col += 1
    if not (1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLUMNS):  # _column gives 0 past XFD
        raise CannotCheck(f"a damaged worksheet: a cell outside Excel's grid (row {row})")
    return row, col


def read_sheet(z, part: str, sheet: Sheet, strings: list[str], budget: Budget) -> None:
    shared: dict[str, tuple[str, tuple[int, int]]] = {}  # si -> (formula text, its cell)
    pending: list[tuple[tuple[int, int], str]] = []  # shared formulas met before their master
    row = 0
    row_tag = cell_tag = None  # cells and rows were counted before (`Budget.book_sizes`)
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
        row = _row_cells(el, cell_tag, int(r) if r and r.isdigit() else row + 1, sheet, strings,
                         shared, pending)
        el.clear()
    for key, si in pending:
        if si in shared:
            sheet.formulas[key] = _translate(*shared[si], key)


def _row_cells(el, cell_tag: str, row: int, sheet: Sheet, strings, shared, pending):
    """Read the cells of one `<row>` numbered `row`; the row its last cell names (the next
    `<row>` without r= is the one after it)."""
    col, blank = 0, None  # blank: the name of the empty cells skipped since the last one read
    digits = _grid_row(row)
    for c in el:
        if c.tag != cell_tag:
            continue
        ref = c.get("r")
        if not len(c) and ref is not None and (
                ref.endswith(digits) and ref[:len(ref) - len(digits)] in _GRID_LETTERS
                or _in_grid(ref)):
            blank = ref  # holds nothing: its place matters only to a next cell without r=
            continue
        if blank is not None and ref is None:
            row, col = _position(blank, row, col)
        blank = None
        row, col = _position(ref, row, col)
        digits = _grid_row(row)
        _cell(c, (row, col), sheet, strings, shared, pending)
    if blank is not None:
        row, col = _position(blank, row, col)
    return row


def _grid_row(row: int) -> str:
    """A row's number as `_IN_GRID` matches it (one that never ends a cell's name if not)."""
    return str(row) if 0 < row < 1_000_000 else "\x00"


def _in_grid(ref: str) -> bool:
    """`_IN_GRID.fullmatch(ref)`, remembering the column letters of a name that matches (a
    blank named with them and its own row's number needs no regular expression)."""
    if not _IN_GRID.fullmatch(ref):
        return False
    _GRID_LETTERS.add(ref.rstrip("0123456789"))
    return True


def _child(tag: str) -> int:
    """Which child of a cell a tag names: 0 its formula, 1 its value, 2 its inline text."""
    end = tag[-2:]
    if end in ("}f", ":f") or tag == "f":
        return 0
    if end in ("}v", ":v") or tag == "v":
        return 1
    return 2 if end == "is" else 3


_CHILDREN: dict[str, int] = {}  # a tag met -> _child(tag)


def _cell(el, key, sheet: Sheet, strings, shared, pending) -> None:
    found = [None, None, None, None]  # the cell's last f, v, is (and other) children
    for child in el:
        if (kind := _CHILDREN.get(child.tag)) is None:
            kind = _child(child.tag)
            if len(_CHILDREN) < 64:
                _CHILDREN[child.tag] = kind
        found[kind] = child
    f, v, inline, _ = found
    value = _value(el.get("t", "n"), v, inline, strings)
    if f is None:
        if value is not None and value != "":
            sheet.constants[key] = value
        return
    text = f.text if f.text and f.text.strip() else ""
    kind = f.get("t")
    if kind == "shared" and (si := f.get("si")) is not None:
        if text:
            shared[si] = (Copies(text), key)
        elif si in shared:
            text = _translate(*shared[si], key)[1:]
        else:
            pending.append((key, si))
            return
    if text and kind != "dataTable":
        sheet.formulas[key] = "=" + text
        if value is not None:
            sheet.cached[key] = value
    elif value is not None and value != "":
        sheet.constants[key] = value


def _translate(copies: Copies, origin: tuple[int, int], key: tuple[int, int]) -> str:
    """A shared formula moved from its master cell to `key`, as Excel shows it there."""
    return "=" + copies.moved(key[0] - origin[0], key[1] - origin[1])
