"""The MNIST sheet is spliced into a workbook without changing anything else in it."""
from __future__ import annotations

import base64
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from PIL import Image as PILImage

from mnist import export
from mnist.train import LOG_COLUMNS
from sheetgen.xlsx import splice

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# The parts the splice is allowed to change, each only by adding to it.
EDITED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def fake_log(epochs: int = 3, acc: float = 99.0) -> dict:
    digit = bytes([0] * 300 + [255] * 184 + [0] * 300)
    rows = [{"epoch": e, "lr": 0.01 * e, "train_loss": 1.0 / e, "train_acc": acc - 2 + e * 0.1,
             "test_loss": 0.9 / e, "test_acc": acc + e * 0.1, "seconds": 10.0 + e}
            for e in range(1, epochs + 1)]
    confusion = [[980 if t == p else (t + p) % 3 for p in range(10)] for t in range(10)]
    return {
        "model": "compact", "parameters": 7826, "seed": 1, "epochs": rows,
        "config": {"batch_size": 128, "optimizer": "sgd", "schedule": "onecycle", "lr": 0.1,
                   "augment": True, "device": "cpu", "threads": 2},
        "layers": [{"layer": "Conv2d 1→8 3×3, BatchNorm, ReLU", "output_shape": [8, 26, 26], "params": 88},
                   {"layer": "GlobalAvgPool, Linear 12→10", "output_shape": [10], "params": 130}],
        "best_acc": rows[-1]["test_acc"], "best_epoch": epochs, "final_acc": rows[-1]["test_acc"],
        "wall_seconds": 123.4, "train_images": 60000, "versions": {"torch": "2.x"},
        "confusion": confusion,
        "misclassified": {"index": [3, 7], "true": [4, 9], "pred": [9, 4], "count": 2,
                          "pixels": [base64.b64encode(digit).decode()] * 2},
    }


def base_workbook(path):
    """A workbook with what a load-and-save would lose: a chart, an image, a defined name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Backprop"
    ws["A1"], ws["B1"] = "eta", 0.5
    ws["A1"].font = Font(bold=True, color="C00000")
    for r in range(2, 8):
        ws.cell(r, 1, r)
        ws.cell(r, 2, f"=A{r}*$B$1")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=7))
    ws.add_chart(chart, "D2")
    png = io.BytesIO()
    PILImage.new("RGB", (20, 10), "blue").save(png, "PNG")
    ws.add_image(Image(png), "D20")
    wb.create_sheet("Notes")["A1"] = "=Backprop!B2*2"
    wb.defined_names["eta"] = DefinedName("eta", attr_text="Backprop!$B$1")
    wb.save(path)
    return path


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_names(workbook_xml: bytes) -> list[str]:
    return [s.get("name") for s in ET.fromstring(workbook_xml).find(f"{MAIN}sheets")]


def test_export_keeps_every_other_part(tmp_path):
    path = base_workbook(tmp_path / "book.xlsx")
    before = parts(path)
    export.export(fake_log(), path)
    after = parts(path)

    # Every part the splice does not edit is byte-for-byte the same.
    for name, data in before.items():
        if name not in EDITED:
            assert after[name] == data, name
    # The edited ones only grew: same sheets first, same defined names, the old styles a prefix.
    assert sheet_names(after["xl/workbook.xml"]) == ["Backprop", "Notes", "MNIST"]
    names = lambda raw: ET.tostring(ET.fromstring(raw).find(f"{MAIN}definedNames"))
    assert names(after["xl/workbook.xml"]) == names(before["xl/workbook.xml"])
    for tag in ("fonts", "fills", "cellXfs"):
        old = list(ET.fromstring(before["xl/styles.xml"]).find(MAIN + tag))
        new = list(ET.fromstring(after["xl/styles.xml"]).find(MAIN + tag))
        assert [ET.tostring(e) for e in new[:len(old)]] == [ET.tostring(e) for e in old]
    assert "xl/sharedStrings.xml" not in set(after) - set(before)

    # openpyxl reads it: formulas, defined names, the old chart and image, the new sheet.
    wb = openpyxl.load_workbook(path)
    assert wb["Backprop"]["B3"].value == "=A3*$B$1"
    assert wb["Notes"]["A1"].value == "=Backprop!B2*2"
    assert wb.defined_names["eta"].attr_text == "Backprop!$B$1"
    assert len(wb["Backprop"]._charts) == 1 and len(wb["Backprop"]._images) == 1
    ws = wb["MNIST"]
    assert len(ws._charts) == 2 and len(ws._images) == 1
    # The confusion matrix: plain fills (Gnumeric drops colour scales), by count.
    top = next(c for c in ws["A"] if c.value == "true \\ pred").row
    fill = lambda t, p: ws.cell(top + 1 + t, 2 + p).fill.fgColor.rgb[-6:]
    assert ws.cell(top + 1 + 3, 2 + 3).value == 980 and fill(3, 3) == export.CORRECT_FILL
    assert ws.cell(top + 1 + 0, 2 + 1).value == 1 and fill(0, 1) == export.MISTAKE_FILLS[-1][1]
    assert ws.cell(top + 1 + 0, 2 + 3).value == 0 and ws.cell(top + 1, 2 + 3).fill.fill_type is None
    assert not ws.conditional_formatting
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert export.HEADERS[LOG_COLUMNS[-1]] in values and "compact" in values
    assert wb["Backprop"]["A1"].font.b and wb["Backprop"]["A1"].font.color.rgb.endswith("C00000")


def test_export_again_replaces_the_sheet(tmp_path):
    path = base_workbook(tmp_path / "book.xlsx")
    export.export(fake_log(epochs=3), path)
    first = parts(path)
    export.export(fake_log(epochs=5, acc=98.0), path)
    second = parts(path)
    assert sheet_names(second["xl/workbook.xml"]) == ["Backprop", "Notes", "MNIST"]
    # Nothing piles up: the same parts, and the styles did not grow.
    assert set(second) == set(first)
    assert second["xl/styles.xml"] == first["xl/styles.xml"]
    wb = openpyxl.load_workbook(path)
    values = [c for row in wb["MNIST"].iter_rows(values_only=True) for c in row]
    assert 5 in values and len(wb["MNIST"]._charts) == 2
    # and exporting the same log twice gives the same bytes
    export.export(fake_log(epochs=5, acc=98.0), path)
    assert parts(path) == second


def test_export_builds_a_missing_workbook(tmp_path):
    path = tmp_path / "backprop.xlsx"
    export.export(fake_log(), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == "MNIST" and len(wb.sheetnames) >= 2


def test_export_into_the_built_backprop_workbook(tmp_path):
    from sheetgen import workbook
    path = workbook.build(tmp_path / "backprop.xlsx")
    before = parts(path)
    export.export(fake_log(), path)
    after = parts(path)
    assert all(after[n] == d for n, d in before.items() if n not in EDITED)
    names = sheet_names(after["xl/workbook.xml"])
    assert names == sheet_names(before["xl/workbook.xml"]) + ["MNIST"]


def test_bad_target_and_bad_log(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(splice.SpliceError):
        export.export(fake_log(), bad)
    assert bad.read_bytes() == b"not a zip"
    with pytest.raises(export.ExportError, match="lacks"):
        export.build_sheet({"model": "x"})


def _rezip(path, change: dict[str, bytes | None]):
    """Rewrite the package at `path` with some parts replaced (bytes) or left out (None)."""
    old = parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            if name in change and change[name] is None:
                continue
            z.writestr(name, change.get(name, data))


def _drop_relationship(raw: bytes, rid: str) -> bytes:
    return re.sub(rf'<Relationship [^>]*Id="{rid}"[^>]*/>'.encode(), b"", raw)


DAMAGES = {
    "workbook.xml cut short": ({"xl/workbook.xml": b"<workbook><sheets><sheet"}, "xl/workbook.xml"),
    "workbook.xml.rels missing": ({"xl/_rels/workbook.xml.rels": None}, "workbook.xml.rels"),
    "sheet relationship missing": ("rId1", "no relationship 'rId1'"),
    "package rels not XML": ({"_rels/.rels": b"\x00garbage"}, "_rels/.rels"),
    "content types not XML": ({"[Content_Types].xml": b"<Types"}, "Content_Types"),
    "styles.xml not XML": ({"xl/styles.xml": b"<styleSheet><fonts>"}, "xl/styles.xml"),
    "styles.xml missing": ({"xl/styles.xml": None}, "xl/styles.xml is missing"),
    "a drawing's rels not XML": ({"xl/worksheets/_rels/sheet1.xml.rels": b"<Rel"},
                                 "sheet1.xml.rels"),
    "sheet part missing": ({"xl/worksheets/sheet2.xml": None}, "not in the package"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("with_mnist", [False, True])
def test_export_into_a_damaged_workbook_is_one_line(tmp_path, capsys, damage, with_mnist):
    """One line on stderr, exit code 2, and the workbook's bytes untouched."""
    from mnist import cli
    path = base_workbook(tmp_path / "book.xlsx")
    if with_mnist:  # a sheet to replace, rather than one to add
        export.export(fake_log(), path)
    change, message = DAMAGES[damage]
    if isinstance(change, str):
        rels = "xl/_rels/workbook.xml.rels"
        change = {rels: _drop_relationship(parts(path)[rels], change)}
    _rezip(path, change)
    before = path.read_bytes()
    log = tmp_path / "log.json"
    log.write_text(json.dumps(fake_log()))
    code = cli.main(["export", str(log), "--workbook", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert message in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "log.json"]


def test_export_into_a_corrupt_zip_member(tmp_path, capsys):
    """A flipped byte inside a compressed part: the zip's CRC check fails; one line, untouched."""
    from mnist import cli
    path = base_workbook(tmp_path / "book.xlsx")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/styles.xml")
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[data_start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    log = tmp_path / "log.json"
    log.write_text(json.dumps(fake_log()))
    code = cli.main(["export", str(log), "--workbook", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "zip" in err, err
    assert path.read_bytes() == bytes(raw)


def test_export_into_a_workbook_saved_by_libreoffice(tmp_path, soffice):
    """LibreOffice writes its own package layout (shared strings, no theme, its own names);
    the splice must replace its MNIST sheet there too, and LibreOffice must open the result."""
    from sheetgen.libreoffice import convert

    path = base_workbook(tmp_path / "book.xlsx")
    export.export(fake_log(), path)
    saved = convert(path, tmp_path / "lo", "xlsx:Calc MS Excel 2007 XML")
    before = parts(saved)
    export.export(fake_log(epochs=4), saved)
    after = parts(saved)
    assert sheet_names(after["xl/workbook.xml"]) == ["Backprop", "Notes", "MNIST"]
    # LibreOffice's own parts for its copy of the MNIST sheet are gone; the rest is unchanged.
    kept = [n for n in before if n in after and n not in EDITED]
    assert all(after[n] == before[n] for n in kept)
    assert "xl/sharedStrings.xml" in kept
    wb = openpyxl.load_workbook(saved)
    assert len(wb["MNIST"]._charts) == 2 and len(wb["Backprop"]._charts) == 1
    assert wb["Backprop"]["B3"].value == "=A3*$B$1"
    pdf = convert(saved, tmp_path / "pdf", "pdf")
    assert pdf.stat().st_size > 10_000


def test_accuracy_chart_shows_every_point(tmp_path):
    """Its axis starts at or below the lowest train or test accuracy of any epoch (the first
    epoch's train accuracy is usually the lowest), and ends at 100."""
    path = base_workbook(tmp_path / "book.xlsx")
    log = fake_log(epochs=4, acc=95.0)
    export.export(log, path)
    charts = openpyxl.load_workbook(path)["MNIST"]._charts
    acc = next(c for c in charts if "Accuracy" in str(c.y_axis.title.tx.rich.p[0].r[0].t))
    points = [r[c] for r in log["epochs"] for c in ("train_acc", "test_acc")]
    assert acc.y_axis.scaling.min <= min(points) and acc.y_axis.scaling.max == 100
    assert min(points) - acc.y_axis.scaling.min < 2
