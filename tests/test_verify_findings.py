"""One finding per distinct mistake, in words, with the formula to write in the student's cells."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter as letter

from sheetgen import network as net
from sheetgen.verify import report, verify
from sheetgen.verify.samples import Layout, classic_workbook, write_table


def table(path, rows: int = 8, mistake=None, every_row: bool = False, layout=None) -> dict:
    """A table with `mistake` = (name, template) planted in data row 2, or in every row."""
    wb = Workbook()
    info = write_table(wb.active, layout or Layout(), rows=rows, eta=0.5)
    if mistake:
        name, template = mistake
        c = info["cols"]
        for k, r in enumerate(info["rows"]):
            if (every_row and (k > 0 or name not in net.WEIGHT_NAMES)) or k == 2:
                wb.active.cell(r, c[name], "=" + net.render(
                    template, lambda n, off, r=r: "$B$3" if n == "eta" else f"{letter(c[n])}{r + off}"))
    wb.save(path)
    return info


def right(tmp_path, name: str, row: int, layout=None) -> str:
    """The formula the sample writer puts in that cell when nothing is wrong."""
    info = table(tmp_path / "right.xlsx", layout=layout)
    return load_workbook(tmp_path / "right.xlsx").active.cell(row, info["cols"][name]).value


CLASS_MISTAKE = net.BY_NAME["dw3"].formula.replace("{a_h2}", "{a_h1}")  # 18 of 20 wrong books


def test_a_mistake_copied_down_200_rows_is_one_finding(tmp_path):
    info = table(tmp_path / "t.xlsx", rows=200, mistake=("dw3", CLASS_MISTAKE), every_row=True)
    result = verify(tmp_path / "t.xlsx")
    (finding,) = result.tables[0].causes
    col, rows = letter(info["cols"]["dw3"]), info["rows"]
    assert finding.cells == f"{col}{rows[0]}:{col}{rows[-1]}" and finding.count == 200
    assert finding.words == (f"reads a_h1 (column {letter(info['cols']['a_h1'])}) where the chain "
                             f"rule needs a_h2 (column {letter(info['cols']['a_h2'])})")
    assert finding.fix == right(tmp_path, "dw3", rows[0])
    lines = report.text(result).splitlines()
    assert len(lines) == 7 and lines[3].strip().startswith(f"{col}{rows[0]} is  =")  # + score


def test_an_operator_mistake_is_named(tmp_path):
    mistake = ("dw5", net.BY_NAME["dw5"].formula.replace("({a_o1}-{t1})", "({a_o1}*{t1})"))
    info = table(tmp_path / "t.xlsx", mistake=mistake)
    (first, *_) = verify(tmp_path / "t.xlsx").tables[0].causes
    r, c = info["rows"][2], info["cols"]
    a_o1, t1 = f"{letter(c['a_o1'])}{r}", f"{letter(c['t1'])}{r}"
    assert first.words == (f"has a product {a_o1}*{t1} (a_o1·t1) where the chain rule needs "
                           f"a difference {a_o1}-{t1}")
    assert first.fix == right(tmp_path, "dw5", r)


def test_a_missing_parenthesis_is_named(tmp_path):
    """Student 06's mistake: the hidden-layer factor multiplies only the second term."""
    mistake = ("dw1", net.BY_NAME["dw1"].formula.replace("(" + net.DE_DAH1 + ")", net.DE_DAH1))
    info = table(tmp_path / "t.xlsx", mistake=mistake)
    (first, *_) = verify(tmp_path / "t.xlsx").tables[0].causes
    assert first.words.startswith("lacks parentheses around ")
    assert first.fix == right(tmp_path, "dw1", info["rows"][2])


def test_two_mistakes_in_one_formula_are_both_named(tmp_path):
    """Student 09's: (a_o1*t1) and (a_o2*t1) where (a_o1−t1) and (a_o2−t2) belong."""
    template = net.BY_NAME["dw1"].formula.replace("({a_o1}-{t1})", "({a_o1}*{t1})")
    template = template.replace("({a_o2}-{t2})", "({a_o2}*{t1})")
    info = table(tmp_path / "t.xlsx", mistake=("dw1", template))
    (first, *_) = verify(tmp_path / "t.xlsx").tables[0].causes
    r, c = info["rows"][2], info["cols"]
    parts = first.words.split("; ")
    assert len(parts) == 2
    assert parts[0].startswith(f"has a product ({letter(c['a_o1'])}{r}*{letter(c['t1'])}{r})")
    assert parts[1].startswith(f"has a product ({letter(c['a_o2'])}{r}*{letter(c['t1'])}{r})")
    assert f"{letter(c['a_o2'])}{r}-{letter(c['t2'])}{r}" in parts[1]


def test_a_drifting_learning_rate_reference(tmp_path):
    """`=F7-AN3*Y7` filled down reads AN4, AN5, ...: the update rule needs $AN$3."""
    wb = Workbook()
    info = write_table(wb.active, Layout(eta_cell=(3, 40)), rows=8, eta=0.5)
    c = info["cols"]
    w1, dw1 = letter(c["w1"]), letter(c["dw1"])
    for k, r in enumerate(info["rows"][1:]):
        wb.active.cell(r, c["w1"], f"={w1}{r - 1}-AN{3 + k}*{dw1}{r - 1}")
    wb.save(tmp_path / "t.xlsx")
    (first, *_) = verify(tmp_path / "t.xlsx").tables[0].causes
    r = info["rows"][2]
    assert first.cell.endswith(f"!{w1}{r}") and first.count == len(info["rows"]) - 2
    assert first.words == "reads AN4 (outside the table) where the update rule needs η (AN3)"
    assert first.fix == f"={w1}{r - 1}-$AN$3*{dw1}{r - 1}"


def test_the_same_mistake_on_two_sheets_is_one_line(tmp_path):
    path = tmp_path / "two.xlsx"
    classic_workbook(path, etas=(0.1, 0.5), rows=6, mistake=(0, "dw3", CLASS_MISTAKE))
    result = verify(path)
    lines = report.text(result).splitlines()
    mistakes = [line for line in lines if "reads a_h1" in line]
    assert len(mistakes) == 1 and " on 'η=0.1', 'η=0.5' (∂E/∂w3) " in mistakes[0]
