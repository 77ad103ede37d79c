"""Hint levels (issue 19): below `formula`, no output shows a formula the student has not
written, in cells or in maths. Checked by scanning every output for the answer key's formulas
and for the right formulas the teacher's level (`formula`) shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify import verify
from sheetgen.verify.hints import LEVELS, apply, words_for
from sheetgen.workbook import COLUMN_OF, FIRST_ROW

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"
SMALL = ["--iterations", "5", "--lr", "0.5", "--no-plot"]
SINGLE = re.compile(r"=(?:'[^']*'|\w+)!\$?[A-Z]{1,3}\$?\d+")


def bare(text: str) -> str:
    return re.sub(r"[\s$]", "", text)


@pytest.fixture(scope="module")
def zeros(tmp_path_factory):
    """The exercise with `=0` typed into every empty cell of row 6 (and of the blocks), and the
    answer key's formulas of those cells."""
    folder = tmp_path_factory.mktemp("zeros")
    path = folder / "ex.xlsx"
    assert main(["build", "--exercise", "-o", str(path), *SMALL]) == 0
    wb, key = load_workbook(path), load_workbook(folder / "ex-key.xlsx")
    sheet = "η=0.5"
    answers = []
    for q in net.COMPUTED:
        cell = f"{COLUMN_OF[q.name]}{FIRST_ROW}"
        if wb[sheet][cell].value is None:
            wb[sheet][cell] = "=0"
            answers.append(key[sheet][cell].value)
    for row in key["Backprop"].iter_rows():
        if isinstance(row[2].value, str) and row[2].value.startswith("="):
            wb["Backprop"][row[2].coordinate] = "=0"
            answers.append(row[2].value)
    wb.save(folder / "zeros.xlsx")
    assert len(answers) == 19 + 29
    return folder / "zeros.xlsx", answers


def outputs(path: Path, level: str, folder: Path, capsys) -> str:
    """Everything `verify` writes at this level: text, JSON, CSV, JUnit, Gradescope."""
    texts = []
    for extra in ([], ["--json"]):
        main(["verify", "--hints", level, *extra, str(path)])
        texts.append(capsys.readouterr().out)
    files = {"--csv": folder / "g.csv", "--junit": folder / "g.xml",
             "--gradescope": folder / "r.json"}
    main(["verify", "--hints", level, *(x for o, f in files.items() for x in (o, str(f))),
          str(path)])
    capsys.readouterr()
    texts += [f.read_text(encoding="utf-8") for f in files.values()]
    texts[1] = json.dumps(json.loads(texts[1]), ensure_ascii=False)  # \u escapes as text
    return "\n".join(texts)


@pytest.mark.parametrize("level", ["none", "where", "why"])
def test_a_student_who_types_zero_is_not_shown_the_answers(zeros, tmp_path, capsys, level):
    path, answers = zeros
    everything = bare(outputs(path, level, tmp_path, capsys))
    for answer in answers:
        if SINGLE.fullmatch(answer):
            continue  # `='η=0.5'!K6` (∂o1/∂w5 = a_h1) names a cell, as every report does
        assert bare(answer[1:]) not in everything, answer
    for q in net.COMPUTED:  # nor any quantity's template in maths
        assert bare(q.maths()) not in everything, q.name


def test_the_teachers_level_shows_them(zeros, tmp_path, capsys):
    """The scan would see them: at `formula` the answers are there."""
    path, answers = zeros
    everything = bare(outputs(path, "formula", tmp_path, capsys))
    fixes = [f.fix for t in verify(path).tables for f in t.causes if f.fix]
    assert len(fixes) >= 10 and all(bare(fix[1:]) in everything for fix in fixes)
    assert set(fixes) <= set(answers)


def test_why_is_the_default_and_the_exercise_says_how_to_get_it(zeros, tmp_path, capsys):
    path, _ = zeros
    main(["verify", str(path)])
    default = capsys.readouterr().out
    main(["verify", "--hints", "why", str(path)])
    assert capsys.readouterr().out.split("\n", 1)[1] == default.split("\n", 1)[1]
    row3 = [c.value for c in load_workbook(path)["η=0.5"][3] if isinstance(c.value, str)]
    assert any("sheetgen verify --hints why FILE" in text for text in row3)


def test_each_level_says_less(zeros):
    path, _ = zeros
    result = verify(path)
    shown = {level: apply(result, level) for level in LEVELS}
    found = {level: [f for t in r.tables for f in t.causes] for level, r in shown.items()}
    assert found["none"] == []
    assert all(f.words in ("is wrong", "are still empty") for f in found["where"])
    assert all(not f.fix for level in ("where", "why") for f in found[level])
    assert any(f.fix for f in found["formula"])
    assert [f.cells for f in found["where"]] == [f.cells for f in found["why"]]
    assert result.tables[0].causes is not found["why"]  # the result itself is not changed


@pytest.mark.parametrize("name", ["student06.xlsx", "student07.xlsx", "student09.xlsx"])
def test_real_mistakes_keep_the_right_formula_to_the_teacher(name, tmp_path, capsys):
    """Every formula the teacher's report says to write, and every part of one it quotes after
    'needs', is absent from the student's report unless the student wrote it."""
    path = STUDENTS / name
    if not path.exists():
        pytest.skip(f"no {path}") if not _ci() else pytest.fail(f"CI must have {path}")
    result = verify(path)
    findings = [f for t in result.tables for f in t.causes if f.kind != "empty"]
    quoted = [m.group(1).split(" (")[0] for f in findings
              for m in re.finditer(r"needs (?:a \w+ )?(\S+ \([^)]*\))", f.words)]
    secrets = {bare(f.fix[1:]) for f in findings if f.fix} | {
        bare(q) for q in quoted if re.search(r"[*+/-]", q)}
    mine = {bare(f.formula) for f in findings}
    secrets = {s for s in secrets if not any(s in m for m in mine)}
    assert secrets  # the scan has something to look for
    student = bare(outputs(path, "why", tmp_path, capsys))
    assert not [s for s in secrets if s in student]


def test_words_that_name_cells_stay():
    words = "reads a_h1 (column J) where the chain rule needs a_h2 (column L)"
    assert words_for(words, "=J6*2") == words
    words = "reads w3 3 rows up (column G) where the update rule needs η (G19)"
    assert words_for(words, "") == words
    assert words_for("has a product (R32*A32) (a_o1·t1) where the chain rule needs a difference "
                     "R32-A32 (a_o1−t1)", "") == ("has a product (R32*A32) (a_o1·t1) where the "
                                                   "chain rule needs a difference")
    assert words_for("lacks G8*E8 (w2·i2), which the forward pass needs", "") == (
        "lacks a part, which the forward pass needs")


def _ci() -> bool:
    import os

    return os.environ.get("CI", "").lower() == "true"
