"""`facts.digest`, which `--similar` compares between workbooks: equal stored values give equal
digests however the cells were read, and any difference (a value, its type, its cell, whether it
is a constant or a formula's cached value) gives another."""

from types import SimpleNamespace

from sheetgen.verify.facts import digest
from sheetgen.verify.values import XLError


def book(constants, cached=None):
    return SimpleNamespace(constants=dict(constants), cached=dict(cached or {}))


BASE = {(0, 1, 1): "w1", (0, 2, 1): 0.15, (0, 2, 2): -0.0, (0, 3, 1): True,
        (1, 7, 3): XLError("#DIV/0!", "a division by zero"), (0, 2, 3): 1e-300}


def test_equal_values_give_equal_digests():
    shuffled = dict(reversed(list(BASE.items())))
    copied = {**BASE, (0, 1, 1): "w" + str(1), (1, 7, 3): XLError("#DIV/0!", "a division by zero")}
    assert digest(book(BASE)) == digest(book(shuffled)) == digest(book(copied))


def test_any_difference_gives_another_digest():
    variants = [
        {**BASE, (0, 2, 1): 0.15000000000000002},  # one ulp
        {**BASE, (0, 2, 2): 0.0},
        {**BASE, (0, 3, 1): 1.0},  # TRUE is not the number 1
        {**BASE, (0, 3, 1): "TRUE"},
        {**BASE, (1, 7, 3): XLError("#VALUE!", "a division by zero")},
        {**{k: v for k, v in BASE.items() if k != (0, 2, 1)}, (0, 2, 4): 0.15},  # another cell
        {**BASE, (0, 2, 1): 0.15, (0, 2, 3): 1e-300, (0, 9, 9): 0.0},  # one value more
        {k: v for k, v in BASE.items() if k != (0, 2, 3)},  # one value fewer
        {**BASE, (0, 2, 1): BASE[(0, 2, 3)], (0, 2, 3): BASE[(0, 2, 1)]},  # two swapped
    ]
    digests = {digest(book(BASE))} | {digest(book(v)) for v in variants}
    assert len(digests) == len(variants) + 1
    # The same values as constants or as formulas' cached values differ too.
    assert digest(book({}, BASE)) != digest(book(BASE))
    half = dict(list(BASE.items())[:3])
    rest = {k: v for k, v in BASE.items() if k not in half}
    assert digest(book(half, rest)) != digest(book(rest, half))
