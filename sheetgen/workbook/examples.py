"""The examples of a batch, read from a CSV file: one row per example, its inputs then its
targets (`0,1,1` is i1 = 0, i2 = 1, t1 = 1 for a 2-2-1 network). A first row that is not all
numbers is a header and is skipped; blank rows are skipped. Anything else wrong is one
`SettingsError` naming the file and row."""
from __future__ import annotations

import csv
import math
from pathlib import Path

from .settings import SettingsError

MAX_BYTES = 1_000_000


def read_examples(path: str | Path, inputs: int, targets: int) -> tuple[tuple, tuple]:
    """((inputs of each example), (targets of each example)) from the CSV file `path`."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SettingsError(f"{path}: over {MAX_BYTES:,} bytes, not a file of examples")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(f"cannot read the examples {path}: "
                            f"{getattr(e, 'strerror', None) or e}") from None
    try:
        rows = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), start=1)
                if any(cell.strip() for cell in row)]
    except csv.Error as e:
        raise SettingsError(f"{path}: not a CSV file ({e})") from None
    if rows and not all(_number(cell) is not None for cell in rows[0][1]):
        rows = rows[1:]  # a header
    if not rows:
        raise SettingsError(f"{path}: no examples (one row per example: inputs then targets)")
    xs, ts = [], []
    for n, row in rows:
        values = [_number(cell) for cell in row]
        if len(values) != inputs + targets:
            raise SettingsError(f"{path} row {n}: {len(values)} values where a row holds "
                                f"{inputs} inputs then {targets} targets")
        if any(v is None for v in values):
            raise SettingsError(f"{path} row {n}: not a finite number: "
                                f"{row[values.index(None)].strip()!r}")
        xs.append(tuple(values[:inputs]))
        ts.append(tuple(values[inputs:]))
    return tuple(xs), tuple(ts)


def _number(cell: str) -> float | None:
    try:
        x = float(cell)
    except ValueError:
        return None
    return x if math.isfinite(x) else None
