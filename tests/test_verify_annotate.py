"""The marked copy (`--annotate`) and the class summary (`--csv`)."""

from __future__ import annotations

import csv
import re
import warnings
import zipfile

import openpyxl
import pytest

from sheetgen.cli import main
from sheetgen.verify import verify
from sheetgen.verify.annotate import RED, TINT
from sheetgen.verify.samples import Layout, classic_workbook, write_table
from sheetgen.workbook import COLUMN_OF, FIRST_ROW, build
from sheetgen.xlsx.package import Package

SHEET = "η=0.5"


def planted(tmp_path):
    """Our own workbook (charts, an image, defined names) with ∂E/∂w3 reading a_h1 in every
    row of the η=0.5 sheet, planted by editing the package text as a student's program would."""
    path = build(tmp_path / "backprop.xlsx")
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    part = _sheet_part(path, SHEET)
    dw3, a_h1, a_h2 = COLUMN_OF["dw3"], COLUMN_OF["a_h1"], COLUMN_OF["a_h2"]

    def swap(m) -> bytes:
        return re.sub(rf"\b{a_h2}(\d+)\b", rf"{a_h1}\1", m.group(0).decode()).encode()

    parts[part] = re.sub(rf'<c r="{dw3}\d+"[^>]*>.*?</c>'.encode(), swap, parts[part])
    mutant = tmp_path / "student.xlsx"
    with zipfile.ZipFile(mutant, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return mutant


def _sheet_part(path, name: str) -> str:
    return Package(path.read_bytes()).sheet_parts()[name]


def test_the_marked_copy_marks_and_keeps_everything_else(tmp_path, capsys):
    student = planted(tmp_path)
    assert main(["verify", "--annotate", str(tmp_path / "marked"), str(student)]) == 1
    capsys.readouterr()
    copy = tmp_path / "marked" / "student.xlsx"
    with zipfile.ZipFile(student) as a, zipfile.ZipFile(copy) as b:
        before = {i.filename: a.read(i.filename) for i in a.infolist()}
        after = {i.filename: b.read(i.filename) for i in b.infolist()}
    sheet = _sheet_part(student, SHEET)
    rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= {"xl/styles.xml", sheet, "[Content_Types].xml", rels}
    assert set(after) - set(before) <= {rels, "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}
    assert any(k.startswith("xl/charts/") for k in after) and any("media" in k for k in after)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(copy)[SHEET]
    dw3, first = COLUMN_OF["dw3"], FIRST_ROW
    assert ws[f"{dw3}{first}"].fill.fgColor.rgb == RED
    assert ws[f"{dw3}{first + 50}"].fill.fgColor.rgb == RED
    assert ws[f"{COLUMN_OF['w3']}{first + 1}"].fill.fgColor.rgb == TINT  # the error spreads
    assert ws[f"{COLUMN_OF['w1']}{first + 1}"].fill.fgColor.rgb != RED  # w1 is right
    note = ws[f"{dw3}{first}"].comment.text
    assert "reads a_h1 (column" in note and "Write =" in note and "then fill it down" in note
    assert ws[f"{dw3}{first + 1}"].comment is None  # one note per run, not per row
    again = verify(copy)  # formulas untouched: the same findings
    assert [f.message for t in again.tables for f in t.causes] == [
        f.message for t in verify(student).tables for f in t.causes]


def test_libreoffice_shows_the_marks(tmp_path, soffice, capsys):
    from sheetgen.libreoffice import convert

    student = planted(tmp_path)
    main(["verify", "--annotate", str(tmp_path / "marked"), str(student)])
    capsys.readouterr()
    saved = convert(tmp_path / "marked" / "student.xlsx", tmp_path / "lo",
                    "xlsx:Calc MS Excel 2007 XML", recalc=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(saved)[SHEET]
    cell = ws[f"{COLUMN_OF['dw3']}{FIRST_ROW}"]
    assert cell.fill.fgColor.rgb == RED and "reads a_h1" in cell.comment.text


def test_copies_never_overwrite_the_workbook_or_each_other(tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        classic_workbook(tmp_path / folder / "x.xlsx", etas=(0.5,), rows=4)
    files = [str(tmp_path / "a" / "x.xlsx"), str(tmp_path / "b" / "x.xlsx")]
    before = (tmp_path / "a" / "x.xlsx").read_bytes()
    assert main(["verify", "--annotate", str(tmp_path / "a"), *files]) == 0
    capsys.readouterr()
    assert (tmp_path / "a" / "x.xlsx").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "x-marked-2.xlsx", "x-marked.xlsx", "x.xlsx"]


def test_annotate_into_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    classic_workbook(tmp_path / "x.xlsx", etas=(0.5,), rows=4)
    assert main(["verify", "--annotate", str(tmp_path / "f"), str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a file, not a folder" in err[0]


def test_csv_is_one_row_per_workbook(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good, bad, sly = "good.xlsx", "bad.xlsx", "=HYPERLINK(1).xlsx"  # a name that looks like a formula
    classic_workbook(good, etas=(0.5,), rows=4)
    wb = openpyxl.Workbook()
    wb.active.title = "=A1"  # a sheet name too: quoted in the report, so never a formula
    write_table(wb.active, Layout(), rows=4, eta=0.5, mistake=(2, "h1", "{w1}*{i1}"))
    wb.save(sly)
    # issue 19: the FAIL is not hidden by the file that cannot be checked (exit 1, not 2); the
    # teacher's CSV with the formula the student lacks
    assert main(["verify", "--hints", "formula", "--csv", "class.csv", good, sly, bad]) == 1
    capsys.readouterr()
    with open("class.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["PASS", "FAIL", "ERROR"]
    assert [r["file"] for r in rows] == [good, "'" + sly, bad]
    assert rows[0]["tables"] == "1" and rows[0]["findings"] == "0" and rows[0]["first_finding"] == ""
    assert rows[1]["findings"] == "1"
    assert rows[1]["first_finding"] == ("'=A1'!J8 (h1) lacks G8*E8 (w2·i2), which the forward "
                                        "pass needs")
    assert rows[2]["first_finding"] == "no such file"


@pytest.mark.parametrize("option", ["--csv", "--junit"])
def test_report_files_into_a_missing_folder(tmp_path, capsys, option):
    """The folder is made, as for every output (issue 20; it used to be refused)."""
    classic_workbook(tmp_path / "x.xlsx", etas=(0.5,), rows=4)
    assert main(["verify", option, str(tmp_path / "no" / "r"), str(tmp_path / "x.xlsx")]) == 0
    assert (tmp_path / "no" / "r").stat().st_size > 0
