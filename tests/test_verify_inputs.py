"""Bad inputs: each gives one clear line and exit code 2 (or 1 when readable but wrong)."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify.book import OLE_MAGIC
from sheetgen.verify.samples import Layout, write_table


def table(path, mistake=None, rows: int = 5):
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=rows, eta=0.5, mistake=mistake)
    wb.save(path)
    return info


def make_missing(p):
    return p


def make_text(p):
    p.write_text("iteration,E_total\n1,0.3\n")


def make_empty_file(p):
    p.write_bytes(b"")


def make_xls(p):
    p.write_bytes(OLE_MAGIC + bytes(4096))


def make_encrypted(p):
    p.write_bytes(OLE_MAGIC + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512))


def make_truncated(p):
    table(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def make_docx_like(p):
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w/>")


def make_empty_workbook(p):
    Workbook().save(p)


def make_no_table(p):
    wb = Workbook()
    wb.active["A1"] = "shopping list"
    wb.active["A2"] = "eggs"
    wb.save(p)


def make_missing_columns(p):
    table(p)
    wb = load_workbook(p)
    wb.active.delete_cols(30, 3)  # ∂E/∂w6..∂E/∂w8
    wb.save(p)


def make_long_sheet(p):
    """100,000 rows, written as XML straight into the zip (openpyxl would take seconds)."""
    Workbook().save(p)
    with zipfile.ZipFile(p) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 100_001)
    )
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb"<sheetData\s*/>|<sheetData>.*</sheetData>",
        b"<sheetData>" + rows + b"</sheetData>",
        parts[sheet],
        flags=re.DOTALL,
    )
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


BAD = {  # name: (maker, exit code, the one line after "FILE: ")
    "missing": (make_missing, 2, "ERROR: no such file"),
    "text": (make_text, 2, "ERROR: not an xlsx file (not a zip archive)"),
    "empty-file": (make_empty_file, 2, "ERROR: an empty file (0 bytes), not a workbook"),
    "old-xls": (
        make_xls,
        2,
        "ERROR: an old Excel 97-2003 .xls file; save it as .xlsx (Excel Workbook)",
    ),
    "password": (
        make_encrypted,
        2,
        "ERROR: a password-protected (encrypted) workbook; save a copy without a password",
    ),
    "truncated": (
        make_truncated,
        2,
        "ERROR: a truncated or damaged zip archive (not a complete xlsx file)",
    ),
    "docx": (
        make_docx_like,
        2,
        "ERROR: a zip archive without a workbook inside (not an xlsx file)",
    ),
    "empty-workbook": (make_empty_workbook, 2, "ERROR: an empty workbook (no cells in any sheet)"),
    "no-table": (
        make_no_table,
        2,
        (
            "ERROR: no iteration table found in 1 sheet(s): no header row names the "
            "quantities t1 … ∂E/∂w8, and no rows update weights as w − η·∂E/∂w"
        ),
    ),
    "100k-rows": (
        make_long_sheet,
        2,
        (
            "ERROR: a sheet with over 21,000 rows; the verifier reads sheets of at most "
            "2 x the longest table it checks, 10,000 rows (see --max-rows)"
        ),
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_unreadable_files(tmp_path, capsys, name):
    maker, code, line = BAD[name]
    path = tmp_path / "student.xlsx"
    maker(path)
    assert main(["verify", str(path)]) == code
    out, err = capsys.readouterr()
    assert " ".join(x.strip() for x in out.splitlines()) == f"{path}: {line}"
    assert all(len(x) <= 200 for x in out.splitlines())
    assert "Traceback" not in out + err


def test_missing_columns_cannot_be_checked(tmp_path, capsys):
    path = tmp_path / "short.xlsx"
    make_missing_columns(path)
    assert main(["verify", str(path)]) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[1] == (
        "  Sheet!B5: cannot check: a table of 28 of the 31 quantities; no column holds "
        "∂E/∂w6, ∂E/∂w7, ∂E/∂w8 (none is labelled so or computes it)"
    )


WRONG = {  # name: (mistake, the first root cause)
    "div0": ((2, "h1", "{w1}*{i1}/0+{w2}*{i2}"), "J8 (h1) gives #DIV/0! (division by zero)"),
    "ref": ((1, "o2", "#REF!*{a_h1}"), "T7 (o2) gives #REF! (a reference to deleted cells)"),
    "circular": (
        (3, "w1", "{w1[-1]}-{eta}*{dw1}"),
        "F9 (w1) is part of a circular reference: F9 → Y9 → K9 → J9 → F9",
    ),
    "unknown-function": (
        (1, "a_h1", "SIGMOID({h1})"),
        "K7 (a_h1) gives #NAME? (unknown function SIGMOID)",
    ),
    "text-in-formula": (
        (2, "E1", '0.5*({t1}-{a_o1})*"x"'),
        "V8 (E1) gives #VALUE! (the text 'x' where a number belongs)",
    ),
}


@pytest.mark.parametrize("name", WRONG)
def test_formula_errors_are_named_at_their_origin(tmp_path, capsys, name):
    mistake, first = WRONG[name]
    path = tmp_path / "student.xlsx"
    table(path, mistake)
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}: FAIL (1 of 1 table(s) wrong")
    assert out[2] == f"  Sheet!{first}"


def test_text_where_a_number_belongs(tmp_path, capsys):
    path = tmp_path / "text.xlsx"
    info = table(path)
    wb = load_workbook(path)
    wb.active.cell(info["rows"][0], info["cols"]["i2"], "0.1 ")
    wb.active.cell(info["rows"][2], info["cols"]["t1"], "n/a")
    wb.save(path)
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    # A given number typed as text is the number Excel's arithmetic makes of it (issue 18: a
    # Hancom Office workbook types its inputs so): a note, not a mistake. Other text is one.
    assert out[2] == "  Sheet!B8 (t1) holds the text 'n/a' where a number belongs"
    assert "given number(s) typed as text, from E6 on" in " ".join(" ".join(out).split())


def test_error_in_the_eta_cell(tmp_path, capsys):
    path = tmp_path / "eta.xlsx"
    table(path)
    wb = load_workbook(path)
    wb.active["B3"] = "=1/0"
    wb.save(path)
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "  Sheet!B3 (η) gives #DIV/0! (division by zero)"


def test_stale_cached_values_are_a_note(tmp_path, capsys):
    path = tmp_path / "stale.xlsx"
    table(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(
        rb'(<c r="J7"[^>]*><f>[^<]*</f>)<v\s*/>', rb"\g<1><v>0.25</v>", parts[sheet]
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}: PASS")
    assert out[1] == (
        "  note: stale file: 1 cached values differ from what the formulas give "
        "(first Sheet!J7: cached 0.25, formulas give 0.0274604); the file was saved "
        "without recalculating"
    )


def test_a_long_table_is_refused_by_max_rows(tmp_path, capsys):
    path = tmp_path / "long.xlsx"
    table(path, rows=30)
    assert main(["verify", "--max-rows", "20", str(path)]) == 2
    assert capsys.readouterr().out.splitlines()[1] == (
        "  Sheet!B5: cannot check: 30 rows; the limit is 20 (see --max-rows)"
    )


@pytest.mark.parametrize(
    "argv,message",
    [
        (["-j", "0"], "sheetgen verify: -j/--jobs must be at least 1"),
        (["--rtol", "-1"], "sheetgen verify: --rtol and --atol must be 0 or more"),
        (["--engine", "excel"], "argument --engine: invalid choice"),
    ],
)
def test_bad_options(tmp_path, capsys, argv, message):
    assert main(["verify", *argv, str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_junit_into_a_missing_folder(tmp_path, capsys):
    path = tmp_path / "ok.xlsx"
    table(path)
    assert main(["verify", "--junit", str(tmp_path / "no" / "r.xml"), str(path)]) == 0
    assert (tmp_path / "no" / "r.xml").read_text().startswith("<?xml")  # folder made (issue 20)


def test_weights_first_row_reference(tmp_path):
    """The reference starts from the table's own first row, whatever it holds."""
    from sheetgen.verify import verify

    path = tmp_path / "own.xlsx"
    wb = Workbook()
    write_table(
        wb.active,
        Layout(),
        rows=4,
        eta=0.3,
        inputs=(1.0, -2.0),
        targets=(0.9, 0.1),
        weights=tuple(-w for w in net.WEIGHTS),
    )
    wb.save(path)
    assert verify(path).status == "pass"
