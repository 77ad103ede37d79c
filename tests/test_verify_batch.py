"""Workbooks whose every step trains on a batch of examples (`sheetgen build --preset xor
[--mean]`, `--examples FILE.csv`): the verifier reads how many examples a step has and whether
its gradient is their sum or their mean from the workbook itself (the labels `i1 [2]` count the
examples; the values decide sum or mean), passes the built workbooks, and names a mistake planted
in each kind of formula of a batch table at its cell."""
from __future__ import annotations

import pytest
from mutants import planted

from sheetgen.cli import main
from sheetgen.verify import check_book
from sheetgen.verify.book import open_book
from sheetgen.verify.engine import Engine
from sheetgen.verify.identify import identify
from sheetgen.verify.tables import find_regions

XOR = "0,0,0\n0,1,1\n1,0,1\n1,1,0\n"
AND = "0,0,0\n0,1,0\n1,0,0\n1,1,1\n"
SHORT = ["--no-plot", "--lr", "0.5", "2", "--iterations", "12"]
BUILDS = {  # name: (arguments, examples file, mean)
    "xor mean": (["--preset", "xor", "--mean"], None, True),
    "xor sum": (["--layers", "2", "2", "1", "--biases", "0.1", "0.1", "-0.1", "--train-biases",
                 "--weights", "0.8", "-0.6", "-0.7", "0.9", "0.6", "0.7"], XOR, False),
    "and neuron": (["--layers", "2", "1", "--biases", "0.2", "--train-biases"], AND, False),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder, out = tmp_path_factory.mktemp("batch"), {}
    for name, (args, examples, _) in BUILDS.items():
        path = folder / f"{name.replace(' ', '_')}.xlsx"
        if examples:
            (folder / "examples.csv").write_text(examples)
            args = [*args, "--examples", str(folder / "examples.csv")]
        assert main(["build", "-o", str(path), *SHORT, *args]) == 0
        out[name] = path
    return out


def tables(path):
    book = open_book(path)
    engine = Engine(book)
    return book, [identify(book, engine, r) for r in find_regions(book, engine)]


@pytest.mark.parametrize("name", list(BUILDS))
def test_a_built_batch_workbook_passes_read_as_its_own_batch(built, name):
    result = check_book(open_book(built[name]))
    assert result.status == "pass", [(t.name, t.reason, [c.message for c in t.causes])
                                     for t in result.tables]
    assert [t.sheet for t in result.tables] == ["η=0.5", "η=2", "Backprop"]
    _, found = tables(built[name])
    mean = BUILDS[name][2]
    assert {(t.network.examples, t.network.mean) for t in found} == {(4, mean)}
    assert all(not t.missing for t in found)


def test_the_values_not_the_labels_decide_sum_or_mean(built):
    """The labels of a sum and of a mean table are the same; each is read as what it computes,
    and the other reading leaves every gradient column disagreeing."""
    for name, mean in (("xor mean", True), ("xor sum", False)):
        _, (table, _) = tables(built[name])
        assert table.network.mean is mean and "dw1" in table.columns


def test_the_command_line_exits_0_on_a_batch_workbook(built, capsys):
    assert main(["verify", str(built["xor mean"])]) == 0
    assert "PASS" in capsys.readouterr().out


KINDS = {  # kind of formula: (workbook, quantity planted in)
    "net input": ("xor mean", "h2_3"),
    "output net input": ("xor sum", "o1_2"),
    "activation": ("xor mean", "a_h1_4"),
    "loss": ("xor sum", "E1_3"),
    "total loss": ("and neuron", "E_total"),
    "weight gradient": ("xor mean", "dw2"),
    "bias gradient": ("xor sum", "db3"),
    "update": ("xor mean", "w5"),
    "bias update": ("and neuron", "b1"),
    "neuron's gradient": ("and neuron", "dw1"),
    "neuron's activation": ("and neuron", "a_o1_2"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_mistake_in_each_formula_kind_is_named_at_its_cell(built, kind):
    name, quantity = KINDS[kind]
    book, (table, _) = tables(built[name])
    key = table.key(quantity, table.rows[len(table.rows) // 2])
    result = check_book(planted(book, key))
    assert result.status == "fail"
    first = result.tables[0].causes[0]
    assert first.cell == book.address(key), [c.message for c in result.tables[0].causes]


@pytest.mark.parametrize("label, name", [
    ("i1 [2]", "i1_2"), ("a_h1 [4]", "a_h1_4"), ("E1 [3]", "E1_3"), ("a_o1_2", "a_o1_2"),
    ("t1 (1)", "t1_1"),
    # the step's quantities, and single labels with an underscore, are read as before
    ("w_1", "w1"), ("E_1", "E1"), ("x_2", "i2"), ("∂E/∂w3", "dw3"), ("E_total", "E_total"),
])
def test_a_label_names_one_example_of_a_batch(label, name):
    from sheetgen.verify.labels import quantity

    assert quantity(label) == name
