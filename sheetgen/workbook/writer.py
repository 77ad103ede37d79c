"""Write the workbook: XlsxWriter makes the package, the long tables are streamed into it.

XlsxWriter writes every sheet, chart, image, defined name and print setting, and the first row
of each iteration table (formulas and values). The other rows differ from the first only in their
row numbers and values, and there can be 10,000 of them on each of 20 sheets: 6.2 M formulas.
XlsxWriter's `write_formula` costs about 44 µs each here (it scans every formula with some thirty
regular expressions for functions newer than Excel 2010), which is over four minutes for the
largest workbook. So those rows are rendered here, one format string per row, with the cell
styles XlsxWriter chose for the first row, and streamed into the sheet's part while the package
is copied into the output file.

The copy is reproducible: every zip entry and document date is `FIXED_TIME`.
"""
from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter

from .. import network as net
from ..files import FIXED_TIME, atomic_write
from . import layout as L
from .settings import Settings
from .sheets import backprop_sheet, learning_rate_sheet, loss_sheet
from .styles import make_formats
from .values import Values, compute

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ROWS_PER_CHUNK = 500
# Deflate level 1: about three times as fast as the default 6 on these tables, for a file about
# 15% larger (the largest workbook's 540 MB of XML took 32 s to compress at level 6).
COMPRESSLEVEL = 1


def write(path: Path, settings: Settings) -> Path:
    """Build the workbook for `settings` and write it to `path` atomically."""
    settings.check()
    settings = settings.as_stored()  # every number as its cell will hold it
    values = compute(settings)
    package = skeleton(settings, values)
    tables = {L.sheet_name(eta): k for k, eta in enumerate(settings.learning_rates)}
    with atomic_write(path) as f:
        copy_package(package, f, tables, values)
    return Path(path)


def skeleton(settings: Settings, values: Values) -> bytes:
    """The whole workbook as XlsxWriter writes it, each table holding only its first row."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    formats = make_formats(wb)
    backprop_sheet(wb, formats, settings, values)
    for k in range(len(settings.learning_rates)):
        learning_rate_sheet(wb, formats, settings, values, k)
    loss_sheet(wb, formats, settings, values)
    wb.close()
    return buffer.getvalue()


def copy_package(package: bytes, out, tables: dict[str, int], values: Values) -> None:
    """Copy the zip `package` into the file `out`, streaming the rest of each table (by sheet
    name, the learning rate's index in `values`) into its sheet."""
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
                _stream_sheet(data.decode("utf-8"), stream, values, streamed[item.filename])


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name, from the workbook and its relationships."""
    targets = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    sheets = ET.fromstring(z.read("xl/workbook.xml")).find(f"{MAIN}sheets")
    return {s.get("name"): posixpath.normpath(posixpath.join("xl", targets[s.get(f"{REL}id")]))
            for s in sheets}


def _stream_sheet(xml: str, stream, values: Values, k: int) -> None:
    """Write the sheet part `xml` with rows FIRST_ROW+1 .. last of table `k` added."""
    last = L.last_row(values.iterations)
    xml = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"/>', rf'<dimension ref="A1:\g<1>{last}"/>', xml, 1)
    head, tail = xml.split("</sheetData>", 1)
    stream.write(head.encode("utf-8"))
    template = row_template(first_row_styles(xml))
    columns = [list(map(repr, values.table[q.name][k].tolist())) for q in net.COLUMNS]
    below = values.below(k)
    chunk = []
    for i in range(1, values.iterations):
        row = L.FIRST_ROW + i
        chunk.append(template.format(*(c[i] for c in columns), r=row, p=row - 1, n=i + 1,
                                     b=int(below[i])))
        if len(chunk) == ROWS_PER_CHUNK:
            stream.write("".join(chunk).encode("utf-8"))
            chunk = []
    stream.write(("".join(chunk) + "</sheetData>" + tail).encode("utf-8"))


def first_row_styles(xml: str) -> dict[str, str]:
    """Column letter -> the ` s="N"` style attribute of its cell in the table's first row."""
    row = re.search(rf'<row r="{L.FIRST_ROW}"[^>]*>(.*?)</row>', xml).group(1)
    return {m.group(1): m.group(2) or "" for m in
            re.finditer(rf'<c r="([A-Z]+){L.FIRST_ROW}"( s="\d+")?', row)}


def row_template(styles: dict[str, str]) -> str:
    """One table row as a format string: `{r}` its row, `{p}` the row above, `{n}` the
    iteration, `{0}`..`{30}` the stored values, `{b}` the helper's (1 for TRUE, 0 for FALSE)."""
    def formula(text: str) -> str:  # the `=` off, XML-escaped, braces kept for format()
        return escape(text[1:])

    cells = [f'<c r="A{{r}}"{styles["A"]}><v>{{n}}</v></c>']
    for k, q in enumerate(net.COLUMNS):
        column = L.COLUMN_OF[q.name]
        cells.append(f'<c r="{column}{{r}}"{styles[column]}><f>{formula(L.row_formula(q))}</f>'
                     f'<v>{{{k}}}</v></c>')
    helper = L.BELOW_COLUMN
    cells.append(f'<c r="{helper}{{r}}"{styles[helper]} t="b"><f>{formula(L.below_formula())}'
                 "</f><v>{b}</v></c>")
    return '<row r="{r}">' + "".join(cells) + "</row>"
