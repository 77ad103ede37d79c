"""Native charts of E_total per iteration: one per learning-rate sheet, and all of them together.

Scatter charts with straight lines, so the x axis is a number axis with a few round ticks
(0, 20, 40, ...) however many iterations there are; a line chart's category axis labels every
iteration unless each program is told how many to skip. Each series carries its points as a
cache, so programs that do not recalculate (Excel's Protected View, previewers) draw the curves.
"""
from __future__ import annotations

import math

from . import layout as L

# matplotlib's tab20, dark shades first: the same colours as the loss-curves PNG for ten rates.
COLOURS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2",
           "#7F7F7F", "#BCBD22", "#17BECF", "#AEC7E8", "#FFBB78", "#98DF8A", "#FF9896",
           "#C5B0D5", "#C49C94", "#F7B6D2", "#C7C7C7", "#DBDB8D", "#9EDAE5")
AXIS_FONT = {"size": 11}


def tick_step(iterations: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most about six x-axis labels."""
    raw = max(1.0, iterations / 5)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def loss_bound(settings) -> float | None:
    """The largest E_total can be, each output at the far end of its activation's range from its
    target (sigmoid 0..1, tanh −1..1), over the step's examples and outputs; halved for the
    course's ½Σ(t − a)². None for ReLU, whose outputs have no upper end."""
    if settings.activation == "relu":
        return None
    low = -1.0 if settings.activation == "tanh" else 0.0
    worst = sum(max((t - low) ** 2, (1 - t) ** 2)
                for _, targets in settings.examples for t in targets)
    return 0.5 * worst if settings.loss == "half_sse" else worst


def _axes(chart, iterations: int, y_max: float | None = None) -> None:
    chart.set_x_axis({"name": "iteration", "min": 0, "max": iterations,
                      "major_unit": tick_step(iterations), "num_font": AXIS_FONT,
                      "name_font": AXIS_FONT | {"bold": True}, "num_format": "#,##0"})
    chart.set_y_axis({"name": "E_total", "min": 0, "num_format": "0.000", "num_font": AXIS_FONT,
                      **({} if y_max is None else {"max": y_max}),
                      "name_font": AXIS_FONT | {"bold": True},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})


def _series(layout: L.Layout, sheet: str, eta_index: int, curve: list, name: str) -> dict:
    """One E_total curve; `curve` the cached points (None for an empty cell)."""
    first, last = L.FIRST_ROW, L.last_row(len(curve))
    e = layout.column_of["E_total"]
    return {
        "name": name,
        "categories": "=" + L.ref(sheet, f"$A${first}:$A${last}"),
        "values": "=" + L.ref(sheet, f"${e}${first}:${e}${last}"),
        "categories_data": list(range(1, len(curve) + 1)),
        "values_data": curve,
        "line": {"color": COLOURS[eta_index % len(COLOURS)], "width": 1.75},
        "marker": {"type": "none"},
    }


def loss_chart(wb, ws, layout: L.Layout, eta_index: int, eta: float, curve: list) -> None:
    """E_total per iteration on the learning-rate sheet `ws`, right of its table."""
    sheet = L.sheet_name(eta)
    chart = wb.add_chart({"type": "scatter", "subtype": "straight"})
    header = "=" + L.ref(sheet, f"${layout.column_of['E_total']}${L.HEADER_ROW}")
    chart.add_series(_series(layout, sheet, eta_index, curve, header))
    chart.set_title({"name": f"E_total per iteration, η = {eta:g}", "name_font": {"size": 13}})
    _axes(chart, len(curve))
    chart.set_legend({"none": True})
    chart.set_size({"width": 860, "height": 480})
    ws.insert_chart(f"{layout.chart_column}{L.HEADER_ROW}", chart)


def overlay_chart(wb, ws, layout: L.Layout, settings, values, exercise: bool = False) -> None:
    """Every learning rate's E_total in one chart on the Loss curves sheet, legend by η. The
    exercise's chart, empty until the tables are written, says so, its E_total axis up to the
    largest loss possible (a spreadsheet scales an empty chart's axis to 0-12)."""
    chart = wb.add_chart({"type": "scatter", "subtype": "straight"})
    for k, eta in enumerate(settings.learning_rates):
        label = "=" + L.ref(L.LOSS_SHEET, f"$A${L.SUMMARY_HEADER_ROW + 1 + k}")
        chart.add_series(_series(layout, L.sheet_name(eta), k, values.curve(k), label))
    title = "E_total per iteration for each learning rate η"
    chart.set_title({"name": title + (" (empty until the η= tables are filled in)"
                                      if exercise else ""), "name_font": {"size": 14}})
    _axes(chart, settings.iterations, loss_bound(settings) if exercise else None)
    chart.set_legend({"position": "right", "font": AXIS_FONT})
    chart.set_size({"width": 960, "height": 600})
    ws.insert_chart(f"F{L.SUMMARY_HEADER_ROW}", chart)
