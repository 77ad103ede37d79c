"""Per-student variants (issue 19): `build --exercise --roster` and `verify --roster`.

30 students: their values differ, each trains (E_total falls at every step, on every learning
rate of the course, by the reference), each key verifies PASS, the id is in each workbook's
document properties, and each variant judged as another student's is flagged."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import zipfile

import numpy as np
import pytest

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify import roster as R
from sheetgen.verify import verify
from sheetgen.verify.facts import properties
from sheetgen.workbook.roster import PROPERTY, RosterError, Student, draw, read, seed

IDS = [f"s{k:03d}" for k in range(1, 31)]


def write_roster(path, ids=IDS):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        w.writerows([sid, f"Student {sid}"] for sid in ids)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roster")
    roster = write_roster(folder / "roster.csv")
    (folder / "out").mkdir()
    code = main(["build", "--exercise", "--roster", str(roster), "-o",
                 str(folder / "out" / "bp.xlsx"), "--iterations", "4", "--lr", "0.5", "2"])
    assert code == 0
    return folder, read(roster)


def test_the_seed_is_a_stable_hash_of_the_id():
    assert seed("s001") == int.from_bytes(
        __import__("hashlib").sha256(b"sheetgen roster s001").digest()[:8], "big")
    assert draw("s001") == draw("s001") and draw("s001") != draw("s002")


def test_thirty_variants_differ_and_each_trains_on_every_rate():
    starts = [draw(sid) for sid in IDS]
    assert len({dataclasses.astuple(s) for s in starts}) == 30
    assert len({s.inputs for s in starts}) == 30 and len({s.weights for s in starts}) == 30
    for s in starts:
        e = net.iterate(s.inputs, s.targets, s.weights, list(net.LEARNING_RATES),
                        net.ITERATIONS)["E_total"]
        assert np.all(np.diff(e, axis=1) < 0), s  # falls at every step, on every η
        assert s.inputs != net.INPUTS and s.weights != net.WEIGHTS


def test_each_student_gets_an_exercise_and_a_key_with_their_id(built):
    folder, students = built
    for s in students:
        exercise, key = folder / "out" / f"bp-{s.id}.xlsx", folder / "out" / f"bp-{s.id}-key.xlsx"
        assert properties(exercise)[PROPERTY] == s.id == properties(key)[PROPERTY]
    assert sorted(p.name for p in (folder / "out").iterdir()) == sorted(
        [f"bp-{s.id}.xlsx" for s in students] + [f"bp-{s.id}-key.xlsx" for s in students])


def test_each_key_passes_and_starts_from_its_students_values(built, capsys):
    folder, students = built
    keys = [str(folder / "out" / f"bp-{s.id}-key.xlsx") for s in students]
    assert main(["verify", "-j", "2", "--roster", str(folder / "roster.csv"), *keys]) == 0
    out = capsys.readouterr().out
    assert "roster:" not in out and out.splitlines()[-1].startswith("30 file(s): 30 PASS")
    result = verify(keys[0])
    assert result.facts["start"] == pytest.approx(draw(students[0].id).values())


def test_each_variant_judged_as_another_students_is_flagged(built):
    """A file without the id in its properties (Google Sheets drops them) is matched by its
    name: each key, named as the next student's, starts from the wrong values."""
    folder, students = built
    draws = {s.id: draw(s.id).values() for s in students}
    for k, s in enumerate(students):
        other = students[(k + 1) % len(students)]
        result = verify(folder / "out" / f"bp-{s.id}-key.xlsx")
        result.facts["properties"] = {}
        result.path = f"{other.id}.xlsx"
        R.check(result, students, draws)
        assert result.status == "fail", s
        (note,) = result.notes
        assert note.startswith(f"roster: does not start from {other.id}'s values: ")
        assert note.endswith(f"these are the values of {s.id} (Student {s.id})")


def test_a_copy_under_another_name_is_flagged_by_its_properties(built, tmp_path, capsys):
    folder, students = built
    copy = tmp_path / f"bp-{students[1].id}.xlsx"
    shutil.copy(folder / "out" / f"bp-{students[0].id}-key.xlsx", copy)
    assert main(["verify", "--roster", str(folder / "roster.csv"), str(copy)]) == 1
    out = capsys.readouterr().out
    assert f"note: roster: its properties name {students[0].id} but its file name names " \
           f"{students[1].id}" in out


def test_a_file_of_no_student_is_noted(built, tmp_path, capsys):
    folder, students = built
    plain = tmp_path / "mine.xlsx"
    with zipfile.ZipFile(folder / "out" / f"bp-{students[0].id}-key.xlsx") as src, \
            zipfile.ZipFile(plain, "w") as dst:
        for item in src.infolist():
            if item.filename != "docProps/custom.xml":
                dst.writestr(item, src.read(item.filename))
    assert main(["verify", "--roster", str(folder / "roster.csv"), str(plain)]) == 0
    assert "roster: no student of the roster found" in capsys.readouterr().out


def test_matching_by_file_name_takes_the_longest_id():
    students = [Student("a1", ""), Student("b-a1", "")]
    assert R.by_file_name("x/bp-b-a1.xlsx", students).id == "b-a1"
    assert R.by_file_name("a1.xlsx", students).id == "a1"
    assert R.by_file_name("ba1.xlsx", students) is None


@pytest.mark.parametrize("text, words", [
    ("name\nAna\n", "columns id and name"),
    ("id,name\n../x,Ana\n", "must be 1 to 64"),
    ("id,name\na,Ana\na,Ben\n", "there twice"),
    ("", "columns id and name"),
])
def test_a_bad_roster_is_one_line_and_nothing_written(tmp_path, capsys, text, words):
    roster = tmp_path / "r.csv"
    roster.write_text(text)
    with pytest.raises(RosterError, match=words):
        read(roster)
    assert main(["build", "--exercise", "--roster", str(roster), "-o",
                 str(tmp_path / "bp.xlsx")]) == 2
    assert main(["verify", "--roster", str(roster), str(tmp_path / "bp.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and words in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_roster_needs_exercise(tmp_path, capsys):
    roster = write_roster(tmp_path / "r.csv", ["a"])
    assert main(["build", "--roster", str(roster), "-o", str(tmp_path / "bp.xlsx")]) == 2
    assert "needs --exercise" in capsys.readouterr().err
