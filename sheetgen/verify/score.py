"""Scores: the share of each part's cells that are right, weighted by the rubric's points.

A cell is right when it is no root cause: a cell that is wrong only because it reads a wrong
one (the spread) holds the right formula and earns its credit. Empty cells are not right.
"""
from __future__ import annotations

from dataclasses import dataclass

from .rubric import DEFAULT, PARTS, Rubric

FORWARD_BLOCK = 1  # the forward chain: net inputs, activations, then the loss (E1.., E_total)
OUTPUT_BLOCK, HIDDEN_BLOCK = 3, 6  # the chain-rule blocks of the output and hidden gradients


def part_of(q, k: int) -> str | None:
    """The rubric part of quantity `q`'s cell in the table's row number `k` (0 = first)."""
    if q.is_input:
        return None  # given values copied down: nothing to grade
    if k == 0:
        if q.block == FORWARD_BLOCK:
            return "loss" if q.name.startswith("E") else "forward"
        return {OUTPUT_BLOCK: "output_gradients", HIDDEN_BLOCK: "hidden_gradients"}.get(q.block)
    return "updates" if k == 1 and q.is_updated else "filled_down"


def tally(table, result) -> dict[str, list[int]]:
    """part -> [right cells, cells] of one checked table (`identify.Table`, `TableResult`)."""
    counts: dict[str, list[int]] = {}
    wrong = {key for f in result.causes for key in f.keys}
    everything = any(f.kind == "pasted-table" for f in result.causes)
    for q in table.network.columns:
        if q.name not in table.columns and q.name not in table.cells:
            continue  # a partial table (the forward pass alone) is graded on what it has
        parts = [part_of(q, 0), part_of(q, 1), part_of(q, 2)]  # the first, second, other rows
        for k, r in enumerate(table.rows):
            part = parts[min(k, 2)]
            if part is None:
                continue
            c = counts.setdefault(part, [0, 0])
            c[1] += 1
            c[0] += not everything and table.key(q.name, r) not in wrong
    if len(table.network.layers) == 2:  # no hidden layer: that part does not exist here
        counts.setdefault("hidden_gradients", [0, 0])
    return counts


def add(into: dict[str, list[int]], more: dict[str, list[int]]) -> dict[str, list[int]]:
    for part, (right, total) in more.items():
        c = into.setdefault(part, [0, 0])
        c[0] += right
        c[1] += total
    return into


@dataclass(frozen=True)
class Part:
    name: str  # the rubric's key
    title: str
    points: float
    max_points: float
    right: int
    cells: int

    @property
    def line(self) -> str:
        found = f"{self.right:,} of {self.cells:,} cells right" if self.cells else (
            "not found in this workbook")
        return f"{self.title}: {self.points:.4g}/{self.max_points:.4g} ({found})"


@dataclass(frozen=True)
class Score:
    points: float
    max_points: float
    parts: tuple[Part, ...]

    def to_dict(self) -> dict:
        return {"score": round(self.points, 4), "max_score": self.max_points,
                "parts": [p.__dict__ | {"points": round(p.points, 4)} for p in self.parts]}

    @property
    def text(self) -> str:
        return f"{self.points:.4g}/{self.max_points:.4g}"


def grade(counts: dict[str, list[int]], rubric: Rubric = DEFAULT) -> Score:
    """The score of a file from its cells' tally: every part of the rubric, found or not; a
    part the network cannot have (tallied as [0, 0]: no hidden layer) is worth nothing."""
    parts = []
    for name, (title, _) in PARTS.items():
        right, cells = counts.get(name, (0, 0))
        most = 0.0 if counts.get(name) == [0, 0] else rubric.points[name]
        share = right / cells if cells else 0.0
        if not rubric.partial:
            share = float(cells > 0 and right == cells)
        parts.append(Part(name, title, most * share, most, right, cells))
    return Score(sum(p.points for p in parts), sum(p.max_points for p in parts), tuple(parts))
