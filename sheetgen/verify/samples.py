"""Hand-made iteration tables in the layouts students use, for tests and benchmarks.

`write_table` writes one classic 31-column table into a worksheet wherever it is told (header
row, first column, label spellings, column order, a labelled η cell, helper columns, constants
typed as `=0.5`, `SUM(U33:V33)`, `EXP(-1*x)`), optionally with one planted mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from .. import network as net

_REF = re.compile(r"\{(\w+)(?:\[(-\d+)\])?\}")
SIGMOID = re.compile(r"1/\(1\+EXP\(-(\{\w+\})\)\)")
STUDENT_LABELS = {
    "a_h1": "out_h1",
    "a_h2": "out h2",
    "E_total": "E_tot",
    "dw1": "dE/dw1",
    "dw2": "dEtotal/dw2",
    "dw3": "∂E_total/∂w3",
    "dw4": "dw4",
    "t1": "target1",
    "h1": "net_h1",
    "a_o1": "out_o1",
    "a_o2": "ao2",
    "E1": "E_o1",
}
HELPERS = {"delta_o1": net.DELTA_O1, "delta_o2": net.DELTA_O2}


@dataclass
class Layout:
    """Where and how a table is written. `eta_cell` holds η with `eta_label` to its left."""

    header_row: int = 5
    first_col: int = 2
    order: tuple[str, ...] | None = None  # None: the network's own order
    labels: dict[str, str] = field(default_factory=dict)
    eta_cell: tuple[int, int] = (3, 2)
    eta_label: str = "η"
    student: bool = False  # EXP(-1*x), SUM(E1:E2), first-row constants as =0.5
    helpers: bool = False  # δo1 and δo2 in helper columns that the gradients read
    first_row: str = "numbers"  # numbers, names (read the Backprop defined names) or formulas
    network: net.Network = net.CLASSIC
    bias_cells: tuple[tuple[int, int], tuple[int, int]] | None = None  # b1, b2 typed once there

    def columns(self) -> list[str]:
        names = self.order or self.network.names
        return [n for n in names if not (self.bias_cells and n in ("b1", "b2"))]


def template(name: str, layout: Layout) -> str:
    q = layout.network.by_name[name]
    text = q.formula
    if layout.helpers and q.block in (3, 6):
        text = text.replace(net.DELTA_O1, "{delta_o1}").replace(net.DELTA_O2, "{delta_o2}")
    if layout.student:
        text = SIGMOID.sub(r"1/(1+EXP(-1*\1))", text)
    return text


def write_table(
    ws,
    layout: Layout,
    rows: int = 10,
    eta: float = 0.5,
    inputs=net.INPUTS,
    targets=net.TARGETS,
    weights=net.WEIGHTS,
    mistake: tuple[int, str, str] | None = None,
    biases=(0.35, 0.6),
    filled_rows: int | None = None,
) -> dict:
    """Write a table; `mistake` = (data row index, name, template) replaces one cell's formula.
    With `filled_rows`, only that many rows have their computed cells written, as in an exercise
    a student has started (the first row's weights, and the inputs of every row, are given).

    Returns {'cols': name -> column, 'rows': data rows, 'eta': (row, col)}.
    """
    columns = layout.columns() + (list(HELPERS) if layout.helpers else [])
    cols = {n: layout.first_col + k for k, n in enumerate(columns)}
    er, ec = layout.eta_cell
    ws.cell(er, ec - 1, layout.eta_label)
    ws.cell(er, ec, eta)
    eta_ref = f"${get_column_letter(ec)}${er}"
    fixed = {}
    for name, (br, bc), value in zip(("b1", "b2"), layout.bias_cells or (), biases):
        ws.cell(br, bc - 1, name)
        ws.cell(br, bc, value)
        fixed[name] = f"${get_column_letter(bc)}${br}"
    for n, c in cols.items():
        ws.cell(layout.header_row, c, layout.labels.get(n, net.LABELS.get(n, n)))
    start = (
        dict(zip(("i1", "i2"), inputs))
        | dict(zip(("t1", "t2"), targets))
        | {f"w{k + 1}": w for k, w in enumerate(weights)}
        | (dict(zip(("b1", "b2"), biases)) if layout.network.biases else {})
    )
    first = layout.header_row + 1
    data_rows = list(range(first, first + rows))
    for k, r in enumerate(data_rows):

        def ref(name: str, offset: int, r=r) -> str:
            if name == "eta":
                return eta_ref
            if name in fixed:
                return fixed[name]
            return f"{get_column_letter(cols[name])}{r + offset}"

        for n, c in cols.items():
            q = layout.network.by_name.get(n)
            if filled_rows is not None and k >= filled_rows and q and not q.is_input and not (
                    k == 0 and n in start):
                continue  # still to be written
            text = _cell_text(layout, n, k, r, cols, start, mistake)
            if isinstance(text, str):
                text = _REF.sub(lambda m: ref(m.group(1), int(m.group(2) or 0)), text)
            ws.cell(r, c, text)
    return {"cols": cols, "rows": data_rows, "eta": (er, ec)}


def _cell_text(layout: Layout, n: str, k: int, r: int, cols: dict, start: dict, mistake) -> object:
    """What data row `k` (worksheet row `r`) holds in column `n`: a first-row number (or a
    formula typing it), else the template as the layout writes it, or the planted mistake."""
    if k == 0 and n in start:
        if layout.first_row == "names":
            return f"={layout.network.by_name[n].start}"
        return f"={start[n]!r}" if layout.first_row == "formulas" or layout.student else start[n]
    text = HELPERS[n] if n in HELPERS else template(n, layout)
    if layout.student and n == "E_total" and abs(cols["E1"] - cols["E2"]) == 1:
        a, b = sorted((cols["E1"], cols["E2"]))
        text = f"SUM({get_column_letter(a)}{r}:{get_column_letter(b)}{r})"
    if mistake and mistake[0] == k and mistake[1] == n:
        text = mistake[2]
    return "=" + text


def add_input_names(
    wb, sheet: str = "Backprop", inputs=net.INPUTS, targets=net.TARGETS, weights=net.WEIGHTS
) -> None:
    """A Backprop sheet with the inputs as defined names, the way the builder lays them out."""
    ws = wb.create_sheet(sheet, 0)
    values = [
        ("input_i1", inputs[0]),
        ("input_i2", inputs[1]),
        ("target_t1", targets[0]),
        ("target_t2", targets[1]),
    ] + [(f"init_w{k + 1}", w) for k, w in enumerate(weights)]
    for r, (name, v) in enumerate(values, start=2):
        ws.cell(r, 1, name)
        ws.cell(r, 2, v)
        wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!$B${r}")


def classic_workbook(path, etas=(0.1, 0.5), rows: int = 10, mistake=None) -> dict:
    """Our own layout: a Backprop sheet of named inputs and one 'η=…' sheet per learning rate."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    add_input_names(wb)
    info = {}
    for eta in etas:
        ws = wb.create_sheet(f"η={eta:g}")
        ws.cell(5, 1, "iteration")
        info[ws.title] = write_table(
            ws, Layout(first_row="names"), rows=rows, eta=eta, mistake=mistake
        )
        for k, r in enumerate(info[ws.title]["rows"]):
            ws.cell(r, 1, k + 1)
    wb.save(path)
    return info


# Layouts an independent engine should compute exactly as ours does (tests cross-check them).
LAYOUTS_FOR_CROSS_CHECK = (
    Layout(
        header_row=2,
        first_col=1,
        labels=STUDENT_LABELS,
        student=True,
        eta_cell=(1, 5),
        eta_label="learning rate",
    ),
    Layout(
        header_row=32, first_col=2, student=True, helpers=True, eta_cell=(30, 3), eta_label="eta"
    ),
    Layout(first_row="formulas", order=tuple(reversed(net.NAMES))),
)
