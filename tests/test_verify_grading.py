"""Grading a class (issue 19): scores by a rubric in every output, Gradescope's results.json,
PASS / INCOMPLETE / FAIL per table, the exit code of a class run, the Backprop sheet's blocks
judged like a table, and a run that prints each file as it finishes with a summary."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook, load_workbook

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify import verify
from sheetgen.verify.rubric import PARTS, RubricError, load
from sheetgen.verify.samples import Layout, write_table
from sheetgen.verify.score import grade
from sheetgen.workbook import COLUMN_OF, FIRST_ROW

SMALL = ["--iterations", "10", "--lr", "0.5", "1", "--no-plot"]


def build(folder, name="ex.xlsx", options=SMALL):
    path = folder / name
    assert main(["build", "--exercise", "-o", str(path), *options]) == 0
    return path, folder / name.replace(".xlsx", "-key.xlsx")


def half_filled(key, out):
    """The key with only rows 6 and 7 written on every η sheet, and the blocks left empty."""
    wb = load_workbook(key)
    computed = [COLUMN_OF[q.name] for q in net.COMPUTED]
    for ws in wb.worksheets:
        if ws.title.startswith("η="):
            for row in range(FIRST_ROW + 2, ws.max_row + 1):
                for column in computed:
                    ws[f"{column}{row}"] = None
    for row in wb["Backprop"].iter_rows():
        if isinstance(row[2].value, str) and row[2].value.startswith("="):
            row[2].value = None
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    blank, key = build(folder)
    return {"blank": blank, "key": key, "half": half_filled(key, folder / "half.xlsx")}


# --- verdicts and scores ------------------------------------------------------------------------
def test_the_key_scores_full_marks_and_the_blank_exercise_none(classroom):
    key, blank = verify(classroom["key"]), verify(classroom["blank"])
    assert key.status == "pass" and grade(key.tally).points == pytest.approx(100)
    assert blank.status == "incomplete" and grade(blank.tally).points == 0
    assert all(t.status == "incomplete" for t in blank.tables)


def test_a_half_filled_exercise_is_incomplete_with_partial_credit(classroom):
    result = verify(classroom["half"])
    assert result.status == "incomplete"
    score = {p.name: p for p in grade(result.tally).parts}
    for part in ("forward", "loss", "output_gradients", "hidden_gradients", "updates"):
        assert score[part].points == score[part].max_points  # rows 6 and 7 are all right
    assert score["blocks"].points == 0 and score["blocks"].cells == 29
    # on each of two sheets of 10 rows: row 7's 19 other cells (right), then 8 rows of 27 empty
    assert (score["filled_down"].right, score["filled_down"].cells) == (2 * 19, 2 * (19 + 27 * 8))


def test_one_iteration_and_its_updated_weights_all_right_is_incomplete(tmp_path):
    """The issue's case: a student table of one full iteration and the next row's weights."""
    wb = Workbook()
    info = write_table(wb.active, Layout(), rows=2, eta=0.5)
    second = info["rows"][1]
    for q in net.COMPUTED:
        if not q.is_updated:
            wb.active.cell(second, info["cols"][q.name]).value = None
    wb.save(tmp_path / "one.xlsx")
    result = verify(tmp_path / "one.xlsx")
    assert result.status == "incomplete" and result.tables[0].status == "incomplete"
    parts = {p.name: p for p in grade(result.tally).parts}
    assert parts["updates"].right == parts["updates"].cells == 8
    assert parts["filled_down"].right == 0 and parts["filled_down"].cells == 19


def test_a_wrong_formula_costs_its_part_in_proportion(tmp_path):
    """∂E/∂w3 wrong in the first row of one of two tables: its part loses one of 8 cells."""
    wb = Workbook()
    wrong = net.BY_NAME["dw3"].formula.replace("{a_h2}", "{a_h1}")
    write_table(wb.active, Layout(), rows=4, eta=0.5)
    write_table(wb.create_sheet("B"), Layout(), rows=4, eta=0.5, mistake=(0, "dw3", wrong))
    wb.save(tmp_path / "w.xlsx")
    result = verify(tmp_path / "w.xlsx")
    assert result.status == "fail" and [t.status for t in result.tables] == ["pass", "fail"]
    parts = {p.name: p for p in grade(result.tally).parts}
    assert (parts["hidden_gradients"].right, parts["hidden_gradients"].cells) == (7, 8)
    assert parts["hidden_gradients"].points == pytest.approx(20 * 7 / 8)


# --- the Backprop sheet's blocks ----------------------------------------------------------------
def test_every_block_formula_of_the_key_set_to_999_fails(classroom, tmp_path):
    wb = load_workbook(classroom["key"])
    changed = 0
    for row in wb["Backprop"].iter_rows():
        if isinstance(row[2].value, str) and row[2].value.startswith("="):
            row[2].value = "=999"
            changed += 1
    assert changed == 29
    wb.save(tmp_path / "999.xlsx")
    result = verify(tmp_path / "999.xlsx")
    assert result.status == "fail"
    blocks = result.tables[-1]
    assert blocks.sheet == "Backprop" and blocks.status == "fail"
    assert sum(f.count for f in blocks.causes) == 29 and len(blocks.causes) == 6  # one per block
    assert all("gives 999 where the first iteration's value is" in f.words for f in blocks.causes)
    assert {p.name: p.points for p in grade(result.tally).parts}["blocks"] == 0


def test_one_wrong_block_line_is_named_with_the_formula_to_write(classroom, tmp_path):
    wb = load_workbook(classroom["key"])
    ws = wb["Backprop"]
    line = next(r for r in ws.iter_rows() if r[0].value == "∂a_o1/∂o1")
    right = line[2].value
    line[2].value = right.replace("(1-", "(2-")
    wb.save(tmp_path / "one.xlsx")
    result = verify(tmp_path / "one.xlsx")
    (finding,) = result.tables[-1].causes
    assert finding.cells == f"C{line[2].row}" and finding.fix == right
    assert finding.fix_at(line[2].row, 3) == right


# --- rubric -------------------------------------------------------------------------------------
def test_a_rubric_file_sets_the_points(tmp_path, classroom):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points]\nforward = 50\nblocks = 0\n[options]\npartial = false\n")
    r = load(rubric)
    assert r.points["forward"] == 50 and r.points["blocks"] == 0 and not r.partial
    assert r.total == sum(v for _, v in PARTS.values()) + 30 - 15
    half = verify(classroom["half"])
    score = grade(half.tally, r)
    parts = {p.name: p.points for p in score.parts}
    assert parts["forward"] == 50 and parts["filled_down"] == 0  # all or nothing


@pytest.mark.parametrize("text, words", [
    ("[points]\nforwrd = 1\n", "unknown part 'forwrd'"),
    ("[points]\nloss = -1\n", "not a number of points"),
    ("[points\n", "not valid TOML"),
    ("[grades]\n", "unknown sections"),
    ("[options]\npartial = 1\n", "partial = true or false"),
])
def test_a_bad_rubric_is_one_line_and_exit_2(tmp_path, capsys, classroom, text, words):
    rubric = tmp_path / "r.toml"
    rubric.write_text(text)
    with pytest.raises(RubricError, match=words.replace("(", r"\(")):
        load(rubric)
    assert main(["verify", "--rubric", str(rubric), str(classroom["key"])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


# --- every output format ------------------------------------------------------------------------
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "visibility",
                  "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
                   "output_format", "tags", "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope(data: dict) -> None:
    """The documented results.json format (gradescope-autograders.readthedocs.io, specs)."""
    assert set(data) <= GRADESCOPE_TOP
    assert isinstance(data["score"], (int, float)) and isinstance(data["output"], str)
    assert isinstance(data["execution_time"], int)
    assert data["visibility"] in VISIBILITY and data["stdout_visibility"] in VISIBILITY
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST and {"name", "score", "max_score"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert 0 <= test["score"] <= test["max_score"] and test["status"] in ("passed", "failed")
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def test_scores_in_text_json_csv_junit_and_gradescope(tmp_path, capsys, classroom):
    files = [str(classroom[k]) for k in ("key", "half", "blank")]
    out = tmp_path / "o"
    out.mkdir()
    code = main(["verify", "--csv", str(out / "g.csv"), "--junit", str(out / "g.xml"), *files])
    assert code == 1
    text = capsys.readouterr().out
    expected = [grade(verify(f).tally) for f in files]
    for f, s in zip(files, expected):
        assert f"score {s.text}: forward " in text
    assert text.splitlines()[-1].startswith("3 file(s): 1 PASS, 2 INCOMPLETE; mean score ")
    rows = list(csv.DictReader(io.StringIO((out / "g.csv").read_text())))
    assert [r["status"] for r in rows] == ["PASS", "INCOMPLETE", "INCOMPLETE"]
    assert [float(r["score"]) for r in rows] == [pytest.approx(s.points, abs=1e-3) for s in expected]
    assert all(r["max_score"] == "100" and "blocks" in r for r in rows)
    suite = ET.parse(out / "g.xml").getroot()
    scores = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert scores == {f"score {f}": s.text for f, s in zip(files, expected)}
    assert suite.get("failures") == str(3 + 3)  # every table (2 η sheets, blocks) of the two
    assert main(["verify", "--json", *files]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["score"]["score"] for f in data["files"]] == [
        pytest.approx(s.points, abs=1e-3) for s in expected]
    assert [p["name"] for p in data["files"][0]["score"]["parts"]] == list(PARTS)
    gs = out / "results.json"
    assert main(["verify", "--gradescope", str(gs), files[1]]) == 1
    capsys.readouterr()
    check_gradescope(json.loads(gs.read_text()))
    assert json.loads(gs.read_text())["score"] == pytest.approx(expected[1].points, abs=1e-3)


def test_gradescope_takes_one_file(capsys, classroom, tmp_path):
    assert main(["verify", "--gradescope", str(tmp_path / "r.json"), str(classroom["key"]),
                 str(classroom["half"])]) == 2
    assert "one FILE" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


# --- the exit code of a class run ---------------------------------------------------------------
@pytest.mark.parametrize("kinds, code", [
    (["key"], 0), (["key", "missing"], 2), (["key", "half", "missing"], 1), (["half"], 1),
    (["missing"], 2),
])
def test_exit_code_policy(classroom, tmp_path, capsys, kinds, code):
    paths = [str(classroom.get(k, tmp_path / "missing.xlsx")) for k in kinds]
    assert main(["verify", *paths]) == code
    out = capsys.readouterr().out
    assert all(p in out for p in paths)  # every file has its line, whatever the others are


# --- a class run that reads as it goes ----------------------------------------------------------
def test_each_file_is_reported_as_it_finishes_and_summed_up(classroom, tmp_path, capsys):
    from sheetgen.verify.workers import check_all

    paths = [classroom["key"], classroom["half"], tmp_path / "missing.xlsx"]
    seen = []
    results = check_all(paths, {}, 2, lambda p, o: verify(p), done=seen.append)
    assert sorted(r.path for r in seen) == sorted(str(p) for p in paths)
    assert [r.path for r in results] == [str(p) for p in paths]  # the result list: input order
    assert main(["verify", "-j", "2", *map(str, paths)]) == 1
    out, err = capsys.readouterr()
    assert err == ""  # no progress bar when stderr is not a terminal
    summary = out.splitlines()[-1]
    assert summary.startswith("3 file(s): 1 PASS, 1 INCOMPLETE, 1 cannot be checked; mean score ")
    assert " over 2 checked; slowest " in summary


def test_a_progress_bar_only_on_a_terminal():
    from sheetgen.verify.progress import Live

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shown, bar = [], Terminal()
    live = Live(3, lambda r: f"line {r}", shown.append, stderr=bar)
    for k in range(3):
        live.done(k)
    live.close()
    assert shown == ["line 0", "line 1", "line 2"] and "3/3" in bar.getvalue()
    quiet = io.StringIO()
    live = Live(3, str, shown.append, stderr=quiet)
    live.done(1)
    live.close()
    assert quiet.getvalue() == ""


def test_a_network_without_a_hidden_layer_is_not_docked_for_hidden_gradients(tmp_path):
    """A correct 2-1 network has no hidden-layer gradients to write: that part is worth nothing,
    so its score is full, not 80 of 100."""
    from sheetgen.cli import main
    from sheetgen.verify import verify
    from sheetgen.verify.score import grade

    path = tmp_path / "l21.xlsx"
    assert main(["build", "--layers", "2", "1", "--iterations", "5", "--no-plot", "-o",
                 str(path)]) == 0
    result = verify(path)
    score = grade(result.tally)
    hidden = next(p for p in score.parts if p.name == "hidden_gradients")
    assert result.status == "pass" and hidden.max_points == 0
    assert score.points == score.max_points == 80
