"""The per-epoch log shared by every MNIST model (no torch): its columns, its console line and
the JSON file. The console line, the JSON log and the workbook table all use LOG_COLUMNS."""
from __future__ import annotations

import json
from pathlib import Path

from sheetgen.files import atomic_write

LOG_COLUMNS = ["epoch", "lr", "train_loss", "train_acc", "test_loss", "test_acc", "seconds"]


def write_log(log: dict, path: Path) -> None:
    with atomic_write(path, "w") as f:
        f.write(json.dumps(log, indent=1))


def format_row(row: dict) -> str:
    """One log line from LOG_COLUMNS: 'epoch 3  lr 0.0500  train_loss 0.1234 ...'."""
    fmt = {"epoch": "{:d}", "lr": "{:.5f}", "train_loss": "{:.4f}", "train_acc": "{:.2f}",
           "test_loss": "{:.4f}", "test_acc": "{:.2f}", "seconds": "{:.1f}"}
    return "  ".join(f"{c} {fmt[c].format(row[c])}" for c in LOG_COLUMNS)
