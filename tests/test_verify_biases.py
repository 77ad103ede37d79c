"""Tables with biases (one per layer, as in the worked example): as columns, as cells typed once
above the table, or trained by their own gradients; and mistakes planted in every bias-aware
formula, each found at its cell with the right formula to write."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter as letter

from sheetgen import network as net
from sheetgen.verify import verify
from sheetgen.verify.samples import Layout, write_table

FIXED, TRAINED = net.Network(biases=True), net.Network(biases=True, trained=True)
LAYOUTS = {
    "columns": Layout(network=FIXED),
    "cells": Layout(network=FIXED, bias_cells=((2, 5), (3, 5))),
    "trained": Layout(network=TRAINED),
    "trained-student": Layout(network=TRAINED, header_row=20, first_col=1, student=True,
                              labels={"b1": "bias_h", "db1": "dE/db1", "b2": "B2"}),
}
WORKED = {"inputs": (0.05, 0.1), "targets": (0.01, 0.99), "eta": 0.5}


def table(path, layout: Layout, mistake=None) -> dict:
    wb = Workbook()
    info = write_table(wb.active, layout, rows=8, mistake=mistake, **WORKED)
    wb.save(path)
    return info


@pytest.mark.parametrize("name", LAYOUTS)
def test_tables_with_biases_pass(tmp_path, name):
    table(tmp_path / "t.xlsx", LAYOUTS[name])
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", [t.reason for t in result.tables]


def _without(template: str, part: str) -> str:
    assert part in template
    return template.replace(part, "", 1)


MISTAKES = [  # (layouts, quantity, planted template, the words expected, with {name} as a column)
    (("columns", "trained"), "h1", _without(FIXED.by_name["h1"].formula, "+{b1}"),
     "lacks b1 ({b1}), which the forward pass needs"),
    (("columns", "trained"), "o2", FIXED.by_name["o2"].formula.replace("{b2}", "{b1}"),
     "reads b1 ({b1}) where the forward pass needs b2 ({b2})"),
    (("cells",), "h2", _without(FIXED.by_name["h2"].formula, "+{b1}"),
     "lacks b1 (E2), which the forward pass needs"),
    (("trained",), "b1", TRAINED.by_name["b1"].formula.replace("{db1[-1]}", "{dw1[-1]}"),
     "reads ∂E/∂w1 one row up ({dw1}) where the update rule needs ∂E/∂b1 one row up ({db1})"),
    (("trained",), "db2", net.DELTA_O1 + "+" + net.DELTA_O1,
     None),  # δo1 twice where δo1 + δo2 belongs: named, whatever the words
    (("trained",), "db1", TRAINED.by_name["db1"].formula.split("+(")[0],
     None),
]


def _cases():
    for layouts, name, template, words in MISTAKES:
        for layout in layouts:
            yield pytest.param(layout, name, template, words, id=f"{layout}-{name}")


@pytest.mark.parametrize("layout,name,template,words", list(_cases()))
def test_a_mistake_in_a_bias_aware_formula_is_found(tmp_path, layout, name, template, words):
    info = table(tmp_path / "bad.xlsx", LAYOUTS[layout], mistake=(3, name, template))
    result = verify(tmp_path / "bad.xlsx")
    assert result.status == "fail"
    first = result.tables[0].causes[0]
    cell = f"{letter(info['cols'][name])}{info['rows'][3]}"
    assert first.cell == f"Sheet!{cell}", [f.message for f in result.tables[0].causes]
    if words:
        assert first.words == words.format(**{
            n: f"column {letter(c)}" for n, c in info["cols"].items()})
    table(tmp_path / "right.xlsx", LAYOUTS[layout])
    assert first.fix == load_workbook(tmp_path / "right.xlsx").active[cell].value


def test_a_table_without_biases_is_not_read_as_one_with(tmp_path):
    """The classic table stays classic: its h1 is no bias-less h1 of a network with biases."""
    wb = Workbook()
    write_table(wb.active, Layout(), rows=6, eta=0.5)
    wb.save(tmp_path / "t.xlsx")
    (result,) = verify(tmp_path / "t.xlsx").tables
    assert result.status == "pass" and result.cells == 31 * 6
