"""Committed files against fresh builds, up to the last place of a float.

NumPy's exp rounds the last place differently on different CPUs (its SIMD code depends on AVX-512
and the like), so a stored value or chart cache may differ by one ulp from the committed file on
another machine. Everything else must be the same: the text around the numbers, and the numbers
to 12 significant digits.
"""
from __future__ import annotations

import math
import re

NUMBER = re.compile(rb"-?\d+\.\d+(?:[eE][-+]?\d+)?")  # a decimal number in an XML part


def close(a, b) -> bool:
    """Two cell values: equal, or floats equal to 12 significant digits."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    return a == b


def same_but_last_places(fresh: bytes, committed: bytes) -> bool:
    """Whether two parts are the same text with the same numbers to 12 significant digits."""
    if NUMBER.split(fresh) != NUMBER.split(committed):
        return False
    pairs = zip(NUMBER.findall(fresh), NUMBER.findall(committed))
    return all(close(float(a), float(b)) for a, b in pairs)


def same_rows(fresh_ws, committed_ws) -> bool:
    """Two worksheets' cell values, row by row, up to the last places of floats."""
    fresh = [[c.value for c in r] for r in fresh_ws.iter_rows()]
    committed = [[c.value for c in r] for r in committed_ws.iter_rows()]
    return len(fresh) == len(committed) and all(
        len(f) == len(c) and all(close(x, y) for x, y in zip(f, c))
        for f, c in zip(fresh, committed))
