"""Stream the XML parts of an xlsx package within fixed budgets.

openpyxl builds an object for every `<c>` element, empty or not, and a file of 2 MB can hold
tens of millions of them; a teacher's CI must not spend minutes and gigabytes on such a file. This
module inflates each part in chunks, counts cells, rows and bytes as it goes (a sheet's cells
and rows in its raw bytes before it is parsed at all), and stops with one sentence
(`CannotCheck`) as soon as a budget is exceeded. `book.read_package` reads the workbook with it,
`worksheet.read_sheet` each sheet's cells.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

MAX_CELLS = 1_000_000  # cells of one sheet, and cells held at once: a 10,000-row table has 310,000
# A workbook larger than MAX_CELLS is read a few sheets at a time (`verify.groups`), up to this
# many cells and bytes of XML in all: the builder's largest (20 η × 10,000 rows) has 6.2 M, 540 MB.
MAX_BOOK_CELLS = 16 * MAX_CELLS
MAX_XML = 256 << 20  # bytes of XML inflated at once (a sheet, or the sheets read together)
MAX_BOOK_XML = 4 * MAX_XML
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's grid
ROW_SLACK = 1000  # rows a sheet may hold beyond the table limit (titles, notes, a summary)
# Sheets beside the table (a data sheet, a perceptron's training log) may be longer than it:
# a sheet may hold ROWS_PER_TABLE_ROW times the longest table checked, plus ROW_SLACK rows.
ROWS_PER_TABLE_ROW = 2
# Excel holds at most 32,767 characters in a cell and 8,192 in a formula: a run of XML text
# with no tag in it longer than this many bytes (4 per character in UTF-8) is no cell's text.
MAX_TEXT = 4 * 32_767 + 1024
CHUNK = 1 << 16
ERROR_CODES = {"#DIV/0!", "#REF!", "#NAME?", "#VALUE!", "#NUM!", "#N/A", "#NULL!"}
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")
# `<c>` and `<row>` tags, with a namespace prefix or without (three times as fast to count)
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]"), re.compile(rb"<c[\s/>]"), b":c"
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]"), re.compile(rb"<row[\s/>]"), b":row"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class CannotCheck(Exception):
    """The file cannot be checked at all: one sentence saying why (exit code 2)."""


@dataclass
class Budget:
    """Bytes of XML and cells read so far, against their limits."""

    max_cells: int = MAX_CELLS
    max_xml: int = MAX_XML
    max_rows: int = ROWS_PER_TABLE_ROW * 10_000 + ROW_SLACK  # per sheet
    max_book_cells: int = MAX_BOOK_CELLS
    max_book_xml: int = MAX_BOOK_XML
    cells: int = 0
    xml: int = 0

    @classmethod
    def for_rows(cls, table_rows: int) -> Budget:
        """The budget of a workbook whose tables are checked up to `table_rows` rows (the cell
        budgets as this module says when it is called)."""
        return cls(max_cells=MAX_CELLS, max_rows=ROWS_PER_TABLE_ROW * table_rows + ROW_SLACK,
                   max_book_cells=MAX_BOOK_CELLS)

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
                f"a sheet with over {self.max_rows:,} rows; the verifier reads sheets of at most "
                f"{ROWS_PER_TABLE_ROW} x the longest table it checks, "
                f"{(self.max_rows - ROW_SLACK) // ROWS_PER_TABLE_ROW:,} rows (see --max-rows)"
            )

    def add_cell(self) -> None:
        self.cells += 1
        if self.cells > self.max_cells:
            raise CannotCheck(
                f"over {self.max_cells:,} cells (the largest table checked has 10,000 rows "
                "of 31 cells); refusing to read them all"
            )

    def book_sizes(self, z: zipfile.ZipFile, parts: list[str]) -> list[int]:
        """The cells of each sheet part, counted in its raw bytes (`_count`): a sheet over the
        budget of one, or a workbook over the budget of all, is refused before any is parsed."""
        sizes, xml = [], 0
        for part in parts:
            sheet = Budget(max_cells=self.max_cells, cells=self.cells, max_rows=self.max_rows,
                           max_xml=min(self.max_xml, self.max_book_xml - xml))
            cells, inflated = _count(z, part, sheet)
            sizes.append(cells)
            xml += inflated
            if sum(sizes) > self.max_book_cells:
                raise CannotCheck(
                    f"over {self.max_book_cells:,} cells in its sheets (the verifier reads up to "
                    f"{self.max_cells:,} at a time); refusing to read them all")
        return sizes


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
    """The part `name` inflated chunk by chunk, within the budget; no text between two tags may
    be longer than any cell's (so a 240 MB string is refused after its first 130 KB)."""
    with z.open(name) as f:
        first, untagged = True, 0  # bytes since the last '<'
        while chunk := f.read(CHUNK):
            budget.add_xml(len(chunk))
            if first:
                _check_head(name, chunk)
                first = False
            last = chunk.rfind(b"<")
            untagged = untagged + len(chunk) if last < 0 else len(chunk) - last
            if untagged > MAX_TEXT:
                raise CannotCheck(f"{name} holds a text or formula of over 32,767 characters, "
                                  "more than Excel allows in a cell")
            yield chunk


def _check_head(name: str, chunk: bytes) -> None:
    """Refuse, by name, a part that no spreadsheet program writes: one with a DTD, or one in
    UTF-16 (which the byte-level budgets and edits of this package do not read)."""
    if chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:64]:
        raise CannotCheck(f"{name} is written in UTF-16, not UTF-8; open the workbook and "
                          "save it again")
    if b"<!DOCTYPE" in chunk[:4096].upper():
        raise CannotCheck(f"{name} declares a DTD, which no spreadsheet program writes")


def _count(z: zipfile.ZipFile, name: str, budget: Budget) -> tuple[int, int]:
    """Count a sheet's `<c>` and `<row>` tags in its raw bytes, at C speed, before parsing it:
    a sheet of millions of empty cells is refused without building one element of it. Returns
    the cells (an upper bound: a `<c` in a comment counts too) and the bytes inflated."""
    cells = rows = 0
    tail = b""
    inflated = Budget(max_xml=budget.max_xml - budget.xml)
    for chunk in _chunks(z, name, inflated):
        text = tail + chunk
        cells += _tags(text, _CELL_TAG, len(text) - 8)
        rows += _tags(text, _ROW_TAG, len(text) - 8)
        tail = text[-8:]
        if budget.cells + cells > budget.max_cells or rows > budget.max_rows:
            break
    cells += _tags(tail, _CELL_TAG, len(tail))
    rows += _tags(tail, _ROW_TAG, len(tail))
    if budget.cells + cells > budget.max_cells:
        budget.cells = budget.max_cells
        budget.add_cell()  # raises
    if rows > budget.max_rows:
        budget.add_row(Sheet("", rows=budget.max_rows))  # raises
    return cells, inflated.xml


def _tags(text: bytes, tag: tuple[re.Pattern, re.Pattern, bytes], end: int) -> int:
    """How many tags of a kind (`_CELL_TAG`) are in text[:end]: without the prefix where no
    `:c` (or `:row`) in the text can start a prefixed one."""
    prefixed, plain, colon = tag
    return len((prefixed if colon in text else plain).findall(text, 0, end))


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
