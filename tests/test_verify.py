"""The verifier on our workbook, on students' layouts, and on planted mistakes in every column."""

from __future__ import annotations

import json
import random
import re
from xml.etree import ElementTree as ET

import pytest
from openpyxl import Workbook, load_workbook

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.verify import verify
from sheetgen.verify.samples import LAYOUTS_FOR_CROSS_CHECK, Layout, classic_workbook, write_table

ROWS = 8  # enough rows for a planted mistake in the middle and a spread after it
PLANT = 4  # the data row (0-based) that gets the mistake


def single(
    path,
    layout: Layout | None = None,
    rows: int = ROWS,
    eta: float = 0.5,
    mistake=None,
    sheet: str = "Sheet1",
) -> dict:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    info = write_table(ws, layout or Layout(), rows=rows, eta=eta, mistake=mistake)
    wb.save(path)
    return info


# --- our own workbook ------------------------------------------------------------------------
def iteration_tables(result) -> list:
    """The η tables; since issue 19 the Backprop sheet's blocks are judged too, as the last."""
    *tables, blocks = result.tables
    assert blocks.sheet == "Backprop" and blocks.status == "pass" and blocks.cells == 29
    return tables


def test_built_workbook_passes_in_process(built_default):
    result = verify(built_default)
    assert result.status == "pass", result
    tables = iteration_tables(result)
    assert len(tables) == len(net.LEARNING_RATES)
    assert sorted(t.eta for t in tables) == sorted(net.LEARNING_RATES)
    assert all(t.rows == net.ITERATIONS and t.eta_cell.endswith("!B3") for t in tables)


def test_built_workbook_passes_in_libreoffice(built_default, soffice):
    result = verify(built_default, engine="libreoffice")
    assert result.status == "pass", result
    assert len(iteration_tables(result)) == len(net.LEARNING_RATES)


def test_cli_passes_built_workbook(built_default, capsys):
    assert main(["verify", str(built_default)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{built_default}: PASS (7 table(s), 629 rows")  # 6 η sheets, blocks


# --- students' layouts -----------------------------------------------------------------------
def shuffled(seed: int) -> tuple[str, ...]:
    names = list(net.NAMES)
    random.Random(seed).shuffle(names)
    return tuple(names)


LAYOUTS = {
    "row2-colA-student": LAYOUTS_FOR_CROSS_CHECK[0],
    "row32-colB-shuffled": Layout(
        header_row=32,
        first_col=2,
        order=shuffled(1),
        eta_cell=(30, 3),
        eta_label="eta",
        student=True,
    ),
    "helpers-LR": Layout(
        header_row=10,
        first_col=1,
        helpers=True,
        student=True,
        eta_cell=(3, 2),
        eta_label="LR",
        labels={"E_total": "Etotal", "dw5": "dEtotal/dw5"},
    ),
    "constants-as-formulas": Layout(
        first_row="formulas", labels={"E_total": "E_TOTAL", "t2": "target_2"}
    ),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_student_layouts_pass(tmp_path, layout):
    path = tmp_path / "student.xlsx"
    info = single(path, layout)
    result = verify(path)
    assert result.status == "pass", result
    (table,) = result.tables
    assert table.rows == ROWS and table.eta == 0.5
    assert table.eta_cell.endswith("!" + f"{'ABCDEF'[info['eta'][1] - 1]}{info['eta'][0]}")


def test_student_formulas_look_like_students_write_them(tmp_path):
    path = tmp_path / "student.xlsx"
    info = single(path, LAYOUTS["row2-colA-student"])
    ws = load_workbook(path).active
    r = info["rows"][1]

    def cell(name: str):
        return ws.cell(r, info["cols"][name]).value

    assert re.fullmatch(r"=1/\(1\+EXP\(-1\*\w+\)\)", cell("a_h1"))
    assert re.fullmatch(rf"=SUM\(\w+{r}:\w+{r}\)", cell("E_total"))
    assert ws.cell(info["rows"][0], info["cols"]["w1"]).value == "=0.15"


def test_several_tables_on_several_sheets(tmp_path):
    wb = Workbook()
    ws = wb.active
    write_table(ws, Layout(header_row=2, first_col=2, eta_cell=(1, 3)), rows=5, eta=0.1)
    write_table(ws, Layout(header_row=32, first_col=2, eta_cell=(30, 3)), rows=6, eta=0.8)
    write_table(
        ws, Layout(header_row=2, first_col=40, eta_cell=(1, 41), order=shuffled(2)), rows=4, eta=2.0
    )
    write_table(
        wb.create_sheet("lr 0.2"),
        Layout(student=True),
        rows=3,
        eta=0.2,
        mistake=(2, "dw8", net.DELTA_O2 + "*{a_h1}"),
    )
    wb.save(tmp_path / "many.xlsx")
    result = verify(tmp_path / "many.xlsx")
    assert [(t.sheet, t.header, t.rows, t.eta, t.status) for t in result.tables] == [
        ("Sheet", "B2", 5, 0.1, "pass"),
        ("Sheet", "AN2", 4, 2.0, "pass"),
        ("Sheet", "B32", 6, 0.8, "pass"),
        ("lr 0.2", "B5", 3, 0.2, "fail"),
    ]
    assert (
        result.tables[3].causes[0].message
        == "AF8 (∂E/∂w8) reads a_h1 (column K) where the chain rule needs a_h2 (column M)"
    )


def test_literal_learning_rate_fails_as_structure(tmp_path):
    mistake = (1, "w1", "{w1[-1]}-0.5*{dw1[-1]}")
    single(tmp_path / "lit.xlsx", mistake=mistake)
    (table,) = verify(tmp_path / "lit.xlsx").tables
    assert table.status == "fail"
    assert [f.message for f in table.causes] == ["F7 (w1) does not read η (B3)"]


def test_pasted_values_fail_with_that_reason(tmp_path):
    path = tmp_path / "pasted.xlsx"
    info = single(path)
    ref = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, [0.5], ROWS)
    wb = load_workbook(path)
    for name, col in info["cols"].items():
        for k, r in enumerate(info["rows"]):
            wb.active.cell(r, col, float(ref[name][0][k]))
    wb.save(path)
    result = verify(path)
    assert result.status == "fail"
    assert (
        result.tables[0]
        .causes[0]
        .words.startswith("every computed cell holds a pasted number, not a formula (")
    )


def test_one_pasted_cell_is_named(tmp_path):
    path = tmp_path / "pasted.xlsx"
    info = single(path)
    wb = load_workbook(path)
    wb.active.cell(info["rows"][3], info["cols"]["h2"], 0.123)
    wb.save(path)
    (cause,) = verify(path).tables[0].causes
    assert (
        cause.cell == "Sheet1!L9"
        and cause.message == "L9 (h2) holds a pasted number, not a formula"
    )


# --- mutations: every computed column, the typical mistakes ----------------------------------
def mutations(name: str) -> dict[str, str]:
    """Typical mistakes in the template of `name`: wrong weight, dropped factor, sign flip,
    wrong row."""
    t = net.BY_NAME[name].formula
    out = {}
    weights = re.findall(r"\{w(\d)(\[-1\])?\}", t)
    if weights:
        k, off = weights[-1]
        used = {int(w) for w, _ in weights}
        j = next(j for j in (int(k) - 1, int(k) + 1, *range(1, 9)) if 1 <= j <= 8 and j not in used)
        head, _, tail = t.rpartition(f"{{w{k}{off}}}")
        out["wrong-weight"] = f"{head}{{w{j}{off}}}{tail}"
    if name in net.WEIGHT_NAMES:
        out["dropped-factor"] = t.replace("{eta}*", "")
    elif "*" in t:
        out["dropped-factor"] = re.sub(r"\*(\{\w+\}|\([^()]*\))$", "", t)
    elif "+" in t and "EXP" not in t:
        out["dropped-factor"] = t.rsplit("+", 1)[0]
    out["sign-flip"] = t.replace("-", "+", 1) if "-" in t else t.replace("+", "-", 1)
    if name in net.WEIGHT_NAMES:
        out["wrong-row"] = t.replace(f"{{{name}[-1]}}", f"{{{name}[-2]}}")
    else:
        out["wrong-row"] = re.sub(r"\{((?!t\d|i\d)\w+)\}", r"{\1[-1]}", t, count=1)
    return out


CASES = [(q.name, kind, text) for q in net.COMPUTED for kind, text in mutations(q.name).items()]


def test_every_computed_column_has_mutations():
    names = {name for name, _, _ in CASES}
    assert names == {q.name for q in net.COMPUTED} and len(names) == 27
    assert {kind for _, kind, _ in CASES} == {
        "wrong-weight",
        "dropped-factor",
        "sign-flip",
        "wrong-row",
    }


@pytest.mark.parametrize("name,kind,text", CASES, ids=[f"{n}-{k}" for n, k, _ in CASES])
def test_planted_mistake_is_the_first_root_cause(tmp_path, name, kind, text):
    path = tmp_path / "mutant.xlsx"
    info = single(path, mistake=(PLANT, name, text))
    result = verify(path)
    assert result.status == "fail"
    (table,) = result.tables
    planted = f"{_col(info['cols'][name])}{info['rows'][PLANT]}"
    first = table.causes[0]
    assert first.cell == f"Sheet1!{planted}", [f.message for f in table.causes]
    assert first.message.startswith(f"{planted} ({net.BY_NAME[name].label}) ")
    # The fix is what the sample writer puts in that cell when nothing is planted.
    single(tmp_path / "right.xlsx")
    assert first.fix == load_workbook(tmp_path / "right.xlsx").active[planted].value
    up = " one row up" if name in net.WEIGHT_NAMES else ""
    if kind == "wrong-weight":
        wrong = re.findall(r"\{(w\d)", text)[-1]
        right = re.findall(r"\{(w\d)", net.BY_NAME[name].formula)[-1]
        assert first.words == (
            f"reads {wrong}{up} (column {_col(info['cols'][wrong])}) where "
            f"{'the update rule' if up else RULES[name]} needs "
            f"{right}{up} (column {_col(info['cols'][right])})"
        )
    if kind == "wrong-row" and name in net.WEIGHT_NAMES:
        c = _col(info["cols"][name])
        assert first.words == (
            f"reads {name} 2 rows up (column {c}) where the update rule needs {name} one row up "
            f"(column {c})"
        )


RULES = {q.name: "the forward pass" if q.block == 1 else "the chain rule" for q in net.COMPUTED}


def _col(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c)


def test_issue_example_words_and_spread(tmp_path, capsys):
    path = tmp_path / "w6.xlsx"
    dw1 = net.BY_NAME["dw1"].formula.replace("{w7}", "{w6}")
    classic_workbook(path, etas=(0.5,), rows=ROWS, mistake=(1, "dw1", dw1))
    assert main(["verify", "--hints", "formula", str(path)]) == 1  # the teacher's view
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("  score ")
    assert out[1:-1] == [
        "  tables: 'η=0.5'!B5 (8 rows, η = 0.5 in B3, fail)",
        "  'η=0.5'!Y7 (∂E/∂w1) reads w6 (column O) where the chain rule needs w7 (column P)",
        "      Y7 is  =(({S7}-{B7})*{S7}*(1-{S7})*{N7}+({U7}-{C7})*{U7}*(1-{U7})*{O7})*{K7}*(1-{K7})*{D7}"
        .replace("{", "").replace("}", ""),
        "      write  =((S7-B7)*S7*(1-S7)*N7+(U7-C7)*U7*(1-U7)*P7)*K7*(1-K7)*D7",
        "  the errors spread to 128 more cells that read them",
    ]


def test_helper_columns_are_read_through(tmp_path):
    layout = Layout(helpers=True)
    mistake = (PLANT, "dw5", "{delta_o2}*{a_h1}")
    info = single(tmp_path / "h.xlsx", layout, mistake=mistake)
    first = verify(tmp_path / "h.xlsx").tables[0].causes[0]
    r = info["rows"][PLANT]
    assert first.message.startswith(f"AC{r} (∂E/∂w5) reads a_o2 (column ")
    assert first.message.partition(" needs ")[2].count("a_o1 (column") == 1


# --- outputs -----------------------------------------------------------------------------------
def test_json_junit_and_parallel(tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    classic_workbook(good, etas=(0.1, 2.0), rows=4)
    single(bad, mistake=(2, "E_total", "{E1}"))
    junit = tmp_path / "report.xml"
    code = main(
        [
            "verify",
            "-j",
            "2",
            "--json",
            "--junit",
            str(junit),
            str(good),
            str(bad),
            str(tmp_path / "missing.xlsx"),
        ]
    )
    # issue 19: a file that cannot be checked no longer hides a FAIL: 1, not 2
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 1
    assert [f["status"] for f in data["files"]] == ["pass", "fail", "error"]
    cause = data["files"][1]["tables"][0]["causes"][0]
    assert (
        cause["cell"] == "Sheet1!X8"
        and cause["message"] == "X8 (E_total) lacks E2 (column W), which the forward pass needs"
    )
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    assert [c.get("name") for c in suite.iter("testcase")] == [
        "'η=0.1'!B5",
        "'η=2'!B5",
        "Sheet1!B5",
        "workbook",
    ]


def test_rtol_option(tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    single(path, mistake=(3, "E1", "0.5000001*({t1}-{a_o1})*({t1}-{a_o1})"))
    assert main(["verify", str(path)]) == 1
    assert main(["verify", "--rtol", "1e-6", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_wrong_weight_found_in_student_layouts(tmp_path, layout):
    from sheetgen.verify.samples import template

    path = tmp_path / "student.xlsx"
    info = single(
        path, layout, mistake=(PLANT, "dw1", template("dw1", layout).replace("{w7}", "{w6}"))
    )
    first = verify(path).tables[0].causes[0]
    r, cols = info["rows"][PLANT], info["cols"]
    assert first.message == (
        f"{_col(cols['dw1'])}{r} (∂E/∂w1) reads w6 (column {_col(cols['w6'])}) "
        f"where the chain rule needs w7 (column {_col(cols['w7'])})"
    )


def test_libreoffice_engine_finds_the_same_root_cause(tmp_path, soffice):
    path = tmp_path / "w6.xlsx"
    single(path, mistake=(PLANT, "dw3", net.BY_NAME["dw3"].formula.replace("{w8}", "{w7}")))
    ours, theirs = verify(path), verify(path, engine="libreoffice")
    assert theirs.status == ours.status == "fail"
    assert [f.message for f in theirs.tables[0].causes] == [
        f.message for f in ours.tables[0].causes
    ]
    assert theirs.tables[0].spread == ours.tables[0].spread


def test_libreoffice_engine_recalculates_stored_values(tmp_path, soffice):
    """A LibreOffice-saved workbook, one formula changed and its stored value left as it was:
    LibreOffice's default profile would show the old (right) value; the engine must recompute."""
    import zipfile

    from sheetgen.libreoffice import recalculate

    classic_workbook(tmp_path / "c.xlsx", etas=(0.5,), rows=6)
    saved = recalculate(tmp_path / "c.xlsx", tmp_path / "lo")
    with zipfile.ZipFile(saved) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = "xl/worksheets/sheet2.xml"
    old = re.search(rb'<c r="K8"[^>]*><f[^>]*>1/\(1\+EXP\(-J8\)\)</f><v>([^<]+)</v>', parts[sheet])
    assert old, "LibreOffice stored a value beside the formula of K8"
    parts[sheet] = parts[sheet].replace(old.group(0), old.group(0).replace(b"EXP(-J8)", b"EXP(J8)"))
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = verify(stale, engine="libreoffice")
    assert result.status == "fail", result
    assert result.tables[0].causes[0].cell.endswith("!K8")


def test_a_check_runs_with_fewer_cycle_collections_and_restores_them(tmp_path, monkeypatch):
    import gc

    import sheetgen.verify as V

    seen = []

    def spy(path, **options):
        seen.append(gc.get_threshold()[0])
        raise RuntimeError("a bug in the verifier")

    before = gc.get_threshold()
    monkeypatch.setattr(V, "open_book", spy)
    result = V.check_one(tmp_path / "x.xlsx", {})
    assert seen == [20_000] and gc.get_threshold() == before
    assert result.status == "error" and "internal error" in result.reason
