"""The value stored beside every formula: what a spreadsheet computes from that formula.

Programs that do not recalculate (pandas, openpyxl's data_only, Excel's Protected View,
previewers, and LibreOffice with its default settings) show these, so they must be the formulas'
own results. The iteration tables come from the independent NumPy reference
(`network.run`); a chain-rule line of the Backprop sheet is its template evaluated on the
reference's first row, as the spreadsheet evaluates it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import network as net
from .settings import Settings, SettingsError

# A spreadsheet's EXP(x) is #NUM! beyond this (the largest double is about e^709.78).
EXP_LIMIT = 709.0


@dataclass(frozen=True)
class Values:
    """Stored values for one build. `table[name]` has shape (learning rates, iterations).

    `blank`: the exercise's values, where the table's computed cells are empty: what reads
    E_total (the helper column, the summary) sees 0, as a spreadsheet reads an empty cell, and
    the charts have no points.
    """

    table: dict[str, np.ndarray]
    threshold: float
    blank: bool = False

    @property
    def iterations(self) -> int:
        return self.table["E_total"].shape[1]

    def exercise(self) -> Values:
        return replace(self, blank=True)

    def loss(self, k: int) -> np.ndarray:
        """E_total of learning rate number `k` as formulas that read it see it."""
        e = self.table["E_total"][k]
        return np.zeros_like(e) if self.blank else e

    def curve(self, k: int) -> list[float | None]:
        """The points cached in a chart of learning rate number `k` (None: an empty cell)."""
        return [None] * self.iterations if self.blank else self.table["E_total"][k].tolist()

    def below(self, k: int) -> list[bool]:
        """The helper column of learning rate number `k`: whether E_total is below the threshold."""
        return (self.loss(k) < self.threshold).tolist()

    def first_below(self, k: int) -> int | str:
        """The first iteration whose E_total is below the threshold, or "not reached"."""
        hits = np.flatnonzero(self.loss(k) < self.threshold)
        return int(hits[0]) + 1 if hits.size else "not reached"

    def final(self, k: int) -> float:
        return float(self.loss(k)[-1])

    def block_line(self, template: str) -> float:
        """A chain-rule line on the first row of the first learning rate."""
        return net.evaluate(template, {(name, 0): column[0, 0]
                                       for name, column in self.table.items()})


def compute(settings: Settings) -> Values:
    """Every stored value of the workbook for `settings` (as its cells hold them)."""
    s = settings.as_stored()
    network = s.network
    inputs, targets = zip(*s.examples)
    with np.errstate(over="ignore", invalid="ignore"):
        table = net.run(network, inputs, targets, s.weights, s.learning_rates, s.iterations,
                        biases=s.biases)
    if not all(np.isfinite(table[n]).all() for n in network.names) or (
            network.activation == "sigmoid" and min(
                table[network.example(unit, e)].min() for unit in _units(network)
                for e in range(1, network.examples + 1)) < -EXP_LIMIT):
        raise SettingsError("these settings overflow: a spreadsheet's EXP would give #NUM! "
                            "(use smaller weights, inputs, biases or learning rates)")
    return Values(table, s.threshold)


def _units(network: net.Network) -> list[str]:
    """Every unit with a net input: the hidden and output units."""
    return [u for layer in range(1, network.depth + 1) for u in network.units(layer)]


def number_text(x: float) -> str:
    """A number as LibreOffice turns it into text in `"η = "&B3`: at most 15 significant
    digits, no trailing zeros, no exponent between 1E-15 and 1E+15.

    The programs agree on ordinary learning rates (0.05, 0.333333333333333, 12345.678) and
    differ on odd ones: for 1E-05 Gnumeric writes 1e-05, LibreOffice 0.00001.
    """
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    if 1e-15 <= abs(x) < 1e15:
        return np.format_float_positional(x, precision=15, unique=False, fractional=False,
                                          trim="-")
    mantissa, exponent = f"{x:.15g}".split("e")
    return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
