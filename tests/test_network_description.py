"""The description of a network and what is generated from it: the weight numbering, the names,
the table of quantities (its templates evaluated against the independent reference), the blocks."""
from __future__ import annotations

import numpy as np
import pytest

from sheetgen import network as net
from sheetgen.network import Network, NetworkError
from sheetgen.reference import run

NETWORKS = [
    Network(),
    Network(biases=True, trained=True),
    Network(layers=(2, 3, 2), activation="tanh", loss="sse", biases="unit", trained=True),
    Network(layers=(2, 2, 1), biases="unit", trained=True, examples=4, mean=True),
    Network(layers=(2, 2, 1), biases="layer", examples=3),
    Network(layers=(2, 1)),
    Network(layers=(3, 4, 2, 2), activation="relu"),
    Network(layers=(1, 2, 3, 1), activation="tanh", biases="layer", trained=True, examples=2),
]


def test_classic_numbering_and_compatible_spellings():
    assert net.EDGES == (("i1", "h1", "w1"), ("i2", "h1", "w2"), ("i1", "h2", "w3"),
                         ("i2", "h2", "w4"), ("h1", "o1", "w5"), ("h2", "o1", "w6"),
                         ("h1", "o2", "w7"), ("h2", "o2", "w8"))
    assert Network(biases=True) == Network(biases="layer") and Network(biases=False) == Network()
    assert Network(biases=True, trained=True).bias_names == ("b1", "b2")
    assert net.default_weights(net.CLASSIC) == net.WEIGHTS
    assert net.default_inputs(net.CLASSIC) == net.INPUTS
    assert net.default_targets(net.CLASSIC) == net.TARGETS


def test_two_hidden_layers_and_per_unit_biases():
    n = Network(layers=(3, 4, 2, 2), biases="unit")
    assert n.units(1) == ("h1", "h2", "h3", "h4") and n.units(2) == ("g1", "g2")
    assert n.edges[12] == ("h1", "g1", "w13") and n.edges[-1] == ("g2", "o2", "w24")
    assert n.bias_names == tuple(f"b{k}" for k in range(1, 9))
    assert n.bias_units("b5") == ("g1",) and n.bias_units("b8") == ("o2",)
    assert n.by_name["g1"].formula == "{w13}*{a_h1}+{w14}*{a_h2}+{w15}*{a_h3}+{w16}*{a_h4}+{b5}"


def test_a_batch_names_each_example():
    n = Network(layers=(2, 2, 1), examples=4, mean=True)
    assert n.names[:3] == ("t1_1", "i1_1", "i2_1")
    assert n.by_name["a_h1_3"].label == "a_h1 [3]"
    assert n.by_name["E_total"].formula == "{E1_1}+{E1_2}+{E1_3}+{E1_4}"
    dw5 = n.by_name["dw5"].formula
    assert dw5.startswith("((") and dw5.endswith(")/4") and dw5.count("{a_h1_") == 4


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: f"{n.shape}-{n.activation}-"
                         f"{n.loss}-{n.biases}-{n.examples}")
def test_every_template_computes_what_the_reference_computes(network):
    """Each template evaluated on the reference's row above gives the reference's value: the
    templates and the reference are written apart, so they check each other."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (network.examples, network.layers[0]))
    t = rng.uniform(0, 1, (network.examples, network.layers[-1]))
    b = rng.uniform(-1, 1, len(network.bias_names)) if network.biases else None
    table = run(network, x, t, rng.uniform(-1, 1, len(network.edges)), [0.7], 3, biases=b)
    values = {(n, off): table[n][0, 1 + off] for n in network.names for off in (0, -1)}
    values[("eta", 0)] = 0.7
    for q in network.columns:
        assert net.evaluate(q.formula, values) == pytest.approx(table[q.name][0, 1], rel=1e-12,
                                                                abs=1e-300), q.name


def test_blocks_follow_the_shape():
    assert [title[:2] for title, _ in Network(layers=(2, 1)).blocks] == ["1.", "2.", "3."]
    deep = Network(layers=(3, 4, 2, 2), activation="relu").blocks
    assert deep[3][0].startswith("4. Hidden activations: ∂E_total/∂a_g1, ∂E_total/∂a_g2, ")
    assert dict(deep[4][1])["∂a_g1/∂g1"] == "({a_g1}>0)*1"  # a number in its cell, not TRUE
    assert net.maths(Network(activation="tanh").by_name["a_h1"].formula) == "tanh(h1)"


@pytest.mark.parametrize("given, message", [
    ({"layers": (2,)}, "2 to 4 layers"),
    ({"layers": (2, 5, 1)}, "1 to 4 units"),
    ({"activation": "softplus"}, "activation must be one of"),
    ({"loss": "mae"}, "loss must be one of"),
    ({"trained": True}, "trained biases need biases"),
    ({"examples": 0}, "1 to 16 examples"),
])
def test_nonsense_descriptions_are_refused(given, message):
    with pytest.raises(NetworkError, match=message):
        Network(**given)
