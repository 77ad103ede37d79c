"""Spreadsheet features students use, computed as Excel does (checked against LibreOffice's
recalculation where it knows them), or refused by name; Google Sheets' POW judged as POWER."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from sheetgen.verify import check_book, verify
from sheetgen.verify.book import open_book
from sheetgen.workbook import build
from sheetgen.workbook.settings import Settings
from test_verify_engine import evaluate, value
from test_verify_students import STUDENTS, students  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return build(tmp_path_factory.mktemp("small") / "small.xlsx",
                 Settings(learning_rates=(0.5,), iterations=8))


def test_pow_computes_as_power(tmp_path):
    engine = evaluate(tmp_path, {"A1": 3, "B1": "=POW(A1,2)", "C1": "=_xlfn.POW(2,0.5)"})
    assert value(engine, "B1") == 9.0 and value(engine, "C1") == pytest.approx(2**0.5)


def test_a_table_written_with_pow_passes_with_a_note(small):
    """Every E1 cell of a built table rewritten with POW: the maths is right, so PASS, and a
    note says that Excel and LibreOffice show #NAME? in those cells."""
    book = open_book(small)
    square = re.compile(r"=0\.5\*(\([A-Z]+\d+-[A-Z]+\d+\))\*\1")  # ½(t−a)·(t−a)
    formulas = {k: square.sub(r"=0.5*POW(\1,2)", f) for k, f in book.formulas.items()}
    changed = sorted(k for k in formulas if formulas[k] != book.formulas[k] and k[0] == 1)
    assert len(changed) >= 2 * 8 and all("POW(" in formulas[k] for k in changed)
    result = check_book(replace(book, formulas=formulas, cached={}))
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]
    (note,) = [n for n in result.notes if "POW" in n]
    first = book.address(min(changed))
    assert note.startswith(f"{first} and ") and "show #NAME? there; judged here as POWER" in note


def test_student14_uses_pow_and_passes_with_the_note(students):  # noqa: F811 - the fixture
    result = verify(STUDENTS / "student14.xlsx")
    assert result.status == "pass"
    assert result.notes == ["Sheet1!W33 and 67 more cells use POW, a Google Sheets function: "
                            "Excel and LibreOffice show #NAME? there; judged here as POWER"]
