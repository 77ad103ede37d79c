"""The backprop workbook: live formulas rendered from the table of quantities, each stored with
the value it computes, native charts, and print settings for handouts.

Sheets:
  Backprop      inputs (yellow, with defined names), the network diagram, the six chain-rule blocks
  η=0.1, ...    one per learning rate: η, then the 31-column iteration table and its loss chart
  Loss curves   every E_total curve in one chart, and per η the final loss and when it fell below
                a threshold

Every computed cell is a formula, so a student who edits an input sees every sheet move; and
every formula carries its value, so programs that only read the file show the numbers too.

Modules: `settings` (what is built), `layout` (where things are, the formulas), `values` (the
stored values), `styles`, `sheets`, `charts`, `page` (printing), `writer` (the xlsx package).
"""
from __future__ import annotations

import os
from pathlib import Path

from .layout import (
    BACKPROP,
    BELOW_COLUMN,
    COLUMN_OF,
    ETA_CELL,
    FIRST_ROW,
    HEADER_ROW,
    LOSS_SHEET,
    row_formula,
    sheet_name,
    table_formula,
)
from .settings import DEFAULT_THRESHOLD, MAX_ITERATIONS, MAX_LEARNING_RATES, Settings, SettingsError

__all__ = ["BACKPROP", "BELOW_COLUMN", "COLUMN_OF", "DEFAULT_THRESHOLD", "ETA_CELL", "FIRST_ROW",
           "HEADER_ROW", "LOSS_SHEET", "MAX_ITERATIONS", "MAX_LEARNING_RATES", "Settings",
           "SettingsError", "build", "row_formula", "sheet_name", "table_formula"]


def build(path: str | os.PathLike = "output/backprop.xlsx", settings: Settings | None = None) -> Path:
    """Write the workbook for `settings` (default: the course's values) to `path` atomically."""
    from .writer import write

    return write(Path(path), settings or Settings())
