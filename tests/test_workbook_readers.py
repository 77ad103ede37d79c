"""What programs that do not recalculate show: the values stored beside the formulas.

pandas, openpyxl's data_only, python-calamine, Excel's Protected View and LibreOffice with its
default settings show the stored values. They must be the NumPy reference's numbers and what two
real spreadsheet engines, LibreOffice and Gnumeric, compute from the formulas themselves.
"""
from __future__ import annotations

import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import gnumeric_recalculate
from test_workbook import DEFAULT, assert_sheets_match_reference

from sheetgen import network as net
from sheetgen.libreoffice import recalculate
from sheetgen.workbook import (
    BELOW_COLUMN,
    COLUMN_OF,
    FIRST_ROW,
    HEADER_ROW,
    LOSS_SHEET,
    Settings,
    build,
    sheet_name,
)

# Two engines differ from each other and from NumPy by rounding only: a few units in the 13th
# digit where a difference of nearly equal numbers cancels (w5 crossing zero, t1 − a_o1).
RTOL, ATOL = 1e-12, 1e-15


def expected(settings: Settings) -> dict[tuple[str, str], object]:
    """Every computed cell of the η= sheets and the Loss curves summary, from the reference."""
    table = net.iterate(settings.inputs, settings.targets, settings.weights,
                        settings.learning_rates, settings.iterations)
    cells = {}
    for k, eta in enumerate(settings.learning_rates):
        sheet, loss = sheet_name(eta), table["E_total"][k]
        for n in range(settings.iterations):
            row = FIRST_ROW + n
            cells |= {(sheet, f"{COLUMN_OF[name]}{row}"): table[name][k, n] for name in net.NAMES}
            cells[(sheet, f"{BELOW_COLUMN}{row}")] = bool(loss[n] < settings.threshold)
        below = np.flatnonzero(loss < settings.threshold)
        row = HEADER_ROW + 1 + k
        cells |= {(LOSS_SHEET, f"A{row}"): f"η = {eta:g}", (LOSS_SHEET, f"B{row}"): eta,
                  (LOSS_SHEET, f"C{row}"): loss[-1],
                  (LOSS_SHEET, f"D{row}"): int(below[0]) + 1 if below.size else "not reached"}
    return cells


def assert_shows(path, cells: dict) -> None:
    """The workbook at `path`, read without recalculating, shows `cells`."""
    wb = openpyxl.load_workbook(path, data_only=True)
    for (sheet, coordinate), want in cells.items():
        got = wb[sheet][coordinate].value
        where = f"{sheet}!{coordinate}"
        if isinstance(want, (str, bool)):
            assert got == want, where
        else:
            assert got == pytest.approx(want, rel=RTOL, abs=ATOL), where


def formula_values(path, stored_in) -> dict[tuple[str, str], object]:
    """The value `stored_in` (a workbook file) holds for every formula cell of `path`."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(stored_in, data_only=True)
    return {(ws.title, c.coordinate): values[ws.title][c.coordinate].value
            for ws in formulas.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"}


def assert_same_values(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert got[key] == pytest.approx(value, rel=RTOL, abs=ATOL), key
        else:
            assert got[key] == value, key


# --- stored values --------------------------------------------------------------------------------
def test_stored_values_are_the_reference(built_default):
    assert_shows(built_default, expected(DEFAULT))


def test_libreoffice_computes_the_stored_values(built_default, recalculated_default):
    """Every formula cell of every sheet, Backprop blocks and titles included."""
    stored = formula_values(built_default, built_default)
    assert len(stored) > len(net.LEARNING_RATES) * net.ITERATIONS * 32
    assert_same_values(formula_values(built_default, recalculated_default), stored)


def test_gnumeric_computes_the_stored_values(built_default, gnumeric_default):
    stored = formula_values(built_default, built_default)
    assert_same_values(formula_values(built_default, gnumeric_default), stored)


def test_gnumeric_recalculation_matches_reference(gnumeric_default):
    assert_sheets_match_reference(gnumeric_default, DEFAULT)
    assert_shows(gnumeric_default, expected(DEFAULT))


@pytest.mark.parametrize("rates", [[0.05, 1 / 3, 12345.678, 2.5e-4, 1e-5]])
def test_odd_learning_rates_as_text(tmp_path, soffice, rates):
    """A title reads its η as text ("η = 0.333333333333333"); LibreOffice agrees with what is
    stored, to the digit."""
    path = build(tmp_path / "odd.xlsx", Settings.create(learning_rates=rates, iterations=3))
    stored = formula_values(path, path)
    texts = {k: v for k, v in stored.items() if isinstance(v, str) and "η" in v}
    assert len(texts) == 2 * len(rates)
    recalculated = formula_values(path, recalculate(path, tmp_path / "lo"))
    assert_same_values(recalculated, stored)


# --- what readers show ---------------------------------------------------------------------------
def test_libreoffice_default_profile_shows_the_reference(shown_by_libreoffice):
    """A student's LibreOffice keeps the stored values: they are what it shows."""
    assert_shows(shown_by_libreoffice, expected(DEFAULT))


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_pandas_reads_the_numbers(built_default, engine):
    table = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, net.LEARNING_RATES, net.ITERATIONS)
    frames = pd.read_excel(built_default, sheet_name=None, header=HEADER_ROW - 1, engine=engine)
    for k, eta in enumerate(net.LEARNING_RATES):
        frame = frames[sheet_name(eta)]
        assert frame["iteration"].tolist() == list(range(1, net.ITERATIONS + 1))
        for q in net.COLUMNS:
            np.testing.assert_allclose(frame[q.label].to_numpy(float), table[q.name][k],
                                       rtol=RTOL, atol=ATOL, err_msg=f"{eta} {q.name}")
    summary = frames[LOSS_SHEET]
    np.testing.assert_allclose(summary["final E_total"].to_numpy(float), table["E_total"][:, -1],
                               rtol=RTOL)


def test_chart_caches_hold_the_curves(built_default):
    """Programs that draw charts without recalculating (Excel's Protected View) use the points
    cached in each series."""
    table = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, net.LEARNING_RATES, net.ITERATIONS)
    with zipfile.ZipFile(built_default) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist(), key=_chart_number)
                  if n.startswith("xl/charts/chart")]
    curves = [(_cache(s, "xVal"), _cache(s, "yVal")) for chart in charts
              for s in re.findall(r"<c:ser>.*?</c:ser>", chart, re.DOTALL)]
    want = [table["E_total"][k] for k in range(len(net.LEARNING_RATES))] * 2  # sheets, overlay
    assert len(curves) == len(want)
    for (x, y), loss in zip(curves, want):
        assert x.tolist() == list(range(1, net.ITERATIONS + 1))
        np.testing.assert_allclose(y, loss, rtol=RTOL)


def _chart_number(name: str) -> int:
    m = re.search(r"(\d+)\.xml$", name)
    return int(m.group(1)) if m else 0


def _cache(series: str, axis: str) -> np.ndarray:
    block = re.search(rf"<c:{axis}>.*?</c:{axis}>", series, re.DOTALL).group(0)
    return np.array([float(v) for v in re.findall(r"<c:v>([^<]*)</c:v>", block)])


def test_gnumeric_recalculates_edited_inputs(tmp_path):
    """Gnumeric, too, follows an edited input through every table (η and w1 changed)."""
    settings = Settings.create(learning_rates=[0.5, 2.0], iterations=30)
    wb = openpyxl.load_workbook(build(tmp_path / "edit.xlsx", settings))
    wb[sheet_name(0.5)]["B3"] = 1.7
    sheet, cell = next(wb.defined_names["init_w1"].destinations)
    wb[sheet][cell.replace("$", "")] = 0.9
    wb.save(tmp_path / "edited.xlsx")
    out = gnumeric_recalculate(tmp_path / "edited.xlsx", tmp_path / "gnumeric")
    weights = (0.9, *settings.weights[1:])
    edited = Settings.create(learning_rates=[1.7, 2.0], iterations=30, weights=weights)
    got = openpyxl.load_workbook(out, data_only=True)
    table = net.iterate(edited.inputs, edited.targets, weights, edited.learning_rates, 30)
    for k, eta in enumerate(settings.learning_rates):
        ws = got[sheet_name(eta)]
        for name in net.NAMES:
            values = [ws[f"{COLUMN_OF[name]}{FIRST_ROW + n}"].value for n in range(30)]
            np.testing.assert_allclose(np.array(values, float), table[name][k], rtol=1e-9,
                                       err_msg=f"{eta} {name}")
