"""What a workbook is built from, checked before anything is written."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from .. import network as net

MAX_ITERATIONS = 10_000
MAX_LEARNING_RATES = 20
DEFAULT_THRESHOLD = 1e-3


class SettingsError(ValueError):
    """Nonsense build settings (reported in one line by the CLI)."""


@dataclass(frozen=True)
class Settings:
    """The network's inputs and the gradient-descent schedule."""

    inputs: tuple[float, float] = net.INPUTS
    targets: tuple[float, float] = net.TARGETS
    weights: tuple[float, ...] = net.WEIGHTS
    learning_rates: tuple[float, ...] = net.LEARNING_RATES
    iterations: int = net.ITERATIONS
    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def create(cls, **given) -> Settings:
        """Settings from loose values (lists, ints), checked; raises SettingsError."""
        s = cls(**{k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in given.items()})
        s.check()
        return s

    def check(self) -> None:
        if isinstance(self.iterations, bool) or not isinstance(self.iterations, int):
            raise SettingsError(f"iterations must be a whole number, got {self.iterations!r}")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise SettingsError(f"iterations must be between 1 and {MAX_ITERATIONS}, "
                                f"got {self.iterations}")
        for name, values, count in (("inputs", self.inputs, 2), ("targets", self.targets, 2),
                                    ("weights", self.weights, 8)):
            if len(values) != count:
                raise SettingsError(f"--{name} needs {count} numbers, got {len(values)}")
            _check_finite(name, values)
        rates = self.learning_rates
        if not 1 <= len(rates) <= MAX_LEARNING_RATES:
            raise SettingsError(f"give 1 to {MAX_LEARNING_RATES} learning rates, got {len(rates)}")
        _check_finite("learning rates", rates)
        if any(eta <= 0 for eta in rates):
            raise SettingsError(f"learning rates must be positive, got {list(rates)}")
        if len({f"{eta:g}" for eta in rates}) != len(rates):
            raise SettingsError(f"learning rates must differ, got {list(rates)}")
        _check_finite("threshold", [self.threshold])

    def as_stored(self) -> Settings:
        """These settings as the workbook's input cells hold them: 16 significant digits.

        The stored values of the formulas are computed from the inputs a spreadsheet reads
        back, not from digits the file never held.
        """
        def stored(v):
            return tuple(map(_stored, v)) if isinstance(v, tuple) else _stored(v)

        return replace(self, **{f.name: stored(getattr(self, f.name)) for f in fields(self)
                                if f.name != "iterations"})


def _stored(x: float) -> float:
    return float(f"{x:.16G}")  # how XlsxWriter writes a number cell


def _check_finite(name, values):
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise SettingsError(f"{name} must be finite numbers, got {list(values)}")
