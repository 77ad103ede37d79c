"""Cell formats of the workbook (XlsxWriter `Format`s), made once per workbook."""
from __future__ import annotations

from types import SimpleNamespace

INPUT = {"bg_color": "#FFF2CC", "font_color": "#0000CC", "bold": True,
         "border": 1, "border_color": "#BBBBBB"}
CELL = {"border": 1, "border_color": "#BFBFBF"}  # table cells: a grid on screen and on paper
# Block colours, like the course sheet's panels; block 0 (t, i, w) is grey.
BLOCK_COLOURS = ("#EDEDED", "#DDEBF7", "#E2EFDA", "#FCE4D6", "#FFF2CC", "#EAD1F5", "#D9F2F2")
VALUE_FORMAT = "0.0000000"
SMALL_FORMAT = "0.0000E+00"  # losses and gradients shrink by orders of magnitude
BLOCK_VALUE_FORMAT = "0.000000000"
# The exercise's empty cells: white-blue with a dotted blue border, unlike any input or block.
FILL_IN = {"bg_color": "#F4F9FF", "border": 4, "border_color": "#4472C4"}


def make_formats(wb) -> SimpleNamespace:
    """The formats of workbook `wb`, by use."""
    add = wb.add_format
    header = {"bold": True, "border": 1, "border_color": "#BBBBBB", "align": "center",
              "valign": "vcenter", "text_wrap": True}
    return SimpleNamespace(
        title=add({"bold": True, "font_size": 15}),
        note=add({"italic": True, "font_color": "#555555"}),
        bold=add({"bold": True}),
        block_title=add({"bold": True, "font_size": 12}),
        input=add(INPUT),
        threshold=add(INPUT | {"num_format": "0.0E+00"}),
        cell=add(CELL),
        value=add(CELL | {"num_format": VALUE_FORMAT}),
        small=add(CELL | {"num_format": SMALL_FORMAT}),
        right=add(CELL | {"align": "right"}),
        centre=add(CELL | {"align": "center"}),
        header=[add(header | {"bg_color": c}) for c in BLOCK_COLOURS],
        block=[add({"bg_color": c}) for c in BLOCK_COLOURS],
        block_bold=[add({"bg_color": c, "bold": True}) for c in BLOCK_COLOURS],
        block_value=[add({"bg_color": c, "num_format": BLOCK_VALUE_FORMAT})
                     for c in BLOCK_COLOURS],
        # The exercise: each with the number format of the value a student's formula will give.
        fill=add(FILL_IN | {"italic": True, "font_color": "#4472C4", "align": "center"}),
        fill_value=add(FILL_IN | {"num_format": VALUE_FORMAT}),
        fill_small=add(FILL_IN | {"num_format": SMALL_FORMAT}),
        fill_text=add(FILL_IN),
        fill_block_value=add(FILL_IN | {"num_format": BLOCK_VALUE_FORMAT}),
        # The exercise's Loss curves summary while a table is empty (its last E_total reads 0).
        empty_small=add(CELL | {"num_format": f'{SMALL_FORMAT};-{SMALL_FORMAT};"table empty"'}),
        empty_dxf=add({"num_format": '"—"', "font_color": "#4472C4"}),
    )


def column_format(f: SimpleNamespace, name: str, blank: bool = False):
    """The format of table column `name`: losses and gradients in scientific notation; `blank`
    for an exercise's empty cell."""
    if blank:
        return f.fill_small if name[0] in "dE" else f.fill_value
    return f.small if name[0] in "dE" else f.value
