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

from sheetgen.verify import engine
from sheetgen.verify.samples import Layout, write_table

MEASURE = (  # CPU seconds (not wall time: the machine is shared) and the process's own peak
    "import re, resource, sys; from sheetgen.cli import main; "
    "code = main(['verify', sys.argv[1]]); u = resource.getrusage(resource.RUSAGE_SELF); "
    "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
    "print(code, u.ru_utime + u.ru_stime, peak // 1024, file=sys.stderr)"
)


def measured(path) -> tuple[int, str, float, int]:
    """(exit code, stdout, CPU seconds, peak MB) of `sheetgen verify path` in a subprocess."""
    run = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                         text=True, timeout=120, check=False)
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
