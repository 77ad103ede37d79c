"""Parameter counts, output shapes and the layer table of the registered models."""
from __future__ import annotations

import pytest
import torch

from mnist import model


def test_seednet_has_the_course_parameter_count():
    assert model.count_parameters(model.SeedNet()) == 10_690


def test_compact_is_at_most_8000_parameters():
    assert model.count_parameters(model.CompactNet()) <= 8_000


def test_small_is_at_most_6000_parameters():
    assert model.count_parameters(model.SmallNet()) <= 6_000


@pytest.mark.parametrize("name", list(model.MODELS))
def test_forward_shape_and_summary(name):
    torch.manual_seed(0)
    net = model.create(name)
    assert net(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    rows = model.summary(net)
    assert sum(r["params"] for r in rows) == model.count_parameters(net)
    assert rows[-1]["output_shape"] == (10,)
    text = model.format_summary(rows)
    assert f"{model.count_parameters(net):,}" in text.splitlines()[-1]


def test_seednet_layer_table_matches_the_course():
    rows = model.summary(model.SeedNet())
    shapes = [r["output_shape"] for r in rows]
    assert shapes[:8] == [(16, 26, 26), (24, 24, 24), (10, 24, 24), (10, 12, 12),
                          (14, 10, 10), (16, 8, 8), (16, 6, 6), (16, 1, 1)]
    assert [r["params"] for r in rows] == [176, 3504, 240, 0, 1288, 2048, 2336, 0, 1098]


def test_unknown_model():
    with pytest.raises(model.ModelError, match="unknown model 'nope'"):
        model.create("nope")
