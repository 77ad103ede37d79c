"""An exercise as a student fills it in: blank, the first row written, two rows with a mistake,
complete. The verifier says what is still empty in a few lines, how to go on, and what is wrong."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

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
    # issue 19: all that is wrong is cells still empty: INCOMPLETE, not FAIL
    assert result.status == "incomplete" and len(result.tables) == 1
    assert result.tables[0].rows == ROWS
    first_row = ("J6:M6, R6:AF6 (h1 … ∂E/∂w8; 19 cells) are still empty: write row 6's "
                 "formulas, the forward pass, then the chain rule")
    updates = ("F7:I7, N7:Q7 (w1 … w8; 8 cells) are still empty: write the update rule, "
               "w − η·∂E/∂w of the row above")
    fill = "F7:AF105 (w1 … ∂E/∂w8; 2,665 cells) are still empty: fill rows 6 and 7 down to row 105"
    assert [f.message for f in findings(tmp_path / "blank.xlsx")] == [first_row, updates, fill]
    assert all(not f.fix for f in findings(tmp_path / "blank.xlsx"))  # no answers handed out
    assert len(report.text(result).splitlines()) == 6  # and the score line


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


# --- the round trip with the workbooks `sheetgen build` writes --------------------------------
NETWORKS = {"classic": [], "biases": ["--biases", "0.35", "0.6"],
            "trained": ["--biases", "0.35", "0.6", "--train-biases"]}


def build_exercise(tmp_path, options: list[str]):
    from sheetgen.cli import main

    path = tmp_path / "exercise.xlsx"
    assert main(["build", "--exercise", "-o", str(path), "--no-plot", *options]) == 0
    return path, tmp_path / "exercise-key.xlsx"


@pytest.mark.parametrize("network", NETWORKS)
def test_the_built_exercise_and_its_key(tmp_path, capsys, network):
    exercise_path, key = build_exercise(tmp_path, NETWORKS[network])
    capsys.readouterr()
    assert verify(key).status == "pass"
    result = verify(exercise_path)
    # issue 19: INCOMPLETE, and the Backprop sheet's blocks are judged too, as a seventh table
    assert result.status == "incomplete" and len(result.tables) == 7
    lines = {"classic": 29, "biases": 29, "trained": 31}[network]  # ∂E/∂b1, ∂E/∂b2 in 6 and 3
    assert result.tables[-1].sheet == "Backprop" and result.tables[-1].cells == lines
    mistakes = report.mistakes(result)
    assert [m.first.words.split(":")[1].strip() for m in mistakes] == [
        "write row 6's formulas, the forward pass, then the chain rule",
        "write the update rule, w − η·∂E/∂w of the row above",
        "fill rows 6 and 7 down to row 105",
        "write each line's formula for its first-iteration value",
    ]
    network_of = result.tables[0]
    empty = sum(f.count for f in network_of.causes)
    computed = {"classic": 27, "biases": 27, "trained": 31}[network]
    updated = {"classic": 8, "biases": 8, "trained": 10}[network]
    assert empty == computed * 100 - updated  # every computed cell but the first row's weights


def test_a_half_filled_exercise_names_what_is_wrong_and_what_is_missing(tmp_path, capsys):
    """A student wrote rows 6 and 7 of the η=0.5 sheet, with the class's a_h1 mistake in
    ∂E/∂w3, and nothing elsewhere."""
    from sheetgen.workbook import COLUMN_OF

    exercise_path, key = build_exercise(tmp_path, [])
    capsys.readouterr()
    answers, mine = load_workbook(key)["η=0.5"], load_workbook(exercise_path)
    ws = mine["η=0.5"]
    for row in (6, 7):
        for column in COLUMN_OF.values():
            if ws[f"{column}{row}"].value is None:
                ws[f"{column}{row}"] = answers[f"{column}{row}"].value
    dw3, a_h1, a_h2 = COLUMN_OF["dw3"], COLUMN_OF["a_h1"], COLUMN_OF["a_h2"]
    ws[f"{dw3}6"] = ws[f"{dw3}6"].value.replace(f"{a_h2}6", f"{a_h1}6")
    mine.save(tmp_path / "half.xlsx")
    result = verify(tmp_path / "half.xlsx")
    (table,) = [t for t in result.tables if t.sheet == "η=0.5"]
    wrong, fill = table.causes
    assert wrong.cell == f"'η=0.5'!{dw3}6" and wrong.words.startswith("reads a_h1 (column")
    assert wrong.fix == answers[f"{dw3}6"].value
    assert fill.words == "are still empty: fill rows 6 and 7 down to row 105"


def test_the_worked_example_preset_verifies(tmp_path, capsys):
    from sheetgen.cli import main

    path = tmp_path / "mazur.xlsx"
    assert main(["build", "--preset", "mazur", "-o", str(path), "--no-plot"]) == 0
    capsys.readouterr()
    result = verify(path)
    assert result.status == "pass" and [t.eta for t in result.tables] == [0.5, None]  # + blocks
    assert result.tables[0].cells == 33 * 100  # b1 and b2 are columns of its table


def test_the_worked_example_preset_verifies_in_libreoffice(tmp_path, capsys, soffice):
    from sheetgen.cli import main

    path = tmp_path / "mazur.xlsx"
    assert main(["build", "--preset", "mazur", "-o", str(path), "--no-plot"]) == 0
    capsys.readouterr()
    assert verify(path, engine="libreoffice").status == "pass"
