"""Command-line plumbing shared by `sheetgen` and `python -m mnist`: one-line usage errors.

It sits below both commands (`sheetgen/cli.py`, `sheetgen/verify/command.py`, `mnist/cli.py`),
so each can raise UsageError without importing the other.
"""
from __future__ import annotations

import argparse


class UsageError(ValueError):
    """Bad command-line input: reported in one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2 (argparse's own default is two lines)."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")
