"""Workbooks with biases: the published worked example's figures, and every cell of fixed- and
trained-bias workbooks against the NumPy reference, as stored and as LibreOffice and Gnumeric
recalculate them."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import openpyxl
import pytest
from conftest import gnumeric_recalculate, require_soffice
from test_workbook_compat import EXCEL_2010, functions_used, pdf_pages, sheet_of, word_heights
from test_workbook_readers import assert_same_values, formula_values

from sheetgen import network as net
from sheetgen.libreoffice import convert, recalculate
from sheetgen.workbook import (
    BACKPROP,
    FIRST_ROW,
    HEADER_ROW,
    PRESETS,
    Settings,
    build,
    layout_of,
    sheet_name,
)

MAZUR = Settings.create(**PRESETS["mazur"])
# The figures published with the worked example (inputs 0.05 0.10, targets 0.01 0.99, b1 0.35,
# b2 0.60, η = 0.5): the first row, and the weights after one step.
PUBLISHED = {
    ("E_total", 0): 0.298371109, ("E1", 0): 0.274811083, ("E2", 0): 0.023560026,
    ("w5", 1): 0.35891648, ("w6", 1): 0.408666186, ("w7", 1): 0.511301270,
    ("w8", 1): 0.561370121, ("w1", 1): 0.149780716,
}
# Not the preset: negative and large values, two learning rates, so every bias term matters.
FIXED = Settings.create(biases=[-0.7, 1.3], targets=[0.2, 0.85], learning_rates=[0.4, 1.7],
                        iterations=60)
TRAINED = Settings.create(biases=[0.35, -0.6], train_biases=True, targets=[0.01, 0.99],
                          learning_rates=[0.5, 3.0], iterations=60)
CASES = {"mazur": MAZUR, "fixed": FIXED, "trained": TRAINED}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("biases")
    return {name: build(folder / f"{name}.xlsx", s) for name, s in CASES.items()}


@pytest.fixture(scope="module")
def libreoffice(built, tmp_path_factory):
    require_soffice()
    return {name: recalculate(path, tmp_path_factory.mktemp(f"lo-{name}"))
            for name, path in built.items()}


@pytest.fixture(scope="module")
def gnumeric(built, tmp_path_factory):
    return {name: gnumeric_recalculate(path, tmp_path_factory.mktemp(f"gn-{name}"))
            for name, path in built.items()}


def reference(s: Settings) -> dict[str, np.ndarray]:
    return net.iterate(s.inputs, s.targets, s.weights, s.learning_rates, s.iterations,
                       b=s.biases, train_biases=s.train_biases)


def table(path, s: Settings) -> dict[float, dict[str, np.ndarray]]:
    """What the file at `path` shows in each table cell, by η and quantity name."""
    wb, layout = openpyxl.load_workbook(path, data_only=True), layout_of(s.network)
    rows = range(FIRST_ROW, FIRST_ROW + s.iterations)
    return {eta: {name: np.array([wb[sheet_name(eta)][f"{column}{r}"].value for r in rows],
                                 dtype=float)
                  for name, column in layout.column_of.items()}
            for eta in s.learning_rates}


def source(request, kind: str):
    return request.getfixturevalue({"stored": "built"}.get(kind, kind))


# --- the published example --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["stored", "libreoffice", "gnumeric"])
def test_preset_shows_the_published_figures(request, kind):
    got = table(source(request, kind)["mazur"], MAZUR)[0.5]
    for (name, n), published in PUBLISHED.items():
        assert round(got[name][n], 9) == pytest.approx(published, abs=1e-12), (name, n + 1)


def test_preset_is_the_published_example():
    assert MAZUR.inputs == (0.05, 0.10) and MAZUR.targets == (0.01, 0.99)
    assert MAZUR.weights == (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)
    assert (MAZUR.biases, MAZUR.train_biases, MAZUR.learning_rates) == ((0.35, 0.6), False, (0.5,))


# --- the layout follows the network -----------------------------------------------------------
@pytest.mark.parametrize("name, width, bias_names", [("fixed", 33, ("bias_b1", "bias_b2")),
                                                     ("trained", 35, ("init_b1", "init_b2"))])
def test_bias_columns_inputs_and_formulas(built, name, width, bias_names):
    s = CASES[name]
    wb = openpyxl.load_workbook(built[name])
    ws = wb[sheet_name(s.learning_rates[0])]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["iteration"] + [q.label for q in s.network.columns] + ["below threshold"]
    assert len(header) - 2 == width
    assert header[9] == "b1" and header[18] == "b2"  # after w4 and after w8
    # The bias inputs: Backprop cells with defined names holding the given values.
    for defined, value in zip(bias_names, s.biases):
        sheet, cell = next(wb.defined_names[defined].destinations)
        assert sheet == BACKPROP and wb[sheet][cell.replace("$", "")].value == value
    # Formulas written out by hand: J is b1, S is b2.
    assert ws["J6"].value == f"={bias_names[0]}" and ws["S6"].value == f"={bias_names[1]}"
    assert ws["K7"].value == "=F7*D7+G7*E7+J7"  # h1 = w1·i1 + w2·i2 + b1
    assert ws["T7"].value == "=O7*L7+P7*N7+S7"  # o1 = w5·a_h1 + w6·a_h2 + b2
    if name == "fixed":
        assert ws["J7"].value == "=J6" and ws["S7"].value == "=S6"
    else:
        assert header[-3:-1] == ["∂E/∂b1", "∂E/∂b2"]
        assert ws["AJ6"].value == "=(U6-B6)*U6*(1-U6)+(W6-C6)*W6*(1-W6)"  # ∂E/∂b2 = δo1 + δo2
        assert ws["J7"].value == "=J6-$B$3*AI6" and ws["S7"].value == "=S6-$B$3*AJ6"


def test_block_panels_show_the_biases(built):
    ws = openpyxl.load_workbook(built["trained"])[BACKPROP]
    text = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert text["h2"] == "h2 = w3·i1 + w4·i2 + b1"
    assert text["o2"] == "o2 = w7·a_h1 + w8·a_h2 + b2"
    assert text["∂E/∂b2"].startswith("∂E/∂b2 = (a_o1−t1)·a_o1·(1−a_o1) + (a_o2−t2)")
    assert text["∂E/∂b1"].startswith("∂E/∂b1 = ((a_o1−t1)")


# --- every cell, three ways ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["stored", "libreoffice", "gnumeric"])
@pytest.mark.parametrize("name", ["fixed", "trained"])
def test_every_table_cell_is_the_reference(request, kind, name):
    s = CASES[name]
    want, got = reference(s), table(source(request, kind)[name], s)
    assert set(got[s.learning_rates[0]]) == set(s.network.names) == set(want)
    for k, eta in enumerate(s.learning_rates):
        for q in s.network.columns:
            np.testing.assert_allclose(got[eta][q.name], want[q.name][k], rtol=1e-9, atol=0,
                                       err_msg=f"{name} {sheet_name(eta)} {q.name}")
    if name == "trained":  # the biases did move
        assert abs(want["b1"][0, -1] - s.biases[0]) > 1e-3


@pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
@pytest.mark.parametrize("name", ["mazur", "fixed", "trained"])
def test_engines_compute_the_stored_values(request, built, engine, name):
    """Every formula cell of every sheet: tables, helper, blocks, titles, summary."""
    stored = formula_values(built[name], built[name])
    assert_same_values(formula_values(built[name], request.getfixturevalue(engine)[name]), stored)


def test_an_edited_bias_recalculates_to_the_reference(built, tmp_path, soffice):
    wb = openpyxl.load_workbook(built["fixed"])
    sheet, cell = next(wb.defined_names["bias_b2"].destinations)
    wb[sheet][cell.replace("$", "")] = -2.5
    wb.save(tmp_path / "edited.xlsx")
    edited = replace(FIXED, biases=(FIXED.biases[0], -2.5))
    got = table(recalculate(tmp_path / "edited.xlsx", tmp_path / "lo"), edited)
    want = reference(edited)
    for k, eta in enumerate(edited.learning_rates):
        for name in edited.network.names:
            np.testing.assert_allclose(got[eta][name], want[name][k], rtol=1e-9, err_msg=name)


@pytest.mark.parametrize("name", ["mazur", "trained"])
def test_no_function_newer_than_excel_2010(built, name):
    used = functions_used(built[name])
    assert "EXP" in used and not used.keys() - EXCEL_2010


def test_trained_bias_table_prints_in_thirds(built, tmp_path):
    """The first third is a column wider with b1 (13 columns): it still prints on one page
    across, a little smaller than the classic table."""
    require_soffice()
    pdf = convert(built["trained"], tmp_path, "pdf", recalc=False)
    pages = pdf_pages(pdf)
    for eta in TRAINED.learning_rates:
        heads = [next(line.split() for line in p.splitlines() if line.split()[:1] == ["iteration"])
                 for p in pages if sheet_of(p) == sheet_name(eta) and "per iteration" not in p]
        assert {tuple(h[1:]) for h in heads} == {
            ("t1", "t2", "i1", "i2", "w1", "w2", "w3", "w4", "b1", "h1", "a_h1", "h2", "a_h2"),
            ("w5", "w6", "w7", "w8", "b2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total"),
            # "below threshold" wraps onto the lines above and below the labels
            tuple(f"∂E/∂w{k}" for k in range(1, 9)) + ("∂E/∂b1", "∂E/∂b2"),
        }
    first_table = next(n for n, p in enumerate(pages, start=1) if sheet_of(p) != BACKPROP)
    assert min(word_heights(pdf, first_table)) >= 8.5  # about 7 pt
