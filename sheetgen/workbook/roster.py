"""One exercise per student: inputs, targets and initial weights drawn from the student's id.

`sheetgen build --exercise --roster roster.csv` reads a CSV with the columns `id` and `name`
(a header row, then one row per student) and writes, for each student, `NAME-<id>.xlsx` and its
key `NAME-<id>-key.xlsx` beside the `-o` path. The values come from a random generator seeded
with a SHA-256 hash of the id (never Python's `hash()`, which changes from run to run), so the
same id always gets the same values, and the verifier can draw them again from the id alone.

A draw is kept only if the classic network trains on it at every one of the course's learning
rates for the course's 100 iterations: E_total falls at every step and ends lower than it
starts (`trains`). Numbers are rounded to two decimals, as a student would type them.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import network as net

INPUT_RANGE = (0.05, 1.0)
TARGET_RANGE = (0.05, 0.95)
WEIGHT_RANGE = (-0.8, 0.8)
DIGITS = 2
MAX_DRAWS = 1000
ID = re.compile(r"[A-Za-z0-9@][A-Za-z0-9._@-]{0,63}")
PROPERTY = "sheetgen student id"  # the custom document property that holds the id


class RosterError(ValueError):
    """A roster that cannot be used (one line, exit code 2)."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str


@dataclass(frozen=True)
class Start:
    inputs: tuple[float, float]
    targets: tuple[float, float]
    weights: tuple[float, ...]

    def values(self) -> dict[str, float]:
        """By quantity name: i1, i2, t1, t2, w1..w8."""
        return (dict(zip(("i1", "i2"), self.inputs)) | dict(zip(("t1", "t2"), self.targets))
                | {f"w{k}": w for k, w in enumerate(self.weights, start=1)})


def read(path: Path) -> list[Student]:
    """The students of a roster CSV (columns id and name); raises RosterError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise RosterError(f"cannot read the roster {path}: {e}") from None
    if not rows or "id" not in rows[0] or "name" not in rows[0]:
        raise RosterError(f"the roster {path} needs a header row with the columns id and name, "
                          "then one row per student")
    students, seen = [], set()
    for n, row in enumerate(rows, start=2):
        sid, name = (row.get("id") or "").strip(), (row.get("name") or "").strip()
        if not ID.fullmatch(sid) or ".." in sid:
            raise RosterError(f"the roster {path}, line {n}: the id {sid[:40]!r} must be 1 to 64 "
                              "letters, digits, '.', '_', '-' or '@'")
        if sid in seen:
            raise RosterError(f"the roster {path}, line {n}: the id {sid} is there twice")
        seen.add(sid)
        students.append(Student(sid, name[:100]))
    return students


def seed(student_id: str) -> int:
    """A stable seed from the id: the first 8 bytes of its SHA-256."""
    return int.from_bytes(hashlib.sha256(f"sheetgen roster {student_id}".encode()).digest()[:8],
                          "big")


def trains(start: Start, etas=net.LEARNING_RATES, steps: int = net.ITERATIONS) -> bool:
    """Whether E_total falls at every step, at every learning rate, from this start."""
    e = net.iterate(start.inputs, start.targets, start.weights, list(etas), steps)["E_total"]
    return bool(np.all(np.diff(e, axis=1) < 0) and np.all(np.isfinite(e)))


def draw(student_id: str) -> Start:
    """The student's values: the first draw from their seed on which the network trains."""
    rng = np.random.default_rng(seed(student_id))

    def take(bounds, n):
        return tuple(float(round(x, DIGITS)) for x in rng.uniform(*bounds, n))

    for _ in range(MAX_DRAWS):
        start = Start(take(INPUT_RANGE, 2), take(TARGET_RANGE, 2), take(WEIGHT_RANGE, 8))
        if trains(start):
            return start
    raise RosterError(f"no values that train found for {student_id}")  # pragma: no cover


def file_name(path: Path, student: Student) -> Path:
    """`class/backprop.xlsx` -> `class/backprop-<id>.xlsx`."""
    return path.with_name(f"{path.stem}-{student.id}{path.suffix or '.xlsx'}")


def settings_for(settings, student: Student):
    """The build settings with the student's inputs, targets and initial weights; raises
    RosterError when they do not train at one of the settings' own learning rates."""
    from dataclasses import replace

    start = draw(student.id)
    mine = replace(settings, inputs=start.inputs, targets=start.targets, weights=start.weights)
    e = net.iterate(mine.inputs, mine.targets, mine.weights, list(mine.learning_rates),
                    mine.iterations, b=mine.biases, train_biases=mine.train_biases)["E_total"]
    if mine.iterations > 1 and not np.all(np.diff(e, axis=1) < 0):
        raise RosterError(f"the values drawn for {student.id} do not train at every learning "
                          "rate given; choose learning rates of at most 2")
    return mine


def build_class(path: Path, settings, students: list[Student]) -> list[tuple[Path, Path]]:
    """One exercise and one key per student, the id in their document properties. Every path
    and every student's settings are checked before anything is written."""
    from ..files import check_output_path
    from . import build_exercise, key_path

    plan = []
    for s in students:
        exercise = file_name(Path(path), s)
        check_output_path(exercise)
        check_output_path(key_path(exercise))
        plan.append((exercise, settings_for(settings, s), {PROPERTY: s.id}))
    return [build_exercise(exercise, mine, props) for exercise, mine, props in plan]
