"""The exercise and its answer key: the cells a student writes are empty and styled to fill in,
everything else is the key's, and the key is a plain build byte for byte."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from conftest import gnumeric_recalculate, require_soffice
from test_workbook_compat import EXCEL_2010, functions_used
from test_workbook_readers import assert_same_values, formula_values

from sheetgen.libreoffice import convert, recalculate
from sheetgen.workbook import (
    BACKPROP,
    FIRST_ROW,
    HEADER_ROW,
    LOSS_SHEET,
    PRESETS,
    Settings,
    build,
    build_exercise,
    layout_of,
    sheet_name,
)

CASES = {
    "classic": Settings.create(learning_rates=[0.5, 2.0], iterations=12),
    "mazur": Settings.create(**PRESETS["mazur"], iterations=12),
    "trained": Settings.create(**PRESETS["mazur"] | {"learning_rates": (0.3, 1.0)},
                               train_biases=True, iterations=12),
    # Every shape has its exercise (tests/test_workbook_shapes.py builds the same shapes whole).
    "2-3-2 tanh sse": Settings.create(layers=(2, 3, 2), activation="tanh", loss="sse",
                                      biases=(0.1, -0.2, 0.3, 0.05, -0.1), train_biases=True,
                                      learning_rates=(0.1, 0.5), iterations=12),
    "xor mean": Settings.create(**PRESETS["xor"] | {"iterations": 12}, mean=True),
    "2-1": Settings.create(layers=(2, 1), learning_rates=(0.5, 2.0), iterations=12),
    "3-4-2-2 relu": Settings.create(layers=(3, 4, 2, 2), activation="relu",
                                    learning_rates=(0.1, 0.5), iterations=12),
}
FILL = "FFF4F9FF"  # the fill-in cells' background


@pytest.fixture(scope="module", params=list(CASES))
def pair(request, tmp_path_factory):
    """(settings, exercise, key) for each kind of network."""
    folder = tmp_path_factory.mktemp(request.param)
    exercise, key = build_exercise(folder / "backprop.xlsx", CASES[request.param])
    return CASES[request.param], exercise, key


def is_fill_in(c) -> bool:
    return c.fill.fgColor.rgb == FILL and c.border.left.style == "dotted"


def test_the_key_is_a_plain_build_beside_the_exercise(pair, tmp_path):
    s, exercise, key = pair
    assert key == exercise.with_name("backprop-key.xlsx")
    assert key.read_bytes() == build(tmp_path / "plain.xlsx", s).read_bytes()
    assert exercise.read_bytes() != key.read_bytes()


def test_empty_cells_are_exactly_the_computed_cells(pair):
    """Every computed cell of every row is empty and fill-in, but the first row's weights (and
    trained biases); the given columns, the iteration and the helper column are the key's."""
    s, exercise, key = pair
    ex, ans = openpyxl.load_workbook(exercise), openpyxl.load_workbook(key)
    layout = layout_of(s.network)
    last = FIRST_ROW + s.iterations - 1
    for eta in s.learning_rates:
        got, want = ex[sheet_name(eta)], ans[sheet_name(eta)]
        empty = 0
        for row in range(FIRST_ROW, last + 1):
            for q in s.network.columns:
                c = got[f"{layout.column_of[q.name]}{row}"]
                given = q.is_input or (row == FIRST_ROW and q.is_updated)
                if given:
                    assert c.value == want[c.coordinate].value and not is_fill_in(c), c.coordinate
                else:
                    assert c.value is None and is_fill_in(c), c.coordinate
                    empty += 1
            for column in ("A", layout.below_column):
                assert got[f"{column}{row}"].value == want[f"{column}{row}"].value
        assert got.max_row == last
        given_columns = sum(q.is_input for q in s.network.columns)
        updated = len(s.network.updated)
        assert empty == s.iterations * (len(s.network.columns) - given_columns) - updated
        network = s.network
        assert updated == len(network.edges) + len(network.bias_names) * s.train_biases


def test_everything_but_the_table_is_the_keys(pair):
    """Sheets, defined names, η (B3, labelled in A3), headers, inputs: the key's. What differs
    outside the tables: rows 2-3 (the instruction and legend) and the Backprop blocks."""
    s, exercise, key = pair
    ex, ans = openpyxl.load_workbook(exercise), openpyxl.load_workbook(key)
    assert ex.sheetnames == ans.sheetnames
    assert {n: d.attr_text for n, d in ex.defined_names.items()} == \
           {n: d.attr_text for n, d in ans.defined_names.items()}
    for eta in s.learning_rates:
        got, want = ex[sheet_name(eta)], ans[sheet_name(eta)]
        assert (got["A3"].value, got["B3"].value) == ("η", eta) == (want["A3"].value, eta)
        assert [c.value for c in got[HEADER_ROW]] == [c.value for c in want[HEADER_ROW]]
        assert got["B1"].value == want["B1"].value
        assert got["B2"].value.startswith("Exercise: write row 6's formulas")
        assert got["B2"].value.endswith(f"then fill rows {FIRST_ROW} and {FIRST_ROW + 1} down "
                                        f"to row {FIRST_ROW + s.iterations - 1}.")
        assert ("b − η·∂E/∂b" in got["B2"].value) == s.train_biases
        assert is_fill_in(got["D3"]) and "sheetgen verify" in got["E3"].value
    # The Loss curves sheet is the key's but for its note (row 2), which says what to do while
    # the tables are empty (issue 20).
    got, want = ([[c.value for c in r] for r in wb[LOSS_SHEET].iter_rows()] for wb in (ex, ans))
    assert str(got[1][0]).startswith("Exercise: nothing to write here")
    assert got[:1] + got[2:] == want[:1] + want[2:]


def test_backprop_keeps_inputs_diagram_and_labels(pair):
    _, exercise, key = pair
    got, want = openpyxl.load_workbook(exercise)[BACKPROP], openpyxl.load_workbook(key)[BACKPROP]
    assert got["A2"].value.startswith("Exercise:") and is_fill_in(got["A3"])
    blocks = False
    for row in range(4, want.max_row + 1):
        label, maths, value = (want.cell(row, c) for c in (1, 2, 3))
        blocks = blocks or " chain-rule blocks " in str(label.value)
        assert got.cell(row, 1).value == label.value, row  # inputs, titles and labels
        if blocks and maths.value and "=" in maths.value:  # a block line: the answer
            assert got.cell(row, 2).value is None and got.cell(row, 3).value is None, row
            assert is_fill_in(got.cell(row, 2)) and is_fill_in(got.cell(row, 3)), row
            assert str(value.value).startswith("=")
        else:
            assert [got.cell(row, c).value for c in (2, 3)] == [maths.value, value.value], row
    assert blocks
    with zipfile.ZipFile(exercise) as e, zipfile.ZipFile(key) as k:
        images = [n for n in k.namelist() if n.startswith("xl/media/")]
        assert images and all(e.read(n) == k.read(n) for n in images)


def test_charts_cache_no_points(pair):
    """The exercise's E_total cells are empty, so its charts carry no cached points."""
    _, exercise, _ = pair
    with zipfile.ZipFile(exercise) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert charts and all("<c:yVal>" in c for c in charts)
    for chart in charts:
        for y in re.findall(r"<c:yVal>.*?</c:yVal>", chart, re.DOTALL):
            assert "<c:pt " not in y


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
def test_engines_compute_the_stored_values_of_the_blank_exercise(pair, tmp_path, engine):
    """The helper column and the Loss curves summary read the empty E_total cells as 0: TRUE
    and 1 under a positive threshold, final E_total 0; every stored value is what the engine
    computes."""
    s, exercise, _ = pair
    if engine == "libreoffice":
        require_soffice()
        again = recalculate(exercise, tmp_path)
    else:
        again = gnumeric_recalculate(exercise, tmp_path)
    stored = formula_values(exercise, exercise)
    assert_same_values(formula_values(exercise, again), stored)
    summary = openpyxl.load_workbook(again, data_only=True)[LOSS_SHEET]
    for k in range(len(s.learning_rates)):
        assert [summary[f"{c}{HEADER_ROW + 1 + k}"].value for c in "CD"] == [0, 1]
    helper = layout_of(s.network).below_column
    assert stored[(sheet_name(s.learning_rates[0]), f"{helper}{FIRST_ROW + 3}")] is True


def test_libreoffice_opens_the_exercise_and_the_key(pair, tmp_path):
    """As a student's LibreOffice shows them (default profile, stored values)."""
    require_soffice()
    s, exercise, key = pair
    layout = layout_of(s.network)
    for path, blank in ((exercise, True), (key, False)):
        shown = openpyxl.load_workbook(convert(path, tmp_path / path.stem,
                                               "xlsx:Calc MS Excel 2007 XML", recalc=False),
                                       data_only=True)
        ws = shown[sheet_name(s.learning_rates[0])]
        e_total = ws[f"{layout.column_of['E_total']}{FIRST_ROW}"].value
        assert (e_total is None) if blank else e_total > 0
        assert ws[f"{layout.column_of['w1']}{FIRST_ROW}"].value == s.weights[0]
        i2, value = ("i2_1", s.inputs[0][1]) if s.batch else ("i2", s.inputs[1])
        assert ws[f"{layout.column_of[i2]}{FIRST_ROW + 5}"].value == value


def test_no_function_newer_than_excel_2010(pair):
    _, exercise, _ = pair
    used = functions_used(exercise)
    assert {"IFERROR", "MATCH"} <= used.keys() and not used.keys() - EXCEL_2010
