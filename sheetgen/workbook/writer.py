"""Write the workbook: XlsxWriter makes the package, the long tables are streamed into it.

XlsxWriter writes every sheet, chart, image, defined name and print setting, and the first row
of each iteration table (formulas and values; the first two rows in the exercise, whose second
row is the first with the weights left empty). The other rows differ from the last of those only
in their row numbers and values, and there can be 10,000 of them on each of 20 sheets: 6.2 M
formulas. XlsxWriter's `write_formula` costs about 44 µs each here (it scans every formula with
some thirty regular expressions for functions newer than Excel 2010), which is over four minutes
for the largest workbook. So those rows are rendered here, one format string per row, with the
cell styles XlsxWriter chose for the last row it wrote, and streamed into the sheet's part while
the package is copied into the output file.

The copy is reproducible: every zip entry and document date is `FIXED_TIME`.
"""
from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter

from ..files import FIXED_TIME, atomic_write
from . import layout as L
from .exercise import is_blank
from .settings import Settings
from .sheets import Book, backprop_sheet, learning_rate_sheet, loss_sheet
from .styles import make_formats
from .values import compute

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ROWS_PER_CHUNK = 500
# Deflate level 1: about three times as fast as the default 6 on these tables, for a file about
# 15% larger (the largest workbook's 540 MB of XML took 32 s to compress at level 6).
COMPRESSLEVEL = 1


@dataclass(frozen=True)
class Prepared:
    """A workbook ready to write: the package XlsxWriter made, and what its tables' other rows
    are streamed from."""

    package: bytes
    book: Book


def write(path: Path, settings: Settings, exercise: bool = False) -> Path:
    """Build the workbook for `settings` (the exercise if `exercise`) and write it to `path`
    atomically."""
    return save(path, prepare(settings, exercise))


def prepare(settings: Settings, exercise: bool = False,
            properties: dict[str, str] | None = None) -> Prepared:
    """Everything that can fail on bad settings, done before any file is opened. `properties`:
    custom document properties (the roster's student id)."""
    settings.check()
    settings = settings.as_stored()  # every number as its cell will hold it
    values = compute(settings)
    book = Book(None, None, settings, values.exercise() if exercise else values, exercise)
    return Prepared(skeleton(book, properties), book)


def save(path: Path, prepared: Prepared) -> Path:
    """Write a prepared workbook to `path` atomically."""
    with atomic_write(path) as f:
        copy_package(prepared.package, f, prepared.book)
    return Path(path)


def skeleton(book: Book, properties: dict[str, str] | None = None) -> bytes:
    """The whole workbook as XlsxWriter writes it, each table holding only its first row (its
    first two in the exercise)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    for name, value in (properties or {}).items():
        wb.set_custom_property(name, value)
    book = replace(book, wb=wb, f=make_formats(wb))
    backprop_sheet(book)
    for k in range(len(book.settings.learning_rates)):
        learning_rate_sheet(book, k)
    loss_sheet(book)
    wb.close()
    return buffer.getvalue()


def copy_package(package: bytes, out, book: Book) -> None:
    """Copy the zip `package` into the file `out`, streaming the rest of each table into its
    sheet."""
    tables = {L.sheet_name(eta): k for k, eta in enumerate(book.settings.learning_rates)}
    with zipfile.ZipFile(io.BytesIO(package)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = sheet_parts(src)
        streamed = {parts[name]: k for name, k in tables.items()}
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = COMPRESSLEVEL  # read by open() and writestr(); 3.13 aliases it
            info.external_attr = 0o644 << 16
            data = src.read(item.filename)
            if item.filename not in streamed:
                dst.writestr(info, data)
                continue
            with dst.open(info, "w") as stream:
                _stream_sheet(data.decode("utf-8"), stream, book, streamed[item.filename])


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name, from the workbook and its relationships."""
    targets = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    sheets = ET.fromstring(z.read("xl/workbook.xml")).find(f"{MAIN}sheets")
    return {s.get("name"): posixpath.normpath(posixpath.join("xl", targets[s.get(f"{REL}id")]))
            for s in sheets}


def _stream_sheet(xml: str, stream, book: Book, k: int) -> None:
    """Write the sheet part `xml` with the rows after `book.pattern_row` of table `k` added."""
    values, last = book.values, L.last_row(book.values.iterations)
    xml = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"/>', rf'<dimension ref="A1:\g<1>{last}"/>', xml, 1)
    head, tail = xml.split("</sheetData>", 1)
    stream.write(head.encode("utf-8"))
    template, names = row_template(book, row_styles(xml, book.pattern_row))
    columns = [list(map(repr, values.table[name][k].tolist())) for name in names]
    below = values.below(k)
    chunk = []
    for i in range(book.pattern_row + 1 - L.FIRST_ROW, values.iterations):
        row = L.FIRST_ROW + i
        chunk.append(template.format(*(c[i] for c in columns), r=row, p=row - 1, n=i + 1,
                                     b=int(below[i])))
        if len(chunk) == ROWS_PER_CHUNK:
            stream.write("".join(chunk).encode("utf-8"))
            chunk = []
    stream.write(("".join(chunk) + "</sheetData>" + tail).encode("utf-8"))


def row_styles(xml: str, row: int) -> dict[str, str]:
    """Column letter -> the ` s="N"` style attribute of its cell in table row `row`."""
    cells = re.search(rf'<row r="{row}"[^>]*>(.*?)</row>', xml).group(1)
    return {m.group(1): m.group(2) or "" for m in
            re.finditer(rf'<c r="([A-Z]+){row}"( s="\d+")?', cells)}


def row_template(book: Book, styles: dict[str, str]) -> tuple[str, list[str]]:
    """One table row after the first as a format string, and the quantities whose stored values
    it takes: `{r}` its row, `{p}` the row above, `{n}` the iteration, `{0}`, `{1}`, ... the
    values of those quantities, `{b}` the helper's (1 for TRUE, 0 for FALSE). In the exercise a
    cell to fill in is an empty cell with its style."""
    def formula(text: str) -> str:  # the `=` off, XML-escaped, braces kept for format()
        return escape(text[1:])

    layout, names = book.layout, []
    cells = [f'<c r="A{{r}}"{styles["A"]}><v>{{n}}</v></c>']
    for q in book.settings.network.columns:
        column = layout.column_of[q.name]
        if book.exercise and is_blank(q, L.FIRST_ROW + 1):
            cells.append(f'<c r="{column}{{r}}"{styles[column]}/>')
            continue
        cells.append(f'<c r="{column}{{r}}"{styles[column]}><f>{formula(layout.row_formula(q))}'
                     f'</f><v>{{{len(names)}}}</v></c>')
        names.append(q.name)
    helper = layout.below_column
    cells.append(f'<c r="{helper}{{r}}"{styles[helper]} t="b">'
                 f"<f>{formula(layout.below_formula())}</f><v>{{b}}</v></c>")
    return '<row r="{r}">' + "".join(cells) + "</row>", names
