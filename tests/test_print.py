"""Printed pages a student reads (issue 20), as LibreOffice prints them to PDF: the MNIST sheet at a
readable size on as many pages as it needs, in one font; a marked copy set to print its notes;
the exercise's Loss curves page saying what to do while the tables are empty."""
from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

from conftest import require, require_soffice
from test_workbook_compat import pdf_pages, sheet_of, word_heights

from sheetgen.cli import main
from sheetgen.workbook import LOSS_SHEET

ROOT = Path(__file__).parents[1]


def printed(path: Path, outdir: Path) -> tuple[Path, list[str]]:
    require_soffice()
    from sheetgen.libreoffice import convert

    pdf = convert(path, outdir, "pdf", recalc=False)
    return pdf, pdf_pages(pdf)


def test_mnist_sheet_prints_readably_across_pages(tmp_path):
    from mnist import export

    book = tmp_path / "b.xlsx"
    assert main(["build", "--iterations", "3", "--lr", "0.5", "-o", str(book), "--no-plot"]) == 0
    export.export(json.loads((ROOT / "output" / "mnist_compact_seed1.json").read_text()), book)
    pdf, pages = printed(book, tmp_path / "pdf")
    mine = [n for n, p in enumerate(pages, start=1) if sheet_of(p) == export.SHEET]
    assert len(mine) == 3  # facts and epochs; confusion matrix and digits; layers and charts
    text = "\n".join(pages[n - 1] for n in mine)
    for words in ("Best test accuracy", "Per epoch", "Confusion matrix", "GlobalAvgPool",
                  "Loss per epoch", "Accuracy per epoch"):
        assert words in text, words
    heights = [h for n in mine for h in word_heights(pdf, n)]
    assert len(heights) > 100 and min(heights) >= 9.0  # 7 pt and more (the box is 1.3 × the size)
    require("pdffonts", "poppler-utils")
    fonts = subprocess.run(["pdffonts", "-f", str(mine[0]), "-l", str(mine[-1]), str(pdf)],
                           capture_output=True, text=True, check=True).stdout
    assert "Serif" not in fonts  # one family: no serif fallback beside the sans


def test_marked_copy_asks_to_print_its_notes(tmp_path):
    assert main(["build", "--exercise", "--iterations", "3", "-o", str(tmp_path / "ex.xlsx")]) == 0
    assert main(["verify", "--annotate", str(tmp_path / "marked"), str(tmp_path / "ex.xlsx")]) == 1
    with zipfile.ZipFile(tmp_path / "marked" / "ex.xlsx") as z:
        commented = [n for n in z.namelist() if n.startswith("xl/worksheets/_rels/")
                     and "comments" in z.read(n).decode()]
        assert commented
        for rels in commented:
            sheet = z.read(rels.replace("_rels/", "").removesuffix(".rels")).decode()
            setups = re.findall(r"<pageSetup\b[^>]*>", sheet)
            assert len(setups) == 1 and 'cellComments="atEnd"' in setups[0], setups
    import openpyxl  # the copy still opens, its print setting read as Excel reads it

    wb = openpyxl.load_workbook(tmp_path / "marked" / "ex.xlsx")
    assert any(ws.page_setup.cellComments == "atEnd" for ws in wb.worksheets)


def test_exercise_loss_curves_page_says_what_to_do(tmp_path):
    assert main(["build", "--exercise", "--lr", "0.5", "1", "--iterations", "20",
                 "-o", str(tmp_path / "ex.xlsx")]) == 0
    _, pages = printed(tmp_path / "ex.xlsx", tmp_path / "pdf")
    loss = " ".join(next(p for p in pages if sheet_of(p) == LOSS_SHEET).split())
    assert "nothing to write here" in loss and loss.count("table empty") >= 2
    assert "empty until the η= tables are filled in" in loss
    assert "0.0000E+00" not in loss  # not "final E_total 0"
    assert "12.000" not in loss and "0.250" in loss  # the axis: up to the largest loss, ¼ here
