"""What a workbook is built from, checked before anything is written, and the named presets."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .. import network as net

MAX_ITERATIONS = 10_000
MAX_LEARNING_RATES = 20
DEFAULT_THRESHOLD = 1e-3


class SettingsError(ValueError):
    """Nonsense build settings (reported in one line by the CLI)."""


@dataclass(frozen=True)
class Settings:
    """The network, its data and the gradient-descent schedule.

    layers, activation, loss: the network's shape (see `network.Network`); inputs, targets: one
    example (i1.., t1..), or a batch, one tuple per example, read together at every step with the
    sum of their gradients, or the mean with `mean`; weights: w1.. in the classic numbering (by
    default `network.default_weights`); biases: one per layer after the input (b1 the first
    hidden layer's, ...) or one per unit, or None for none; train_biases: whether they descend
    by their gradients too. Inputs, targets and weights left out take the shape's defaults.
    """

    inputs: tuple | None = None
    targets: tuple | None = None
    weights: tuple[float, ...] | None = None
    learning_rates: tuple[float, ...] = net.LEARNING_RATES
    iterations: int = net.ITERATIONS
    threshold: float = DEFAULT_THRESHOLD
    biases: tuple[float, ...] | None = None
    train_biases: bool = False
    layers: tuple[int, ...] = (2, 2, 2)
    activation: str = "sigmoid"
    loss: str = "half_sse"
    mean: bool = False

    def __post_init__(self):
        try:
            shape = net.Network(layers=tuple(self.layers))
        except (net.NetworkError, TypeError):
            return  # check() says what is wrong
        for name, default in (("inputs", net.default_inputs), ("targets", net.default_targets),
                              ("weights", net.default_weights)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, default(shape))

    @property
    def batch(self) -> bool:
        """Whether a step reads several examples (inputs given one tuple per example)."""
        return bool(self.inputs) and isinstance(self.inputs[0], tuple)

    @property
    def examples(self) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
        """(inputs, targets) of each example of a step."""
        if self.batch:
            return tuple(zip(self.inputs, self.targets))
        return ((tuple(self.inputs), tuple(self.targets)),)

    @property
    def bias_mode(self) -> str | None:
        """"layer" with one bias per layer after the input, "unit" with one per unit."""
        if self.biases is None:
            return None
        return "layer" if len(self.biases) == len(self.layers) - 1 else "unit"

    @property
    def network(self) -> net.Network:
        """The network these settings build: its table of quantities, blocks and diagram."""
        examples = len(self.examples)
        return net.Network(layers=tuple(self.layers), activation=self.activation, loss=self.loss,
                           biases=self.bias_mode, trained=self.train_biases, examples=examples,
                           mean=self.mean and examples > 1)

    @classmethod
    def create(cls, **given) -> Settings:
        """Settings from loose values (lists, ints), checked; raises SettingsError."""
        def frozen(v):
            return tuple(map(frozen, v)) if isinstance(v, (list, tuple)) else v

        s = cls(**{k: frozen(v) for k, v in given.items()})
        s.check()
        return s

    def check(self) -> None:
        if isinstance(self.iterations, bool) or not isinstance(self.iterations, int):
            raise SettingsError(f"iterations must be a whole number, got {self.iterations!r}")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise SettingsError(f"iterations must be between 1 and {MAX_ITERATIONS}, "
                                f"got {self.iterations}")
        shape = self._check_shape()
        self._check_data(shape)
        if self.biases is not None:
            units = sum(self.layers[1:])
            layers, units = len(self.layers) - 1, sum(self.layers[1:])
            if len(self.biases) not in (layers, units):
                per_layer = " ".join(f"b{k}" for k in range(1, layers + 1))
                raise SettingsError(f"--biases needs {layers} numbers ({per_layer}: one per layer)"
                                    f" or {units} (b1..b{units}: one per unit), "
                                    f"got {len(self.biases)}")
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

    def _check_shape(self) -> net.Network:
        if not isinstance(self.layers, tuple) or not all(
                isinstance(n, int) and not isinstance(n, bool) for n in self.layers):
            raise SettingsError(f"--layers takes whole numbers, got {self.layers!r}")
        try:
            return net.Network(layers=self.layers, activation=self.activation, loss=self.loss)
        except net.NetworkError as e:
            raise SettingsError(str(e)) from None

    def _check_data(self, shape: net.Network) -> None:
        n_in, n_out = shape.layers[0], shape.layers[-1]
        if self.batch:
            if not all(isinstance(x, tuple) for x in (*self.inputs, *self.targets)) \
                    or len(self.inputs) != len(self.targets):
                raise SettingsError("a batch needs one tuple of inputs and one of targets "
                                    "per example")
            if len(self.inputs) > net.MAX_EXAMPLES:
                raise SettingsError(f"a step reads at most {net.MAX_EXAMPLES} examples, "
                                    f"got {len(self.inputs)}")
        elif self.mean:
            raise SettingsError("--mean needs several examples a step: give --examples FILE "
                                "or --preset xor")
        for k, (x, t) in enumerate(self.examples, start=1):
            where = f" (example {k})" if self.batch else ""
            for name, values, count in (("inputs", x, n_in), ("targets", t, n_out)):
                if len(values) != count:
                    raise SettingsError(f"--{name} needs {count} numbers, got {len(values)}"
                                        f"{where} (a {shape.shape} network)")
                _check_finite(name, values)
        if len(self.weights) != len(shape.edges):
            raise SettingsError(f"--weights needs {len(shape.edges)} numbers, got "
                                f"{len(self.weights)} (w1..w{len(shape.edges)} of a {shape.shape} "
                                "network)")
        _check_finite("weights", self.weights)

    def as_stored(self) -> Settings:
        """These settings as the workbook's input cells hold them: 16 significant digits.

        The stored values of the formulas are computed from the inputs a spreadsheet reads
        back, not from digits the file never held.
        """
        def stored(v):
            return tuple(map(stored, v)) if isinstance(v, tuple) else _stored(v)

        numbers = ("inputs", "targets", "weights", "learning_rates", "threshold", "biases")
        return replace(self, **{name: stored(getattr(self, name)) for name in numbers
                                if getattr(self, name) is not None})


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
    # XOR on a 2-2-1 network, the four examples read at every step (as students do it in a
    # spreadsheet), one bias per unit, trained; add --mean for the mean gradient.
    "xor": {"layers": (2, 2, 1), "inputs": ((0, 0), (0, 1), (1, 0), (1, 1)),
            "targets": ((0,), (1,), (1,), (0,)), "weights": (0.8, -0.6, -0.7, 0.9, 0.6, 0.7),
            "biases": (0.1, 0.1, -0.1), "train_biases": True, "learning_rates": (0.5, 1, 2, 5),
            "iterations": 1000},
}
