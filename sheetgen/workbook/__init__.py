"""The backprop workbook of any small network (`Settings.network`, a `sheetgen.network.Network`):
live formulas rendered from its table of quantities, each stored with the value it computes,
native charts, and print settings for handouts.

Sheets:
  Backprop      inputs (yellow, with defined names), the network diagram, the chain-rule blocks
  η=0.1, ...    one per learning rate: η, then the iteration table (the classic 2-2-2: 31 columns;
                33 with biases, 35 with trained biases; a batch: a group of columns per example)
                and its loss chart
  Loss curves   every E_total curve in one chart, and per η the final loss and when it fell below
                a threshold

Every computed cell is a formula, so a student who edits an input sees every sheet move; and
every formula carries its value, so programs that only read the file show the numbers too.
`build_exercise` writes the same workbook with the cells a student writes left empty, and the
full workbook beside it as the answer key.

Modules: `settings` (what is built, the presets), `layout` (where things are, the formulas),
`values` (the stored values), `exercise` (which cells the exercise leaves empty, its
instructions), `styles`, `sheets`, `charts`, `page` (printing), `writer` (the xlsx package).
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
    Layout,
    layout_of,
    row_formula,
    sheet_name,
    table_formula,
)
from .settings import (
    DEFAULT_THRESHOLD,
    MAX_ITERATIONS,
    MAX_LEARNING_RATES,
    PRESETS,
    Settings,
    SettingsError,
)

__all__ = ["BACKPROP", "BELOW_COLUMN", "COLUMN_OF", "DEFAULT_THRESHOLD", "ETA_CELL", "FIRST_ROW",
           "HEADER_ROW", "LOSS_SHEET", "MAX_ITERATIONS", "MAX_LEARNING_RATES", "PRESETS",
           "Layout", "Settings", "SettingsError", "build", "build_exercise", "key_path",
           "layout_of", "row_formula", "sheet_name", "table_formula"]


def build(path: str | os.PathLike = "output/backprop.xlsx", settings: Settings | None = None) -> Path:
    """Write the workbook for `settings` (default: the course's values) to `path` atomically."""
    from .writer import write

    return write(Path(path), settings or Settings())


def key_path(path: str | os.PathLike) -> Path:
    """Where `build_exercise` puts the answer key of the exercise at `path`: `<stem>-key.xlsx`."""
    from .exercise import key_path

    return key_path(path)


def build_exercise(path: str | os.PathLike, settings: Settings | None = None,
                   properties: dict[str, str] | None = None) -> tuple[Path, Path]:
    """Write the exercise for `settings` to `path` and its answer key, the full workbook (the
    same bytes as `build`), to `key_path(path)`. Both are made and both paths checked before
    either is written; `properties` are custom document properties of both. Returns (exercise,
    key)."""
    from ..files import OutputError, check_output_path
    from .writer import prepare, save

    settings = settings or Settings()
    exercise, key = Path(path), key_path(path)
    if check_output_path(key).resolve() == check_output_path(exercise).resolve():
        raise OutputError(f"the exercise {exercise} and its key {key} are the same file")
    ready = prepare(settings, True, properties), prepare(settings, False, properties)
    save(key, ready[1])
    return save(exercise, ready[0]), key
