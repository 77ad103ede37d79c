"""The rubric: how many points each part of the exercise is worth.

A part is a set of cells (`score.part_of` says which): the first row's forward pass, its loss,
its output-layer and hidden-layer gradients, the second row's updated weights, every other row
(filled down), and the value cells of the Backprop sheet's chain-rule blocks. A part earns its
points times the share of its cells that are right (`partial = false`: all or nothing). A
teacher overrides the defaults with a small TOML file:

    [points]            # any subset; the parts left out keep their default points
    forward = 20
    blocks = 0          # a layout without the Backprop sheet's blocks: not graded
    [options]
    partial = true      # partial credit per part (default true)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

# part: (what a person calls it, default points). The order is the order a table is filled in.
PARTS = {
    "forward": ("forward pass (first row)", 20.0),
    "loss": ("loss E1, E2, E_total (first row)", 10.0),
    "output_gradients": ("output-layer gradients ∂E/∂w5..w8 (first row)", 15.0),
    "hidden_gradients": ("hidden-layer gradients ∂E/∂w1..w4 (first row)", 20.0),
    "updates": ("updated weights (second row)", 10.0),
    "filled_down": ("every other row (filled down)", 10.0),
    "blocks": ("the Backprop sheet's chain-rule blocks", 15.0),
}


class RubricError(ValueError):
    """A rubric file that cannot be used (reported in one line, exit code 2)."""


@dataclass(frozen=True)
class Rubric:
    points: dict[str, float] = field(default_factory=lambda: {k: v for k, (_, v) in PARTS.items()})
    partial: bool = True

    @property
    def total(self) -> float:
        return sum(self.points.values())


DEFAULT = Rubric()


def load(path: Path) -> Rubric:
    """The rubric of a TOML file: the default points with the file's over them."""
    # Imported here: a check with the default rubric (and the self-check page) never reads TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise RubricError(f"cannot read the rubric {path}: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise RubricError(f"the rubric {path} is not valid TOML: {e}") from None
    unknown = set(data) - {"points", "options"}
    if unknown:
        raise RubricError(f"the rubric {path} has unknown sections {sorted(unknown)}; "
                          "it takes [points] and [options]")
    points = dict(DEFAULT.points)
    for part, value in data.get("points", {}).items():
        if part not in PARTS:
            raise RubricError(f"the rubric {path} names an unknown part {part!r}; the parts are "
                              f"{', '.join(PARTS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                0 <= value < 1e6):
            raise RubricError(f"the rubric {path}: {part} = {value!r} is not a number of points "
                              "from 0 up")
        points[part] = float(value)
    options = data.get("options", {})
    if set(options) - {"partial"} or not isinstance(options.get("partial", True), bool):
        raise RubricError(f"the rubric {path}: [options] takes only partial = true or false")
    if sum(points.values()) <= 0:
        raise RubricError(f"the rubric {path} gives no points at all")
    return Rubric(points, options.get("partial", True))
