"""An exercise as a student fills it in: blank, the first row written, two rows with a mistake,
complete. The verifier says what is still empty in a few lines, how to go on, and what is wrong."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from sheetgen import network as net
from sheetgen.verify import report, verify
from sheetgen.verify.samples import Layout, write_table

ROWS = 100


def exercise(path, filled_rows: int | None, mistake=None) -> dict:
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=ROWS, eta=0.5, filled_rows=filled_rows,
                       mistake=mistake)
    wb.save(path)
    return info


def findings(path) -> list:
    result = verify(path)
    return [f for t in result.tables for f in t.causes]


def test_the_blank_exercise_says_what_is_empty_in_three_lines(tmp_path):
    exercise(tmp_path / "blank.xlsx", filled_rows=0)
    result = verify(tmp_path / "blank.xlsx")
    assert result.status == "fail" and len(result.tables) == 1 and result.tables[0].rows == ROWS
    first_row = ("J6:M6, R6:AF6 (h1 … ∂E/∂w8; 19 cells) are still empty: write row 6's "
                 "formulas, the forward pass, then the chain rule")
    updates = ("F7:I7, N7:Q7 (w1 … w8; 8 cells) are still empty: write the update rule, "
               "w − η·∂E/∂w of the row above")
    fill = "F7:AF105 (w1 … ∂E/∂w8; 2,665 cells) are still empty: fill rows 6 and 7 down to row 105"
    assert [f.message for f in findings(tmp_path / "blank.xlsx")] == [first_row, updates, fill]
    assert all(not f.fix for f in findings(tmp_path / "blank.xlsx"))  # no answers handed out
    assert len(report.text(result).splitlines()) == 5


def test_the_first_row_written(tmp_path):
    exercise(tmp_path / "one.xlsx", filled_rows=1)
    assert [f.words for f in findings(tmp_path / "one.xlsx")] == [
        "are still empty: write the update rule, w − η·∂E/∂w of the row above",
        "are still empty: fill rows 6 and 7 down to row 105",
    ]


def test_two_rows_written_with_a_mistake(tmp_path):
    mistake = (0, "dw3", net.BY_NAME["dw3"].formula.replace("{a_h2}", "{a_h1}"))
    exercise(tmp_path / "two.xlsx", filled_rows=2, mistake=mistake)
    wrong, fill = findings(tmp_path / "two.xlsx")
    assert wrong.cell.endswith("!AA6") and wrong.words.startswith("reads a_h1 (column K)")
    assert wrong.fix == "=((S6-B6)*S6*(1-S6)*O6+(U6-C6)*U6*(1-U6)*Q6)*M6*(1-M6)*D6"
    assert fill.words == "are still empty: fill rows 6 and 7 down to row 105"


def test_the_complete_exercise_passes(tmp_path):
    exercise(tmp_path / "done.xlsx", filled_rows=None)
    assert verify(tmp_path / "done.xlsx").status == "pass"


def test_one_empty_cell_in_a_finished_table_is_a_plain_finding(tmp_path):
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=8, eta=0.5)
    wb.active.cell(info["rows"][4], info["cols"]["a_h1"]).value = None
    wb.save(tmp_path / "gap.xlsx")
    (first, *_) = findings(tmp_path / "gap.xlsx")
    assert first.message == "K10 (a_h1) is empty where a number belongs"
    assert first.fix == "=1/(1+EXP(-J10))"


@pytest.mark.parametrize("filled", [0, 1, 2])
def test_every_line_is_short(tmp_path, filled):
    exercise(tmp_path / "x.xlsx", filled_rows=filled)
    lines = report.text(verify(tmp_path / "x.xlsx")).splitlines()
    assert all(len(line) <= 200 for line in lines)
