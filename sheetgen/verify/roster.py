"""`sheetgen verify --roster roster.csv`: does each submission start from its student's values?

A submission belongs to the student whose id its document properties hold (the custom property
`sheetgen student id` that `sheetgen build --roster` writes and spreadsheet programs keep); a
file without one belongs to the student its file name names: `<id>.xlsx`, or `<anything>-<id>.xlsx`
/ `<anything>_<id>.xlsx` as built (the longest id that fits). The first table's first row must
hold the inputs, targets and initial weights drawn for that id; a file that starts from other
values is FAIL, with a note naming whose values they are when they are another student's.
"""
from __future__ import annotations

import math
from pathlib import Path

from ..workbook.roster import PROPERTY, Student, draw
from .words import number

TOLERANCE = 1e-9


def by_file_name(path: str, students: list[Student]) -> Student | None:
    stem = Path(path).stem
    fits = [s for s in students if stem == s.id or stem.endswith(("-" + s.id, "_" + s.id))]
    return max(fits, key=lambda s: len(s.id), default=None)


def owner(result, students: list[Student]) -> tuple[Student | None, list[str]]:
    """The student a submission belongs to, and notes when its id and file name disagree."""
    ids = {s.id: s for s in students}
    given = result.facts.get("properties", {}).get(PROPERTY)
    named = by_file_name(result.path, students)
    if given is not None and given not in ids:
        return named, [(f"roster: its properties name the id {given[:64]!r}, which is not on the "
                       "roster")]
    if given is not None:
        notes = [] if named in (None, ids[given]) else [
            f"roster: its properties name {given} but its file name names {named.id}"]
        return ids[given], notes
    return named, []


def _same(start: dict[str, float], values: dict[str, float]) -> bool:
    return all(k in start and math.isclose(start[k], v, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
               for k, v in values.items())


def check(result, students: list[Student], draws: dict[str, dict] | None = None) -> None:
    """Add the roster's notes to a checked result; FAIL when it does not start from its
    student's values (or its id and file name disagree)."""
    if result.status == "error":
        return
    draws = draws if draws is not None else {s.id: draw(s.id).values() for s in students}
    student, notes = owner(result, students)
    start = result.facts.get("start", {})
    if student is None:
        notes.append("roster: no student of the roster found (no id in its document "
                     "properties, and its file name names none)")
    elif not _same(start, draws[student.id]):
        want = draws[student.id]
        shown = ", ".join(f"{k} = {number(start[k]) if k in start else 'nothing'} "
                          f"(not {number(v)})" for k, v in want.items()
                          if k not in start or not math.isclose(start[k], v, abs_tol=TOLERANCE))
        whose = [s for s in students if s != student and _same(start, draws[s.id])]
        also = f"; these are the values of {whose[0].id} ({whose[0].name})" if whose else ""
        notes.append(f"roster: does not start from {student.id}'s values: {shown}{also}")
    result.notes = list(result.notes) + notes
    if any(n.startswith("roster: does not") or " but its file name" in n for n in notes):
        result.status = "fail"
