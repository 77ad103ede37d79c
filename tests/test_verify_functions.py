"""Spreadsheet features students use, computed as Excel does (checked against LibreOffice's
recalculation where it knows them), or refused by name; Google Sheets' POW judged as POWER."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from test_verify_engine import evaluate, value
from test_verify_students import STUDENTS, students  # noqa: F401 - the fixture

from sheetgen.verify import check_book, verify
from sheetgen.verify.book import open_book
from sheetgen.verify.values import XLError
from sheetgen.workbook import build
from sheetgen.workbook.settings import Settings


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
    assert result.notes == [("Sheet1!W33 and 67 more cells use POW, a Google Sheets function: "
                             "Excel and LibreOffice show #NAME? there; judged here as POWER")]


FEATURES = ['INDIRECT("A"&ROW()+2)', "INDIRECT(\"'η=0.1'!A1\")+1", 'INDIRECT("A1:A3")',
            "ROW()", "COLUMN()", "ROW(C5)", "COLUMN(C5:E9)", "ROWS(A1:A3)", "COLUMNS(A1:C1)",
            "SUM(OFFSET(A1,1,0,2,1))", "OFFSET(A3,-1,0)", "ROW(OFFSET(A1,2,0))",
            "SUM(INDIRECT(\"A1:A\"&ROWS(A1:A3)))", "SUM(A:A)", "SUM(2:2)", "COUNT(1:3)",
            "SUM(C1:C3)", "INDEX(A1:B3,3,1)"]


def test_reference_functions_agree_with_libreoffice(tmp_path, soffice):
    """INDIRECT (same and other sheet), OFFSET, ROW, COLUMN, ROWS, COLUMNS, 3-D references and
    whole rows and columns, each in column F beside data in A and B, as LibreOffice computes."""
    from openpyxl import load_workbook

    from sheetgen.libreoffice import recalculate

    cells = {"A1": 1, "A2": 2, "A3": "=A2*10", "B1": 0.5, "B2": "=B1*4", "C1": 1,
             "C2": "=INDEX(C:C,ROW()-1)+1", "C3": "=INDEX(C:C,ROW()-1)+1"}  # no cycle: C2 reads C1
    cells |= {f"F{k + 1}": "=" + text for k, text in enumerate(FEATURES)}
    ours = evaluate(tmp_path, cells, other={"A1": 7, "A2": 9})
    theirs = load_workbook(recalculate(tmp_path / "e.xlsx", tmp_path / "lo"), data_only=True)
    got = [value(ours, f"F{k + 1}") for k in range(len(FEATURES))]
    exp = [theirs.active[f"F{k + 1}"].value for k in range(len(FEATURES))]
    assert [(t, g) for t, g in zip(FEATURES, got)] == [(t, x) for t, x in zip(FEATURES, exp)]


THREE_D = ["SUM(S4:S6!A1)", "SUM(S6:S4!A1:B2)", "AVERAGE(S4:S5!A1)", "COUNT(S4:S6!A1:A2)",
           "MAX(S5:S6!A1)", "SUM(S4:S4!A1)"]


def test_3d_references_agree_with_libreoffice(tmp_path, soffice):
    """Sheet4:Sheet6!A1 inside SUM and its kin: one block per sheet from the first to the last."""
    from openpyxl import Workbook, load_workbook

    from sheetgen.libreoffice import recalculate

    wb = Workbook()
    wb.active.title = "S4"
    for k, name in enumerate(["S5", "S6"]):
        wb.create_sheet(name)["A1"] = 10.0 * (k + 2)
    wb["S4"]["A1"], wb["S5"]["B2"] = 1.0, "=S5!A1*2"
    for k, text in enumerate(THREE_D):
        wb["S4"][f"F{k + 1}"] = "=" + text
    wb.save(tmp_path / "3d.xlsx")
    from sheetgen.verify.engine import Engine

    ours = Engine(open_book(tmp_path / "3d.xlsx"))
    theirs = load_workbook(recalculate(tmp_path / "3d.xlsx", tmp_path / "lo"), data_only=True)
    assert [(t, ours.value((0, k + 1, 6))) for k, t in enumerate(THREE_D)] == [
        (t, theirs["S4"][f"F{k + 1}"].value) for k, t in enumerate(THREE_D)]


def test_a_function_not_evaluated_is_named_and_not_judged(tmp_path, capsys):
    """A table whose h1 cells use XLOOKUP: exit 2 and one line naming the function, never a
    finding that blames the student's maths; a misspelt name is still #NAME?, as in Excel."""
    from openpyxl import Workbook

    from sheetgen.cli import main
    from sheetgen.verify.samples import Layout, write_table

    for name, want in (("XLOOKUP(1,B1:B2,B1:B2)", 2), ("SUMM(1)", 1)):
        wb = Workbook()
        info = write_table(wb.active, Layout(), rows=5, eta=0.5)
        for r in info["rows"]:
            wb.active.cell(r, info["cols"]["h1"]).value += f"+0*{name}"
        wb.save(tmp_path / "f.xlsx")
        assert main(["verify", str(tmp_path / "f.xlsx")]) == want
        out = capsys.readouterr().out
        if want == 2:
            assert out.count("\n") == 1 and "uses XLOOKUP, which the verifier does not evaluate" \
                in out, out
        else:
            assert "#NAME?" in out


def test_a_table_written_with_indirect_and_offset_passes(tmp_path):
    """Weights updated with OFFSET and h1 read through INDIRECT, as some students write them."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter as letter

    from sheetgen.verify.samples import Layout, write_table

    wb = Workbook()
    ws = wb.active
    info = write_table(ws, Layout(), rows=6, eta=0.5)
    col = info["cols"]
    for r in info["rows"][1:]:
        w1 = ws.cell(r, col["w1"])
        w1.value = w1.value.replace(f"{letter(col['w1'])}{r - 1}",
                                    f"OFFSET({letter(col['w1'])}{r},-1,0)")
        h1 = ws.cell(r, col["h1"])
        h1.value = h1.value.replace(f"{letter(col['w1'])}{r}",
                                    f'INDIRECT("{letter(col["w1"])}"&ROW())')
        assert "OFFSET" in w1.value and "INDIRECT" in h1.value
    wb.save(tmp_path / "t.xlsx")
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]


def test_a_weight_typed_as_an_iso_date_is_its_serial_number(tmp_path, soffice):
    """A `t="d"` cell (an ISO 8601 date, as some programs save a typed date) is the number
    LibreOffice holds: 1899-12-30T03:36 is 0.15. The table passes; the value is LibreOffice's."""
    import datetime

    from openpyxl import Workbook, load_workbook

    from sheetgen.libreoffice import recalculate
    from sheetgen.verify.samples import Layout, write_table

    wb = Workbook(iso_dates=True)
    info = write_table(wb.active, Layout(), rows=5, eta=0.5)
    wb.active.cell(info["rows"][0], info["cols"]["w1"]).value = datetime.datetime(1899, 12, 30,
                                                                                   3, 36)
    wb.active["AZ1"] = f"={wb.active.cell(info['rows'][0], info['cols']['w1']).coordinate}*1"
    wb.save(tmp_path / "d.xlsx")
    assert 't="d"' in __import__("zipfile").ZipFile(tmp_path / "d.xlsx").read(
        "xl/worksheets/sheet1.xml").decode()
    result = verify(tmp_path / "d.xlsx")
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]
    theirs = load_workbook(recalculate(tmp_path / "d.xlsx", tmp_path / "lo"), data_only=True)
    book = open_book(tmp_path / "d.xlsx")
    assert book.constants[(0, info["rows"][0], info["cols"]["w1"])] == pytest.approx(
        theirs.active["AZ1"].value, abs=1e-12)


@pytest.mark.parametrize("text,feature", [
    ("SUM((A1,A1))", "the union operator (A1,B1)"), ("SUM({1,2})", "an array constant {...}"),
    ("SUM([1]Sheet1!A1)", "a link to another workbook ('[1]Sheet1!A1')"),
    ("SUM(Table1[Col])", "a structured reference ('Table1[Col]')"),
    ('INDIRECT("R1C1",FALSE)', "INDIRECT of R1C1 text"), ("XLOOKUP(1,A1:A2,A1:A2)", "XLOOKUP")])
def test_valid_excel_not_evaluated_is_named(tmp_path, text, feature):
    from sheetgen.verify.values import NotEvaluated

    engine = evaluate(tmp_path, {"A1": 1, "B1": "=" + text})
    with pytest.raises(NotEvaluated) as e:
        value(engine, "B1")
    assert str(e.value) == f"Sheet!B1 uses {feature}, which the verifier does not evaluate"


def test_text_that_is_no_formula_stays_a_finding(tmp_path):
    """`{w1[+1]}` is no array constant: the cell is #VALUE!, a mistake of the student's, not a
    feature the verifier declines."""
    engine = evaluate(tmp_path, {"A1": 1, "B1": "={w1[+1]}-A1"})
    assert isinstance(value(engine, "B1"), XLError)
