"""The three kinds of sheet, written with XlsxWriter: every formula with its stored value.

  Backprop      inputs (yellow, with defined names), the network diagram, the six chain-rule blocks
  η=0.1, ...    η, the header and first row of the 31-column iteration table, its loss chart
                (the other rows are streamed in by `stream.py`)
  Loss curves   every E_total curve in one chart, and per η the final loss and when it fell below
                a threshold

Rows and columns are 1-based here as in the layout (`cell(5, "B")` is B5); XlsxWriter takes the
A1 text.
"""
from __future__ import annotations

import io

from .. import network as net
from . import charts, page
from . import layout as L
from .settings import Settings
from .styles import column_format
from .values import Values, number_text


def cell(row: int, column: str) -> str:
    return f"{column}{row}"


def _title(ws, f, title: str, note: str, value: str | None = None, column: str = "A") -> None:
    if value is None:
        ws.write_string(cell(1, column), title, f.title)
    else:
        ws.write_formula(cell(1, column), title, f.title, value)
    ws.write_string(cell(2, column), note, f.note)


def backprop_sheet(wb, f, settings: Settings, values: Values) -> None:
    """Inputs with defined names, the network diagram and the six chain-rule blocks."""
    from ..plots import network_diagram

    ws = wb.add_worksheet(L.BACKPROP)
    _title(ws, f, "Backpropagation by hand: a 2-2-2 sigmoid network",
           "How to use: change a yellow input below (or η on an η= sheet); every table and chart "
           "recalculates. Each η= sheet holds one row per gradient-descent step: "
           "w(next row) = w − η·∂E/∂w.")
    ws.set_column("A:A", 17)
    ws.set_column("B:B", 76)
    ws.set_column("D:D", 2)
    ws.set_column("C:C", 14)
    ws.write_row("A4", ["Input", "Meaning", "Value"], f.bold)
    given = dict(zip(("i1", "i2"), settings.inputs)) | dict(zip(("t1", "t2"), settings.targets))
    given |= {f"w{k + 1}": w for k, w in enumerate(settings.weights)}
    for r, (name, defined, meaning) in enumerate(L.INPUT_ROWS, start=L.INPUT_TOP):
        ws.write_string(cell(r, "A"), name, f.bold)
        ws.write_string(cell(r, "B"), f"{meaning}   (defined name {defined})")
        ws.write_number(cell(r, "C"), given[name], f.input)
        wb.define_name(defined, "=" + L.ref(L.BACKPROP, f"$C${r}"))
    ws.insert_image("E4", "network.png", {"image_data": io.BytesIO(network_diagram()),
                                          "x_scale": 0.8, "y_scale": 0.8})

    # The six blocks: maths from the templates, values live from the first η sheet's first row.
    first = L.sheet_name(settings.learning_rates[0])
    row = L.BLOCKS_TOP
    ws.write_string(cell(row, "A"), "The six chain-rule blocks (values: first iteration, "
                    f"η = {settings.learning_rates[0]:g} sheet)", f.block_title)
    for block, (title, lines) in enumerate(net.BLOCKS, start=1):
        row += 1
        ws.write_string(cell(row, "A"), title, f.block_bold[block])
        ws.write_blank(cell(row, "B"), None, f.block[block])
        ws.write_blank(cell(row, "C"), None, f.block[block])
        for label, template in lines:
            row += 1
            ws.write_string(cell(row, "A"), label, f.block[block])
            ws.write_string(cell(row, "B"), f"{label} = {net.maths(template)}", f.block[block])
            ws.write_formula(cell(row, "C"), L.block_formula(template, first),
                             f.block_value[block], values.block_line(template))
        row += 1
    ws.freeze_panes(3, 0)
    page.one_page(ws)


def learning_rate_sheet(wb, f, settings: Settings, values: Values, k: int):
    """η, the table's header and first row, and the loss chart, for learning rate number `k`.

    Returns the worksheet; `stream.py` adds the table's other rows to it.
    """
    eta = settings.learning_rates[k]
    ws = wb.add_worksheet(L.sheet_name(eta))
    _title(ws, f, L.title_formula(), "Change η (yellow) or the inputs on the Backprop sheet. "
           "Row n+1 applies w − η·∂E/∂w to row n.",
           value=f"Gradient descent with η = {number_text(eta)}", column=L.TITLE_COLUMN)
    ws.write_string("A3", "η", f.bold)
    ws.write_number("B3", eta, f.input)
    ws.write_string("D3", "Colours match the Backprop sheet's blocks. The last column says whether "
                    "E_total is below the threshold on the Loss curves sheet.", f.note)
    ws.set_column("A:A", 10)
    ws.set_column(f"B:{L.BELOW_COLUMN}", 10.5)
    ws.set_row(L.HEADER_ROW - 1, 30)
    ws.write_string(cell(L.HEADER_ROW, "A"), "iteration", f.header[0])
    for q in net.COLUMNS:
        ws.write_string(cell(L.HEADER_ROW, L.COLUMN_OF[q.name]), q.label, f.header[q.block])
    ws.write_string(cell(L.HEADER_ROW, L.BELOW_COLUMN), L.BELOW_LABEL, f.header[0])

    row = L.FIRST_ROW
    ws.write_number(cell(row, "A"), 1, f.cell)
    for q in net.COLUMNS:
        ws.write_formula(cell(row, L.COLUMN_OF[q.name]), L.table_formula(q, row),
                         column_format(f, q.name),
                         float(values.table[q.name][k, 0]))
    ws.write_formula(cell(row, L.BELOW_COLUMN), L.below_formula().format(r=row), f.centre,
                     values.below(k)[0])
    ws.freeze_panes(L.FIRST_ROW - 1, 1)
    charts.loss_chart(wb, ws, k, eta, values.table["E_total"][k])
    page.learning_rate(ws)
    return ws


def loss_sheet(wb, f, settings: Settings, values: Values) -> None:
    """All E_total curves in one chart, with a live summary per learning rate."""
    ws = wb.add_worksheet(L.LOSS_SHEET)
    _title(ws, f, "Loss curves: E_total per iteration for each learning rate",
           "Everything here reads the η= sheets. Change the threshold (yellow) to see when each "
           "run gets there.")
    ws.write_string("A3", "E_total threshold", f.bold)
    ws.write_number(L.THRESHOLD_CELL.replace("$", ""), settings.threshold, f.threshold)
    ws.write_row(cell(L.SUMMARY_HEADER_ROW, "A"), ["learning rate", "η", "final E_total",
                                                   "first iteration below threshold"], f.header[1])
    ws.set_row(L.SUMMARY_HEADER_ROW - 1, 30)
    for column, width in zip("ABCD", (17, 8, 12, 15)):
        ws.set_column(f"{column}:{column}", width)
    for k, eta in enumerate(settings.learning_rates):
        row, formulas = L.SUMMARY_HEADER_ROW + 1 + k, L.summary_formulas(eta, settings.iterations)
        ws.write_formula(cell(row, "A"), formulas["label"], f.cell, f"η = {number_text(eta)}")
        ws.write_formula(cell(row, "B"), formulas["eta"], f.cell, eta)
        ws.write_formula(cell(row, "C"), formulas["final"], f.small, values.final(k))
        ws.write_formula(cell(row, "D"), formulas["first_below"], f.right, values.first_below(k))
    charts.overlay_chart(wb, ws, settings, values)
    page.one_page(ws)
