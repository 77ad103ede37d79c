"""What the first rows of a region say: each column's values, a template's prediction on the
columns settled so far, and whether two agree. Every reading of a region (`identify`) shares one
memo of them, so a column is read and a template evaluated once, whatever the reading.
"""

from __future__ import annotations

import numpy as np

from .. import network as net
from . import stacked
from .book import Book
from .tables import Region

PROBE = 6  # data rows compared: where students' formulas are most often right
IDENTIFY_RTOL = 1e-6


class Evidence:
    """The values and references of a region's first rows, and what is settled so far."""

    def __init__(self, book: Book, engine, region: Region, network: net.Network,
                 memo: dict | None = None):
        self.book, self.engine, self.region, self.network = book, engine, region, network
        self.s = region.sheet
        self.rows = region.rows[:PROBE]
        self.where: dict[str, object] = {}  # quantity -> column number, or a fixed cell key
        self.renumbered: set[str] = set()  # weights named by what the forward pass does
        self.memo = {} if memo is None else memo  # values and predictions: every reading's

    def column(self, c: int, offset: int = 0) -> np.ndarray:
        key = ("column", c, offset)
        if key not in self.memo:
            self.memo[key] = np.array([_number(self.engine.value(self.key(r, c, offset)))
                                       for r in self.rows])
        return self.memo[key]

    def key(self, row: int, c: int, offset: int = 0) -> tuple[int, int, int]:
        """The cell of column (or place) `c` in the step of `row`, `offset` steps on."""
        return stacked.cell(self.s, row, c, offset, self.region.period)

    def values(self, name: str, offset: int = 0) -> np.ndarray:
        return self.at(self.where[name], offset)

    def at(self, where, offset: int = 0) -> np.ndarray:
        """The probe rows' values of a column, or of a fixed cell (the same in every row)."""
        if isinstance(where, tuple):
            return np.full(len(self.rows), _number(self.engine.value(where)))
        return self.column(where, offset)

    def free_columns(self) -> list[int]:
        taken = set(self.where.values())
        return [c for c in self.region.columns if c not in taken]

    def predict(self, name: str, trial: dict | None = None) -> np.ndarray | None:
        """The template of `name` on the settled columns (and `trial` ones), or None if it reads
        a quantity not yet settled."""
        q = self.network.by_name[name]
        refs = [n for n, _ in q.refs()]
        if "eta" in refs or any(n not in self.where and n not in (trial or {}) for n in refs):
            return None
        where = {**self.where, **(trial or {})}
        key = ("predict", q.formula, *((n, where[n]) for n in refs))
        if key not in self.memo:
            self.memo[key] = net.evaluate(q.formula, lambda n, off: self.at(where[n], off))
        return self.memo[key]

    def predict_choices(self, name: str, unknown: list[str], choices: list[tuple]):
        """`predict` for many trial columns of the names `unknown` at once (choice k puts
        `unknown[i]` at `choices[k][i]`): one row of predictions per choice, the template
        evaluated once on stacked columns; None where `predict` would give None."""
        q = self.network.by_name[name]
        refs = [n for n, _ in q.refs()]
        if "eta" in refs or not choices or any(n not in self.where and n not in unknown
                                               for n in refs):
            return None
        index = {n: i for i, n in enumerate(unknown)}

        def value(n: str, offset: int):
            if n in index:
                return np.stack([self.at(choice[index[n]], offset) for choice in choices])
            return self.at(self.where[n], offset)

        return np.broadcast_to(net.evaluate(q.formula, value), (len(choices), len(self.rows)))

    def matches(self, predicted: np.ndarray, actual: np.ndarray) -> bool:
        """Whether a column's values are these, in most probe rows: loosely (pasted numbers are
        often rounded to 6 digits), as this decides only which column is which; the check that
        follows compares every cell at its own tolerance."""
        return bool(matches(predicted, actual, len(self.rows)))

    def outside_cells(self) -> list[tuple[int, int, int]]:
        """Cells outside the table (its columns by its rows) that the first data row's formulas
        read: inputs or biases typed once above or beside it."""
        rows, out = self.region.rows, {}
        cols = {c % stacked.STRIDE for c in self.region.columns}
        last = rows[-1] + self.region.period - 1 if rows else 0
        for c in self.region.columns:
            for ref in self.engine.refs(self.key(self.rows[0], c)) if self.rows else ():
                if ref[0] != self.s or ref[2] not in cols or not rows[0] <= ref[1] <= last:
                    out[ref] = None
        return [k for k in out if isinstance(_number(self.engine.value(k)), float)]


def matches(predicted: np.ndarray, actual: np.ndarray, rows: int) -> np.ndarray:
    """`Evidence.matches` over the last axis, broadcast: many predictions against many columns
    at once (`predicted[:, None, :]` against `actual[None, :, :]`)."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(predicted) & np.isfinite(actual)
        agree = (ok & (np.abs(predicted - actual) <= 1e-12 + IDENTIFY_RTOL * np.abs(actual))).sum(-1)
    return (agree >= min(2, rows)) & (agree * 2 >= ok.sum(-1)) & (ok.sum(-1) > 0)


def number_in(v) -> float:
    """A cell's number: a float, or text that is one (`"0"` typed as text, as Hancom Office
    saves inputs: Excel's arithmetic reads it as the number), else nan."""
    if type(v) is float:
        return v
    if isinstance(v, str) and 0 < len(v) <= 40:
        try:
            x = float(v.strip())
        except ValueError:
            return np.nan
        return x if np.isfinite(x) and v.strip()[-1:].isdigit() else np.nan
    return np.nan


_number = number_in
