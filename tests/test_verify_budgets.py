"""Formulas that could cost unbounded time or memory stay within 10 s of CPU and 500 MB.

A reference to whole columns or rows (`A:XFD`, `$AZ:$AZ`, `Other!1:1048576`) with one stray cell
far away costs what the sheet holds, not the billions of cells it spans; 300,000 distinct formula
shapes are refused by the shape budget in one line. Each file is under 2 MB and is checked in a
subprocess that reports its own CPU seconds and peak memory (VmHWM).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from sheetgen.cli import main
from sheetgen.verify import engine, verify
from sheetgen.verify.samples import Layout, write_table

MEASURE = (  # CPU seconds (not wall time: the machine is shared) and the process's own peak
    "import re, resource, sys; from sheetgen.cli import main; "
    "code = main(['verify', sys.argv[1]]); u = resource.getrusage(resource.RUSAGE_SELF); "
    "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
    "print(code, u.ru_utime + u.ru_stime, peak // 1024, file=sys.stderr)"
)


def measured(path) -> tuple[int, str, float, int]:
    """(exit code, stdout, CPU seconds, peak MB) of `sheetgen verify path` in a subprocess."""
    # run in the file's folder, so the report's line does not grow with pytest's temporary path
    run = subprocess.run([sys.executable, "-c", MEASURE, path.name], cwd=path.parent,
                         capture_output=True, text=True, timeout=120, check=False)
    code, seconds, peak_mb = run.stderr.split()[-3:]
    assert path.stat().st_size < 2 << 20
    return int(code), run.stdout, float(seconds), int(peak_mb)


def table_reading(path, extra: str, stray: tuple[str, str], rows: int = 30) -> None:
    """A correct table whose h1 cells also add `extra` (a term worth 0), and a stray cell."""
    wb = Workbook()
    ws, other = wb.active, wb.create_sheet("Other")
    info = write_table(ws, Layout(), rows=rows, eta=0.5)
    for r in info["rows"]:
        cell = ws.cell(r, info["cols"]["h1"])
        cell.value += extra
    sheet, addr = stray
    (other if sheet == "Other" else ws)[addr] = 1e-300
    wb.save(path)


@pytest.mark.parametrize("extra,stray", [
    ("+0*SUM(Other!A:XFD)", ("Other", "XFD1048576")),
    ("+0*SUM($AZ:$AZ)", ("Sheet", "AZ1048576")),
    ("+0*SUM(Other!1:1048576)", ("Other", "XFD1048576")),
    ("+0*SUMPRODUCT(Other!A:A,Other!A:A)+0*COUNTA(Other!$1:$1048576)", ("Other", "A1048576")),
], ids=["A:XFD", "AZ:AZ", "1:1048576", "sumproduct"])
def test_whole_columns_and_rows_cost_what_exists(tmp_path, extra, stray):
    path = tmp_path / "whole.xlsx"
    table_reading(path, extra, stray)
    code, out, seconds, peak_mb = measured(path)
    assert code == 0 and ": PASS" in out, out
    assert seconds < 10 and peak_mb < 500, (seconds, peak_mb)


def test_300000_formula_shapes_are_refused_by_the_budget(tmp_path):
    """Every cell of a 30 × 10,000 block a distinct formula, all read by the table."""
    path = tmp_path / "shapes.xlsx"
    wb = Workbook()
    ws, other = wb.active, wb.create_sheet("Other")
    info = write_table(ws, Layout(), rows=5, eta=0.5)
    for r in info["rows"]:
        ws.cell(r, info["cols"]["h1"]).value += "+0*SUM(Other!A1:AD10000)"
    for r in range(1, 10_001):
        for c in range(1, 31):
            other.cell(r, c, f"={r * 30 + c}")
    wb.save(path)
    code, out, seconds, peak_mb = measured(path)
    assert code == 2 and f"over {engine.MAX_SHAPES:,} distinct formula shapes" in out, out
    assert len(out.splitlines()) == 1 and seconds < 10 and peak_mb < 500, (seconds, peak_mb)


BLOCKS = ["SUM(A:A)", "SUM(1:1)", "SUM('η=0.1'!A:XFD)", "SUMPRODUCT(A:A,A:A)", "MATCH(5,A:A,0)",
          "INDEX(A:A,1048576)", 'COUNTIFS(A:A,">1")', "MAX(A1:Z5000)", "COUNTA(B:B)",
          "SUMPRODUCT(A:A,B:B)", "SUM('η=0.1'!$1:$1048576)", "SUM(A1:B1048576)"]


def test_large_blocks_agree_with_libreoffice(tmp_path, soffice):
    """Whole columns and rows and blocks larger than engine.DENSE, read from the cells that
    exist, give what LibreOffice's recalculation gives."""
    from openpyxl import load_workbook
    from test_verify_engine import evaluate, value

    from sheetgen.libreoffice import recalculate

    cells = {"A1": 1, "A2": 2, "B1": 3, "XFD1": 4, "A1048576": 5, "XFD1048576": 6}
    cells |= {f"AB{k + 2}": "=" + text for k, text in enumerate(BLOCKS)}
    ours = evaluate(tmp_path, cells, other={"A1": 7, "XFD1048576": 8})
    theirs = load_workbook(recalculate(tmp_path / "e.xlsx", tmp_path / "lo"), data_only=True)
    for k, text in enumerate(BLOCKS):
        assert value(ours, f"AB{k + 2}") == theirs.active[f"AB{k + 2}"].value, text


# --- a workbook over the cells read at once: read a few sheets at a time ------------------------
def tables_on_sheets(path, count: int = 3, rows: int = 30, mistake=None) -> list[dict]:
    """`count` sheets of one correct table each (η 0.1, 0.2, ...); `mistake` = (sheet index,
    data row, name, template) plants one wrong formula."""
    wb = Workbook()
    infos = []
    for k in range(count):
        ws = wb.active if k == 0 else wb.create_sheet(f"S{k + 1}")
        planted = mistake[1:] if mistake and mistake[0] == k else None
        infos.append(write_table(ws, Layout(), rows=rows, eta=0.1 * (k + 1), mistake=planted))
    wb.save(path)
    return infos


@pytest.fixture
def small_budget(monkeypatch):
    """A cell budget of 1,200 at once: each 30-row table (about 960 cells) is read alone."""
    from sheetgen.xlsx import read

    monkeypatch.setattr(read, "MAX_CELLS", 1_200)
    return read


def test_a_workbook_over_the_budget_is_read_sheet_by_sheet(tmp_path, small_budget):
    """Over the cells read at once but within each sheet's budget: the same verdict, tables
    and tally as read whole (the builder's largest workbook, 6.2 M cells, is this at scale:
    benchmarks/verify_large.py)."""
    path = tmp_path / "three.xlsx"
    tables_on_sheets(path)
    grouped = verify(path)
    small_budget.MAX_CELLS = 1_000_000  # (the fixture's monkeypatch restores it)
    whole = verify(path)
    assert grouped.status == whole.status == "pass", (grouped.reason, grouped.notes)
    assert [t.name for t in grouped.tables] == [t.name for t in whole.tables]
    assert [t.rows for t in grouped.tables] == [30, 30, 30]
    assert grouped.tally == whole.tally and grouped.notes[0].startswith("read a few sheets")
    assert not whole.notes


def test_a_mistake_in_a_later_sheet_is_found_when_read_sheet_by_sheet(tmp_path, small_budget):
    path = tmp_path / "wrong.xlsx"
    infos = tables_on_sheets(path, mistake=(2, 4, "a_o1", "1/(1+EXP(-{o2}))"))
    result = verify(path)
    assert result.status == "fail"
    wrong = [t for t in result.tables if t.status == "fail"]
    assert [t.sheet for t in wrong] == ["S3"]
    col = get_column_letter(infos[2]["cols"]["a_o1"])
    assert wrong[0].causes[0].cell == f"S3!{col}{infos[2]['rows'][4]}"


def test_a_formula_reading_another_large_sheet_is_refused_in_one_line(tmp_path, small_budget,
                                                                     capsys):
    """Its value cannot be computed from the sheets read with it: refused, not judged on
    empty cells."""
    path = tmp_path / "across.xlsx"
    tables_on_sheets(path, mistake=(1, 2, "h1", "{w1}*{i1}+{w2}*{i2}+0*S3!A1"))
    code = main(["verify", str(path)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 2 and len(lines) == 1 and "reads the sheet S3" in lines[0], lines


def test_a_workbook_over_the_budget_of_all_its_sheets_is_refused(tmp_path, small_budget,
                                                                 monkeypatch):
    monkeypatch.setattr(small_budget, "MAX_BOOK_CELLS", 2_000)
    path = tmp_path / "many.xlsx"
    tables_on_sheets(path)
    result = verify(path)
    assert result.status == "error" and result.reason.startswith("over 2,000 cells in its sheets")
