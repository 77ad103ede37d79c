"""The workbook opens everywhere: no function newer than Excel 2010, and handout-like printing.

Printing is checked as LibreOffice, with a student's default settings, prints the workbook to
PDF: every page landscape, the Backprop and Loss curves sheets one page each, every page of an η
table with its header row and iteration column, and numbers big enough to read.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import require, require_soffice
from openpyxl.formula.tokenizer import Token, Tokenizer

from sheetgen import network as net
from sheetgen.workbook import BACKPROP, LOSS_SHEET, sheet_name

COMMITTED = Path(__file__).parents[1] / "output" / "backprop.xlsx"

# Functions of Excel 2010 that LibreOffice, Google Sheets and Gnumeric all have. Anything else
# needs checking in all four before it goes on this list (MINIFS, for one, is Excel 2019).
EXCEL_2010 = {"ABS", "AND", "AVERAGE", "COUNT", "COUNTA", "COUNTIF", "EXP", "IF", "IFERROR",
              "INDEX", "LN", "MATCH", "MAX", "MIN", "NOT", "OR", "ROUND", "SQRT", "SUM",
              "SUMPRODUCT"}


def functions_used(path: Path) -> dict[str, str]:
    """Every function the workbook's formulas call -> the first cell that calls it."""
    used = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                for token in Tokenizer(str(c.value)).items:
                    if token.type == Token.FUNC and token.subtype == Token.OPEN:
                        used.setdefault(token.value.rstrip("(").upper(), f"{ws.title}!{c.coordinate}")
    return used


@pytest.mark.parametrize("which", ["built", "committed"])
def test_no_function_newer_than_excel_2010(built_default, which):
    path = built_default if which == "built" else COMMITTED
    used = functions_used(path)
    assert {"EXP", "IFERROR", "MATCH"} <= used.keys()  # the tokenizer found the formulas
    newer = {name: cell for name, cell in used.items()
             if name not in EXCEL_2010 or name.startswith("_XL")}
    assert not newer, f"functions outside Excel 2010 (first cell): {newer}"


# --- printing --------------------------------------------------------------------------------------
def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext lays it out."""
    require("pdftotext", "poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_sizes(pdf: Path, pages: int) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def word_heights(pdf: Path, page: int) -> list[float]:
    """Heights in points of the word boxes on `page` (a box is about 1.3 times the font size)."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" '
                                                       r'yMax="([\d.]+)">[-\d.E+]+</word>', html)]


@pytest.fixture(scope="module")
def printed(built_default, tmp_path_factory):
    """The default workbook printed to PDF by LibreOffice with a fresh default profile."""
    require_soffice()
    from sheetgen.libreoffice import convert

    pdf = convert(built_default, tmp_path_factory.mktemp("pdf"), "pdf", recalc=False)
    return pdf, pdf_pages(pdf)


def sheet_of(page: str) -> str:
    """The sheet a page belongs to: the footer names it (`&A`) before 'page N of M'."""
    return re.findall(r"^\s*(\S.*?)\s+page \d+ of \d+\s*$", page, re.MULTILINE)[-1]


def test_every_page_is_landscape(printed):
    pdf, pages = printed
    assert all(w > h for w, h in page_sizes(pdf, len(pages)))


def test_backprop_and_loss_curves_print_on_one_page_each(printed):
    _, pages = printed
    sheets = [sheet_of(p) for p in pages]
    assert sheets.count(BACKPROP) == 1 and sheets.count(LOSS_SHEET) == 1
    assert "The six chain-rule blocks" in pages[0] and "∂E/∂w4" in pages[0]


def test_table_pages_repeat_header_and_iteration_column(printed):
    """Each η sheet prints as pages of about 40 rows, each page a third of the columns, with the
    header row and the iteration numbers on every one (and a last page with the chart)."""
    pdf, pages = printed
    first_labels = {"t1", "w5", "∂E/∂w1"}  # where the three thirds of the table begin
    for eta in net.LEARNING_RATES:
        mine = [(n, p) for n, p in enumerate(pages, start=1) if sheet_of(p) == sheet_name(eta)]
        tables = [(n, p) for n, p in mine if "E_total per iteration" not in p]
        assert len(tables) >= 3 and len(mine) == len(tables) + 1
        rows_seen = set()
        for n, page in tables:
            header = next(line.split() for line in page.splitlines()
                          if line.split()[:1] == ["iteration"])
            assert header[1] in first_labels, (eta, n, header)
            assert len(header) <= 13  # a third of the table, not all 33 columns squeezed
            rows = [int(line.split()[0]) for line in page.splitlines()
                    if re.match(r"\s*\d+\s+-?\d", line)]
            assert rows == list(range(rows[0], rows[0] + len(rows)))
            rows_seen |= set(rows)
        assert rows_seen == set(range(1, net.ITERATIONS + 1))
    numbers = word_heights(pdf, tables[0][0])
    assert len(numbers) > 300 and min(numbers) >= 9.0  # 7 pt and more: readable on paper


def test_loss_chart_axis_labels_stand_apart(printed):
    """The overlay chart labels the iteration axis with a few round numbers, not every step."""
    _, pages = printed
    loss = next(p for p in pages if sheet_of(p) == LOSS_SHEET)
    axis = next(line.split() for line in loss.splitlines()
                if re.fullmatch(r"\s*0(\s+\d+)+\s*", line))
    assert axis == ["0", "20", "40", "60", "80", "100"]
