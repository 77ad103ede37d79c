"""Hostile and tricky files a teacher's CI receives: each ends in exit 0, 1 or 2 with short lines,
no traceback, in bounded time and memory, and the formula engine reads them as Excel does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify import verify
from sheetgen.verify.samples import Layout, write_table


def table(path, rows: int = 5, mistake=None) -> dict:
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=rows, eta=0.5, mistake=mistake)
    wb.save(path)
    return info


def replace_formula(path, info, name: str, row: int, text: str) -> str:
    """Put `text` (a formula as typed) into the cell of quantity `name` in data row `row`."""
    wb = load_workbook(path)
    cell = wb.active.cell(info["rows"][row], info["cols"][name])
    cell.value = text
    wb.save(path)
    return cell.coordinate


def rewrite_part(path, part: str, edit) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = edit(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def check_cli(argv: list[str], capsys) -> tuple[int, list[str]]:
    """Run the CLI; every line it prints is short and no traceback appears."""
    code = main(argv)
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    assert "Traceback" not in out + err and "internal error" not in out + err
    assert all(len(line) <= 200 for line in lines), max(lines, key=len)
    return code, lines


# --- numbers and references as Excel reads them ------------------------------------------------
EXCEL_REJECTS = {  # a formula Excel refuses or reads as an unknown name: the cell is an error
    "python-underscore": ("h1", "0.5_0*{w1}*{i1}+{w2}*{i2}", "#NAME?"),
    "arabic-indic-digits": ("h1", "\u0661*{w1}*{i1}+{w2}*{i2}", "#NAME?"),
    "inf-literal": ("h1", "inf*0+{w1}*{i1}+{w2}*{i2}", "#NAME?"),
    "1e1000": ("h1", "1e1000*0+{w1}*{i1}+{w2}*{i2}", "#NUM!"),
    "nested-250": ("h1", "(" * 250 + "{w1}*{i1}+{w2}*{i2}" + ")" * 250, "#VALUE!"),
}


@pytest.mark.parametrize("name", EXCEL_REJECTS)
def test_formulas_excel_rejects_are_errors_not_numbers(tmp_path, capsys, name):
    quantity, template, code = EXCEL_REJECTS[name]
    path = tmp_path / "t.xlsx"
    info = table(path, mistake=(2, quantity, template))
    result = verify(path)
    assert result.status == "fail"
    first = result.tables[0].causes[0]
    assert first.cell.endswith(f"!{_cell(info, quantity, 2)}") and code in first.message
    assert check_cli(["verify", str(path)], capsys)[0] == 1


def _cell(info, name: str, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(info['cols'][name])}{info['rows'][row]}"


def test_r1c1_text_is_not_the_a1_formula_of_the_same_shape(tmp_path):
    """`=R[0]C[-4]…` in one row of a column whose other rows hold the A1 formula of that shape."""
    path = tmp_path / "r1c1.xlsx"
    info = table(path)
    col = info["cols"]
    shape = f"R[0]C[{col['w1'] - col['h1']}]*R[0]C[{col['i1'] - col['h1']}]"
    shape += f"+R[0]C[{col['w2'] - col['h1']}]*R[0]C[{col['i2'] - col['h1']}]"
    replace_formula(path, info, "h1", 3, "=" + shape)
    result = verify(path)
    assert result.status == "fail"
    assert result.tables[0].causes[0].cell.endswith(f"!{_cell(info, 'h1', 3)}")


def test_long_formulas_evaluate(tmp_path):
    """300 operators in one formula (Python's parser nests at 200) still compute the value."""
    path = tmp_path / "long.xlsx"
    table(path, mistake=(2, "h1", "{w1}*{i1}+{w2}*{i2}" + "+0" * 300))
    assert verify(path).status == "pass"


def test_nesting_within_the_limit_evaluates(tmp_path):
    path = tmp_path / "deep.xlsx"
    table(path, mistake=(2, "h1", "(" * 90 + "{w1}*{i1}+{w2}*{i2}" + ")" * 90))
    assert verify(path).status == "pass"


def test_a_defined_name_nan_is_not_a_number(tmp_path):
    from openpyxl.workbook.defined_name import DefinedName

    path = tmp_path / "nan.xlsx"
    info = table(path)
    wb = load_workbook(path)
    wb.defined_names["bad"] = DefinedName("bad", attr_text="nan")
    wb.save(path)
    replace_formula(path, info, "h1", 2, f"=bad*0+{_cell(info, 'w1', 2)}*{_cell(info, 'i1', 2)}")
    result = verify(path)
    assert result.status == "fail" and "#NAME?" in result.tables[0].causes[0].message


def test_comparing_a_range_that_holds_an_error(tmp_path):
    path = tmp_path / "cmp.xlsx"
    info = table(path)
    wb = load_workbook(path)
    wb.active["A1"] = "=1/0"
    wb.save(path)
    h1 = "+".join(f"{_cell(info, w, 2)}*{_cell(info, i, 2)}" for w, i in (("w1", "i1"), ("w2", "i2")))
    replace_formula(path, info, "h1", 2, f"=IF(A1:A1>0,1,0)*0+{h1}")
    result = verify(path)
    assert result.status == "fail" and "#DIV/0!" in result.tables[0].causes[0].message


# --- files -------------------------------------------------------------------------------------
def test_a_fifo_is_not_called_empty(tmp_path, capsys):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    code, lines = check_cli(["verify", str(fifo)], capsys)
    expected = f"{fifo}: ERROR: a FIFO (named pipe), not a regular file; save the workbook to a file"
    assert code == 2 and lines == [expected]


def test_an_unreadable_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "locked.xlsx"
    table(path)
    real_open = os.open  # the reader opens files with os.open (O_NONBLOCK: a FIFO cannot hang it)

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("os.open", deny)
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 2 and lines == [f"{path}: ERROR: cannot read it (Permission denied)"]


def test_a_damaged_entry_is_one_line(tmp_path, capsys):
    path = tmp_path / "crc.xlsx"
    table(path)
    data = bytearray(path.read_bytes())
    start = data.find(b"xl/worksheets/sheet1.xml") + 40  # inside the compressed sheet
    data[start : start + 40] = bytes(40)
    path.write_bytes(bytes(data))
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 2 and len(lines) == 1


def write_empty_cells(path, rows: int, cells_per_row: int) -> None:
    """A sheet of empty `<c/>` elements in rows written without `r=`, as the probe's file."""
    Workbook().save(path)
    row = b"<row>" + b"<c/>" * cells_per_row + b"</row>"

    def fill(xml: bytes) -> bytes:
        head, _, _ = xml.partition(b"<sheetData")
        tail = xml[xml.index(b"</worksheet>"):]
        return head + b"<sheetData>" + row * rows + b"</sheetData>" + tail

    rewrite_part(path, "xl/worksheets/sheet1.xml", fill)


def test_millions_of_empty_cells_are_refused_quickly(tmp_path):
    """The probe's file held 60 million `<c/>` in 1.9 MB; here 3 million, same shape."""
    path = tmp_path / "empty-cells.xlsx"
    write_empty_cells(path, rows=1000, cells_per_row=3000)
    script = (  # CPU seconds, not wall time, and the process's own peak memory (VmHWM:
        # ru_maxrss carries the parent's high-water mark into the child on Linux)
        "import re, resource, sys; from sheetgen.cli import main; "
        "code = main(['verify', sys.argv[1]]); u = resource.getrusage(resource.RUSAGE_SELF); "
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
        "print(code, u.ru_utime + u.ru_stime, peak // 1024, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, timeout=60, check=False)
    code, seconds, peak_mb = run.stderr.split()[-3:]
    assert int(code) == 2 and "over 1,000,000 cells" in run.stdout
    assert float(seconds) < 10 and int(peak_mb) < 500, (seconds, peak_mb)


def test_one_huge_row_is_refused_too(tmp_path, capsys):
    path = tmp_path / "one-row.xlsx"
    write_empty_cells(path, rows=1, cells_per_row=1_200_000)
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 2 and "over 1,000,000 cells" in lines[0]


def test_rows_without_numbers_count_against_max_rows(tmp_path, capsys):
    path = tmp_path / "rows.xlsx"
    write_empty_cells(path, rows=25_000, cells_per_row=1)
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 2 and "a sheet with over 21,000 rows" in lines[0]


def test_a_sheet_name_cannot_forge_a_report_line(tmp_path, capsys):
    path = tmp_path / "forge.xlsx"
    table(path, mistake=(2, "h1", "{w1}*{i1}"))
    forged = "x\ntests/good.xlsx: PASS (1 table(s), 5 rows"
    rewrite_part(path, "xl/workbook.xml",
                 lambda xml: re.sub(rb'name="[^"]*"', f'name="{forged}"'.replace("\n", "&#10;")
                                    .encode(), xml, count=1))
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 1
    assert not any(line.startswith("tests/good.xlsx") for line in lines)
    assert "\\n" in "\n".join(lines)


def test_stale_note_ignores_the_last_digits(tmp_path):
    """LibreOffice stores 10 to 15 significant digits: such a value is not stale, whatever
    tolerance the table is checked with."""
    path = tmp_path / "digits.xlsx"
    info = table(path)
    cell = _cell(info, "a_h1", 1)
    ref = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, [0.5], 5)
    value = float(f"{ref['a_h1'][0][1]:.10g}")

    def store(xml: bytes) -> bytes:
        return re.sub(rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/>'.encode(),
                      rb"\g<1><v>%s</v>" % repr(value).encode(), xml)

    rewrite_part(path, "xl/worksheets/sheet1.xml", store)
    assert value != ref["a_h1"][0][1]
    result = verify(path, rtol=1e-13)
    assert result.status == "pass" and not result.notes, result.notes


# --- the command around the checks ------------------------------------------------------------
def test_a_killed_worker_is_one_line_and_the_others_are_reported(tmp_path, capsys, monkeypatch):
    good, doomed = tmp_path / "good.xlsx", tmp_path / "doomed.xlsx"
    table(good)
    table(doomed)
    import sheetgen.verify as package  # check_one calls the package's verify

    real = package.verify

    def killer(path, **options):
        if str(path).endswith("doomed.xlsx"):
            os.kill(os.getpid(), 9)
        return real(path, **options)

    monkeypatch.setattr(package, "verify", killer)  # workers are forked: they inherit it
    code, lines = check_cli(["verify", "-j", "2", str(doomed), str(good)], capsys)
    assert code == 2
    assert lines[0].startswith(f"{doomed}: ERROR: the check of this file crashed")
    assert lines[1].startswith(f"{good}: PASS")


def test_a_closed_pipe_ends_quietly(tmp_path):
    path = tmp_path / "ok.xlsx"
    table(path)
    files = [str(path)] * 30
    run = subprocess.run(
        f"{sys.executable} -m sheetgen.cli verify --json {' '.join(files)} | head -1",
        shell=True, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.stdout.strip() == "{" and run.stderr == ""


# --- second round: tables that are not there, files swapped under the command ----------------
LABELS = [q.label for q in net.COLUMNS if not q.label.startswith("∂")]  # t1 … E_total


def test_a_header_copied_below_the_table_is_skipped(tmp_path, capsys):
    """The copy has nothing under it: the real table above is still judged (a traceback before)."""
    path = tmp_path / "copied.xlsx"
    info = table(path, mistake=(2, "h1", "{w1}*{i1}"))
    wb = load_workbook(path)
    ws = wb.active
    header, below = min(info["rows"]) - 1, max(info["rows"]) + 3
    for c in range(1, ws.max_column + 1):
        ws.cell(below, c, ws.cell(header, c).value)
    wb.save(path)
    code, lines = check_cli(["verify", str(path)], capsys)
    assert code == 1 and "(h1) lacks" in "\n".join(lines)
    assert any(line.startswith("  note: skipped 1 header row with no data rows under it")
               for line in lines)


def test_thousands_of_unfilled_headers_are_one_line(tmp_path, capsys):
    """2,000 sheets, each with the header of an unfilled table: one line, not 2,000."""
    wb = Workbook()
    for k in range(2000):
        ws = wb.active if k == 0 else wb.create_sheet(f"S{k}")
        ws.append(LABELS)
    wb.save(tmp_path / "many.xlsx")
    code, lines = check_cli(["verify", str(tmp_path / "many.xlsx")], capsys)
    assert code == 2 and len(lines) == 1
    assert "2,000 header rows naming the quantities but no data rows under them" in lines[0]


def test_a_header_across_every_column_is_one_line(tmp_path, capsys):
    wb = Workbook()
    wb.active.append([LABELS[c % len(LABELS)] for c in range(16_384)])
    wb.save(tmp_path / "wide.xlsx")
    code, lines = check_cli(["verify", str(tmp_path / "wide.xlsx")], capsys)
    assert code == 2 and len(lines) == 1 and "no data rows under it" in lines[0]


def test_a_fifo_swapped_in_before_the_marked_copy_does_not_hang(tmp_path, capsys):
    """The workbook is checked, then replaced by a FIFO with no writer: reading it for the
    marked copy is refused at once (opened without blocking, then checked by fstat)."""
    from sheetgen.verify.command import annotate_all

    path = tmp_path / "swapped.xlsx"
    table(path, mistake=(2, "h1", "{w1}*{i1}"))
    result = verify(path)
    path.unlink()
    os.mkfifo(path)
    assert annotate_all([result], tmp_path / "marked") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "a FIFO (named pipe)" in err[0]
