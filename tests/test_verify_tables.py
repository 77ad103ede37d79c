"""Finding tables and their columns: by label where a label says something, by what the cells
compute where it does not."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from sheetgen import network as net
from sheetgen.verify import verify
from sheetgen.verify.labels import is_eta, quantity
from sheetgen.verify.samples import Layout, write_table

# Label spellings found in real student workbooks (issue 11), and the quantity each names.
SPELLINGS = {
    "𝟃E/𝟃w1": "dw1",  # U+1D7C3
    "ӘE/Әw2": "dw2",  # Cyrillic schwa
    "δE/δw3": "dw3",
    "Etotaldw4": "dw4",
    "E∂w5": "dw5",
    "Edw6": "dw6",
    "∂E_t/∂W7": "dw7",
    "dE_total / dw8": "dw8",
    "W1": "w1",
    "a_O1": "a_o1",
    "act_h1": "a_h1",
    "out_o2": "a_o2",
    "Etotal": "E_total",
    "E_tot": "E_total",
    "g1": "g1",  # a second hidden layer (`--layers 3 4 2 2`)
    "a_g2": "a_g2",
    "out_g1": "a_g1",
    "gw3": "dw3",  # a gradient still
}


@pytest.mark.parametrize("label,name", SPELLINGS.items())
def test_label_spellings(label, name):
    assert quantity(label) == name


@pytest.mark.parametrize("label", ["η", "ͷ", "eta = ", "Learning Rate ", "L.R", "learningRate="])
def test_eta_spellings(label):
    assert is_eta(label)


def table(path, layout: Layout, mistake=None, side_list: bool = False) -> dict:
    wb = Workbook()
    ws = wb.active
    info = write_table(ws, layout, rows=8, eta=0.5, mistake=mistake)
    if side_list:  # `i1 0.05`, `i2 0.1`, ... left of the table, starting on its header row
        for k, (name, value) in enumerate((("i1", 0.05), ("i2", 0.1), ("W1", 0.15), ("W2", 0.2))):
            ws.cell(layout.header_row + k, 1, name)
            ws.cell(layout.header_row + k, 2, value)
    wb.save(path)
    return info


STUDENT_SPELLINGS = {name: label for label, name in SPELLINGS.items() if name.startswith("dw")}


def test_a_table_with_the_students_spellings_passes(tmp_path):
    layout = Layout(header_row=29, first_col=4, labels=STUDENT_SPELLINGS, eta_cell=(27, 23),
                    eta_label="L.R")
    table(tmp_path / "t.xlsx", layout)
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", result
    assert result.tables[0].header == "D29"


def test_a_side_list_on_the_header_row_does_not_split_the_table(tmp_path):
    layout = Layout(header_row=29, first_col=4, eta_cell=(27, 23), eta_label="L.R")
    mistake = (3, "w3", "{w3[-1]}-{eta}*{dw1[-1]}")
    info = table(tmp_path / "t.xlsx", layout, mistake=mistake, side_list=True)
    result = verify(tmp_path / "t.xlsx")
    assert [t.header for t in result.tables] == ["D29"]
    first = result.tables[0].causes[0]
    assert first.cell == f"Sheet!J{info['rows'][3]}"
    assert first.words == ("reads ∂E/∂w1 one row up (column AA) where the update rule needs "
                           "∂E/∂w3 one row up (column AC)")


GARBLED = {  # what a header may say that no spelling can read
    "gradients": {f"dw{k}": f"col {k}" for k in range(1, 9)},
    "forward pass": {n: f"step {k}" for k, n in enumerate(net.NAMES) if n[0] in "haoE"},
    "all but t, i and w": {n: f"x{k}" for k, n in enumerate(net.NAMES) if n[0] not in "tiw"},
    "every one": {n: f"Spalte {k}" for k, n in enumerate(net.NAMES)},  # a header in German
}


@pytest.mark.parametrize("what", GARBLED)
def test_columns_are_identified_by_what_they_compute(tmp_path, what):
    layout = Layout(labels=GARBLED[what])
    table(tmp_path / "ok.xlsx", layout)
    assert verify(tmp_path / "ok.xlsx").status == "pass"
    mistake = (4, "dw3", net.BY_NAME["dw3"].formula.replace("{a_h2}", "{a_h1}"))
    info = table(tmp_path / "bad.xlsx", layout, mistake=mistake)
    first = verify(tmp_path / "bad.xlsx").tables[0].causes[0]
    col = info["cols"]
    assert first.cell.endswith(f"!{_letter(col['dw3'])}{info['rows'][4]}")
    assert first.words == (f"reads a_h1 (column {_letter(col['a_h1'])}) where the chain rule "
                           f"needs a_h2 (column {_letter(col['a_h2'])})")


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c)


def write(path, labels: dict, cells) -> dict:
    """A table with `labels`; `cells(ws, info)` then overwrites what it likes."""
    wb = Workbook()
    info = write_table(wb.active, Layout(labels=labels), rows=6, eta=0.5)
    cells(wb.active, info)
    wb.save(path)
    return info


def test_a_column_wrong_in_every_row_is_identified_by_what_reads_it(tmp_path):
    """h1 labelled 'foo' and wrong in every row: σ(h1) is a_h1, so the column is h1."""

    def h1_reads_i1_twice(ws, info):
        c = info["cols"]
        for r in info["rows"]:
            ws.cell(r, c["h1"], f"={_letter(c['w1'])}{r}*{_letter(c['i1'])}{r}"
                                f"+{_letter(c['w2'])}{r}*{_letter(c['i1'])}{r}")

    info = write(tmp_path / "t.xlsx", {"h1": "foo"}, h1_reads_i1_twice)
    result = verify(tmp_path / "t.xlsx")
    col, rows = info["cols"], info["rows"]
    expected = (f"{_letter(col['h1'])}{rows[0]}:{_letter(col['h1'])}{rows[-1]} (h1) reads i1 "
                f"(column {_letter(col['i1'])}) where the forward pass needs i2 (column "
                f"{_letter(col['i2'])})")
    assert [f.message for f in result.tables[0].causes] == [expected]


def test_columns_nothing_identifies_are_named_in_one_line(tmp_path):
    """E1 and E2 replaced by numbers under unreadable labels, E_total a number too: which
    column is which cannot be told, and the reason says so (exit 2), naming the columns."""

    def numbers(ws, info):
        for r in info["rows"]:
            for name, v in (("E1", 0.25), ("E2", 0.125), ("E_total", 0.5)):
                ws.cell(r, info["cols"][name], v)

    info = write(tmp_path / "t.xlsx", {"E1": "foo", "E2": "bar"}, numbers)
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "error"
    e1, e2 = _letter(info["cols"]["E1"]), _letter(info["cols"]["E2"])
    assert result.tables[0].reason == (
        f"cannot tell which column holds E1, E2: column(s) {e1} ('foo'), {e2} ('bar') neither "
        "carry such a label nor compute it from the other columns"
    )
