"""The backprop workbook: live formulas rendered from the table of quantities, native charts.

Sheets:
  Backprop      inputs (yellow, with defined names), the network diagram, the six chain-rule blocks
  η=0.1, ...    one per learning rate: η, then the 31-column iteration table and its loss chart
  Loss curves   every E_total curve in one chart, and per η the final loss and when it fell below
                a threshold

Every computed cell is a formula, so a student who edits an input sees every sheet move.
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.properties import CalcProperties

from . import network as net
from .files import check_output_path, save_workbook

MAX_ITERATIONS = 10_000
MAX_LEARNING_RATES = 20
DEFAULT_THRESHOLD = 1e-3


class SettingsError(ValueError):
    """Nonsense build settings (reported in one line by the CLI)."""


@dataclass(frozen=True)
class Settings:
    """What a workbook is built from: the network's inputs and the gradient-descent schedule."""

    inputs: tuple[float, float] = net.INPUTS
    targets: tuple[float, float] = net.TARGETS
    weights: tuple[float, ...] = net.WEIGHTS
    learning_rates: tuple[float, ...] = net.LEARNING_RATES
    iterations: int = net.ITERATIONS
    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def create(cls, **given) -> Settings:
        """Settings from loose values (lists, ints), checked; raises SettingsError."""
        s = cls(**{k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in given.items()})
        s.check()
        return s

    def check(self) -> None:
        if isinstance(self.iterations, bool) or not isinstance(self.iterations, int):
            raise SettingsError(f"iterations must be a whole number, got {self.iterations!r}")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise SettingsError(f"iterations must be between 1 and {MAX_ITERATIONS}, "
                                f"got {self.iterations}")
        for name, values, count in (("inputs", self.inputs, 2), ("targets", self.targets, 2),
                                    ("weights", self.weights, 8)):
            if len(values) != count:
                raise SettingsError(f"--{name} needs {count} numbers, got {len(values)}")
            _check_finite(name, values)
        rates = self.learning_rates
        if not 1 <= len(rates) <= MAX_LEARNING_RATES:
            raise SettingsError(f"give 1 to {MAX_LEARNING_RATES} learning rates, got {len(rates)}")
        _check_finite("learning rates", rates)
        if any(eta <= 0 for eta in rates):
            raise SettingsError(f"learning rates must be positive, got {list(rates)}")
        if len(set(rates)) != len(rates):
            raise SettingsError(f"learning rates must differ, got {list(rates)}")
        _check_finite("threshold", [self.threshold])


def _check_finite(name, values):
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise SettingsError(f"{name} must be finite numbers, got {list(values)}")


# --- styles --------------------------------------------------------------------------------------
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="0000CC", bold=True)
TITLE_FONT = Font(size=15, bold=True)
NOTE_FONT = Font(italic=True, color="555555")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="BBBBBB")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# Block colours, like the course sheet's panels; block 0 (t, i, w) is grey.
BLOCK_FILLS = {b: PatternFill("solid", fgColor=c) for b, c in enumerate(
    ("EDEDED", "DDEBF7", "E2EFDA", "FCE4D6", "FFF2CC", "EAD1F5", "D9F2F2"))}
VALUE_FORMAT = "0.0000000"
SMALL_FORMAT = "0.0000E+00"  # losses and gradients shrink by orders of magnitude

# --- layout: the one place that says where things are ------------------------------------------
BACKPROP = "Backprop"
LOSS_SHEET = "Loss curves"
INPUT_ROWS = [("i1", "input_i1", "input to the network"), ("i2", "input_i2", "input to the network"),
              ("t1", "target_t1", "target for output a_o1"), ("t2", "target_t2", "target for a_o2")]
INPUT_ROWS += [(w, f"init_{w}", f"initial weight {a}→{b}") for a, b, w in net.EDGES]
INPUT_TOP = 5  # first input row on the Backprop sheet; values in column C
ETA_CELL = "$B$3"  # on every learning-rate sheet
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
COLUMN_OF = {q.name: get_column_letter(2 + k) for k, q in enumerate(net.COLUMNS)}  # A: iteration


def sheet_name(eta: float) -> str:
    return f"η={eta:g}"


def _ref(sheet: str, cell: str) -> str:
    return f"{quote_sheetname(sheet)}!{cell}"


def row_formula(q: net.Quantity) -> str:
    """`q`'s formula for any row after the first, with `{r}` for that row and `{p}` the one above."""
    return "=" + net.render(q.formula, lambda name, off: ETA_CELL if name == "eta"
                            else f"{COLUMN_OF[name]}{{{'p' if off else 'r'}}}")


def table_formula(q: net.Quantity, row: int) -> str:
    """The formula of quantity `q` in worksheet row `row` of a learning-rate sheet."""
    if row == FIRST_ROW and q.start:
        return f"={q.start}"
    return row_formula(q).format(r=row, p=row - 1)


# --- sheets -------------------------------------------------------------------------------------
def _title(ws, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = note
    ws["A2"].font = NOTE_FONT


def _input(cell, value) -> None:
    cell.value = value
    cell.fill, cell.font, cell.border = INPUT_FILL, INPUT_FONT, BOX


def backprop_sheet(wb: Workbook, settings: Settings) -> None:
    """Inputs with defined names, the network diagram and the six chain-rule blocks."""
    from openpyxl.drawing.image import Image

    from .plots import network_diagram

    ws = wb.active
    ws.title = BACKPROP
    _title(ws, "Backpropagation by hand: a 2-2-2 sigmoid network",
           "How to use: change a yellow input below (or η on an η= sheet); every table and chart "
           "recalculates. Each η= sheet holds one row per gradient-descent step: "
           "w(next row) = w − η·∂E/∂w.")
    ws.column_dimensions["A"].width = 17
    ws.column_dimensions["B"].width = 84
    ws.column_dimensions["C"].width = 14
    ws["A4"], ws["B4"], ws["C4"] = "Input", "Meaning", "Value"
    for c in ("A4", "B4", "C4"):
        ws[c].font = BOLD
    values = dict(zip(("i1", "i2"), settings.inputs)) | dict(zip(("t1", "t2"), settings.targets))
    values |= {f"w{k + 1}": w for k, w in enumerate(settings.weights)}
    for r, (name, defined, meaning) in enumerate(INPUT_ROWS, start=INPUT_TOP):
        ws.cell(r, 1, name).font = BOLD
        ws.cell(r, 2, f"{meaning}   (defined name {defined})")
        _input(ws.cell(r, 3), values[name])
        wb.defined_names[defined] = DefinedName(defined, attr_text=_ref(BACKPROP, f"$C${r}"))

    image = Image(io.BytesIO(network_diagram()))
    ws.add_image(image, "E4")

    # The six blocks: maths from the templates, values live from the first η sheet's first row.
    first = sheet_name(settings.learning_rates[0])
    row = INPUT_TOP + len(INPUT_ROWS) + 2
    ws.cell(row, 1, f"The six chain-rule blocks (values: first iteration, η = "
                    f"{settings.learning_rates[0]:g} sheet)").font = Font(bold=True, size=12)
    for block, (title, lines) in enumerate(net.BLOCKS, start=1):
        row += 1
        for col in range(1, 4):
            ws.cell(row, col).fill = BLOCK_FILLS[block]
        ws.cell(row, 1, title).font = BOLD
        for label, template in lines:
            row += 1
            ws.cell(row, 1, label).fill = BLOCK_FILLS[block]
            ws.cell(row, 2, f"{label} = {net.maths(template)}").fill = BLOCK_FILLS[block]
            value = ws.cell(row, 3, "=" + net.render(
                template, lambda name, off: _ref(first, f"{COLUMN_OF[name]}{FIRST_ROW}")))
            value.fill, value.number_format = BLOCK_FILLS[block], "0.000000000"
        row += 1
    ws.freeze_panes = "A4"


def learning_rate_sheet(wb: Workbook, settings: Settings, eta: float) -> None:
    """η, the 31-column iteration table (one row per step) and a chart of E_total."""
    ws = wb.create_sheet(sheet_name(eta))
    _title(ws, '="Gradient descent with η = "&B3', "Change η (yellow) or the inputs on the "
           "Backprop sheet. Row n+1 applies w − η·∂E/∂w to row n; colours match the Backprop "
           "sheet's blocks.")
    ws["A3"] = "η"
    ws["A3"].font = BOLD
    _input(ws["B3"], eta)
    ws.cell(HEADER_ROW, 1, "iteration").font = BOLD
    ws.column_dimensions["A"].width = 10
    for q in net.COLUMNS:
        cell = ws[f"{COLUMN_OF[q.name]}{HEADER_ROW}"]
        cell.value, cell.font, cell.fill, cell.border = q.label, BOLD, BLOCK_FILLS[q.block], BOX
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[COLUMN_OF[q.name]].width = 12.5
    last = FIRST_ROW + settings.iterations - 1
    # Render each column's formula once; rows only fill in their numbers (the fast path).
    columns = [(_col(q.name), row_formula(q), SMALL_FORMAT if q.name[0] in "dE" else VALUE_FORMAT)
               for q in net.COLUMNS]
    for row in range(FIRST_ROW, last + 1):
        ws.cell(row, 1, row - FIRST_ROW + 1)
        for q, (col, formula, number_format) in zip(net.COLUMNS, columns):
            text = table_formula(q, row) if row == FIRST_ROW else formula.format(r=row, p=row - 1)
            ws.cell(row, col, text).number_format = number_format
    ws.freeze_panes = ws[f"B{FIRST_ROW}"]

    chart = _line_chart(f"E_total per iteration, η = {eta:g}", settings.iterations)
    chart.add_data(Reference(ws, min_col=_col("E_total"), min_row=HEADER_ROW, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=FIRST_ROW, max_row=last))
    chart.legend = None
    ws.add_chart(chart, f"{get_column_letter(_col('dw8') + 2)}{HEADER_ROW}")


def loss_sheet(wb: Workbook, settings: Settings) -> None:
    """All E_total curves in one chart, with a live summary per learning rate."""
    ws = wb.create_sheet(LOSS_SHEET)
    _title(ws, "Loss curves: E_total per iteration for each learning rate",
           "Everything here reads the η= sheets. Change the threshold (yellow) to see when each "
           "run gets there.")
    ws["A3"] = "E_total threshold"
    ws["A3"].font = BOLD
    _input(ws["B3"], settings.threshold)
    ws["B3"].number_format = "0.0E+00"
    headers = ("learning rate", "η", "final E_total", "first iteration below threshold")
    for c, h in enumerate(headers, start=1):
        cell = ws.cell(5, c, h)
        cell.font, cell.fill, cell.border = BOLD, BLOCK_FILLS[1], BOX
    for c, width in zip("ABCD", (16, 8, 14, 30)):
        ws.column_dimensions[c].width = width
    first, last = FIRST_ROW, FIRST_ROW + settings.iterations - 1
    e = COLUMN_OF["E_total"]
    chart = _line_chart("E_total per iteration for each learning rate η", settings.iterations)
    for k, eta in enumerate(settings.learning_rates):
        row, sheet = 6 + k, sheet_name(eta)
        loss = _ref(sheet, f"${e}${first}:${e}${last}")
        steps = _ref(sheet, f"$A${first}:$A${last}")
        ws.cell(row, 1, f'="η = "&{_ref(sheet, ETA_CELL)}')
        ws.cell(row, 2, f"={_ref(sheet, ETA_CELL)}")
        ws.cell(row, 3, f"={_ref(sheet, f'{e}{last}')}").number_format = SMALL_FORMAT
        ws.cell(row, 4, f'=IF(COUNTIF({loss},"<"&$B$3)=0,"not reached",'
                        f'_xlfn.MINIFS({steps},{loss},"<"&$B$3))')
        ws.cell(row, 4).alignment = Alignment(horizontal="right")
        values = Reference(wb[sheet], min_col=_col("E_total"), min_row=first, max_row=last)
        series = Series(values)
        series.tx = SeriesLabel(strRef=StrRef(_ref(LOSS_SHEET, f"$A${row}")))
        chart.series.append(series)
    chart.set_categories(Reference(wb[sheet_name(settings.learning_rates[0])], min_col=1,
                                   min_row=first, max_row=last))
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"F{5}")


def _col(name: str) -> int:
    return 2 + net.NAMES.index(name)


def _line_chart(title: str, iterations: int) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.x_axis.title, chart.y_axis.title = "iteration", "E_total"
    chart.y_axis.number_format = "0.000"
    chart.y_axis.majorGridlines = None
    # Without these, recent Excel hides both axes of an openpyxl chart.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = max(1, iterations // 10)
    chart.x_axis.tickMarkSkip = max(1, iterations // 10)
    chart.width, chart.height = 18, 9
    return chart


def make_workbook(settings: Settings | None = None) -> Workbook:
    """The whole workbook in memory."""
    settings = settings or Settings()
    settings.check()
    wb = Workbook()
    backprop_sheet(wb, settings)
    for eta in settings.learning_rates:
        learning_rate_sheet(wb, settings, eta)
    loss_sheet(wb, settings)
    for ws in wb.worksheets:  # print (and PDF) each sheet landscape, one page wide
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # Excel recalculates when it opens
    return wb


def build(path: str | os.PathLike = "output/backprop.xlsx", settings: Settings | None = None) -> Path:
    """Write the workbook for `settings` (default: the course's values) to `path` atomically."""
    path = check_output_path(path)
    return save_workbook(make_workbook(settings), path)
