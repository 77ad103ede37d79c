"""Workbooks of other small networks, built from the command line: every table cell, as stored
and as LibreOffice and Gnumeric recalculate it, is the independent NumPy reference's; the
Backprop sheet's block values are what the engines compute; bad example files are refused."""
from __future__ import annotations

import numpy as np
import openpyxl
import pytest
from conftest import gnumeric_recalculate, require_soffice
from test_workbook_biases import table
from test_workbook_readers import assert_same_values, formula_values

from sheetgen import network as net
from sheetgen.cli import main, make_parser, settings_from
from sheetgen.libreoffice import recalculate
from sheetgen.workbook import BACKPROP, FIRST_ROW, HEADER_ROW, PRESETS, layout_of, sheet_name

PER_UNIT = ["--biases", "0.1", "-0.2", "0.3", "0.05", "-0.1", "--train-biases"]
SHAPES = {
    # Not η = 2: there the loss Σ(t−a)² doubles every step, training jumps about, and the last
    # bit in which Gnumeric's tanh differs from the C library's grows to 1e-7 in 50 rows.
    "2-3-2 tanh sse": ["--layers", "2", "3", "2", "--activation", "tanh", "--loss", "sse",
                       *PER_UNIT, "--lr", "0.1", "0.5", "1"],
    "xor mean": ["--preset", "xor", "--mean"],
    "2-1": ["--layers", "2", "1"],
    "3-4-2-2 relu": ["--layers", "3", "4", "2", "2", "--activation", "relu"],
    "2-2-2 relu": ["--activation", "relu"],
    "2-2-2-2": ["--layers", "2", "2", "2", "2"],
}


def settings_of(args: list[str]):
    return settings_from(make_parser().parse_args(["build", *args]))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    out = {}
    for name, args in SHAPES.items():
        path = folder / f"{name.replace(' ', '_')}.xlsx"
        assert main(["build", "-o", str(path), "--no-plot", *args]) == 0
        out[name] = path
    return out


@pytest.fixture(scope="module")
def libreoffice(built, tmp_path_factory):
    require_soffice()
    return {name: recalculate(path, tmp_path_factory.mktemp("lo")) for name, path in built.items()}


@pytest.fixture(scope="module")
def gnumeric(built, tmp_path_factory):
    return {name: gnumeric_recalculate(path, tmp_path_factory.mktemp("gn"))
            for name, path in built.items()}


def reference(s) -> dict[str, np.ndarray]:
    inputs, targets = zip(*s.examples)
    return net.run(s.network, inputs, targets, s.weights, s.learning_rates, s.iterations,
                   biases=s.biases)


@pytest.mark.parametrize("kind", ["built", "libreoffice", "gnumeric"])
@pytest.mark.parametrize("name", list(SHAPES))
def test_every_table_cell_is_the_reference(request, kind, name):
    """Stored values exactly; the engines' own recalculation to 1e-9, and near zero to 1e-12 of
    the column's largest value (their exp may differ from numpy's in the last bit, and
    LibreOffice makes a difference of two nearly equal numbers exactly 0)."""
    s = settings_of(SHAPES[name])
    want, got = reference(s), table(request.getfixturevalue(kind)[name], s)
    assert set(got[s.learning_rates[0]]) == set(s.network.names) == set(want)
    for k, eta in enumerate(s.learning_rates):
        for q in s.network.columns:
            if kind == "built":
                np.testing.assert_array_equal(got[eta][q.name], want[q.name][k], err_msg=q.name)
            else:
                scale = np.abs(want[q.name][k]).max()
                np.testing.assert_allclose(got[eta][q.name], want[q.name][k], rtol=1e-9,
                                           atol=1e-12 * scale, err_msg=f"{sheet_name(eta)} {q.name}")


@pytest.mark.parametrize("kind", ["libreoffice", "gnumeric"])
def test_every_formula_outside_the_tables_is_what_the_engines_compute(built, request, kind):
    """The Backprop sheet's block lines and the Loss curves summary, for every shape."""
    for name, path in built.items():
        again = request.getfixturevalue(kind)[name]
        stored = {k: v for k, v in formula_values(path, path).items() if k[0] == BACKPROP}
        assert stored, name
        got = {k: v for k, v in formula_values(path, again).items() if k in stored}
        assert_same_values(got, stored)


def test_tables_and_sheets_follow_the_shape(built):
    s = settings_of(SHAPES["3-4-2-2 relu"])
    wb = openpyxl.load_workbook(built["3-4-2-2 relu"])
    ws, layout = wb[sheet_name(s.learning_rates[0])], layout_of(s.network)
    header = [c.value for c in ws[HEADER_ROW]][1:-1]
    assert header == [q.label for q in s.network.columns] and len(header) == 72
    assert ws[f"{layout.column_of['a_g1']}{FIRST_ROW + 1}"].value == \
        f"=MAX(0,{layout.column_of['g1']}{FIRST_ROW + 1})"
    assert wb[BACKPROP]["A1"].value == "Backpropagation by hand: a 3-4-2-2 relu network"
    assert {"init_w24", "input_i3", "target_t2"} <= set(wb.defined_names)
    xor = openpyxl.load_workbook(built["xor mean"])
    assert {f"input_i2_{e}" for e in range(1, 5)} <= set(xor.defined_names)
    header = [c.value for c in xor[sheet_name(0.5)][HEADER_ROW]]
    assert header[1:4] == ["t1 [1]", "i1 [1]", "i2 [1]"] and "E_total" in header


def test_examples_from_a_csv_file_are_the_preset(tmp_path):
    csv = tmp_path / "xor.csv"
    csv.write_text("x1,x2,target\n0,0,0\n0,1,1\n\n1,0,1\n1,1,0\n")
    from_file = settings_of(["--layers", "2", "2", "1", "--examples", str(csv), "--mean",
                             "--biases", "0.1", "0.1", "-0.1", "--train-biases", "--weights",
                             "0.8", "-0.6", "-0.7", "0.9", "0.6", "0.7", "--lr", "0.5", "1", "2",
                             "5", "--iterations", "1000"])
    assert from_file == settings_of(["--preset", "xor", "--mean"])
    assert from_file.network.examples == 4 and PRESETS["xor"]["layers"] == (2, 2, 1)


@pytest.mark.parametrize("text, message", [
    ("0,0,0\n0,1\n", "row 2: 2 values where a row holds 2 inputs then 1 targets"),
    ("0,0,0\n0,x,1\n", "row 2: not a finite number: 'x'"),
    ("0,0,0\n0,inf,1\n", "row 2: not a finite number: 'inf'"),
    ("a,b,c\n", "no examples"),
    ("", "no examples"),
])
def test_a_bad_examples_file_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    out = tmp_path / "out.xlsx"
    assert main(["build", "-o", str(out), "--layers", "2", "2", "1", "--examples", str(csv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--examples", "missing.csv"], "cannot read the examples missing.csv"),
    (["--preset", "xor", "--inputs", "1", "0"], "give --examples FILE, or both --inputs and"),
    (["--layers", "2", "5", "1"], "each layer has 1 to 4 units"),
    (["--layers", "2", "2", "1", "--biases", "1", "2", "3", "4"], "--biases needs 2 numbers"),
    (["--mean"], "--mean needs several examples"),
    (["--layers", "2", "1", "--weights", "1"], "--weights needs 2 numbers, got 1"),
])
def test_bad_shapes_are_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "-o", "out.xlsx", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and not (tmp_path / "out.xlsx").exists()
