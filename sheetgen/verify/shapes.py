"""Which small networks a region may hold, from what its header labels count.

The sizes come from the labels (i1.., h1.. and, for a second hidden layer, g1.., o1.. or t1..;
hidden units that no label names are as many as the weights need), the course's 2-2-2 where they
say nothing else. Each size is read
without biases, with biases fixed or trained (one per layer, then one per unit), with the
loss ½Σ(t−a)² before Σ(t−a)², and with the sigmoid before tanh and ReLU. A batch (labels such as
`i1 [2]`: a step reads several examples) is read with the sum of the examples' gradients and
with their mean: the values decide which.
"""

from __future__ import annotations

from dataclasses import replace

from .. import network as net
from .tables import Region

NETWORKS = (net.Network(), net.Network(biases=True), net.Network(biases=True, trained=True))
BIAS_MODES = ((None, False), ("layer", False), ("layer", True), ("unit", False), ("unit", True))


def networks(region: Region) -> tuple[tuple[net.Network, ...], ...]:
    """The networks a region may hold, in groups tried in turn: the sizes its labels count
    (i1.., h1.., o1.. or t1..; the course's 2-2-2 where they count nothing else), each without
    biases, with fixed biases and with trained ones; with the course's sigmoid and loss
    ½Σ(t−a)², then (tried only where none of those reads the whole table, or the best reading's
    loss columns ask for it) with Σ(t−a)², then likewise with tanh and ReLU."""
    sizes = _sizes([_one_example(n) for n in region.hints.values()])
    examples = region.examples or _examples(region.hints.values())
    if sizes == (2, 2, 2) and examples == 1:
        first = NETWORKS
    elif examples == 1:
        first = tuple(net.Network(layers=sizes, biases=b, trained=t) for b, t in BIAS_MODES)
    else:  # a batch: the step's gradient the sum of the examples', or their mean
        first = tuple(net.Network(layers=sizes, biases=b, trained=t, examples=examples, mean=m)
                      for b, t in BIAS_MODES for m in (False, True))
    sse = tuple(replace(n, loss="sse") for n in first)
    others = tuple(replace(n, loss=loss, activation=activation)
                   for activation in ("tanh", "relu") for loss in ("half_sse", "sse")
                   for n in first)
    return first, sse, others


def _one_example(name: str) -> str:
    """`a_h1` for `a_h1_2` (example 2 of a batch); other names as they are."""
    base, _, e = name.rpartition("_")
    return base if e.isdigit() and base[-1:].isdigit() else name


def _examples(names) -> int:
    """How many examples a step reads: the highest example number the labels carry (1 where
    they carry none, or too many for a network)."""
    count = max((int(n.rpartition("_")[2]) for n in names if _one_example(n) != n), default=1)
    return count if 1 <= count <= net.MAX_EXAMPLES else 1


def _sizes(names) -> tuple[int, ...]:
    names = list(names)
    count = _counts(names)
    weights = max((int(n[1:]) for n in names if n[0] == "w" and n[1:].isdigit()), default=0)
    i, h, g, o = count["i"], count["h"], count["g"], count["o"]
    if i and h and not g and not o and weights > i * h and (weights - i * h) % h == 0:
        o = (weights - i * h) // h  # outputs unlabelled: as many as the weights need
        return (i, h, o) if o <= 4 else (2, 2, 2)
    if not i or not o:
        return (2, 2, 2)
    if h and g:  # two hidden layers: h1.. then g1..
        return (i, h, g, o)
    if not h and weights > i * o:  # hidden units unlabelled: as many as the weights need
        h = weights // (i + o) if weights % (i + o) == 0 else 0
        return (i, h, o) if 1 <= h <= 4 else (2, 2, 2)
    return (i, h, o) if h else (i, o)


def _counts(names: list[str]) -> dict[str, int]:
    """The highest unit number each layer's labels name: i1.., h1.. or a_h1.., o1.., a_o1..,
    t1.. or E1..; a second hidden layer's g1.. only where its activations a_g1.. are labelled
    too (a lone `g1` may be a student's name for a gradient)."""
    count = {"i": 0, "h": 0, "g": 0, "o": 0}
    letters = {"t": "o", "a_o": "o", "a_h": "h", "a_g": "g", "E": "o"}
    for name in names:
        letter = letters.get(name.rstrip("0123456789"), name[0])
        digits = name.lstrip("a_thgoiE")
        if letter in count and digits.isdigit() and name[0] not in "wdb":
            count[letter] = max(count[letter], int(digits))
    if not any(n.startswith("a_g") for n in names):
        count["g"] = 0
    return count


NETS = frozenset(f"{x}{k}" for x in "hgo" for k in range(1, 5))  # net inputs of any layer
