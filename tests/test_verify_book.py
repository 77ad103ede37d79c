"""The streaming xlsx reader against openpyxl, on real student workbooks and on our own."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import to_excel

from sheetgen.verify.book import open_book
from sheetgen.verify.functions import XLError

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"


def student_files() -> list[Path]:
    return sorted(STUDENTS.glob("*.xlsx"))


def _plain(v):
    """An openpyxl value as our reader gives it."""
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return float(to_excel(v))
    return str(getattr(v, "text", v))


def openpyxl_cells(path) -> tuple[dict, dict, dict]:
    """(constants, formulas, stored values of formulas) as openpyxl reads them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
        values = openpyxl.load_workbook(path, data_only=True)
    constants, formulas, cached = {}, {}, {}
    for s, ws in enumerate(wb.worksheets):
        for (r, c), cell in ws._cells.items():
            if cell.value is None or cell.value == "":
                continue
            if cell.data_type == "f":
                formulas[(s, r, c)] = _plain(cell.value)
                v = values.worksheets[s]._cells[(r, c)].value
                if v is not None:
                    cached[(s, r, c)] = _plain(v)
            else:
                constants[(s, r, c)] = _plain(cell.value)
    return constants, formulas, cached


def _ours(d: dict) -> dict:
    """Our values as openpyxl gives them: errors by code; a stored empty text (a formula that
    gives "") is no value to openpyxl."""
    return {k: (v.code if isinstance(v, XLError) else v) for k, v in d.items() if v != ""}


def _assert_same_cells(path) -> None:
    book = open_book(path)
    constants, formulas, cached = openpyxl_cells(path)
    assert book.formulas == formulas
    assert _ours(book.constants) == constants
    assert _ours(book.cached) == cached


@pytest.mark.parametrize("path", student_files(), ids=lambda p: p.name)
def test_reader_matches_openpyxl_on_student_workbooks(path):
    _assert_same_cells(path)


def test_student_workbooks_are_here_in_ci():
    import os

    if not student_files():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no student workbooks in {STUDENTS} (CI must have ../shared)")
        pytest.skip(f"no student workbooks in {STUDENTS}")
    assert len(student_files()) >= 12


def test_reader_matches_openpyxl_on_our_workbook(built_default):
    _assert_same_cells(built_default)


def test_reader_matches_openpyxl_on_a_libreoffice_copy(recalculated_default):
    _assert_same_cells(recalculated_default)
