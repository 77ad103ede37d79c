"""A batch laid out down the sheet, one block of rows per step (the header repeated over each
block, one row per example, the step's loss and gradients in a row under them), as student13
wrote it: read as one row per step, passed when right, and a mistake planted in each formula
kind named at its cell with the formula to write there."""
from __future__ import annotations

import pytest
from mutants import planted
from openpyxl import Workbook

from sheetgen import network as net
from sheetgen.verify import check_book, verify
from sheetgen.verify.book import open_book
from sheetgen.verify.engine import Engine
from sheetgen.verify.identify import identify
from sheetgen.verify.samples import Layout, write_table
from sheetgen.verify.samples_stacked import write_blocks
from sheetgen.verify.tables import find_regions

XOR = (((0, 0), (0, 1), (1, 0), (1, 1)), ((0,), (1,), (1,), (0,)))
AND = (XOR[0], ((0,), (0,), (0,), (1,)))
XOR_NET = {"layers": (2, 2, 1), "biases": "unit", "trained": True, "loss": "sse", "examples": 4}
CASES = {  # name: (network, examples, weights, biases, helper columns)
    "xor mean, per-example gradients averaged": (
        net.Network(**XOR_NET, mean=True), XOR, (0.8, -0.6, -0.7, 0.9, 0.6, 0.7),
        (0.1, 0.1, -0.1), True),
    "xor mean, gradients written out": (
        net.Network(**XOR_NET, mean=True), XOR, (0.8, -0.6, -0.7, 0.9, 0.6, 0.7),
        (0.1, 0.1, -0.1), False),
    "xor sum": (net.Network(**XOR_NET), XOR, (0.8, -0.6, -0.7, 0.9, 0.6, 0.7), (0.1, 0.1, -0.1),
                True),
    "and neuron": (net.Network(layers=(2, 1), biases="layer", trained=True, examples=4), AND,
                   (0.3, -0.2), (0.1,), False),
    "2-2-2 on three examples": (
        net.Network(examples=3), (((0.05, 0.1), (0.2, 0.7), (0.9, 0.4)),
                                  ((0.01, 0.99), (0.5, 0.5), (0.9, 0.1))), net.WEIGHTS, (), True),
}
LAYOUTS = {  # how the blocks are laid out, besides the header over each and the weights in the
    # first example's row (student13's)
    "one header": {"repeat_header": False},
    "weights row": {"weights_row": True},
    "one header, weights row, no gap": {"repeat_header": False, "weights_row": True, "gap": 0},
}
CASES |= {f"xor mean, {layout}": (*CASES["xor mean, gradients written out"][:4], False, layout)
          for layout in LAYOUTS}


def write(path, name: str) -> dict:
    network, (inputs, targets), weights, biases, helpers, *layout = CASES[name]
    wb = Workbook()
    info = write_blocks(wb.active, network, inputs, targets, weights, biases, eta=2,
                        helpers=helpers, **(LAYOUTS[layout[0]] if layout else {}))
    wb.save(path)
    return info


@pytest.mark.parametrize("name", list(CASES))
def test_a_block_per_step_passes_read_as_its_own_batch(tmp_path, name):
    info = write(tmp_path / "t.xlsx", name)
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", (result.reason, [t.reason for t in result.tables])
    book = open_book(tmp_path / "t.xlsx")
    engine = Engine(book)
    (table,) = [identify(book, engine, r) for r in find_regions(book, engine)]
    network = CASES[name][0]
    assert (table.network.examples, table.network.mean) == (network.examples, network.mean)
    assert table.period == info["period"] and table.rows == info["rows"]


KINDS = {  # kind of formula: (case, quantity)
    "hidden net input": ("xor mean, gradients written out", "h2_3"),
    "output net input": ("xor sum", "o1_2"),
    "activation": ("xor mean, per-example gradients averaged", "a_h1_4"),
    "loss": ("xor sum", "E1_3"),
    "step's loss": ("and neuron", "E_total"),
    "weight gradient": ("xor mean, gradients written out", "dw2"),
    "bias gradient": ("and neuron", "db1"),
    "weight update": ("xor mean, per-example gradients averaged", "w5"),
    "bias update": ("xor sum", "b3"),
    "2-2-2 gradient": ("2-2-2 on three examples", "dw7"),
    "net input, one header": ("xor mean, one header", "h1_2"),
    "update, weights row": ("xor mean, weights row", "w3"),
    "gradient, one header and weights row": ("xor mean, one header, weights row, no gap", "db2"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_mistake_in_each_formula_kind_is_named_at_its_cell(tmp_path, kind):
    name, quantity = KINDS[kind]
    info = write(tmp_path / "t.xlsx", name)
    book = open_book(tmp_path / "t.xlsx")
    k, c = info["where"][quantity]
    key = (0, info["rows"][4] + k, c)
    result = check_book(planted(book, key))
    assert result.status == "fail"
    first = result.tables[0].causes[0]
    assert first.cell == book.address(key), [f.message for f in result.tables[0].causes]
    if not CASES[name][4]:  # the formula to write is the one written before (with helper
        assert first.fix == book.formulas[key]  # columns, the template written out instead)


def test_tables_one_under_another_are_not_read_as_blocks(tmp_path):
    """Three classic tables with the same header at a constant period: three tables, each
    passing, not one table of blocks."""
    wb = Workbook()
    for header in (5, 20, 35):
        write_table(wb.active, Layout(header_row=header, eta_cell=(header - 2, 2)), rows=8)
    wb.save(tmp_path / "three.xlsx")
    result = verify(tmp_path / "three.xlsx")
    assert result.status == "pass" and len(result.tables) == 3
