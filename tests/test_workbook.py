"""The built workbook: structure, charts, reproducibility, and LibreOffice's own recalculation
compared with the independent NumPy reference."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from rounding import same_but_last_places, same_rows

from sheetgen import network as net
from sheetgen.libreoffice import recalculate
from sheetgen.workbook import (
    BACKPROP,
    COLUMN_OF,
    FIRST_ROW,
    HEADER_ROW,
    LOSS_SHEET,
    Settings,
    build,
    sheet_name,
)

RTOL = 1e-9
DEFAULT = Settings()


def table_values(ws, iterations: int) -> dict[str, np.ndarray]:
    """The values of a learning-rate sheet's table, by quantity name: (iterations,) each."""
    rows = range(FIRST_ROW, FIRST_ROW + iterations)
    return {q.name: np.array([ws[f"{COLUMN_OF[q.name]}{r}"].value for r in rows], dtype=float)
            for q in net.COLUMNS}


def assert_sheets_match_reference(path: Path, settings: Settings) -> None:
    wb = openpyxl.load_workbook(path, data_only=True)
    expected = net.iterate(settings.inputs, settings.targets, settings.weights,
                           settings.learning_rates, settings.iterations)
    for k, eta in enumerate(settings.learning_rates):
        got = table_values(wb[sheet_name(eta)], settings.iterations)
        for name in net.NAMES:
            np.testing.assert_allclose(got[name], expected[name][k], rtol=RTOL, atol=0,
                                       err_msg=f"{sheet_name(eta)} column {name}")


def chart_refs(path: Path) -> dict[str, list[str]]:
    """Each chart part's <c:f> cell references, in order."""
    with zipfile.ZipFile(path) as z:
        return {n: re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", z.read(n).decode())
                for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")}


# --- structure -----------------------------------------------------------------------------------
def test_sheets_headers_and_defined_names(built_default):
    wb = openpyxl.load_workbook(built_default)
    assert wb.sheetnames == [BACKPROP] + [sheet_name(e) for e in net.LEARNING_RATES] + [LOSS_SHEET]
    for eta in net.LEARNING_RATES:
        ws = wb[sheet_name(eta)]
        assert [c.value for c in ws[HEADER_ROW]][:32] == ["iteration"] + [q.label for q in net.COLUMNS]
        assert ws["B3"].value == eta
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    for name in ["input_i1", "input_i2", "target_t1", "target_t2"] + [f"init_w{k}" for k in range(1, 9)]:
        sheet, cell = next(wb.defined_names[name].destinations)
        assert sheet == BACKPROP and isinstance(wb[sheet][cell.replace("$", "")].value, float), names
    assert wb.calculation.fullCalcOnLoad


def test_every_computed_cell_is_a_formula(built_default):
    wb = openpyxl.load_workbook(built_default)
    for eta in net.LEARNING_RATES:
        ws = wb[sheet_name(eta)]
        for row in ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + net.ITERATIONS - 1,
                                min_col=2, max_col=32):
            assert all(isinstance(c.value, str) and c.value.startswith("=") for c in row), row[0].row
    # The update rule, spelled out for one cell: w1 of row 7 is w1 − η·∂E/∂w1 of row 6.
    ws = wb[sheet_name(0.5)]
    assert ws[f"{COLUMN_OF['w1']}7"].value == f"={COLUMN_OF['w1']}6-$B$3*{COLUMN_OF['dw1']}6"
    assert ws[f"{COLUMN_OF['w1']}6"].value == "=init_w1"


def test_charts_point_at_the_tables(built_default):
    refs = chart_refs(built_default)
    assert len(refs) == len(net.LEARNING_RATES) + 1
    e, last = COLUMN_OF["E_total"], FIRST_ROW + net.ITERATIONS - 1
    per_sheet = [r for r in refs.values() if len(r) == 3]
    overlay = [r for r in refs.values() if len(r) > 3]
    assert len(per_sheet) == len(net.LEARNING_RATES) and len(overlay) == 1
    for eta, r in zip(net.LEARNING_RATES, per_sheet):
        q = f"'{sheet_name(eta)}'"
        # Series name, x (the iteration column), y (E_total).
        assert r == [f"{q}!${e}${HEADER_ROW}", f"{q}!$A${FIRST_ROW}:$A${last}",
                     f"{q}!${e}${FIRST_ROW}:${e}${last}"]
    for k, eta in enumerate(net.LEARNING_RATES):
        q = f"'{sheet_name(eta)}'"
        assert overlay[0][3 * k:3 * k + 3] == [f"'{LOSS_SHEET}'!$A${6 + k}",
                                               f"{q}!$A${FIRST_ROW}:$A${last}",
                                               f"{q}!${e}${FIRST_ROW}:${e}${last}"]


def test_same_settings_same_bytes(tmp_path):
    a, b = build(tmp_path / "a.xlsx"), build(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    c = build(tmp_path / "c.xlsx", Settings.create(weights=[0.1] * 8))
    assert c.read_bytes() != a.read_bytes()


def test_committed_workbook_is_what_the_builder_makes(built_default):
    """output/backprop.xlsx holds today's build; the MNIST sheet may have been added beside it.

    Every part of a fresh build must be in the committed file byte for byte, except the few
    package-wide lists (sheet list, content types, relationships, app properties, styles and
    shared strings) that adding the MNIST sheet extends.
    """
    committed = Path(__file__).parents[1] / "output" / "backprop.xlsx"
    extended = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                "docProps/app.xml", "xl/styles.xml", "xl/sharedStrings.xml"}
    with zipfile.ZipFile(built_default) as fresh, zipfile.ZipFile(committed) as old:
        old_parts = set(old.namelist())
        for name in fresh.namelist():
            assert name in old_parts, f"{name} is missing: run `sheetgen build`"
            if name not in extended:  # the same, but for a float's last place (tests/rounding)
                same = same_but_last_places(fresh.read(name), old.read(name))
                assert same, f"{name} differs: run `sheetgen build`"
    fresh_wb, old_wb = openpyxl.load_workbook(built_default), openpyxl.load_workbook(committed)
    assert [s for s in old_wb.sheetnames if s != "MNIST"] == fresh_wb.sheetnames
    for ws in fresh_wb:
        assert same_rows(ws, old_wb[ws.title]), ws.title


# --- LibreOffice: the independent engine ---------------------------------------------------------
def test_libreoffice_recalculation_matches_reference(recalculated_default):
    assert_sheets_match_reference(recalculated_default, DEFAULT)


def test_loss_summary_and_blocks_in_libreoffice(recalculated_default):
    wb = openpyxl.load_workbook(recalculated_default, data_only=True)
    table = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, net.LEARNING_RATES, net.ITERATIONS)
    ws = wb[LOSS_SHEET]
    threshold = ws["B3"].value
    for k, eta in enumerate(net.LEARNING_RATES):
        row = 6 + k
        assert ws[f"A{row}"].value == f"η = {eta:g}"
        assert ws[f"C{row}"].value == pytest.approx(table["E_total"][k, -1], rel=RTOL)
        below = np.flatnonzero(table["E_total"][k] < threshold)
        assert ws[f"D{row}"].value == (below[0] + 1 if below.size else "not reached")
    # The Backprop blocks show the first iteration of the first learning rate.
    backprop = wb[BACKPROP]
    labels = {backprop.cell(r, 1).value: backprop.cell(r, 3).value for r in range(1, backprop.max_row + 1)}
    assert labels["E_total"] == pytest.approx(table["E_total"][0, 0], rel=RTOL)
    assert labels["∂E/∂w1"] == pytest.approx(table["dw1"][0, 0], rel=RTOL)
    assert labels["∂E/∂w7"] == pytest.approx(table["dw7"][0, 0], rel=RTOL)


@pytest.mark.parametrize("change", [
    {"init_w1": 0.9},
    {"eta": 1.7},
    {"input_i2": -0.4},
    {"init_w7": -1.2, "target_t1": 0.05, "eta": 0.3},
])
def test_edited_inputs_recalculate_to_the_reference(tmp_path, soffice, change):
    """A student edits an input cell; LibreOffice's values follow the reference for the new inputs."""
    settings = Settings.create(learning_rates=[0.5, 2.0], iterations=30)
    path = build(tmp_path / "edit.xlsx", settings)
    wb = openpyxl.load_workbook(path)
    values = {"inputs": list(settings.inputs), "targets": list(settings.targets),
              "weights": list(settings.weights), "learning_rates": list(settings.learning_rates)}
    for name, value in change.items():
        if name == "eta":
            wb[sheet_name(0.5)]["B3"] = value
            values["learning_rates"][0] = value
            continue
        sheet, cell = next(wb.defined_names[name].destinations)
        wb[sheet][cell.replace("$", "")] = value
        kind = {"init": "weights", "input": "inputs", "target": "targets"}[name.split("_")[0]]
        values[kind][int(name[-1]) - 1] = value
    wb.save(tmp_path / "edited.xlsx")
    out = recalculate(tmp_path / "edited.xlsx", tmp_path / "lo")
    # Sheet names keep the η they were built with; the values follow the edited cells.
    recalc = openpyxl.load_workbook(out, data_only=True)
    expected = net.iterate(values["inputs"], values["targets"], values["weights"],
                           values["learning_rates"], settings.iterations)
    for k, eta in enumerate(settings.learning_rates):
        got = table_values(recalc[sheet_name(eta)], settings.iterations)
        for name in net.NAMES:
            np.testing.assert_allclose(got[name], expected[name][k], rtol=RTOL, err_msg=name)


# --- in process: the verifier's compiled engine (tests/test_verify_engine.py cross-checks it
# against the `formulas` library) ---------------------------------------------------------------
def engine_tables(path: Path, settings: Settings) -> dict[float, dict[str, np.ndarray]]:
    """Every table cell evaluated by the verifier's in-process engine, by η and quantity name."""
    from openpyxl.utils import column_index_from_string

    from sheetgen.verify.book import open_book
    from sheetgen.verify.engine import Engine

    book = open_book(path)
    engine = Engine(book)
    rows = range(FIRST_ROW, FIRST_ROW + settings.iterations)
    return {eta: {name: np.array([engine.value((book.sheets.index(sheet_name(eta)), r,
                                                column_index_from_string(COLUMN_OF[name])))
                                  for r in rows], dtype=float) for name in net.NAMES}
            for eta in settings.learning_rates}


def test_in_process_engine_matches_reference(built_default):
    expected = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, net.LEARNING_RATES, net.ITERATIONS)
    got = engine_tables(built_default, DEFAULT)
    for k, eta in enumerate(net.LEARNING_RATES):
        for name in net.NAMES:
            np.testing.assert_allclose(got[eta][name], expected[name][k], rtol=RTOL, atol=0,
                                       err_msg=f"{sheet_name(eta)} {name}")
