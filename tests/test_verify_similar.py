"""`verify --similar` (issue 19): pairs that share what independent work would not, and the
issue's whole class: the real students, a blank exercise, a half-filled one, a key and a copy of
one student's file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sheetgen.cli import main
from sheetgen.verify import FileResult
from sheetgen.verify.similar import pairs

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"


def result(path, start=None, shapes=(), digest="", right=1, **props) -> FileResult:
    r = FileResult(path, "fail")
    r.tally = {"forward": [right, 8]}
    r.facts = {"properties": props, "start": start or {}, "shapes": list(shapes),
               "digest": digest}
    return r


START = {"i1": 0.3, "i2": 0.7, "t1": 0.2, "t2": 0.9, **{f"w{k}": k / 10 for k in range(1, 9)}}


def test_a_template_shared_by_many_is_no_sign():
    template = {"author": "Teacher", "created": "2023-01-02T04:33:07Z"}
    found = pairs([result(f"s{k}.xlsx", START, ["dw3: =RC[-1]"], f"d{k}", **template)
                   for k in range(4)])
    assert found == []


def test_identical_stored_values_are_a_sign_alone():
    (pair,) = pairs([result("a.xlsx", digest="x"), result("b.xlsx", digest="x"),
                     result("c.xlsx", digest="y")])
    assert (pair.first, pair.second) == ("a.xlsx", "b.xlsx")
    assert "identical stored values" in pair.line()


def test_two_kinds_of_rare_trait_make_a_pair_one_does_not():
    files = [result("a.xlsx", START, ["dw3: =RC[-1]"]), result("b.xlsx", START, ["dw3: =RC[-1]"]),
             result("c.xlsx", author="Ana"), result("d.xlsx", author="Ana")]
    (pair,) = pairs(files)
    assert (pair.first, pair.second) == ("a.xlsx", "b.xlsx")
    assert [k for k, _ in pair.shared] == ["start", "shape"]
    assert pair.line().startswith("similar: a.xlsx and b.xlsx share the same starting values "
                                  "(i1 = 0.3")


def test_a_blank_file_and_excels_template_say_nothing():
    blank = [result(f"{k}.xlsx", digest="same", right=0, created="2015-06-05T18:17:20Z",
                    author="openpyxl") for k in "ab"]
    assert pairs(blank) == []


# --- the issue's class --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def issue_class(tmp_path_factory):
    if not (STUDENTS / "student07.xlsx").exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must have {STUDENTS}")
        pytest.skip(f"no student workbooks in {STUDENTS}")
    from test_verify_grading import build, half_filled

    folder = tmp_path_factory.mktemp("issue_class")
    for path in sorted(STUDENTS.glob("*.xlsx")):
        shutil.copy(path, folder / path.name)
    shutil.copy(folder / "student12.xlsx", folder / "copied.xlsx")
    _, key = build(folder, "blank.xlsx", ["--iterations", "20", "--no-plot"])
    half_filled(key, folder / "half.xlsx")
    return folder


def test_the_issue_class(issue_class, tmp_path, capsys):
    files = sorted(str(p) for p in issue_class.glob("*.xlsx"))
    out = tmp_path / "out"
    out.mkdir()
    code = main(["verify", "-j", "2", "--similar", "--csv", str(out / "g.csv"), "--junit",
                 str(out / "g.xml"), *files])
    text = capsys.readouterr().out
    assert code == 1
    lines = text.splitlines()
    similar = [line for line in lines if line.startswith("similar:")]
    assert similar == [similar[0]] and similar[0].startswith(
        f"similar: {issue_class / 'copied.xlsx'} and {issue_class / 'student12.xlsx'} share ")
    assert f"{issue_class / 'half.xlsx'}: INCOMPLETE" in text
    assert f"{issue_class / 'blank-key.xlsx'}: PASS" in text
    summary = next(line for line in lines if line.startswith(f"{len(files)} file(s): "))
    assert "INCOMPLETE" in summary and "mean score" in summary and "slowest" in summary
    assert sum(line.startswith("  score ") for line in lines) == sum(
        line.startswith(str(issue_class)) and ": ERROR" not in line for line in lines)
    assert main(["verify", "--json", "--similar", *files[:4]]) == 1
    assert json.loads(capsys.readouterr().out)["similar"] == []
