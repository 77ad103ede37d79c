"""Real student workbooks (../shared/students) judged as the teacher's truth.json (and
pending.json) says.

Each workbook's verdict must match, every root-cause cell the teacher names must lie inside one
of the verifier's findings, and no wrong workbook may pass. The folder is outside the project;
where it is absent the tests skip, except in CI, which has it and must run them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from sheetgen.verify import verify

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"
STATUS = {"correct": "pass", "wrong": "fail", "not-checkable": "error"}


def truth() -> dict:
    """The teacher's verdicts: truth.json, and pending.json (the workbooks of kinds the verifier
    learnt to read later, kept apart until it did: all of them are judged now)."""
    path = STUDENTS / "truth.json"
    if not path.exists():
        return {}
    out = json.loads(path.read_text(encoding="utf-8"))
    pending = STUDENTS / "pending.json"
    if pending.exists():
        out.update(json.loads(pending.read_text(encoding="utf-8")))
    return out


@pytest.fixture
def students():
    if not truth():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{STUDENTS}/truth.json is missing; CI must have ../shared/students")
        pytest.skip(f"no student workbooks in {STUDENTS}")


def cells_named(result) -> set[str]:
    """Every root-cause cell of every finding, as 'Sheet!A1' without quotes."""
    return {f"{result.sheets[s]}!{get_column_letter(c)}{r}"
            for t in result.tables for f in t.causes for s, r, c in f.keys}


@pytest.mark.parametrize("name", sorted(truth()) or ["(none)"])
def test_student_workbook_is_judged_as_the_teacher_did(students, name):
    expected = truth()[name]
    result = verify(STUDENTS / name)
    assert result.status == STATUS[expected["verdict"]], (result.reason, result.tables)
    if expected["verdict"] != "not-checkable":
        assert len(result.tables) == expected["tables"]
    teacher = {cell.replace("'", "") for cell in expected["root_causes"]}
    assert teacher <= cells_named(result), sorted(teacher - cells_named(result))[:5]
    if expected["verdict"] == "wrong":  # the first finding of each sheet is the teacher's first
        firsts = {}
        for cell in expected["root_causes"]:
            firsts.setdefault(cell.rsplit("!", 1)[0], cell.replace("'", ""))
        named = {f.cell.replace("'", "") for t in result.tables for f in t.causes}
        assert set(firsts.values()) <= named


def test_the_common_mistake_reads_as_one_line_per_workbook(students):
    """18 of 20 wrong workbooks share it: ∂E/∂w3, ∂E/∂w4 read a_h1 where a_h2 belongs."""
    from sheetgen.verify import report

    result = verify(STUDENTS / "student07.xlsx")
    lines = report.text(result).splitlines()
    assert lines[2] == (
        "  Sheet1!Z33:AA100, 'assignment6-calculations'!Z21:AA100 (∂E/∂w3, ∂E/∂w4) reads a_h1 "
        "(column J) where the chain rule needs a_h2 (column L)"
    )
    assert lines[3] == ("      Z33 is  =((R33-A33)*R33*(1-R33)*N33 + (T33-B33)*T33*(1-T33)*P33)"
                        "*J33*(1-J33)*C33")
    assert lines[4] == ("      write   =((R33-A33)*R33*(1-R33)*N33 + (T33-B33)*T33*(1-T33)*P33)"
                        "*L33*(1-L33)*C33")
    assert len(lines) == 10 and lines[-1].startswith("  score ")  # issue 19: the score last
