"""The description of a small network: what every table, block, diagram and reference is made of.

    Network(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", biases=None,
            trained=False, examples=1, mean=False)

layers      unit counts: input, up to two hidden layers, output; 1-4 units each (2 to 4 layers)
activation  "sigmoid" σ(x) = 1/(1+e⁻ˣ), "tanh", or "relu" max(0, x); the same in every layer
loss        "half_sse" E = ½Σ(t−a)² (the course's), or "sse" E = Σ(t−a)²
biases      None; "layer" (one bias per layer, shared by its units: b1, b2, ...); or "unit" (one
            per unit, numbered layer by layer: b1 h1, b2 h2, b3 o1, ...). True means "layer",
            False means None, so the older `Network(biases=True, trained=True)` still reads.
trained     whether the biases descend by their own gradients too (needs biases)
examples    how many examples a step reads (1: the classic one-example table)
mean        with several examples: the step's gradient is the mean of theirs, else their sum

Names. Units are `i1..` (inputs), `h1..` (the hidden layer; with two, `h1..` then `g1..`),
`o1..` (outputs); a unit's net input has its name (`h1`), its activation `a_h1`; targets
`t1..`, the loss of output k `Ek`, the step's loss `E_total`, gradients `dw1`, `db1`. Weights are
numbered layer by layer, then by the unit fed, then by the source unit (2-2-2: w1 i1→h1, w2 i2→h1,
w3 i1→h2, w4 i2→h2, w5 h1→o1, w6 h2→o1, w7 h1→o2, w8 h2→o2), i.e. each layer's matrix W (rows:
units fed, columns: sources) flattened row by row. With several examples every quantity of one
example carries the example's number: `i1_2`, `a_h1_2`, `E1_2` (labels `i1 [2]`, ...); the
weights, `E_total` (the summed loss of the step) and the gradients are the step's.

The derived tables (cached on the description): `columns` (the `Quantity`s of the iteration
table, in column order), `by_name`, `names`, `computed`, `updated`, `blocks` (the chain-rule
blocks of the Backprop sheet); `edges` ((source, unit, weight) in weight order), `units(l)`,
`layer_weights(l)`, `bias_names`, `bias_units(b)`, `example(name, e)`, `shape` ("2-2-2").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("half_sse", "sse")
BIAS_MODES = (None, "layer", "unit")
MAX_UNITS = 4
MAX_EXAMPLES = 16


class NetworkError(ValueError):
    """A description that is not one of the small networks built here."""


@dataclass(frozen=True)
class Network:
    """One small fully connected network and how it is trained (see the module's docstring)."""

    layers: tuple[int, ...] = (2, 2, 2)
    activation: str = "sigmoid"
    loss: str = "half_sse"
    biases: str | None = None
    trained: bool = False
    examples: int = 1
    mean: bool = False

    def __post_init__(self):
        bias = self.biases
        bias = "layer" if bias is True else None if bias is False or bias == "none" else bias
        object.__setattr__(self, "biases", bias)
        object.__setattr__(self, "layers", tuple(self.layers))
        self._check()

    def _check(self) -> None:
        sizes = self.layers
        if not 2 <= len(sizes) <= 4:
            raise NetworkError(f"a network has 2 to 4 layers (input, up to two hidden, output), "
                               f"got {len(sizes)}")
        if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_UNITS
                   for n in sizes):
            raise NetworkError(f"each layer has 1 to {MAX_UNITS} units, got {list(sizes)}")
        for name, value, allowed in (("activation", self.activation, ACTIVATIONS),
                                     ("loss", self.loss, LOSSES),
                                     ("biases", self.biases, BIAS_MODES)):
            if value not in allowed:
                raise NetworkError(f"{name} must be one of {', '.join(map(str, allowed))}, "
                                   f"got {value!r}")
        if self.trained and self.biases is None:
            raise NetworkError("trained biases need biases")
        if not isinstance(self.examples, int) or not 1 <= self.examples <= MAX_EXAMPLES:
            raise NetworkError(f"a step reads 1 to {MAX_EXAMPLES} examples, got {self.examples!r}")

    # --- names ----------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """The number of weight layers (1 for a network without hidden layer)."""
        return len(self.layers) - 1

    @property
    def shape(self) -> str:
        return "-".join(map(str, self.layers))

    @cached_property
    def letters(self) -> tuple[str, ...]:
        return ("i", *("h", "g")[:self.depth - 1], "o")

    def units(self, layer: int) -> tuple[str, ...]:
        """The units of layer `layer` (0 the inputs, `depth` the outputs): ("h1", "h2")."""
        return tuple(f"{self.letters[layer]}{j}" for j in range(1, self.layers[layer] + 1))

    @staticmethod
    def output_of(unit: str) -> str:
        """What a unit passes on: an input itself (`i1`), else its activation (`a_h1`)."""
        return unit if unit[0] == "i" else f"a_{unit}"

    def layer_of(self, unit: str) -> int:
        return self.letters.index(unit[0])

    @cached_property
    def edges(self) -> tuple[tuple[str, str, str], ...]:
        """(source, unit fed, weight) in weight order: layer, then unit fed, then source."""
        out = []
        for layer in range(1, self.depth + 1):
            for unit in self.units(layer):
                for source in self.units(layer - 1):
                    out.append((source, unit, f"w{len(out) + 1}"))
        return tuple(out)

    @cached_property
    def weight_names(self) -> tuple[str, ...]:
        return tuple(w for _, _, w in self.edges)

    def layer_weights(self, layer: int) -> tuple[str, ...]:
        """The weights into layer `layer` (1..depth)."""
        fed = set(self.units(layer))
        return tuple(w for _, unit, w in self.edges if unit in fed)

    def weight_into(self, unit: str, source: str) -> str:
        return next(w for s, u, w in self.edges if s == source and u == unit)

    @cached_property
    def bias_names(self) -> tuple[str, ...]:
        """b1.. : one per layer after the input, or one per unit (layer by layer); () without."""
        count = {None: 0, "layer": self.depth,
                 "unit": sum(self.layers[1:])}[self.biases]
        return tuple(f"b{k}" for k in range(1, count + 1))

    def bias_units(self, bias: str) -> tuple[str, ...]:
        """The units a bias is added to."""
        k = int(bias[1:])
        if self.biases == "layer":
            return self.units(k)
        return tuple(u for layer in range(1, self.depth + 1) for u in self.units(layer))[k - 1:k]

    def bias_of(self, unit: str) -> str | None:
        return next((b for b in self.bias_names if unit in self.bias_units(b)), None)

    def layer_biases(self, layer: int) -> tuple[str, ...]:
        fed = set(self.units(layer))
        return tuple(b for b in self.bias_names if fed & set(self.bias_units(b)))

    def example(self, name: str, e: int) -> str:
        """The name of quantity `name` of example `e` (1-based): `a_h1_2`, or `a_h1` alone."""
        return name if self.examples == 1 else f"{name}_{e}"

    # --- the tables generated from the description -----------------------------------------
    @cached_property
    def columns(self):
        """The iteration table's quantities, in column order (`quantities.columns`)."""
        from .quantities import columns

        return columns(self)

    @cached_property
    def by_name(self):
        return {q.name: q for q in self.columns}

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.columns)

    @cached_property
    def computed(self):
        """The columns a student must get right: all but the given inputs."""
        return tuple(q for q in self.columns if not q.is_input)

    @cached_property
    def updated(self) -> tuple[str, ...]:
        """The quantities that descend by gradient: the weights, and the biases when trained."""
        return tuple(q.name for q in self.columns if q.is_updated)

    @cached_property
    def blocks(self):
        """The chain-rule blocks of the Backprop sheet (`blocks.blocks`): (title, lines) with
        lines (label, template); a block with nothing to show is left out."""
        from .blocks import blocks

        return blocks(self)


def default_weights(net: Network) -> tuple[float, ...]:
    """The initial weights when none are given: in weight order, the weights into each layer
    count up by 0.05 from 0.15 (the first layer) or 0.40 (the later ones), times 2/fan-in, rounded
    to 3 decimals. The course's 0.15 ... 0.30, 0.40 ... 0.55 is its 2-2-2 instance; every unit
    starts different from its neighbours (no symmetry to break), all units start on (ReLU too), and the net input
    stays moderate however many sources feed a unit."""
    out = []
    for layer in range(1, net.depth + 1):
        start, scale = (0.15 if layer == 1 else 0.40), 2 / net.layers[layer - 1]
        out += [round((start + 0.05 * k) * scale, 3) for k in range(len(net.layer_weights(layer)))]
    return tuple(out)


def default_inputs(net: Network) -> tuple[float, ...]:
    """i1, i2, ... = 0.05, 0.10, ... (the course's i1, i2)."""
    return tuple(round(0.05 * j, 12) for j in range(1, net.layers[0] + 1))


def default_targets(net: Network) -> tuple[float, ...]:
    """0.5 for every output (the course's t1, t2)."""
    return (0.5,) * net.layers[-1]
