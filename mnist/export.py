"""Write a training log into the workbook as the MNIST sheet.

The sheet holds the run facts, the layer table, the per-epoch table (columns from
`train.LOG_COLUMNS`), line charts of loss and accuracy that read that table, the 10x10
confusion matrix coloured by count (plain fills, which every spreadsheet program keeps), and
a picture of misclassified test digits.

It is built alone in a fresh openpyxl workbook and spliced into the target package
(`sheetgen/xlsx/splice.py`), so the other sheets keep their charts, images, formulas and defined names.
"""
from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from mnist.runlog import LOG_COLUMNS
from sheetgen.xlsx.splice import replace_sheet

SHEET = "MNIST"

HEADERS = {"epoch": "Epoch", "lr": "Learning rate", "train_loss": "Train loss",
           "train_acc": "Train accuracy (%)", "test_loss": "Test loss",
           "test_acc": "Test accuracy (%)", "seconds": "Seconds"}
FORMATS = {"epoch": "0", "lr": "0.00000", "train_loss": "0.0000", "train_acc": "0.00",
           "test_loss": "0.0000", "test_acc": "0.00", "seconds": "0.0"}

# Every font named: an unnamed one prints in a serif fallback beside the workbook's Calibri.
FONT = "Calibri"  # the font XlsxWriter gives the other sheets
BOLD = Font(name=FONT, size=11, bold=True)
NOTE = Font(name=FONT, size=11, italic=True, color="666666")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE = Font(name=FONT, size=14, bold=True)
SERIES_COLOURS = ("1F77B4", "D62728")  # train blue, test red

FACTS_ROW, FACTS_COL = 3, 1      # A3: run facts
LAYERS_COL = 13                  # M3: layer table
CHART_COL = 17                   # Q: charts


class ExportError(ValueError):
    """The log cannot be exported (missing fields)."""


def _header(ws, row: int, col: int, labels: list[str]) -> None:
    for i, label in enumerate(labels):
        cell = ws.cell(row, col + i, label)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def _facts(log: dict) -> list[tuple[str, object, str | None]]:
    cfg = log["config"]
    return [
        ("Model", log["model"], None),
        ("Parameters", log["parameters"], "#,##0"),
        ("Epochs", len(log["epochs"]), "0"),
        ("Batch size", cfg.get("batch_size"), "0"),
        ("Optimizer", cfg.get("optimizer"), None),
        ("LR schedule (peak)", f"{cfg.get('schedule')} ({cfg.get('lr')})", None),
        ("Augmentation", cfg.get("augmentation") or ("rotation + shift" if cfg.get("augment")
                                                      else "none"), None),
        ("Test-time views averaged", cfg.get("tta") or 1, "0"),
        ("Seed", log["seed"], "0"),
        ("Device / threads", f"{cfg.get('device')} / {cfg.get('threads')}", None),
        ("Training images", log.get("train_images"), "#,##0"),
        ("Wall time (s)", log["wall_seconds"], "0.0"),
        ("Best test accuracy (%)", log["best_acc"], "0.00"),
        ("Best epoch", log["best_epoch"], "0"),
        ("Final test accuracy (%)", log["final_acc"], "0.00"),
        ("torch", log.get("versions", {}).get("torch"), None),
    ]


def misclassified_png(log: dict, columns: int = 8) -> bytes | None:
    """A grid of misclassified test digits titled 'true → predicted', as PNG bytes."""
    wrong = log.get("misclassified", {})
    pixels = wrong.get("pixels") or []
    if not pixels:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(pixels)
    rows = (n + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.95, rows * 1.1), dpi=100,
                             squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, raw, true, pred in zip(axes.flat, pixels, wrong["true"], wrong["pred"]):
        image = np.frombuffer(base64.b64decode(raw), dtype=np.uint8).reshape(28, 28)
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"{true} → {pred}", fontsize=9, color="#b00")
    fig.suptitle(f"Misclassified test digits (true → predicted), "
                 f"{wrong.get('count', n)} in all at epoch {log['best_epoch']}", fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _line_chart(ws, title: str, y_title: str, first_row: int, last_row: int,
                columns: list[str]) -> LineChart:
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = title, y_title, "Epoch"
    chart.height, chart.width = 7.5, 12  # cm: narrow enough to print beside the layer table
    for name, colour in zip(columns, SERIES_COLOURS):
        col = 1 + LOG_COLUMNS.index(name)
        chart.add_data(Reference(ws, min_col=col, min_row=first_row - 1, max_row=last_row),
                       titles_from_data=True)
        # Explicit colours: a workbook saved by LibreOffice has no theme to take them from.
        line = chart.series[-1].graphicalProperties.line
        line.solidFill, line.width = colour, 22000  # EMU, about 1.75 pt
        chart.series[-1].smooth = False
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=last_row))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    return chart


# Plain fills rather than a colour scale, which Gnumeric drops: (more than, colour) per count.
MISTAKE_FILLS = ((10, "F8696B"), (5, "FA9A9C"), (2, "FCC5C6"), (0, "FDE9EA"))
CORRECT_FILL = "A9D08E"


def _confusion_fill(count: int, correct: bool) -> PatternFill:
    """Green for the diagonal; for a mistake, a pink that deepens with its count."""
    if correct:
        return PatternFill("solid", fgColor=CORRECT_FILL)
    colour = next((c for low, c in MISTAKE_FILLS if count > low), None)
    return PatternFill("solid", fgColor=colour) if colour else PatternFill()


def build_sheet(log: dict) -> Workbook:
    """A one-sheet workbook holding the MNIST sheet for `log`."""
    missing = [k for k in ("model", "parameters", "epochs", "config", "best_acc", "final_acc",
                           "best_epoch", "wall_seconds", "seed") if k not in log]
    if missing:
        raise ExportError(f"log lacks {', '.join(missing)}; is it a `python -m mnist train` log?")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"MNIST: {log['model']} ({log['parameters']:,} parameters), best test accuracy " \
               f"{log['best_acc']:.2f}%"
    ws["A1"].font = TITLE
    ws["A2"] = "Written by python -m mnist; running it again replaces this sheet."
    ws["A2"].font = NOTE

    # Run facts.
    _header(ws, FACTS_ROW, FACTS_COL, ["Run", ""])
    for i, (label, value, fmt) in enumerate(_facts(log), start=FACTS_ROW + 1):
        ws.cell(i, FACTS_COL, label)
        cell = ws.cell(i, FACTS_COL + 1, value)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal="right")
    facts_end = FACTS_ROW + len(_facts(log))

    # Layer table, with a live total.
    layers = log.get("layers", [])
    _header(ws, FACTS_ROW, LAYERS_COL, ["Layer", "Output", "Parameters"])
    for i, layer in enumerate(layers, start=FACTS_ROW + 1):
        ws.cell(i, LAYERS_COL, layer["layer"])
        ws.cell(i, LAYERS_COL + 1, "×".join(map(str, layer["output_shape"])))
        ws.cell(i, LAYERS_COL + 2, layer["params"]).number_format = "#,##0"
    total_row = FACTS_ROW + len(layers) + 1
    params = get_column_letter(LAYERS_COL + 2)
    ws.cell(total_row, LAYERS_COL, "Total").font = BOLD
    total = ws.cell(total_row, LAYERS_COL + 2,
                    f"=SUM({params}{FACTS_ROW + 1}:{params}{total_row - 1})" if layers else 0)
    total.font, total.number_format = BOLD, "#,##0"

    # Per-epoch table.
    head = facts_end + 2
    ws.cell(head - 1, 1, "Per epoch").font = BOLD
    _header(ws, head, 1, [HEADERS[c] for c in LOG_COLUMNS])
    ws.row_dimensions[head].height = 45  # 'Train accuracy (%)' wraps to three lines
    for r, row in enumerate(log["epochs"], start=head + 1):
        for c, name in enumerate(LOG_COLUMNS, start=1):
            ws.cell(r, c, row[name]).number_format = FORMATS[name]
    first, last = head + 1, head + len(log["epochs"])

    # Charts beside the tables.
    loss = _line_chart(ws, "Loss per epoch", "Cross-entropy", first, last, ["train_loss", "test_loss"])
    loss.y_axis.scaling.logBase = 10  # the first epoch's loss would flatten the rest
    acc = _line_chart(ws, "Accuracy per epoch", "Accuracy (%)", first, last, ["train_acc", "test_acc"])
    low = min(r[c] for r in log["epochs"] for c in ("train_acc", "test_acc"))  # every point
    acc.y_axis.scaling.min = max(0.0, 2 * float(np.floor(low / 2)))  # labels at even numbers
    acc.y_axis.scaling.max = 100.0
    ws.add_chart(loss, f"{get_column_letter(CHART_COL)}3")
    ws.add_chart(acc, f"{get_column_letter(CHART_COL)}19")

    # Confusion matrix, rows true, columns predicted, with a colour scale.
    top = last + 3
    ws.cell(top - 1, 1, "Confusion matrix at the best epoch (rows: true digit, columns: predicted)").font = BOLD
    ws.cell(top, 1, "true \\ pred").font = BOLD
    for d in range(10):
        for cell in (ws.cell(top, 2 + d, d), ws.cell(top + 1 + d, 1, d)):
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(horizontal="center")
    confusion = log.get("confusion") or [[0] * 10 for _ in range(10)]
    for t in range(10):
        for p in range(10):
            cell = ws.cell(top + 1 + t, 2 + p, confusion[t][p])
            cell.alignment = Alignment(horizontal="center")
            cell.fill = _confusion_fill(confusion[t][p], t == p)
    ws.cell(top + 11, 1, "Colours: green, the correct predictions; pink to red, 1-2, 3-5, 6-10 and "
                         "more than 10 mistakes").font = NOTE

    # Picture of misclassified digits, under the confusion matrix.
    png = misclassified_png(log)
    if png is not None:
        image = Image(io.BytesIO(png))
        ws.add_image(image, f"A{top + 14}")

    _print_setup(ws, top - 2)

    ws.column_dimensions["A"].width = 24
    for col in range(2, LAYERS_COL):
        ws.column_dimensions[get_column_letter(col)].width = 10.5
    ws.column_dimensions["B"].width = 17
    ws.column_dimensions[get_column_letter(LAYERS_COL - 1)].width = 2  # L: a gap, no data
    ws.column_dimensions[get_column_letter(LAYERS_COL)].width = 44
    ws.column_dimensions[get_column_letter(LAYERS_COL + 1)].width = 10
    ws.column_dimensions[get_column_letter(LAYERS_COL + 2)].width = 11
    return wb


PRINT_SCALE = 75  # per cent: 11 pt text prints at about 8 pt; each part fits a Letter or A4 page
# with room for a wider fallback font (DejaVu Sans where Calibri is missing)


def _print_setup(ws, confusion_row: int) -> None:
    """Landscape pages at a readable scale, as the other sheets print: the run facts and the
    per-epoch table, then the confusion matrix and the digits (a row break before them); the
    layer table and the charts on the page to the right (a column break after the confusion
    matrix's last column, K)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.scale = PRINT_SCALE
    ws.page_margins = PageMargins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    ws.oddFooter.left.text, ws.oddFooter.right.text = "&A", "page &P of &N"
    ws.col_breaks.append(Break(id=LAYERS_COL - 2))  # the last column before the break: K
    ws.row_breaks.append(Break(id=confusion_row - 1))


def export(log: dict, workbook: str | os.PathLike = "output/backprop.xlsx") -> Path:
    """Write (or replace) the MNIST sheet of `workbook`, building the workbook if missing."""
    from sheetgen.files import atomic_write

    path, data = check_target(workbook)
    sheet = io.BytesIO()
    try:
        build_sheet(log).save(sheet)  # only the sheet's own parts are spliced: no timestamps
    except ExportError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise ExportError(f"the log is malformed ({type(e).__name__}: {str(e)[:80]}); is it a "
                          "`python -m mnist train` log?") from None
    if data is None:
        _build_base(path)
        data = _read(path)
    data = replace_sheet(data, sheet.getvalue(), SHEET)
    with atomic_write(path) as f:
        f.write(data)
    return path


def check_target(workbook: str | os.PathLike) -> tuple[Path, bytes | None]:
    """The workbook the MNIST sheet goes into, and its bytes (None when it is yet to be built),
    once it is known to be writable and, if it exists, a package the splice can edit: raises
    OutputError or SpliceError before anything is trained or written."""
    from sheetgen.files import check_output_path
    from sheetgen.xlsx import parts as pkg

    path = check_output_path(workbook)
    if not path.exists():
        return path, None
    data = _read(path)
    pkg.check_package(pkg.read_package(data)[1])
    return path, data


def _read(path: Path) -> bytes:
    from sheetgen.files import open_regular

    with open_regular(path) as f:  # a FIFO swapped in after the check cannot hang it
        return f.read()


def _build_base(path: Path) -> None:
    """Build the backprop workbook with its own builder (the default course values)."""
    from sheetgen.workbook import build

    build(path)
