"""What a workbook is built from, checked before anything is written, and the named presets."""
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
    """The network's inputs and the gradient-descent schedule.

    biases: (b1, b2), one bias shared by the hidden layer and one by the output layer, or None
    for the classic network without; train_biases: whether they descend by their gradients too.
    """

    inputs: tuple[float, float] = net.INPUTS
    targets: tuple[float, float] = net.TARGETS
    weights: tuple[float, ...] = net.WEIGHTS
    learning_rates: tuple[float, ...] = net.LEARNING_RATES
    iterations: int = net.ITERATIONS
    threshold: float = DEFAULT_THRESHOLD
    biases: tuple[float, float] | None = None
    train_biases: bool = False

    @property
    def network(self) -> net.Network:
        """The table of quantities these settings fill: 31, 33 or 35 columns."""
        return net.Network(biases=self.biases is not None, trained=self.train_biases)

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
        if self.biases is not None:
            if len(self.biases) != 2:
                raise SettingsError(f"--biases needs 2 numbers (b1 b2), got {len(self.biases)}")
            _check_finite("biases", self.biases)
        if not isinstance(self.train_biases, bool):
            raise SettingsError(f"train_biases must be True or False, got {self.train_biases!r}")
        if self.train_biases and self.biases is None:
            raise SettingsError("--train-biases needs biases to train: give --biases B1 B2")
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
                                if f.name not in ("iterations", "train_biases")
                                and getattr(self, f.name) is not None})


def _stored(x: float) -> float:
    return float(f"{x:.16G}")  # how XlsxWriter writes a number cell


def _check_finite(name, values):
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
        raise SettingsError(f"{name} must be finite numbers, got {list(values)}")


# Named sets of settings (`sheetgen build --preset NAME`); options given beside one override it.
PRESETS = {
    # Matt Mazur's "A Step by Step Backpropagation Example" (2015), the worked example with
    # biases that many students learn from: one step at η = 0.5, the biases not updated.
    "mazur": {"inputs": (0.05, 0.10), "targets": (0.01, 0.99),
              "weights": (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55),
              "biases": (0.35, 0.60), "learning_rates": (0.5,)},
}
