"""Workbooks of other small networks, as `sheetgen build` writes them (the shapes of
tests/test_workbook_shapes.py: 2-3-2 tanh with trained per-unit biases, 2-1, 3-4-2-2 ReLU, 2-2-2
ReLU, 2-2-2-2), are read as what they are: each verifies PASS, and a mistake planted in each kind
of formula is the one finding, at its cell. The planted formulas are the network's own templates
with one part changed, rendered where the builder renders them. (The batch preset, `--preset xor
--mean`, is read by tests of its own.)"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from test_workbook_shapes import SHAPES, settings_of

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.network.templates import activate, error, slope
from sheetgen.verify import check_book
from sheetgen.verify.book import open_book
from sheetgen.verify.shapes import networks
from sheetgen.verify.tables import Region
from sheetgen.workbook import FIRST_ROW, layout_of, sheet_name

SMALL = ["--lr", "0.5", "--iterations", "8", "--no-plot"]  # one table, quickly
ONE_STEP = [name for name, args in SHAPES.items() if "--mean" not in args]  # batches: elsewhere
ROW = FIRST_ROW + 3  # where a mistake is planted: a middle row


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("verify_shapes"), {}
    for name in ONE_STEP:
        path = folder / f"{name.replace(' ', '_')}.xlsx"
        assert main(["build", "-o", str(path), *SHAPES[name], *SMALL]) == 0
        out[name] = path
    return out


def _other(activation: str) -> str:
    """Another activation: ReLU in a sigmoid or tanh network (its cells agree with a net input
    where that is positive), the sigmoid in a ReLU one."""
    return "sigmoid" if activation == "relu" else "relu"


def _first_output_edge(n: net.Network):
    return next(e for e in n.edges if n.layer_of(e[1]) == n.depth)


# Each kind of formula, and one mistake in it: (quantity, the planted template), or None where
# the network has no such formula.
def _net_input(n):
    unit = n.units(1)[0]  # w·x − w·x for w·x + w·x
    return unit, n.by_name[unit].formula.replace("+", "-", 1)


def _activation(n):
    unit = n.units(1)[0]
    return n.output_of(unit), activate(_other(n.activation), unit)


def _loss(n):
    other = "sse" if n.loss == "half_sse" else "half_sse"  # ½ forgotten, or one too many
    return "E1", error(other, "t1", n.output_of(n.units(n.depth)[0]))


def _total(n):
    return "E_total", n.by_name["E_total"].formula + "+{E1}"  # E1 counted twice


def _output_delta(n):
    _, unit, w = _first_output_edge(n)  # (t − a) for (a − t): the sign of ∂E/∂a
    a, t = n.output_of(unit), f"t{unit[1:]}"
    return "d" + w, n.by_name["d" + w].formula.replace(f"{{{a}}}-{{{t}}}", f"{{{t}}}-{{{a}}}", 1)


def _output_slope(n):
    _, unit, w = _first_output_edge(n)  # ∂a/∂net of another activation
    a = n.output_of(unit)
    wrong = slope(_other(n.activation), a)
    return "d" + w, n.by_name["d" + w].formula.replace(slope(n.activation, a), wrong, 1)


def _hidden_delta(n):
    if n.depth < 2:
        return None
    _, unit, w = n.edges[0]  # back-propagated through another unit's weight
    fed = n.units(2)[0]
    right = n.weight_into(fed, unit)
    wrong = next(x for s, u, x in n.edges if u == fed and s != unit)
    return "d" + w, n.by_name["d" + w].formula.replace(f"{{{right}}}", f"{{{wrong}}}", 1)


def _weight_gradient(n):
    source, _, w = _first_output_edge(n)  # ∂net/∂w: another source's output
    other = next(s for s in n.units(n.depth - 1) if s != source)
    right, wrong = f"*{{{n.output_of(source)}}}", f"*{{{n.output_of(other)}}}"
    formula = n.by_name["d" + w].formula
    assert formula.endswith(right)
    return "d" + w, formula[:-len(right)] + wrong


def _bias_gradient(n):
    if not n.trained:
        return None
    b = n.bias_names[0]  # δ times an input, as if the bias were a weight
    return "d" + b, f"({n.by_name['d' + b].formula})*{{i1}}"


def _update(n):
    w = n.weight_names[0]  # ascent for descent
    return w, n.by_name[w].formula.replace("-{eta}", "+{eta}")


KINDS = {"net input": _net_input, "activation": _activation, "loss": _loss, "E_total": _total,
         "output delta": _output_delta, "activation slope": _output_slope,
         "hidden delta": _hidden_delta, "weight gradient": _weight_gradient,
         "bias gradient": _bias_gradient, "update": _update}


def _plant(path, network: net.Network, name: str, template: str, rows=(ROW,), book=None):
    """The workbook read, with `template` as the formula of `name` in `rows` (no file
    written), and the first planted cell's address."""
    book = book or open_book(path)
    layout, s = layout_of(network), book.sheets.index(sheet_name(0.5))
    keys = [(s, r, network.names.index(name) + 2) for r in rows]
    texts = {k: layout.table_formula(net.Quantity(name, name, 1, template), k[1]) for k in keys}
    assert all(t != book.formulas[k] for k, t in texts.items()), "the mistake must change it"
    return replace(book, formulas={**book.formulas, **texts}, cached={}), book.address(keys[0])


def _sizes(*labels: str) -> tuple[int, ...]:
    region = Region(0, 1, [], list(range(len(labels))), dict(enumerate(labels)), {})
    return networks(region)[0][0].layers


def test_a_second_hidden_layer_is_counted_where_its_activations_are_labelled():
    assert _sizes("i1", "i2", "i3", "h1", "a_h4", "g1", "a_g2", "o1", "a_o2") == (3, 4, 2, 2)
    # g1, g2 alone may be a student's names for gradients: the course's 2-2-2
    assert _sizes("i1", "i2", "h1", "a_h2", "g1", "g2", "o1", "a_o2") == (2, 2, 2)


@pytest.mark.parametrize("name", ONE_STEP)
def test_each_built_shape_passes(books, name, capsys):
    assert main(["verify", str(books[name])]) == 0, capsys.readouterr().out


# Every kind of formula each shape has (a 2-1 network has no hidden delta; only the 2-3-2 one
# trains its biases).
CASES = [(name, kind) for name in ONE_STEP for kind, plant in KINDS.items()
         if plant(settings_of(SHAPES[name]).network) is not None]


@pytest.mark.parametrize("name, kind", CASES)
def test_a_mistake_in_each_kind_of_formula_is_named_at_its_cell(books, name, kind):
    network = settings_of(SHAPES[name]).network
    book, cell = _plant(books[name], network, *KINDS[kind](network))
    result = check_book(book)
    causes = [f.cell for t in result.tables for f in t.causes]
    assert result.status == "fail" and causes == [cell], (result.reason, causes)


def test_a_planted_mistake_is_named_in_the_json_report(books, tmp_path, capsys):
    """Through the command line: exit 1, and the cell in --json."""
    name = "3-4-2-2 relu"
    network = settings_of(SHAPES[name]).network
    wb = load_workbook(books[name])
    quantity, template = _hidden_delta(network)
    column = layout_of(network).column_of[quantity]
    wb[sheet_name(0.5)][f"{column}{ROW}"] = layout_of(network).table_formula(
        net.Quantity(quantity, quantity, 1, template), ROW)
    wb.save(tmp_path / "wrong.xlsx")
    capsys.readouterr()
    assert main(["verify", "--json", str(tmp_path / "wrong.xlsx")]) == 1
    report = json.loads(capsys.readouterr().out)
    cells = [c["cell"] for f in report["files"] for t in f["tables"] for c in t["causes"]]
    assert cells == [f"'{sheet_name(0.5)}'!{column}{ROW}"]


# ReLU's values equal its net input's wherever that is positive, and its slope is 1 there: a
# reading as ReLU must not make a wrong workbook pass.
EVERY_ROW = range(FIRST_ROW, FIRST_ROW + 8)  # SMALL: 8 iterations


def test_a_relu_column_in_a_sigmoid_network_is_named_not_read_as_relu(books):
    """a_h1 = MAX(0, h1) in every row of a sigmoid network: that column is the one finding (a
    ReLU reading explains it, and disagrees everywhere else)."""
    network = settings_of(SHAPES["2-2-2-2"]).network
    book, cell = _plant(books["2-2-2-2"], network, "a_h1", activate("relu", "h1"), EVERY_ROW)
    result = check_book(book)
    assert result.status == "fail" and _table_causes(result) == [cell]


@pytest.mark.parametrize("units, template", [
    (("h1",), "{{{}}}"), (("h1", "h2", "o1", "o2"), "{{{}}}"), (("o2",), "ABS({{{}}})")],
    ids=["a_h1 = h1", "every unit linear", "a_o2 = ABS(o2)"])
def test_a_linear_unit_in_a_relu_network_is_named_though_its_values_agree(books, units, template):
    """a_h1 = h1 (no activation) or ABS(h1) holds MAX(0, h1)'s values while h1 > 0, as in every
    row here; with every unit linear the whole table is a linear network's, value for value."""
    network, book = settings_of(SHAPES["2-2-2 relu"]).network, open_book(books["2-2-2 relu"])
    cells = []
    for unit in units:
        book, cell = _plant(None, network, f"a_{unit}", template.format(unit), EVERY_ROW, book)
        cells.append(cell)
    result = check_book(book)
    assert result.status == "fail" and _table_causes(result) == cells
    assert all("is right only while" in f.message for t in result.tables
               for f in t.causes if t.sheet != "Backprop")


def test_a_relu_gradient_without_the_step_is_named_though_its_values_agree(books):
    """∂E/∂w5 without ∂a_o1/∂o1 = (a_o1 > 0): right while o1 stays on, as in every row here."""
    network = settings_of(SHAPES["2-2-2 relu"]).network
    right = network.by_name["dw5"].formula
    wrong = right.replace(f"*{slope('relu', 'a_o1')}", "", 1)
    assert wrong != right
    book, cell = _plant(books["2-2-2 relu"], network, "dw5", wrong, EVERY_ROW)
    result = check_book(book)
    assert result.status == "fail" and _table_causes(result) == [cell]


def test_a_mistake_behind_a_dead_relu_unit_is_named_though_its_values_agree(tmp_path):
    """h2 is off in every row (its weights are negative, and never move: its gradients are 0),
    so ∂E/∂w3 back-propagated through the wrong weight (w5 for w6) is 0 all the same."""
    path = tmp_path / "dead.xlsx"
    weights = ["0.15", "0.2", "-0.25", "-0.3", "0.4", "0.45", "0.5", "0.55"]
    assert main(["build", "-o", str(path), "--activation", "relu", "--weights", *weights,
                 *SMALL]) == 0
    network = net.Network(activation="relu")
    assert check_book(open_book(path)).status == "pass"
    wrong = network.by_name["dw3"].formula.replace("{w6}", "{w5}", 1)
    book, cell = _plant(path, network, "dw3", wrong, EVERY_ROW)
    result = check_book(book)
    assert result.status == "fail" and _table_causes(result) == [cell]
    assert "with h2 on" in next(f.message for t in result.tables for f in t.causes)


def _table_causes(result) -> list[str]:
    """The findings of the η sheet's table (the Backprop sheet's blocks read its first row,
    where these mistakes are planted too, and differ as they should)."""
    return [f.cell for t in result.tables if t.sheet != "Backprop" for f in t.causes]
