"""A student's own numbering of the weights, headers the columns belie, and tables of the
forward pass alone: each judged by what its cells compute (issue 18, items 1, 2 and 4)."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter as letter

from sheetgen import network as net
from sheetgen.verify import verify
from sheetgen.verify.samples import Layout, write_table

# The numbering of one real student: w1 i1→h1, w2 i1→h2, w3 i2→h1, w4 i2→h2, w5 h1→o1,
# w6 h1→o2, w7 h2→o1, w8 h2→o2. In the course's numbering their w2 is w3 and their w6 is w7.
THEIRS = {"w2": "w3", "w3": "w2", "w6": "w7", "w7": "w6"}


def renumbered(numbering: dict[str, str]) -> Layout:
    """Columns in the student's order, each labelled with the student's name of its weight
    (and gradient); the formulas compute the course's network."""
    labels = {w: s for w, s in numbering.items()}
    labels |= {"d" + w: f"∂E/∂{s}" for w, s in numbering.items()}
    rank = {n: net.NAMES.index(numbering.get(n, n)) if n in numbering or "d" + n in numbering
            else net.NAMES.index(n) for n in net.NAMES}
    rank |= {"d" + w: net.NAMES.index("d" + s) for w, s in numbering.items()}
    return Layout(labels=labels, order=tuple(sorted(net.NAMES, key=lambda n: rank[n])))


def table(path, layout: Layout, mistake=None, rows: int = 8, **kw) -> dict:
    wb = Workbook()
    info = write_table(wb.active, layout, rows=rows, mistake=mistake, **kw)
    wb.save(path)
    return info


def test_a_students_own_numbering_of_the_weights_passes(tmp_path):
    table(tmp_path / "t.xlsx", renumbered(THEIRS))
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]
    assert result.notes == []  # a numbering of their own is no mistake, and no header is belied


def test_a_mistake_in_a_renumbered_table_is_named_in_the_students_names(tmp_path):
    layout = renumbered(THEIRS)
    mistake = (3, "dw2", net.BY_NAME["dw2"].formula.replace("{i2}", "{i1}"))  # their ∂E/∂w3
    info = table(tmp_path / "t.xlsx", layout, mistake=mistake)
    result = verify(tmp_path / "t.xlsx")
    (first,) = result.tables[0].causes
    assert first.cell == f"Sheet!{letter(info['cols']['dw2'])}{info['rows'][3]}"
    assert first.quantity == "∂E/∂w3"  # the header the student wrote over it
    assert "reads i1" in first.words and "needs i2" in first.words


@pytest.mark.parametrize("name, wrong", [
    ("h1", "{w2}*{i1}+{w1}*{i2}"),  # the weights of h1 traded: a mistake, not a numbering
    ("o1", "{w7}*{a_h1}+{w6}*{a_h2}"),  # o1 reads o2's weight: no numbering makes it right
])
def test_a_net_input_that_reads_the_wrong_weights_is_named_there(tmp_path, name, wrong):
    rows = 6
    mistakes = [(k, name, wrong) for k in range(rows)]
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=rows, mistake=mistakes[0])
    for k, r in enumerate(info["rows"]):  # the same mistake in every row, as copied down
        text = wrong
        for n, c in info["cols"].items():
            text = text.replace(f"{{{n}}}", f"{letter(c)}{r}")
        wb.active.cell(r, info["cols"][name], "=" + text)
    wb.save(tmp_path / "t.xlsx")
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "fail"
    first = result.tables[0].causes[0]
    assert first.cell == f"Sheet!{letter(info['cols'][name])}{info['rows'][0]}", first.message


@pytest.mark.parametrize("a, b", [("a_h1", "a_h2"), ("w5", "w6"), ("dw3", "dw4"), ("o1", "o2")])
def test_swapped_headers_are_one_note_not_formula_mistakes(tmp_path, a, b):
    layout = Layout(labels={a: net.LABELS[b], b: net.LABELS[a]})
    info = table(tmp_path / "t.xlsx", layout)
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]
    ca, cb = sorted(letter(info["cols"][n]) for n in (a, b))
    (note,) = result.notes
    assert f"the headers of columns {ca} and {cb} are swapped" in note


def test_a_swapped_header_does_not_hide_a_mistake(tmp_path):
    layout = Layout(labels={"a_h1": "a_h2", "a_h2": "a_h1"})
    mistake = (2, "dw6", net.BY_NAME["dw6"].formula.replace("{a_h2}", "{a_h1}"))
    info = table(tmp_path / "t.xlsx", layout, mistake=mistake)
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "fail"
    assert result.tables[0].causes[0].cell == (
        f"Sheet!{letter(info['cols']['dw6'])}{info['rows'][2]}")


FORWARD = tuple(n for n in net.NAMES if not n.startswith("dw"))


def forward_only(path, mistake=None, rows: int = 1) -> dict:
    wb = Workbook()
    info = write_table(wb.active, Layout(order=FORWARD), rows=rows, mistake=mistake)
    wb.save(path)
    return info


def test_a_forward_pass_alone_is_judged_in_what_it_has(tmp_path):
    forward_only(tmp_path / "ok.xlsx")
    result = verify(tmp_path / "ok.xlsx")
    assert result.status == "pass", result.reason
    assert "forward pass only" in result.notes[0]
    mistake = (0, "o1", "{w5}*{a_h1}+{w7}*{a_h2}")  # o1 read with the transposed weights
    info = forward_only(tmp_path / "bad.xlsx", mistake=mistake)
    result = verify(tmp_path / "bad.xlsx")
    assert result.status == "fail", result.reason
    first = result.tables[0].causes[0]
    assert first.cell == f"Sheet!{letter(info['cols']['o1'])}{info['rows'][0]}"
    assert "reads w7" in first.words and "needs w6" in first.words


def test_a_table_with_updates_but_no_gradients_is_still_refused(tmp_path):
    """Only a table with no update rule at all is a forward pass: one whose weights update
    from columns nothing identifies must not pass on what is left."""
    labels = {f"dw{k}": f"col {k}" for k in range(1, 9)}
    mistake = (1, "dw1", "{dw2}")
    table(tmp_path / "t.xlsx", Layout(labels=labels), mistake=mistake)
    assert verify(tmp_path / "t.xlsx").status != "pass"


@pytest.mark.parametrize("how", ["copied", "inserted"])
def test_a_duplicated_row_in_a_table_with_biases_is_judged(tmp_path, how):
    """A row's formulas copied into the row under it as they are (that row repeats the
    iteration), or a copy inserted so that the rows below read the wrong rows (once 5-9 s; its
    time is a benchmark's figure, not a test's: benchmarks/verify_speed.py)."""
    wb = Workbook()
    ws = wb.active
    info = write_table(ws, Layout(network=net.Network(biases=True)), rows=20,
                       targets=(0.01, 0.99))
    r = info["rows"][10]
    if how == "inserted":
        ws.insert_rows(r)  # openpyxl moves the cells, not the references in formulas
    for c in info["cols"].values():
        ws.cell(r, c, ws.cell(r + 1 if how == "inserted" else r - 1, c).value)
    wb.save(tmp_path / "t.xlsx")
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "fail"
    assert result.tables[0].causes[0].cell.startswith("Sheet!F")  # w1, where it starts


@pytest.mark.parametrize("rows", ["first", "every"])
def test_given_numbers_typed_as_text_are_read_as_numbers(tmp_path, rows):
    """Hancom Office saves inputs as text ("0"); Excel's arithmetic reads them as numbers."""
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=6)
    given = dict(zip(("t1", "t2", "i1", "i2"), (*net.TARGETS, *net.INPUTS)))
    for name, value in given.items():
        for r in info["rows"][: 1 if rows == "first" else None]:
            cell = wb.active.cell(r, info["cols"][name])
            cell.value, cell.data_type = f"{value:g}", "s"
    wb.save(tmp_path / "t.xlsx")
    result = verify(tmp_path / "t.xlsx")
    assert result.status == "pass", [f.message for t in result.tables for f in t.causes]
    assert "typed as text" in result.notes[0]
    mistake = (2, "o2", "{w7}*{a_h1}+{w8}*{a_h1}")
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=6, mistake=mistake)
    cell = wb.active.cell(info["rows"][0], info["cols"]["i1"])
    cell.value, cell.data_type = "0.05", "s"
    wb.save(tmp_path / "bad.xlsx")
    first = verify(tmp_path / "bad.xlsx").tables[0].causes[0]
    assert first.cell == f"Sheet!{letter(info['cols']['o2'])}{info['rows'][2]}"


def _copied_down(path, layout: Layout, name: str, wrong: str, start: int = 0) -> dict:
    """A table with `wrong` as the formula of column `name` in every row from `start` on."""
    wb = Workbook()
    info = write_table(wb.active, layout, rows=6, mistake=(start, name, wrong))
    first, c = info["rows"][start], info["cols"][name]
    for r in info["rows"][start + 1:]:
        text = wb.active.cell(first, c).value
        wb.active.cell(r, c, text.replace(str(first), str(r)))
    wb.save(path)
    return info


def test_a_mistake_in_a_helper_column_is_named_at_the_helper(tmp_path):
    wrong = "({a_o2}-{t2})*{a_o1}*(1-{a_o1})"  # δo2 with a_o1's derivative
    info = _copied_down(tmp_path / "t.xlsx", Layout(helpers=True), "delta_o2", wrong)
    result = verify(tmp_path / "t.xlsx")
    (finding,) = result.tables[0].causes
    column = letter(info["cols"]["delta_o2"])
    assert finding.cells == f"{column}{info['rows'][0]}:{column}{info['rows'][-1]}"
    assert finding.words.endswith("it should be δo2 = ∂E/∂o2")


def test_a_gradient_wrong_beside_a_right_helper_is_named_at_the_gradient(tmp_path):
    wrong = "{delta_o2}*{a_h1}*{a_h1}"
    info = _copied_down(tmp_path / "t.xlsx", Layout(helpers=True), "dw8", wrong)
    (finding,) = verify(tmp_path / "t.xlsx").tables[0].causes
    assert finding.cell == f"Sheet!{letter(info['cols']['dw8'])}{info['rows'][0]}"


SHAPES = {  # other small networks on one example, as the description writes them
    "2-2-1": net.Network(layers=(2, 2, 1)),
    "2-2-1 Σ(t−a)², biases": net.Network(layers=(2, 2, 1), biases="layer", loss="sse"),
    "2-2-1 biases trained": net.Network(layers=(2, 2, 1), biases="layer", trained=True),
    "2-4-1": net.Network(layers=(2, 4, 1)),
    "single neuron with a bias": net.Network(layers=(2, 1), biases="layer", trained=True),
}


def _shape(path, network, mistake=None) -> dict:
    wb = Workbook()
    info = write_table(wb.active, Layout(network=network), rows=8, mistake=mistake,
                       targets=(0.9,), weights=net.default_weights(network), biases=(0.35, 0.6))
    wb.save(path)
    return info


@pytest.mark.parametrize("shape", SHAPES)
def test_other_small_networks_pass_and_a_planted_mistake_is_named(tmp_path, shape):
    network = SHAPES[shape]
    _shape(tmp_path / "ok.xlsx", network)
    result = verify(tmp_path / "ok.xlsx")
    assert result.status == "pass", (result.reason, [f.message for f in result.tables[0].causes])
    last = network.weight_names[-1]  # its gradient with one factor dropped
    wrong = network.by_name["d" + last].formula.replace("*{a_o1}*(1-{a_o1})", "", 1)
    assert wrong != network.by_name["d" + last].formula
    info = _shape(tmp_path / "bad.xlsx", network, mistake=(2, "d" + last, wrong))
    result = verify(tmp_path / "bad.xlsx")
    assert result.status == "fail"
    assert result.tables[0].causes[0].cell == (
        f"Sheet!{letter(info['cols']['d' + last])}{info['rows'][2]}")


def test_a_bias_column_broken_in_every_row_is_a_finding_not_a_crash(tmp_path):
    """A planted mistake that left one update column in the table crashed the structure pass
    (two weight columns are needed to try a pair)."""
    trained = net.Network(biases=True, trained=True)
    _copied_down(tmp_path / "t.xlsx", Layout(network=trained), "b1", "{b1[+1]}-{eta}*{db1[-1]}",
                 start=1)
    assert verify(tmp_path / "t.xlsx").status == "fail"


def test_a_tanh_network_is_read_as_tanh_and_a_sigmoid_cell_in_it_is_named(tmp_path):
    """`sheetgen build --layers 2 3 2 --activation tanh --loss sse` passes (it was read as a
    sigmoid network and failed everywhere); a_h1 written with the sigmoid is the one finding."""
    from openpyxl.utils import get_column_letter

    from sheetgen.cli import main

    path = tmp_path / "tanh.xlsx"
    assert main(["build", "--layers", "2", "3", "2", "--activation", "tanh", "--loss", "sse",
                 "--lr", "0.5", "--iterations", "6", "--no-plot", "-o", str(path)]) == 0
    assert verify(path).status == "pass"
    wb = load_workbook(path)
    ws = wb["η=0.5"]
    header = next(r for r in range(1, 10) if "a_h1" in [c.value for c in ws[r]])
    labels = [c.value for c in ws[header]]
    a_h1, h1 = labels.index("a_h1") + 1, labels.index("h1") + 1
    ws.cell(header + 1, a_h1).value = f"=1/(1+EXP(-{get_column_letter(h1)}{header + 1}))"
    wb.save(path)
    result = verify(path)
    wrong = [t for t in result.tables if t.causes and t.sheet != "Backprop"]
    assert result.status == "fail" and [t.sheet for t in wrong] == ["η=0.5"]
    assert [f.cell for f in wrong[0].causes] == [f"'η=0.5'!{get_column_letter(a_h1)}{header + 1}"]
